use taskdef::Task;

#[derive(Task)]
#[task(version = 1)]
pub union Sample {
    pub count: u32,
    pub size: f32,
}

fn main() {}
