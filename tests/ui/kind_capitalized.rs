use taskdef::Task;

#[derive(Task)]
#[task(version = 1, kind = "Server")]
pub struct Sample {
    pub count: u32,
}

fn main() {}
