use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub struct Sample<'a> {
    pub value: &'a str,
}

fn main() {}
