use schemars::JsonSchema;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// Not deserializable.
#[derive(Debug, JsonSchema, Task)]
#[task(version = 1)]
#[task(allow_unknown_fields)]
pub struct Plain {
    pub count: u32,
}

impl Execute for Plain {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {}
