//! A condition a worker does not meet, explained.

use std::fmt;

use serde_json::Value;

/// A metadata value as messages quote it, or `missing`.
pub(super) fn describe(value: Option<&Value>) -> String {
    match value {
        None => "missing".to_owned(),
        Some(value) => format!("`{value}`"),
    }
}

/// A condition of a task's `check_worker` that the worker does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    reason: String,
}

impl Unmet {
    /// An unmet condition, explained.
    pub fn new(reason: impl Into<String>) -> Self {
        Unmet {
            reason: reason.into(),
        }
    }

    /// The explanation.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}
