use taskdef::Task;

#[derive(Task)]
#[task(version = 1, name = "Sample")]
pub struct Sample {
    pub count: u32,
}

fn main() {}
