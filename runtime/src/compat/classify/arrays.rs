//! Arrays: `uniqueItems`, and the items (`items`, `prefixItems`) compared place by place.

use serde_json::{Map, Value};

use super::walk::Walk;
use crate::compat::change::{Class, What};

impl Walk<'_> {
    pub(super) fn unique_items(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
    ) {
        let unique = |map: &Map<String, Value>| map.get("uniqueItems") == Some(&Value::Bool(true));
        if unique(old) != unique(new) {
            self.tightened_or_relaxed(
                path,
                unique(new),
                old.get("uniqueItems").cloned(),
                new.get("uniqueItems").cloned(),
                "`uniqueItems`",
            );
        }
    }

    pub(super) fn items(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &mut Vec<String>,
    ) {
        let any = Value::Bool(true);
        let prefix = |map: &Map<String, Value>| {
            map.get("prefixItems")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (old_prefix, new_prefix) = (prefix(old), prefix(new));
        if old_prefix.len() != new_prefix.len() {
            self.push(
                path,
                Class::Undecidable,
                What::Undecidable,
                old.get("prefixItems").cloned(),
                new.get("prefixItems").cloned(),
                "`prefixItems` changed length, which taskdef cannot compare",
            );
        } else {
            for (index, (before, after)) in old_prefix.iter().zip(&new_prefix).enumerate() {
                path.push(index.to_string());
                self.node(before, after, path, false);
                path.pop();
            }
        }
        if old.get("items").is_some() || new.get("items").is_some() {
            path.push("*".to_owned());
            self.node(
                old.get("items").unwrap_or(&any),
                new.get("items").unwrap_or(&any),
                path,
                false,
            );
            path.pop();
        }
    }
}
