//! The `noop` task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{Execute, Outcome, Task, TaskContext, TaskError};

use crate::executor::Backend;
use crate::lookup::{LookupSingle, default_task_configuration};

/// Do nothing, and report the result asked for.
///
/// Useful to check that a worker takes and completes work. As in Debusine 0.16, noop takes
/// the executor fields of the tasks that run in an environment, but runs nothing in one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = crate::dynamic_data::BaseDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::Noop,
        dynamic_data = crate::debusine_0_11::BaseDynamicData
    )
)]
pub struct Noop {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The executor backend; not used.
    #[serde(default)]
    pub backend: Backend,
    /// An environment; not used.
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// An architecture; not used, and not a condition on the worker (as in Debusine, whose
    /// noop does not require an executor's tags).
    #[serde(default)]
    pub build_architecture: Option<String>,
    /// The result to report, by its name in Debusine's `WorkRequestResults`.
    #[serde(default)]
    pub result: NoopResult,
}

/// A work request's result, by its wire name (Debusine 0.16's `WorkRequestResults`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::unit_enum)]
pub enum NoopResult {
    /// No result (Debusine's `NONE`).
    #[serde(rename = "")]
    Unset,
    /// The task succeeded.
    #[default]
    #[serde(rename = "success")]
    Success,
    /// The task failed.
    #[serde(rename = "failure")]
    Failure,
    /// The task failed for a reason that may go away when it is retried.
    #[serde(rename = "temporary failure")]
    TemporaryFailure,
    /// The task could not run.
    #[serde(rename = "error")]
    Error,
    /// The task had nothing to do.
    #[serde(rename = "skipped")]
    Skipped,
}

impl NoopResult {
    /// The wire name: `""`, `success`, `failure`, `temporary failure`, `error`, `skipped`.
    pub const fn as_str(self) -> &'static str {
        match self {
            NoopResult::Unset => "",
            NoopResult::Success => "success",
            NoopResult::Failure => "failure",
            NoopResult::TemporaryFailure => "temporary failure",
            NoopResult::Error => "error",
            NoopResult::Skipped => "skipped",
        }
    }
}

/// The outcome of each result name: the same name.
impl From<NoopResult> for Outcome {
    fn from(result: NoopResult) -> Outcome {
        match result {
            NoopResult::Unset => Outcome::NoResult,
            NoopResult::Success => Outcome::Success,
            NoopResult::Failure => Outcome::Failure,
            NoopResult::TemporaryFailure => Outcome::TemporaryFailure,
            NoopResult::Error => Outcome::Error,
            NoopResult::Skipped => Outcome::Skipped,
        }
    }
}

impl Execute for Noop {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        self.execute_outcome(ctx).map(Outcome::is_success)
    }

    /// Reports `result` itself, as Debusine's noop returns it.
    fn execute_outcome(&self, ctx: &TaskContext) -> Result<Outcome, TaskError> {
        ctx.check_aborted()?;
        Ok(self.result.into())
    }
}
