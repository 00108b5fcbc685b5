//! Two sets of published tasks compared: tasks new, removed, re-kinded or changed, and which of
//! them need a new version.

use serde::Serialize;
use serde_json::Value;

use super::change::{Change, Class, What};
use super::classify::compare;

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
    /// The cross-field rules it documents (`Execute::RULES`), in words.
    pub rules: Vec<String>,
    /// The JSON Schema of its dynamic data, or `None` for a publication that has none (written
    /// before dynamic data were published): then nothing is compared for them.
    pub dynamic_data_schema: Option<Value>,
}

/// Where a dynamic data change is reported: beside `task_data` in a work request, as the
/// worker's configure-failed messages point at it.
pub const DYNAMIC_DATA_POINTER: &str = "/dynamic_task_data";

/// Every change from `old` to `new`: the schema's, the dynamic data schema's (pointers under
/// [`DYNAMIC_DATA_POINTER`]: the server computes that data and the worker refuses what its
/// model does not accept, so the same rule holds), then the documented cross-field rules'. A
/// rule is compared by its words, so a reworded rule counts as one removed and one added: a
/// rule cannot be proved to accept the same data as another.
pub fn changes_between(old: &PublishedTask, new: &PublishedTask) -> Vec<Change> {
    let mut changes = compare(&old.schema, &new.schema);
    if let (Some(old_dynamic), Some(new_dynamic)) =
        (&old.dynamic_data_schema, &new.dynamic_data_schema)
    {
        changes.extend(
            compare(old_dynamic, new_dynamic)
                .into_iter()
                .map(|change| Change {
                    pointer: format!("{DYNAMIC_DATA_POINTER}{}", change.pointer),
                    ..change
                }),
        );
    }
    let rule_change = |rule: &String, class, what, added: bool| Change {
        pointer: String::new(),
        class,
        what,
        old: (!added).then(|| Value::String(rule.clone())),
        new: added.then(|| Value::String(rule.clone())),
        detail: if added {
            "a new cross-field rule".to_owned()
        } else {
            "a cross-field rule removed".to_owned()
        },
    };
    for rule in new.rules.iter().filter(|rule| !old.rules.contains(rule)) {
        changes.push(rule_change(rule, Class::Breaking, What::RuleAdded, true));
    }
    for rule in old.rules.iter().filter(|rule| !new.rules.contains(rule)) {
        changes.push(rule_change(
            rule,
            Class::Compatible,
            What::RuleRemoved,
            false,
        ));
    }
    changes
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
                let changes = changes_between(before, task);
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
