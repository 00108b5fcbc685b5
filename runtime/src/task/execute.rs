//! Running a configured task, with its errors and panics logged.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::dyn_task::DynTask;
use crate::execution::{Outcome, TaskContext, TaskError};

/// Runs `task` ([`Execute::execute_outcome`](crate::Execute::execute_outcome)), logging any
/// error or panic with the task's name, and returns how it ended (Debusine's
/// `execute_logging_exceptions`). A panic becomes [`TaskError::Panicked`].
///
/// ```
/// # use schemars::JsonSchema;
/// # use serde::Deserialize;
/// # use taskdef::{Execute, Task, TaskContext, TaskError};
/// /// Fail loudly.
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]
/// #[task(version = 1)]
/// struct Loud {}
/// impl Execute for Loud {
///     fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
///         panic!("boom")
///     }
/// }
/// use taskdef::execute_logging_errors;
///
/// let task = Loud::configure("{}").unwrap();
/// let ctx = TaskContext::new("loud", std::env::temp_dir());
/// let error = execute_logging_errors(&task, &ctx).unwrap_err();
/// assert_eq!(error.to_string(), "the task panicked: boom");
/// ```
pub fn execute_logging_errors(task: &dyn DynTask, ctx: &TaskContext) -> Result<Outcome, TaskError> {
    let span = tracing::info_span!("task", name = task.name());
    let _entered = span.enter();
    let outcome = catch_unwind(AssertUnwindSafe(|| task.execute_outcome(ctx)))
        .unwrap_or_else(|payload| Err(TaskError::Panicked(panic_message(payload.as_ref()))));
    match &outcome {
        Ok(result) => tracing::info!(task = task.name(), %result, "task finished"),
        Err(error) => {
            tracing::error!(task = task.name(), %error, "Exception in Task {}", task.name())
        }
    }
    outcome
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}
