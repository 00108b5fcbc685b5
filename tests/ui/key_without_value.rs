use taskdef::Task;

#[derive(Task)]
#[task(version)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
