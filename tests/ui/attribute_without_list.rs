use taskdef::Task;

#[derive(Task)]
#[task]
pub struct Sample {
    pub count: u32,
}

fn main() {}
