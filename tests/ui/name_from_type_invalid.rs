use taskdef::Task;

// The lowercased type name `_hidden` does not start with a letter.
#[derive(Task)]
#[task(version = 1)]
#[task(allow_unknown_fields)]
pub struct _Hidden {}

fn main() {}
