//! Every task type is a [`DynTask`]: the blanket impl, above the traits it is written in.

use std::any::Any;

use super::can_run::check_can_run_on;
use super::dyn_task::DynTask;
use super::traits::{Execute, Task};
use crate::execution::{Outcome, TaskContext, TaskError};
use crate::metadata::{RunCheckFailure, WorkerMetadata};
use crate::types::{TaskConfigError, TaskKind};

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
