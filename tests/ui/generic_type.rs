use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
#[task(allow_unknown_fields)]
pub struct Sample<T> {
    pub value: T,
}

fn main() {}
