use taskdef::Task;

#[derive(Task)]
#[task(name = "sample", kind = server)]
#[task(allow_unknown_fields)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
