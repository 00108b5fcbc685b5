use taskdef::Task;

#[derive(Task)]
#[task(version = 1, kind = server, version = 2)]
#[task(kind = worker)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
