//! Schema evolution: which changes between two published versions of a task's JSON Schema keep
//! the task data that was valid before valid, with the same meaning.
//!
//! The comparison works on the schemas alone (`serde_json::Value`, as schemars 1 writes them),
//! so it needs nothing else of this crate: [`compare`] walks two schemas side by side and
//! returns every [`Change`] with its [`Class`]; [`compare_tasks`] does it for two sets of
//! published tasks and adds new, removed and re-kinded tasks. What cannot be decided from the
//! schemas (a changed `pattern`, an unknown keyword) is [`Class::Undecidable`] and counts as
//! breaking.
//!
//! A task whose data may be read differently must get a new version: [`TaskReport::blocks`]
//! says when a breaking change kept the old one.

mod classify;
pub mod history;
mod schema;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use classify::Walk;
use schema::Resolver;

/// Whether task data valid under the old schema is still valid, and means the same, under the
/// new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Every old task data is still valid and means the same.
    Compatible,
    /// Some old task data is refused, or read differently.
    Breaking,
    /// The schemas do not tell; counted as breaking.
    Undecidable,
}

impl Class {
    /// Whether the change needs a new task version: breaking, or not known not to be.
    pub fn needs_new_version(self) -> bool {
        self != Class::Compatible
    }

    /// The class as the reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Compatible => "compatible",
            Class::Breaking => "breaking",
            Class::Undecidable => "undecidable",
        }
    }
}

/// What changed at one place of the task data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// A key the old schema did not name (optional: compatible; required: breaking).
    KeyAdded,
    /// A key, or a pattern of keys, the new schema no longer names.
    KeyRemoved,
    /// A key that must now be given.
    NowRequired,
    /// A key that may now be left out.
    NoLongerRequired,
    /// A JSON type, or an `anyOf` alternative, that is now accepted.
    TypeWidened,
    /// A JSON type that is no longer accepted.
    TypeNarrowed,
    /// `null` is now accepted.
    NullAccepted,
    /// `null` is no longer accepted.
    NullRefused,
    /// `enum`/`const` values now accepted, or the list lifted.
    ValuesAdded,
    /// `enum`/`const` values no longer accepted, or a list imposed.
    ValuesRemoved,
    /// A bound, length, count, pattern or format lifted or widened.
    ConstraintRelaxed,
    /// A bound, length, count, pattern or format added or narrowed.
    ConstraintTightened,
    /// The default of an optional key: data without the key means something else.
    DefaultChanged,
    /// Descriptions, titles, examples, error messages.
    Documentation,
    /// Something the schemas do not let taskdef decide.
    Undecidable,
}

/// One classified change at one place of the task data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Where in the task data: a JSON pointer, `*` standing for any array item or any key not
    /// named by the schema; empty for the whole task data.
    pub pointer: String,
    /// Compatible, breaking or undecidable.
    pub class: Class,
    /// The kind of change.
    pub what: What,
    /// The old schema's side (keywords, values or types), if it had one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub old: Option<Value>,
    /// The new schema's side, if it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub new: Option<Value>,
    /// The change in words.
    pub detail: String,
}

impl Change {
    /// One line: class, pointer, detail, then old and new when short.
    pub fn line(&self) -> String {
        let pointer = if self.pointer.is_empty() {
            "(task data)"
        } else {
            &self.pointer
        };
        let mut line = format!("{:<11}  {pointer}: {}", self.class.as_str(), self.detail);
        if self.what != What::Documentation {
            let side = |value: &Option<Value>| {
                value
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |value| short(value, 60))
            };
            if self.old.is_some() || self.new.is_some() {
                line.push_str(&format!(
                    " (old: {}; new: {})",
                    side(&self.old),
                    side(&self.new)
                ));
            }
        }
        line
    }
}

fn short(value: &Value, limit: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= limit {
        return text;
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}…")
}

/// Every change between two schemas of one task, in the order of the new schema's keys where
/// they exist. Never fails: what cannot be read is reported as [`Class::Undecidable`].
pub fn compare(old: &Value, new: &Value) -> Vec<Change> {
    let old_resolver = Resolver::new(old);
    let new_resolver = Resolver::new(new);
    let mut walk = Walk::new(&old_resolver, &new_resolver);
    walk.node(old, new, &mut Vec::new(), false);
    walk.changes
}

