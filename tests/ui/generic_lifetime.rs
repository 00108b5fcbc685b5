use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
#[task(allow_unknown_fields)]
pub struct Sample<'a> {
    pub value: &'a str,
}

fn main() {}
