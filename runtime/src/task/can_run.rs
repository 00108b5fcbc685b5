//! Whether a configured task can run on a worker.

use super::traits::Task;
use crate::metadata::{RunCheckFailure, WorkerMetadata, check_base};

/// The base checks then the task's own, stopping at the first that fails.
///
/// 1. the worker type fits the kind; 2. the version key equals the task's version;
/// 3. the task's host architecture, if any, is in `system:architectures`; 4. `check_worker`.
///
/// ```
/// # use schemars::JsonSchema;
/// # use serde::Deserialize;
/// # use taskdef::{Execute, Task, TaskContext, TaskError};
/// /// Build for an architecture.
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]
/// #[task(version = 1)]
/// struct Build { host_architecture: String }
/// impl Execute for Build {
///     fn host_architecture(&self) -> Option<&str> { Some(&self.host_architecture) }
/// #   fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> { Ok(true) }
/// }
/// use taskdef::{RunCheckFailure, WorkerMetadata, check_can_run_on};
///
/// let task = Build::configure(r#"{"host_architecture": "arm64"}"#).unwrap();
/// let mut worker = WorkerMetadata::default();
/// worker
///     .insert("system:worker_type", "external")
///     .insert("build:version", 1)
///     .insert("system:architectures", serde_json::json!(["amd64"]));
/// let failure = check_can_run_on(&task, &worker).unwrap_err();
/// assert!(matches!(failure, RunCheckFailure::Architecture(_)));
/// worker.insert("system:architectures", serde_json::json!(["amd64", "arm64"]));
/// assert!(check_can_run_on(&task, &worker).is_ok());
/// ```
pub fn check_can_run_on<T: Task>(task: &T, worker: &WorkerMetadata) -> Result<(), RunCheckFailure> {
    check_base(
        T::KIND,
        T::NAME,
        T::VERSION,
        task.host_architecture(),
        worker,
    )?;
    task.check_worker(worker).map_err(RunCheckFailure::Task)
}

/// Whether the worker can run the task: [`check_can_run_on`] as a yes or no.
pub fn can_run_on<T: Task>(task: &T, worker: &WorkerMetadata) -> bool {
    check_can_run_on(task, worker).is_ok()
}
