use taskdef::Task;

#[derive(Task)]
/// No attribute.
pub struct Sample {
    pub count: u32,
}

fn main() {}
