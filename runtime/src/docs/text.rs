//! JSON and Markdown text as the pages write it: sorted keys, table cells.

use std::collections::BTreeMap;

use serde_json::Value;

/// Pretty JSON with object keys sorted at every level.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&sorted(value)).unwrap_or_default()
}

pub(super) fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, Value> = map
                .iter()
                .map(|(key, value)| (key, sorted(value)))
                .collect();
            Value::Object(
                ordered
                    .into_iter()
                    .map(|(key, value)| (key.clone(), value))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Compact JSON with object keys sorted at every level.
pub(super) fn compact(value: &Value) -> String {
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

/// Text fit for a Markdown table cell.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
