use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// No schema.
#[derive(Debug, Deserialize, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct NoSchema {
    pub count: u32,
}

impl Execute for NoSchema {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {}
