use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::Task;

/// Forgot the behaviour.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Idle {
    pub count: u32,
}

fn main() {}
