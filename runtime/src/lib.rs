//! taskdef: declare the tasks of a build farm as typed Rust structs.
//!
//! `#[derive(Task)]` on a task-data struct gives it a registered lowercase name, a version and
//! version key, a JSON Schema (draft 2020-12) and a [`Task::configure`] that turns JSON or YAML
//! into the struct, checking the schema and the task's own rules. The [`Execute`] trait holds
//! what the derive cannot know: cross-field rules, worker requirements and the work itself.
//!
//! The model is Debusine's `Task` class; see the README for the mapping.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod command;
pub mod configure;
pub mod docs;
pub mod execute;
pub mod parse;
pub mod locate;
pub mod registry;
pub mod task;
pub mod worker;

pub use command::{CommandLine, CommandRunner, CommandStatus, ProcessRunner};
pub use configure::{Position, TaskConfigError, TaskInput, Violation, ViolationKind};
pub use execute::{AbortHandle, ServerClient, TaskContext, TaskError, execute_logging_errors};
pub use locate::{SourceFormat, locate_positions};
pub use registry::{ConfigureByNameError, DuplicateTask, LookupError, Registry, TaskEntry};
pub use task::{DynTask, Execute, Task, TaskKind};
pub use worker::{
    RunCheckFailure, TaskMetadata, Unmet, WorkerMetadata, WorkerType, can_run_on, check_can_run_on,
    program_on_path, system_metadata,
};

/// Derives [`Task`] for a struct: see the README for the `#[task(...)]` attribute.
pub use taskdef_macros::Task;

/// What the derive's generated code uses. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::configure::CompiledSchema;
    pub use crate::registry::{TASKS, TaskEntry};
    pub use linkme;
    pub use linkme::distributed_slice;
    pub use std::sync::OnceLock;
}
