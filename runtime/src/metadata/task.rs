//! A task's own worker metadata, written under its prefix.

use serde_json::{Map, Value};

use crate::types::TaskKind;

/// A task's own metadata, written under its prefix so it cannot touch another task's keys.
#[derive(Debug)]
pub struct TaskMetadata<'a> {
    kind: TaskKind,
    name: &'static str,
    map: &'a mut Map<String, Value>,
}

impl<'a> TaskMetadata<'a> {
    /// A writer for task `name` of `kind` into `map`.
    pub fn new(kind: TaskKind, name: &'static str, map: &'a mut Map<String, Value>) -> Self {
        TaskMetadata { kind, name, map }
    }

    /// Sets `<prefix>:<key>`, e.g. `insert("available", true)` sets `sbuild:available`; read it
    /// back by the same name with [`Task::worker_keys`](crate::Task::worker_keys).
    pub fn insert(&mut self, key: &str, value: impl Into<Value>) {
        let key = self.kind.prefix_with_task_name(self.name, key);
        self.map.insert(key, value.into());
    }
}

/// [`Task::analyze_worker_metadata`](crate::Task::analyze_worker_metadata), compiled once rather than for each task.
pub(crate) fn worker_metadata(
    kind: TaskKind,
    name: &'static str,
    version: u32,
    analyze_worker: fn(&mut TaskMetadata<'_>),
) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    map.insert(kind.prefix_with_task_name(name, "version"), version.into());
    analyze_worker(&mut TaskMetadata::new(kind, name, &mut map));
    map
}
