use taskdef::Task;

#[derive(Task)]
#[task(version = 1, name = "sbuild:amd64")]
pub struct Colon {}

#[derive(Task)]
#[task(version = 1, name = "2nd")]
pub struct Digit {}

#[derive(Task)]
#[task(version = 1, name = "build-deps")]
pub struct Dash {}

fn main() {}
