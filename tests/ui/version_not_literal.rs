use taskdef::Task;

#[derive(Task)]
#[task(version = VERSION)]
#[task(allow_unknown_fields)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
