//! What the registry holds for one task type: a few function pointers, so that the registry
//! adds no generic code of its own to the task's crate.

use std::fmt;

use serde_json::{Map, Value};

use crate::configure::{
    CompiledSchema, Paths, TaskInput, Walk, WalkError, nothing_read, read_with,
};
use crate::execution::AnyDynamicData;
use crate::metadata::{TaskMetadata, worker_metadata};
use crate::task::{DynTask, Task};
use crate::types::{TaskConfigError, TaskKind};

/// What the registry knows of one task type, without an instance of it.
///
/// One is placed in the registry by each `#[derive(Task)]`.
pub struct TaskEntry {
    /// The registered name.
    pub name: &'static str,
    /// The registry the task belongs to.
    pub kind: TaskKind,
    /// The task's version.
    pub version: u32,
    /// The Rust path of the type.
    pub type_name: &'static str,
    /// The struct's doc comment.
    pub description: &'static str,
    /// The task's cross-field rules in words ([`Execute::RULES`](crate::Execute::RULES)).
    pub rules: &'static [&'static str],
    // Plain function pointers, each either written by the derive or needed anyway: the entry
    // adds no generic code of its own to the task's crate.
    compiled: fn() -> &'static CompiledSchema,
    read: ReadBoxed,
    compiled_dynamic_data: fn() -> &'static CompiledSchema,
    read_dynamic_data: ReadDynamicData,
    analyze_worker: fn(&mut TaskMetadata<'_>),
}

impl TaskEntry {
    /// The entry for `T`; used by the derive.
    pub const fn of<T: Task>() -> TaskEntry {
        TaskEntry {
            name: T::NAME,
            kind: T::KIND,
            version: T::VERSION,
            type_name: T::TYPE_NAME,
            description: T::DESCRIPTION,
            rules: T::RULES,
            compiled: T::__compiled,
            read: read_boxed::<T>,
            compiled_dynamic_data: T::__compiled_dynamic_data,
            read_dynamic_data: read_dynamic_data::<T>,
            analyze_worker: T::analyze_worker,
        }
    }

    /// The task's JSON Schema (draft 2020-12).
    pub fn schema(&self) -> &'static Value {
        (self.compiled)().schema()
    }

    /// The JSON Schema of the task's dynamic data ([`Task::DynamicData`]).
    pub fn dynamic_data_schema(&self) -> &'static Value {
        (self.compiled_dynamic_data)().schema()
    }

    /// Validates and types the task's dynamic data, as [`Task::configure_dynamic_data`] does,
    /// for a task known by name; hand the result to the task with
    /// [`TaskContext::with_any_dynamic_data`](crate::TaskContext::with_any_dynamic_data).
    pub fn configure_dynamic_data<'a>(
        &self,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<AnyDynamicData, TaskConfigError> {
        let mut read = None;
        read_with(
            (self.compiled_dynamic_data)(),
            data.into(),
            Paths::Both,
            &mut |walk| (self.read_dynamic_data)(walk, &mut read),
        )?;
        read.ok_or_else(nothing_read)
    }

    /// The metadata key holding the version, e.g. `noop:version`.
    pub fn version_key(&self) -> String {
        self.kind.prefix_with_task_name(self.name, "version")
    }

    /// The first line of the description, for listings.
    pub fn summary(&self) -> &'static str {
        self.description.lines().next().unwrap_or("").trim()
    }

    /// Configures a task of this type from its data.
    pub fn configure<'a>(
        &self,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<Box<dyn DynTask>, TaskConfigError> {
        configure_entry((self.compiled)(), self.read, data.into())
    }

    /// This task's worker metadata (version key and its own keys).
    pub fn analyze_worker(&self) -> Map<String, Value> {
        worker_metadata(self.kind, self.name, self.version, self.analyze_worker)
    }
}

impl fmt::Debug for TaskEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskEntry")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("version", &self.version)
            .field("type_name", &self.type_name)
            .finish_non_exhaustive()
    }
}

/// Every task entry linked into the binary, in no particular order.
#[linkme::distributed_slice]
pub static TASKS: [TaskEntry];

/// Reads a task's struct from a walk into a box: the registry entry's reader for `T`, and the
/// only code configuring through the registry compiles for each task.
type ReadBoxed = fn(&mut Walk<'_, '_>, &mut Option<Box<dyn DynTask>>) -> Result<(), WalkError>;

/// The [`ReadBoxed`] of `T`.
fn read_boxed<T: Task>(
    walk: &mut Walk<'_, '_>,
    task: &mut Option<Box<dyn DynTask>>,
) -> Result<(), WalkError> {
    match T::deserialize(walk.root()) {
        Ok(data) => {
            *task = Some(Box::new(data));
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Reads a task's dynamic data from a walk into its type-erased holder.
type ReadDynamicData = fn(&mut Walk<'_, '_>, &mut Option<AnyDynamicData>) -> Result<(), WalkError>;

/// The [`ReadDynamicData`] of `T`.
fn read_dynamic_data<T: Task>(
    walk: &mut Walk<'_, '_>,
    data: &mut Option<AnyDynamicData>,
) -> Result<(), WalkError> {
    *data = Some(AnyDynamicData::new(
        <T::DynamicData as serde::Deserialize>::deserialize(walk.root())?,
    ));
    Ok(())
}

/// `Task::configure` for the registry, boxed, with the task's schema and reader.
fn configure_entry(
    compiled: &CompiledSchema,
    read: ReadBoxed,
    input: TaskInput<'_>,
) -> Result<Box<dyn DynTask>, TaskConfigError> {
    let mut task = None;
    read_with(compiled, input, Paths::Both, &mut |walk| {
        read(walk, &mut task)
    })?;
    validated(task)
}

/// The task `read_with` read, once its rules pass.
fn validated(task: Option<Box<dyn DynTask>>) -> Result<Box<dyn DynTask>, TaskConfigError> {
    let task = task.ok_or_else(nothing_read)?;
    task.validate()?;
    Ok(task)
}
