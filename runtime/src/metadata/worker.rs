//! What a worker reports about itself, read through typed accessors.

use serde_json::{Map, Value};

use super::keys;
use super::unmet::{Unmet, describe};
use crate::types::{TaskKind, WorkerType};

/// A worker's metadata as the scheduler sees it: a flat JSON object, read through typed accessors.
///
/// Accessors never panic: a key of the wrong type reads as absent, and [`check_can_run_on`](crate::task::check_can_run_on)
/// reports it as such.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerMetadata {
    map: Map<String, Value>,
}

impl WorkerMetadata {
    /// Wraps a metadata object.
    pub fn new(map: Map<String, Value>) -> Self {
        WorkerMetadata { map }
    }

    /// From any JSON value; `None` unless it is an object.
    pub fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::Object(map) => Some(WorkerMetadata { map }),
            _ => None,
        }
    }

    /// The raw key/value pairs.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// Sets a key (for building metadata in tools and tests).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.map.insert(key.into(), value.into());
        self
    }

    /// Any key, raw.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }

    /// `system:worker_type`, if present and known.
    pub fn worker_type(&self) -> Option<WorkerType> {
        self.get_str(keys::WORKER_TYPE).and_then(WorkerType::parse)
    }

    /// `system:host_architecture`.
    pub fn host_architecture(&self) -> Option<&str> {
        self.get_str(keys::HOST_ARCHITECTURE)
    }

    /// `system:architectures`, if it is a list of strings.
    pub fn architectures(&self) -> Option<Vec<&str>> {
        self.get_str_list(keys::ARCHITECTURES)
    }

    /// `system:cpu_count`.
    pub fn cpu_count(&self) -> Option<u64> {
        self.get(keys::CPU_COUNT).and_then(Value::as_u64)
    }

    /// `system:total_physical_memory`, in bytes.
    pub fn total_physical_memory(&self) -> Option<u64> {
        self.get(keys::TOTAL_PHYSICAL_MEMORY)
            .and_then(Value::as_u64)
    }

    /// `tasks_allowlist`, if set.
    pub fn tasks_allowlist(&self) -> Option<Vec<&str>> {
        self.get_str_list(keys::TASKS_ALLOWLIST)
    }

    /// `tasks_denylist`, if set.
    pub fn tasks_denylist(&self) -> Option<Vec<&str>> {
        self.get_str_list(keys::TASKS_DENYLIST)
    }

    /// The integer version stored under `key` (a string `"1"` is not a version).
    pub fn version(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(Value::as_u64)
    }

    /// Whether `key` is exactly `true` (probes such as `sbuild:available`).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == Some(&Value::Bool(true))
    }

    /// `Ok` when `key` is exactly `true`, otherwise the unmet requirement, for `check_worker`.
    pub fn require_flag(&self, key: &str) -> Result<(), Unmet> {
        if self.flag(key) {
            Ok(())
        } else {
            Err(Unmet::new(format!(
                "`{key}` is {}, not true",
                describe(self.get(key))
            )))
        }
    }

    /// The keys of one task, read without spelling its prefix: the reading side of
    /// [`TaskMetadata`](super::TaskMetadata). A task's `check_worker` gets its own with
    /// [`Task::worker_keys`](crate::Task::worker_keys).
    ///
    /// ```
    /// use taskdef::{TaskKind, WorkerMetadata};
    ///
    /// let mut worker = WorkerMetadata::default();
    /// worker.insert("server:hardening:available", true);
    /// let keys = worker.task_keys(TaskKind::Server, "hardening");
    /// assert!(keys.require_flag("available").is_ok());
    /// assert_eq!(keys.key("version"), "server:hardening:version");
    /// ```
    pub fn task_keys(&self, kind: TaskKind, name: &str) -> TaskKeys<'_> {
        TaskKeys {
            worker: self,
            prefix: kind.prefix_with_task_name(name, ""),
        }
    }

    /// `Ok` when `architecture` is in `system:architectures`, for `check_worker`.
    pub fn require_architecture(&self, architecture: &str) -> Result<(), Unmet> {
        match self.architectures() {
            Some(list) if list.contains(&architecture) => Ok(()),
            Some(list) => Err(Unmet::new(format!(
                "architecture `{architecture}` is not in `{}` {list:?}",
                keys::ARCHITECTURES
            ))),
            None => Err(Unmet::new(format!(
                "`{}` is {}, not a list of architectures",
                keys::ARCHITECTURES,
                describe(self.get(keys::ARCHITECTURES))
            ))),
        }
    }

    fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    fn get_str_list(&self, key: &str) -> Option<Vec<&str>> {
        self.get(key)?
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect()
    }
}

/// One task's keys in a worker's metadata, named without the task's prefix: `available` reads
/// `sbuild:available` for the worker task `sbuild`, `server:hardening:available` for the server
/// task `hardening`. Made by [`WorkerMetadata::task_keys`].
#[derive(Debug, Clone)]
pub struct TaskKeys<'a> {
    worker: &'a WorkerMetadata,
    /// `sbuild:`, `server:hardening:`: the prefix, with its last colon.
    prefix: String,
}

impl TaskKeys<'_> {
    /// The full key: `key("available")` is `sbuild:available`.
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The task's key `key`, raw.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.worker.get(&self.key(key))
    }

    /// Whether the task's key `key` is exactly `true`.
    pub fn flag(&self, key: &str) -> bool {
        self.worker.flag(&self.key(key))
    }

    /// `Ok` when the task's key `key` is exactly `true`, otherwise the unmet requirement
    /// (naming the full key), for `check_worker`.
    pub fn require_flag(&self, key: &str) -> Result<(), Unmet> {
        self.worker.require_flag(&self.key(key))
    }

    /// The version the worker reports for the task (its `version` key).
    pub fn version(&self) -> Option<u64> {
        self.worker.version(&self.key("version"))
    }
}

impl From<Map<String, Value>> for WorkerMetadata {
    fn from(map: Map<String, Value>) -> Self {
        WorkerMetadata::new(map)
    }
}
