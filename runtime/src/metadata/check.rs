//! Why a worker cannot run a task: the base checks every task shares, and their failures.

use serde_json::Value;

use super::keys;
use super::unmet::{Unmet, describe};
use super::worker::WorkerMetadata;
use crate::types::{TaskKind, WorkerType};

/// Which check of `can_run_on` failed, in the order they run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunCheckFailure {
    /// The task's kind is never scheduled on workers (wait, internal).
    #[error("{kind} tasks are not scheduled on workers")]
    NotSchedulable {
        /// The task's kind.
        kind: TaskKind,
    },
    /// `system:worker_type` does not fit the task's kind.
    #[error("worker type is {}, but {kind} tasks need `{expected}`", describe(found.as_ref()))]
    WorkerType {
        /// The task's kind.
        kind: TaskKind,
        /// The worker type the kind needs.
        expected: WorkerType,
        /// What the worker reported.
        found: Option<Value>,
    },
    /// The worker's `<prefix>:version` differs from the task's version.
    #[error("`{key}` is {}, but the task is version {expected}", describe(found.as_ref()))]
    Version {
        /// The version key.
        key: String,
        /// The task's version.
        expected: u32,
        /// What the worker reported.
        found: Option<Value>,
    },
    /// The task's host architecture is not in `system:architectures`.
    #[error("host architecture: {0}")]
    Architecture(Unmet),
    /// A condition of the task's own `check_worker`.
    #[error("{0}")]
    Task(Unmet),
}

/// The checks every task shares: worker type, version key, host architecture.
pub(crate) fn check_base(
    kind: TaskKind,
    name: &str,
    version: u32,
    host_architecture: Option<&str>,
    worker: &WorkerMetadata,
) -> Result<(), RunCheckFailure> {
    let expected = kind
        .worker_type()
        .ok_or(RunCheckFailure::NotSchedulable { kind })?;
    if worker.worker_type() != Some(expected) {
        return Err(RunCheckFailure::WorkerType {
            kind,
            expected,
            found: worker.get(keys::WORKER_TYPE).cloned(),
        });
    }
    let key = kind.prefix_with_task_name(name, "version");
    if worker.version(&key) != Some(u64::from(version)) {
        let found = worker.get(&key).cloned();
        return Err(RunCheckFailure::Version {
            key,
            expected: version,
            found,
        });
    }
    if let Some(architecture) = host_architecture {
        worker
            .require_architecture(architecture)
            .map_err(RunCheckFailure::Architecture)?;
    }
    Ok(())
}
