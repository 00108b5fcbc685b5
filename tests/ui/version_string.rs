use taskdef::Task;

#[derive(Task)]
#[task(version = "2")]
pub struct Sample {
    pub count: u32,
}

fn main() {}
