//! A configured task of any type.

use std::any::Any;
use std::fmt;

use super::can_run::check_can_run_on;
use super::traits::{Execute, Task};
use crate::execution::{Outcome, TaskContext, TaskError};
use crate::metadata::{RunCheckFailure, WorkerMetadata};
use crate::types::{TaskConfigError, TaskKind};

/// A configured task of any type: what a lookup by name gives.
pub trait DynTask: Any + fmt::Debug + Send + Sync {
    /// The registered name.
    fn name(&self) -> &'static str;
    /// The registry the task belongs to.
    fn kind(&self) -> TaskKind;
    /// The task's version.
    fn version(&self) -> u32;
    /// The architecture the task must run on, if any.
    fn host_architecture(&self) -> Option<&str>;
    /// Base checks then the task's own; says which check failed.
    fn check_can_run_on(&self, worker: &WorkerMetadata) -> Result<(), RunCheckFailure>;
    /// The task's cross-field rules; see [`Execute::validate`].
    fn validate(&self) -> Result<(), TaskConfigError>;
    /// Whether the worker can run this task.
    fn can_run_on(&self, worker: &WorkerMetadata) -> bool {
        self.check_can_run_on(worker).is_ok()
    }
    /// Runs the task; see [`Execute::execute`].
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError>;
    /// Runs the task and says how it ended; see [`Execute::execute_outcome`].
    fn execute_outcome(&self, ctx: &TaskContext) -> Result<Outcome, TaskError>;
    /// For downcasting to the concrete type.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Task> DynTask for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn kind(&self) -> TaskKind {
        T::KIND
    }
    fn version(&self) -> u32 {
        T::VERSION
    }
    fn host_architecture(&self) -> Option<&str> {
        Execute::host_architecture(self)
    }
    fn check_can_run_on(&self, worker: &WorkerMetadata) -> Result<(), RunCheckFailure> {
        check_can_run_on(self, worker)
    }
    fn validate(&self) -> Result<(), TaskConfigError> {
        Execute::validate(self)
    }
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        Execute::execute(self, ctx)
    }
    fn execute_outcome(&self, ctx: &TaskContext) -> Result<Outcome, TaskError> {
        Execute::execute_outcome(self, ctx)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl dyn DynTask {
    /// The concrete task, if it is a `T`.
    pub fn downcast_ref<T: Task>(&self) -> Option<&T> {
        self.as_any().downcast_ref()
    }
}
