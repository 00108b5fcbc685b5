use std::fmt;

use serde_json::{Map, Value};

use crate::configure::TaskInput;
use crate::execution::AnyDynamicData;
use crate::metadata::{TaskMetadata, worker_metadata};
use crate::task::{DynTask, ReleaseForm, Task};
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
    // Plain function pointers, each written by the derive: the entry adds no generic code of
    // its own to the task's crate.
    forms: fn() -> &'static [ReleaseForm],
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
            forms: T::release_forms,
            analyze_worker: T::analyze_worker,
        }
    }

    /// The task's own form: the struct it executes.
    fn own(&self) -> &'static ReleaseForm {
        // The derive writes the own form first, always.
        &(self.forms)()[0]
    }

    /// The task's data in each release it names, its own first (one form, for every release,
    /// when it names none).
    pub fn release_forms(&self) -> &'static [ReleaseForm] {
        (self.forms)()
    }

    /// The releases the task names, its own first; empty when its data is the same in every
    /// release.
    pub fn releases(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.release_forms().iter().filter_map(ReleaseForm::release)
    }

    /// The form of the task's data in `release`; refused, naming the releases the task has, when
    /// it has none for it. See [`ReleaseForm`] for how a release is found.
    pub fn form(&self, release: &str) -> Result<&'static ReleaseForm, TaskConfigError> {
        crate::task::select_form(self.name, self.release_forms(), release)
    }

    /// The task's JSON Schema (draft 2020-12), of its own form.
    pub fn schema(&self) -> &'static Value {
        self.own().schema()
    }

    /// The JSON Schema of the task's dynamic data ([`Task::DynamicData`]), of its own form.
    pub fn dynamic_data_schema(&self) -> &'static Value {
        self.own().dynamic_data_schema()
    }

    /// Validates and types the task's dynamic data, as [`Task::configure_dynamic_data`] does,
    /// for a task known by name; hand the result to the task with
    /// [`TaskContext::with_any_dynamic_data`](crate::TaskContext::with_any_dynamic_data).
    pub fn configure_dynamic_data<'a>(
        &self,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<AnyDynamicData, TaskConfigError> {
        self.own().configure_dynamic_data(data)
    }

    /// [`configure_dynamic_data`](TaskEntry::configure_dynamic_data) with the dynamic data of
    /// `release`, converted into the task's.
    pub fn configure_dynamic_data_in<'a>(
        &self,
        release: &str,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<AnyDynamicData, TaskConfigError> {
        self.form(release)?.configure_dynamic_data(data)
    }

    /// The metadata key holding the version, e.g. `noop:version`.
    pub fn version_key(&self) -> String {
        self.kind.prefix_with_task_name(self.name, "version")
    }

    /// The first line of the description, for listings.
    pub fn summary(&self) -> &'static str {
        self.description.lines().next().unwrap_or("").trim()
    }

    /// Configures a task of this type from its data, in the task's own form.
    pub fn configure<'a>(
        &self,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<Box<dyn DynTask>, TaskConfigError> {
        self.own().configure(data)
    }

    /// Configures a task of this type from the data of `release` (see [`Task::configure_in`]).
    pub fn configure_in<'a>(
        &self,
        release: &str,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<Box<dyn DynTask>, TaskConfigError> {
        self.form(release)?.configure(data)
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
