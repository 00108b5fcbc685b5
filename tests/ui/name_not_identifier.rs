use taskdef::Task;

#[derive(Task)]
#[task(version = 1, name = "sbuild:amd64")]
#[task(allow_unknown_fields)]
pub struct Colon {}

#[derive(Task)]
#[task(version = 1, name = "2nd")]
#[task(allow_unknown_fields)]
pub struct Digit {}

#[derive(Task)]
#[task(version = 1, name = "build-deps")]
#[task(allow_unknown_fields)]
pub struct Dash {}

fn main() {}