/// A task as published: what the comparison needs to know of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedTask {
    /// The task's name (lowercase).
    pub name: String,
    /// Its kind (`worker`, `server`, `internal`, `workflow`, `signing`).
    pub kind: String,
    /// Its version.
    pub version: u32,
    /// Its JSON Schema.
    pub schema: Value,
}

/// What happened to one task between two sets of published tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TaskEvent {
    /// A task not in the old set.
    Added {
        /// Its version.
        version: u32,
    },
    /// A task no longer in the new set.
    Removed {
        /// Its last version.
        version: u32,
    },
    /// The same name now has another kind (and so another version key).
    KindChanged {
        /// The old kind.
        old_kind: String,
        /// The old version.
        old_version: u32,
        /// The new version.
        new_version: u32,
    },
    /// The task is in both sets; `changes` may be empty when only the version moved.
    Changed {
        /// The old version.
        old_version: u32,
        /// The new version.
        new_version: u32,
        /// The schema's changes.
        changes: Vec<Change>,
    },
}

/// One task's line in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskReport {
    /// The task's name.
    pub task: String,
    /// Its kind (the new one, or the old one for a removed task).
    pub kind: String,
    /// What happened to it.
    #[serde(flatten)]
    pub event: TaskEvent,
}

impl TaskReport {
    /// Whether the task has a breaking (or undecidable) change and a version that did not go
    /// up: workers would read old task data differently under the same version key.
    pub fn blocks(&self) -> bool {
        match &self.event {
            TaskEvent::Changed {
                old_version,
                new_version,
                changes,
            } => {
                new_version < old_version
                    || (new_version == old_version
                        && changes
                            .iter()
                            .any(|change| change.class.needs_new_version()))
            }
            _ => false,
        }
    }

    /// The changes that need a new version.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        let changes: &[Change] = match &self.event {
            TaskEvent::Changed { changes, .. } => changes,
            _ => &[],
        };
        changes
            .iter()
            .filter(|change| change.class.needs_new_version())
    }
}

/// Compares two sets of published tasks: tasks are matched by kind and name, then by name
/// alone (a changed kind). Tasks without any change are left out. In the new set's order, then
/// removed tasks.
pub fn compare_tasks(old: &[PublishedTask], new: &[PublishedTask]) -> Vec<TaskReport> {
    let mut reports = Vec::new();
    let mut old_used = vec![false; old.len()];
    let same = |a: &PublishedTask, b: &PublishedTask| a.name == b.name && a.kind == b.kind;
    let mut unmatched_new = Vec::new();
    for task in new {
        match old.iter().position(|candidate| same(candidate, task)) {
            Some(index) => {
                old_used[index] = true;
                let before = &old[index];
                let changes = compare(&before.schema, &task.schema);
                if changes.is_empty() && before.version == task.version {
                    continue;
                }
                reports.push(TaskReport {
                    task: task.name.clone(),
                    kind: task.kind.clone(),
                    event: TaskEvent::Changed {
                        old_version: before.version,
                        new_version: task.version,
                        changes,
                    },
                });
            }
            None => unmatched_new.push(task),
        }
    }
    for task in unmatched_new {
        let renamed =
            (0..old.len()).find(|&index| !old_used[index] && old[index].name == task.name);
        let event = match renamed {
            Some(index) => {
                old_used[index] = true;
                TaskEvent::KindChanged {
                    old_kind: old[index].kind.clone(),
                    old_version: old[index].version,
                    new_version: task.version,
                }
            }
            None => TaskEvent::Added {
                version: task.version,
            },
        };
        reports.push(TaskReport {
            task: task.name.clone(),
            kind: task.kind.clone(),
            event,
        });
    }
    for (task, used) in old.iter().zip(old_used) {
        if !used {
            reports.push(TaskReport {
                task: task.name.clone(),
                kind: task.kind.clone(),
                event: TaskEvent::Removed {
                    version: task.version,
                },
            });
        }
    }
    reports
}

#[cfg(test)]
mod tests;
