//! A task's change history, kept beside its published schema (`<stem>.changes.json`) and grown
//! each time the docs are written: the schema being replaced is compared with the new one and
//! the changes are filed under the task's version. A task whose data differ between releases
//! of its engine has one history per release, in that release's directory of the docs. A task page shows it as its "Changes"
//! section.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::change::{Change, Class, What};
use super::tasks::{PublishedTask, changes_between};

/// The file name ending of a history file: `<stem>.changes.json`.
pub const FILE_SUFFIX: &str = ".changes.json";

/// A task's history: its schema's changes, by version, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The task's name.
    pub task: String,
    /// The task's kind.
    pub kind: String,
    /// The release of the engine whose form of the task's data this is the history of; `None`
    /// for a task documented without releases (the flat layout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// One entry per version the docs were written at.
    pub versions: Vec<VersionEntry>,
}

/// The changes recorded while a task had one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionEntry {
    /// The version.
    pub version: u32,
    /// The changes, compared with the schema published before (empty for the first schema
    /// recorded, or a version bump alone).
    pub changes: Vec<Change>,
}

impl History {
    /// Reads a history file's text; the error names what is wrong.
    pub fn parse(text: &str) -> Result<History, String> {
        serde_json::from_str(text).map_err(|error| format!("not a task history: {error}"))
    }

    /// The history as a file: pretty JSON and a final newline.
    pub fn to_file(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The history after publishing `task`, previously published as `previous` (none if the
    /// task had no schema published): the changes go under the task's version, a new entry if the
    /// version is new. Publishing the same schema again changes nothing.
    pub fn updated(
        previous_history: Option<History>,
        previous: Option<&PublishedTask>,
        task: &PublishedTask,
    ) -> History {
        let mut history = previous_history.unwrap_or_else(|| History {
            task: task.name.clone(),
            kind: task.kind.clone(),
            release: None,
            versions: Vec::new(),
        });
        history.task.clone_from(&task.name);
        history.kind.clone_from(&task.kind);
        let changes = previous.map_or_else(Vec::new, |old| changes_between(old, task));
        match history.versions.last_mut() {
            Some(last) if last.version == task.version => last.changes.extend(changes),
            _ => history.versions.push(VersionEntry {
                version: task.version,
                changes,
            }),
        }
        history
    }

    /// The "Changes" section of the task's page, newest version first.
    pub fn section(&self, file_name: &str) -> String {
        let mut out = String::from("\n## Changes\n\n");
        let _ = writeln!(
            out,
            "By version, newest first; recorded in [`{file_name}`]({file_name}) each time \
             `taskdef docs --out` replaces the published schema.\n"
        );
        for (index, entry) in self.versions.iter().enumerate().rev() {
            let _ = writeln!(out, "### Version {}\n", entry.version);
            if entry.changes.is_empty() {
                out.push_str(if index == 0 {
                    "The schema as first recorded.\n\n"
                } else {
                    "No change to the schema of the task data.\n\n"
                });
                continue;
            }
            for change in &entry.changes {
                let pointer = if change.pointer.is_empty() {
                    "(task data)".to_owned()
                } else {
                    format!("`{}`", change.pointer.replace('|', "\\|"))
                };
                let class = match (change.class, change.what) {
                    (Class::Compatible, What::Documentation) => "documentation",
                    (class, _) => class.as_str(),
                };
                let _ = writeln!(out, "- {class}: {pointer}: {}", change.detail);
            }
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn task(version: u32, schema: Value) -> PublishedTask {
        PublishedTask {
            name: "demo".to_owned(),
            kind: "worker".to_owned(),
            version,
            schema,
            rules: Vec::new(),
            dynamic_data_schema: None,
        }
    }

    #[test]
    fn a_history_grows_by_version_and_publishing_twice_changes_nothing() {
        let v1 = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        let first = History::updated(None, None, &task(1, v1.clone()));
        assert_eq!(first.versions.len(), 1);
        assert!(first.versions[0].changes.is_empty());
        assert_eq!(
            History::updated(
                Some(first.clone()),
                Some(&task(1, v1.clone())),
                &task(1, v1.clone())
            ),
            first
        );

        let v2 = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        let second = History::updated(Some(first), Some(&task(1, v1)), &task(2, v2));
        assert_eq!(second.versions.len(), 2);
        assert_eq!(second.versions[1].version, 2);
        assert_eq!(second.versions[1].changes[0].what, What::TypeNarrowed);

        let text = second.to_file();
        assert_eq!(History::parse(&text).unwrap(), second);
        let section = second.section("demo.changes.json");
        let v2_at = section.find("### Version 2").unwrap();
        let v1_at = section.find("### Version 1").unwrap();
        assert!(v2_at < v1_at, "newest first: {section}");
        assert!(
            section.contains("- breaking: `/a`: no longer accepts string"),
            "{section}"
        );
    }

    #[test]
    fn a_new_rule_is_filed_as_breaking_and_a_removed_one_as_compatible() {
        let schema = json!({"type": "object"});
        let mut old = task(1, schema.clone());
        old.rules = vec!["`a` needs `b`".to_owned()];
        let mut new = task(1, schema);
        new.rules = vec!["`c` excludes `d`".to_owned()];
        let history = History::updated(None, Some(&old), &new);
        let changes = &history.versions[0].changes;
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(
            (changes[0].what, changes[0].class),
            (What::RuleAdded, Class::Breaking)
        );
        assert_eq!(changes[0].new, Some(Value::from("`c` excludes `d`")));
        assert_eq!(
            (changes[1].what, changes[1].class),
            (What::RuleRemoved, Class::Compatible)
        );
        assert_eq!(changes[1].old, Some(Value::from("`a` needs `b`")));
    }

    #[test]
    fn a_malformed_history_is_an_error_that_says_so() {
        let error = History::parse("{\"task\": 1}").unwrap_err();
        assert!(error.starts_with("not a task history"), "{error}");
    }
}
