use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::Task;

/// Forgot the behaviour.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[task(version = 1)]
pub struct Idle {
    pub count: u32,
}

fn main() {}
