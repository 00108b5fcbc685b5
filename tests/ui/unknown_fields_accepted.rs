// A task that would silently accept keys it does not define: refused, with the two ways out.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// Accepts anything.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(rename_all = "snake_case")]
#[task(version = 1)]
pub struct Lenient {
    pub suite: String,
}

impl Execute for Lenient {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {
    // The stub impl keeps uses of the type free of errors of their own.
    let _ = Lenient::NAME;
}
