use taskdef::Task;

#[derive(Task)]
#[task(version = VERSION)]
pub struct Sample {
    pub count: u32,
}

fn main() {}
