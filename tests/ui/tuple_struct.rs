use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub struct Sample(pub u32);

fn main() {}
