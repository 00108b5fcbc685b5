use taskdef::Task;

#[derive(Task)]
#[task(version = 1, name = "")]
pub struct Sample {
    pub count: u32,
}

fn main() {}
