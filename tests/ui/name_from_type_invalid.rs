use taskdef::Task;

// The lowercased type name `_hidden` does not start with a letter.
#[derive(Task)]
#[task(version = 1)]
pub struct _Hidden {}

fn main() {}
