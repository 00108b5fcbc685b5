//! The registry of every task linked into the binary, collected at link time.

mod entry;
mod suggest;

pub use entry::{TASKS, TaskEntry};

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::configure::TaskInput;
use crate::metadata::{TaggedTask, keys, provided_tags, system_metadata};
use crate::task::DynTask;
use crate::types::compare_releases;
use crate::types::{TaskConfigError, TaskKind, WorkerType};

/// Why a lookup by name failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No task has this name; the message is the seed's, with a suggestion if one is near.
    #[error("'{name}' is not a registered task_name{}", did_you_mean_hint(*did_you_mean))]
    Unknown {
        /// The name, lowercased.
        name: String,
        /// The registered name closest to it, if it is near enough to be a misspelling.
        did_you_mean: Option<&'static str>,
    },
    /// No task of this kind has this name; the message is Debusine's, with a suggestion if one
    /// is near.
    #[error(
        "'{name}' is not a registered {} task_name{}",
        kind.task_type(),
        did_you_mean_hint(*did_you_mean)
    )]
    UnknownOfKind {
        /// The name, lowercased.
        name: String,
        /// The kind looked in.
        kind: TaskKind,
        /// The name of a task of this kind closest to it, if it is near enough to be a
        /// misspelling.
        did_you_mean: Option<&'static str>,
    },
    /// Several types claim this name; the registry refuses to pick one.
    #[error(transparent)]
    Duplicate(#[from] DuplicateTask),
}

/// The end of an unknown name's message: ` (did you mean 'noop'?)`, or nothing.
fn did_you_mean_hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |name| format!(" (did you mean '{name}'?)"))
}

/// Two or more types registered under one name in conflicting registries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Two Tasks with the same name: '{name}' ({})", type_names.join(", "))]
pub struct DuplicateTask {
    /// The contested name.
    pub name: String,
    /// The Rust types claiming it, sorted.
    pub type_names: Vec<&'static str>,
}

/// The tasks of one binary, sorted by name, with any name conflicts set aside.
///
/// Like Debusine, a name may exist in several kinds' registries (a signing `noop` beside a worker
/// `noop`), except that a worker and a server task may not share one.
///
/// ```
/// # use schemars::JsonSchema;
/// # use serde::Deserialize;
/// # use taskdef::{Execute, Task, TaskContext, TaskError};
/// /// Say hello.
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]
/// #[task(version = 2)]
/// struct Hello { name: String }
/// # impl Execute for Hello {
/// #     fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> { Ok(true) }
/// # }
/// use taskdef::Registry;
///
/// let registry = Registry::global();
/// assert!(registry.contains("HELLO"));
/// assert_eq!(registry.get("Hello").unwrap().version_key(), "hello:version");
/// assert_eq!(
///     registry.get("bye").unwrap_err().to_string(),
///     "'bye' is not a registered task_name"
/// );
/// assert_eq!(
///     registry.get("helo").unwrap_err().to_string(),
///     "'helo' is not a registered task_name (did you mean 'hello'?)"
/// );
/// let task = registry.configure("hello", r#"{"name": "world"}"#).unwrap();
/// assert_eq!(task.downcast_ref::<Hello>().unwrap().name, "world");
/// assert_eq!(
///     registry.analyze_worker_all_tasks()["hello:version"],
///     serde_json::json!(2)
/// );
/// ```
#[derive(Debug)]
pub struct Registry {
    entries: Vec<&'static TaskEntry>,
    conflicts: BTreeMap<&'static str, DuplicateTask>,
}

