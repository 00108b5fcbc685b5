//! The values a place accepts: `enum` and `const`, compared as lists.

use serde_json::{Map, Value};

use super::walk::Walk;
use crate::compat::change::{Class, What};
use crate::schema::read::allowed_values;

impl Walk<'_> {
    pub(super) fn values(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
    ) {
        match (allowed_values(old), allowed_values(new)) {
            (None, None) => {}
            (Some(before), None) => self.push(
                path,
                Class::Compatible,
                What::ValuesAdded,
                Some(Value::Array(before)),
                None,
                "no longer limited to a list of values",
            ),
            (None, Some(after)) => self.push(
                path,
                Class::Breaking,
                What::ValuesRemoved,
                None,
                Some(Value::Array(after)),
                "now limited to a list of values",
            ),
            (Some(before), Some(after)) => {
                let removed: Vec<&Value> = before.iter().filter(|v| !after.contains(v)).collect();
                let added: Vec<&Value> = after.iter().filter(|v| !before.contains(v)).collect();
                if !removed.is_empty() {
                    self.push(
                        path,
                        Class::Breaking,
                        What::ValuesRemoved,
                        Some(Value::Array(before.clone())),
                        Some(Value::Array(after.clone())),
                        format!("values no longer accepted: {}", list(&removed)),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        path,
                        Class::Compatible,
                        What::ValuesAdded,
                        Some(Value::Array(before.clone())),
                        Some(Value::Array(after.clone())),
                        format!("new values accepted: {}", list(&added)),
                    );
                }
            }
        }
    }
}

fn list(values: &[&Value]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
