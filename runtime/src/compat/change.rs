//! A classified change: what changed at one place of the task data, and whether old task data
//! survives it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// A cross-field rule the task did not document before: old task data may break it.
    RuleAdded,
    /// A documented cross-field rule the task no longer lists.
    RuleRemoved,
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
    /// The old schema's side (keywords, values or types), if it had one. A side that is the
    /// value `null` (a default of null) reads back as itself, not as no side.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    pub old: Option<Value>,
    /// The new schema's side, if it has one.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
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

/// A side that is present in the file, `null` included: `Some`. (serde's own `Option` reads a
/// `null` as `None`, which would drop a default of null from a history read back.)
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    <Value as serde::Deserialize>::deserialize(deserializer).map(Some)
}
