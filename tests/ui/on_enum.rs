use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub enum Sample {
    One,
    Two,
}

fn main() {}
