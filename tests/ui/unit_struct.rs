use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub struct Sample;

fn main() {}
