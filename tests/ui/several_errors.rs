use taskdef::Task;

#[derive(Task)]
#[task(version = -1, name = "Sample:1", kind = celery, retries = 3)]
pub struct Sample(pub u32);

fn main() {}
