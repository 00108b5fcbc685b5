//! A worker's `tasks_allowlist` and `tasks_denylist`: which task names it takes, by Debusine's
//! rule. The scheduler and the command line's `can-run` both ask here.

use std::fmt;

use super::keys;
use super::worker::WorkerMetadata;

/// Why a worker's task lists refuse a task name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRefusal {
    /// The worker has a `tasks_allowlist` without the name.
    NotAllowed,
    /// The worker has no allowlist, and its `tasks_denylist` has the name.
    Denied,
}

impl fmt::Display for NameRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameRefusal::NotAllowed => {
                write!(f, "is not in the worker's `{}`", keys::TASKS_ALLOWLIST)
            }
            NameRefusal::Denied => write!(f, "is in the worker's `{}`", keys::TASKS_DENYLIST),
        }
    }
}

/// A worker's task lists: with an allowlist, only its names; otherwise every name but the
/// denylist's.
pub(crate) struct NameFilter<'a> {
    allow: Option<Vec<&'a str>>,
    deny: Vec<&'a str>,
}

impl<'a> NameFilter<'a> {
    /// The lists in `metadata`; a list of the wrong type counts as absent.
    pub(crate) fn of(metadata: &'a WorkerMetadata) -> Self {
        NameFilter {
            allow: metadata.tasks_allowlist(),
            deny: metadata.tasks_denylist().unwrap_or_default(),
        }
    }

    /// `Ok` when the worker takes task `name`.
    pub(crate) fn check(&self, name: &str) -> Result<(), NameRefusal> {
        match &self.allow {
            Some(allow) if !allow.contains(&name) => Err(NameRefusal::NotAllowed),
            Some(_) => Ok(()),
            None if self.deny.contains(&name) => Err(NameRefusal::Denied),
            None => Ok(()),
        }
    }

    /// Whether the worker takes task `name`.
    pub(crate) fn admits(&self, name: &str) -> bool {
        self.check(name).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn worker(lists: serde_json::Value) -> WorkerMetadata {
        WorkerMetadata::from_value(lists).unwrap()
    }

    #[test]
    fn an_allowlist_wins_over_a_denylist() {
        let metadata = worker(json!({"tasks_allowlist": ["a"], "tasks_denylist": ["a", "b"]}));
        let filter = NameFilter::of(&metadata);
        assert_eq!(filter.check("a"), Ok(()));
        assert_eq!(filter.check("b"), Err(NameRefusal::NotAllowed));
        assert_eq!(
            NameRefusal::NotAllowed.to_string(),
            "is not in the worker's `tasks_allowlist`"
        );
    }

    #[test]
    fn without_an_allowlist_the_denylist_decides() {
        let metadata = worker(json!({"tasks_denylist": ["b"], "tasks_allowlist": "not a list"}));
        let filter = NameFilter::of(&metadata);
        assert!(filter.admits("a"));
        assert_eq!(filter.check("b"), Err(NameRefusal::Denied));
        assert_eq!(
            NameRefusal::Denied.to_string(),
            "is in the worker's `tasks_denylist`"
        );
        assert!(NameFilter::of(&worker(json!({}))).admits("anything"));
    }
}
