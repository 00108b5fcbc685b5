use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub struct Sample<const N: usize> {
    pub values: [u32; N],
}

fn main() {}
