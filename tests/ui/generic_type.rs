use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub struct Sample<T> {
    pub value: T,
}

fn main() {}
