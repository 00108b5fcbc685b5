//! The state of the walk over two schemas, and how it records a change.

use std::collections::HashSet;

use serde_json::Value;

use crate::compat::change::{Change, Class, What};
use crate::schema::read::Resolver;
use crate::types::pointer::child;

/// The walk: the two schemas' readers, what was compared already, and the changes found.
#[derive(Clone)]
pub(super) struct Walk<'a> {
    pub(super) old: &'a Resolver<'a>,
    pub(super) new: &'a Resolver<'a>,
    /// Pairs of definitions (old, new) already compared: a recursive type is walked once, and
    /// a definition used in many places reports its changes at the first.
    pub(super) visited: HashSet<(String, String)>,
    /// Documentation changes already reported (a description shared by many places once).
    pub(super) docs_seen: HashSet<String>,
    pub(super) changes: Vec<Change>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(old: &'a Resolver<'a>, new: &'a Resolver<'a>) -> Self {
        Walk {
            old,
            new,
            visited: HashSet::new(),
            docs_seen: HashSet::new(),
            changes: Vec::new(),
        }
    }

    pub(super) fn push(
        &mut self,
        path: &[String],
        class: Class,
        what: What,
        old: Option<Value>,
        new: Option<Value>,
        detail: impl Into<String>,
    ) {
        self.changes.push(Change {
            pointer: pointer(path),
            class,
            what,
            old,
            new,
            detail: detail.into(),
        });
    }

    pub(super) fn unreadable(&mut self, path: &[String], reason: impl Into<String>) {
        self.push(
            path,
            Class::Undecidable,
            What::Undecidable,
            None,
            None,
            reason,
        );
    }
}

/// A JSON pointer into task data; `*` stands for any array item or any other key.
fn pointer(path: &[String]) -> String {
    path.iter()
        .fold(String::new(), |pointer, segment| child(&pointer, segment))
}
