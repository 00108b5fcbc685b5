use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
#[task(allow_unknown_fields)]
pub struct Sample<const N: usize> {
    pub values: [u32; N],
}

fn main() {}
