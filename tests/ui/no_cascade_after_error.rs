// After a `#[task]` error, code using the type as a task adds no errors of its own.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Registry, Task, TaskContext, TaskError};

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = "one")]
pub struct Sample {}

impl Execute for Sample {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {
    println!("{} {}", Sample::NAME, Sample::version_key());
    let _ = taskdef::TaskEntry::of::<Sample>();
    let _ = Registry::global();
}
