// Two tasks of one crate claiming one name, in registries that may not share it.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

macro_rules! execute {
    ($($task:ty),*) => {$(
        impl Execute for $task {
            fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
                Ok(true)
            }
        }
    )*};
}

/// Named after the type.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Sbuild {}

mod other {
    /// The same name, given explicitly, in another module.
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 2, name = "sbuild")]
    pub struct SbuildAgain {}
}

/// A worker task.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, name = "noop")]
pub struct WorkerNoop {}

/// A server task may not share a worker task's name.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, name = "noop", kind = server)]
pub struct ServerNoop {}

execute!(Sbuild, other::SbuildAgain, WorkerNoop, ServerNoop);

fn main() {}
