//! The `noop` task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{Execute, Task, TaskContext, TaskError};

use crate::lookup::{LookupSingle, default_task_configuration};

/// Do nothing, and report success or failure as asked.
///
/// Useful to check that a worker takes and completes work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Noop {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The result to report: true for success, false for failure.
    #[serde(default = "yes")]
    pub result: bool,
}

fn yes() -> bool {
    true
}

impl Execute for Noop {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        ctx.check_aborted()?;
        Ok(self.result)
    }
}
