use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// Build.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = 5)]
pub struct Build {}

impl Execute for Build {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {}
