use taskdef::Task;

#[derive(Task)]
#[task(name = "sample", kind = server)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
