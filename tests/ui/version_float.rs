use taskdef::Task;

#[derive(Task)]
#[task(version = 1.5)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
