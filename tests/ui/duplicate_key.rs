use taskdef::Task;

#[derive(Task)]
#[task(version = 1, kind = server, version = 2)]
#[task(kind = worker)]
#[task(allow_unknown_fields)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