impl Registry {
    /// The registry of every task linked into this binary, built once on first use.
    pub fn global() -> &'static Registry {
        static GLOBAL: OnceLock<Registry> = OnceLock::new();
        GLOBAL.get_or_init(|| Registry::from_entries(TASKS.iter()))
    }

    /// A registry over the given entries (tests and tools use this to build small ones).
    pub fn from_entries(entries: impl IntoIterator<Item = &'static TaskEntry>) -> Registry {
        let mut entries: Vec<&'static TaskEntry> = entries.into_iter().collect();
        entries.sort_by(|a, b| (a.name, a.kind, a.type_name).cmp(&(b.name, b.kind, b.type_name)));
        // One type linked twice (the same static seen through two slices) is not a conflict.
        entries.dedup_by(|a, b| std::ptr::eq(*a, *b));
        let mut conflicts = BTreeMap::new();
        let mut conflicted_kinds = Vec::new();
        for group in entries.chunk_by(|a, b| a.name == b.name) {
            let conflicting: Vec<&'static TaskEntry> = group
                .iter()
                .copied()
                .filter(|entry| {
                    group.iter().any(|other| {
                        other.type_name != entry.type_name && kinds_conflict(entry.kind, other.kind)
                    })
                })
                .collect();
            if let Some(first) = conflicting.first() {
                conflicted_kinds.extend(conflicting.iter().map(|entry| (entry.name, entry.kind)));
                conflicts.insert(
                    first.name,
                    DuplicateTask {
                        name: first.name.to_owned(),
                        type_names: conflicting.iter().map(|entry| entry.type_name).collect(),
                    },
                );
            }
        }
        entries.retain(|entry| !conflicted_kinds.contains(&(entry.name, entry.kind)));
        Registry { entries, conflicts }
    }

    /// Every usable entry, sorted by name then kind.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &'static TaskEntry> + '_ {
        self.entries.iter().copied()
    }

    /// Names claimed by several types of conflicting kinds: lookups of such a name refuse to pick
    /// one, except a lookup by a kind that is not in conflict.
    pub fn conflicts(&self) -> impl ExactSizeIterator<Item = &DuplicateTask> {
        self.conflicts.values()
    }

    /// The sorted, deduplicated names of every usable task (the seed's `task_names()`).
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.entries.iter().map(|entry| entry.name).collect();
        names.dedup();
        names
    }

    /// Whether `name` (any case) is a usable task (the seed's `is_valid_task_name`).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_ok()
    }

    /// The task called `name`, compared in ASCII lowercase (the seed's `class_from_name`).
    ///
    /// Where several kinds have a task of that name, the worker task wins, then the kinds in
    /// [`TaskKind::ALL`] order; use [`Registry::get_of_kind`] to choose. A name that several
    /// types claim is refused with [`LookupError::Duplicate`].
    pub fn get(&self, name: &str) -> Result<&'static TaskEntry, LookupError> {
        let name = name.to_ascii_lowercase();
        if let Some(conflict) = self.conflicts.get(name.as_str()) {
            return Err(conflict.clone().into());
        }
        match self.same_name(&name).min_by_key(|entry| entry.kind) {
            Some(entry) => Ok(entry),
            None => Err(LookupError::Unknown {
                did_you_mean: suggest::closest(&name, self.names()),
                name,
            }),
        }
    }

    /// The task of `kind` called `name`, compared in ASCII lowercase.
    pub fn get_of_kind(
        &self,
        kind: TaskKind,
        name: &str,
    ) -> Result<&'static TaskEntry, LookupError> {
        let name = name.to_ascii_lowercase();
        let found = self.same_name(&name).find(|entry| entry.kind == kind);
        match (found, self.conflicts.get(name.as_str())) {
            (Some(entry), _) => Ok(entry),
            (None, Some(conflict)) => Err(conflict.clone().into()),
            (None, None) => Err(LookupError::UnknownOfKind {
                did_you_mean: suggest::closest(
                    &name,
                    self.entries()
                        .filter(|entry| entry.kind == kind)
                        .map(|entry| entry.name),
                ),
                name,
                kind,
            }),
        }
    }

    /// Configures the task called `name` from its data.
    pub fn configure<'a>(
        &self,
        name: &str,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<Box<dyn DynTask>, ConfigureByNameError> {
        let entry = self.get(name)?;
        Ok(entry.configure(data)?)
    }

    /// Configures the task called `name` from the data of `release` of the engine (see
    /// [`Task::configure_in`](crate::Task::configure_in)).
    pub fn configure_in<'a>(
        &self,
        name: &str,
        release: &str,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<Box<dyn DynTask>, ConfigureByNameError> {
        let entry = self.get(name)?;
        Ok(entry.configure_in(release, data)?)
    }

    /// Every release some usable task names, newest first (by
    /// [`compare_releases`](crate::compare_releases)); empty when no task names one.
    pub fn releases(&self) -> Vec<&'static str> {
        let mut releases: Vec<&'static str> =
            self.entries().flat_map(TaskEntry::releases).collect();
        releases.sort_by(|a, b| compare_releases(b, a));
        releases.dedup();
        releases
    }

    /// The newest release some usable task names: what a caller that says none means.
    pub fn newest_release(&self) -> Option<&'static str> {
        self.releases().first().copied()
    }

    /// Every usable task's worker metadata, merged (the seed's `analyze_worker_all_tasks`).
    pub fn analyze_worker_all_tasks(&self) -> Map<String, Value> {
        let mut metadata = Map::new();
        for entry in self.entries() {
            metadata.extend(entry.analyze_worker());
        }
        metadata
    }

    /// What a worker of `worker_type` reports to its server: this machine's system keys, every
    /// task's version key and probes, and the tags they provide (`taskdef metadata` prints it,
    /// a worker sends it).
    pub fn worker_metadata(&self, worker_type: WorkerType) -> Map<String, Value> {
        let mut metadata = system_metadata(worker_type);
        metadata.extend(self.analyze_worker_all_tasks());
        let tasks = self
            .entries()
            .filter(|entry| entry.kind.worker_type() == Some(worker_type))
            .map(|entry| TaggedTask {
                kind: entry.kind,
                name: entry.name,
                version: entry.version,
            });
        let tags = provided_tags(&metadata, tasks);
        metadata.insert(keys::PROVIDED_TAGS.into(), tags.into());
        metadata
    }

    fn same_name<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'static TaskEntry> + 's {
        let start = self.entries.partition_point(|entry| entry.name < name);
        self.entries[start..]
            .iter()
            .copied()
            .take_while(move |entry| entry.name == name)
    }
}

/// Debusine keeps one registry per kind, and forbids a worker and a server task sharing a name.
fn kinds_conflict(a: TaskKind, b: TaskKind) -> bool {
    a == b
        || matches!(
            (a, b),
            (TaskKind::Worker, TaskKind::Server) | (TaskKind::Server, TaskKind::Worker)
        )
}

/// Why [`Registry::configure`] failed: the name, or the data.
#[derive(Debug, thiserror::Error)]
pub enum ConfigureByNameError {
    /// The name is not usable.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// The data is invalid for that task.
    #[error(transparent)]
    Config(#[from] TaskConfigError),
}
