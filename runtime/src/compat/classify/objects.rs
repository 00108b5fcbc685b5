//! Objects: each key's schema, whether it is required, and the keys an object does not name
//! (`additionalProperties`, `patternProperties`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::walk::Walk;
use crate::compat::change::{Class, What};

impl Walk<'_> {
    pub(super) fn object(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &mut Vec<String>,
    ) {
        let empty = Map::new();
        let properties = |map: &'_ Map<String, Value>| -> Map<String, Value> {
            map.get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty)
                .clone()
        };
        let required = |map: &Map<String, Value>| -> BTreeSet<String> {
            map.get("required")
                .and_then(Value::as_array)
                .map(|keys| {
                    keys.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (old_props, new_props) = (properties(old), properties(new));
        let (old_required, new_required) = (required(old), required(new));
        let mut keys: Vec<&String> = old_props.keys().collect();
        keys.extend(new_props.keys().filter(|key| !old_props.contains_key(*key)));
        for key in new_required.iter().chain(&old_required) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for key in keys {
            path.push(key.clone());
            let (was_required, is_required) =
                (old_required.contains(key), new_required.contains(key));
            let before = old_props.get(key).cloned().or_else(|| {
                old_required
                    .contains(key)
                    .then(|| other_key_schema(old, key))
            });
            let after = new_props.get(key).cloned().or_else(|| {
                new_required
                    .contains(key)
                    .then(|| other_key_schema(new, key))
            });
            match (before, after) {
                (Some(before), Some(after)) => {
                    if is_required && !was_required {
                        self.push(
                            path,
                            Class::Breaking,
                            What::NowRequired,
                            None,
                            Some(json!(key)),
                            "now required: task data without it is refused",
                        );
                    } else if was_required && !is_required {
                        self.push(
                            path,
                            Class::Compatible,
                            What::NoLongerRequired,
                            Some(json!(key)),
                            None,
                            "no longer required",
                        );
                    }
                    self.node(&before, &after, path, !was_required && !is_required);
                }
                (Some(before), None) => {
                    let fallback = other_key_schema(new, key);
                    let refused = fallback == Value::Bool(false);
                    self.push(
                        path,
                        Class::Breaking,
                        What::KeyRemoved,
                        Some(before.clone()),
                        None,
                        if refused {
                            "key removed or renamed: task data with it is refused"
                        } else {
                            "key removed or renamed: task data with it is accepted but the key is \
                             ignored"
                        },
                    );
                    if !refused && has_pattern_for(new, key) {
                        self.node(&before, &fallback, path, false);
                    }
                }
                (None, Some(after)) => {
                    let fallback = other_key_schema(old, key);
                    if is_required {
                        self.push(
                            path,
                            Class::Breaking,
                            What::NowRequired,
                            None,
                            Some(after.clone()),
                            "new required key: task data without it is refused",
                        );
                    } else {
                        let default = self
                            .new
                            .resolve(&after)
                            .ok()
                            .and_then(|resolved| resolved.keywords.get("default").cloned());
                        self.push(
                            path,
                            Class::Compatible,
                            What::KeyAdded,
                            None,
                            Some(after.clone()),
                            match default {
                                Some(default) => format!("new optional key, default `{default}`"),
                                None => "new optional key".to_owned(),
                            },
                        );
                    }
                    if fallback != Value::Bool(false) {
                        // Old data could already have the key, checked by the old schema's
                        // other-keys rules: the new schema must accept what that allowed.
                        self.node(&fallback, &after, path, false);
                    }
                }
                (None, None) => {}
            }
            path.pop();
        }
        self.other_keys(old, new, path);
    }

    /// `additionalProperties` and `patternProperties`: the keys not named in `properties`.
    pub(super) fn other_keys(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &mut Vec<String>,
    ) {
        let closed =
            |map: &Map<String, Value>| map.get("additionalProperties") == Some(&Value::Bool(false));
        match (closed(old), closed(new)) {
            (true, false) => self.push(
                path,
                Class::Compatible,
                What::ConstraintRelaxed,
                Some(json!({"additionalProperties": false})),
                new.get("additionalProperties").cloned(),
                "other keys now accepted",
            ),
            (false, true) => self.push(
                path,
                Class::Breaking,
                What::ConstraintTightened,
                old.get("additionalProperties").cloned(),
                Some(json!({"additionalProperties": false})),
                "other keys now refused",
            ),
            (false, false) => {
                if old.get("additionalProperties").is_some()
                    || new.get("additionalProperties").is_some()
                {
                    let any = Value::Bool(true);
                    path.push("*".to_owned());
                    self.node(
                        old.get("additionalProperties").unwrap_or(&any),
                        new.get("additionalProperties").unwrap_or(&any),
                        path,
                        false,
                    );
                    path.pop();
                }
            }
            (true, true) => {}
        }
        let patterns = |map: &Map<String, Value>| -> BTreeMap<String, Value> {
            map.get("patternProperties")
                .and_then(Value::as_object)
                .map(|patterns| patterns.clone().into_iter().collect())
                .unwrap_or_default()
        };
        let (old_patterns, new_patterns) = (patterns(old), patterns(new));
        let any = Value::Bool(true);
        let patterns: BTreeSet<&String> = old_patterns.keys().chain(new_patterns.keys()).collect();
        for pattern in patterns {
            path.push("*".to_owned());
            match (old_patterns.get(pattern), new_patterns.get(pattern)) {
                (Some(before), Some(after)) => self.node(before, after, path, false),
                (Some(before), None) => {
                    let fallback = new.get("additionalProperties").unwrap_or(&any);
                    if fallback == &Value::Bool(false) {
                        self.push(
                            path,
                            Class::Breaking,
                            What::KeyRemoved,
                            Some(json!(pattern)),
                            None,
                            format!("keys matching `{pattern}` now refused"),
                        );
                    } else {
                        self.node(before, fallback, path, false);
                    }
                }
                (None, Some(after)) => {
                    let fallback = old.get("additionalProperties").unwrap_or(&any);
                    if fallback == &Value::Bool(false) {
                        self.push(
                            path,
                            Class::Compatible,
                            What::KeyAdded,
                            None,
                            Some(json!(pattern)),
                            format!("keys matching `{pattern}` now accepted"),
                        );
                    } else {
                        self.node(fallback, after, path, false);
                    }
                }
                (None, None) => {}
            }
            path.pop();
        }
    }
}

/// The schema an object applies to a key it does not name in `properties`: the first matching
/// `patternProperties`, else `additionalProperties` (absent: anything).
fn other_key_schema(object: &Map<String, Value>, key: &str) -> Value {
    if let Some(patterns) = object.get("patternProperties").and_then(Value::as_object) {
        for (pattern, schema) in patterns {
            if matches_pattern(pattern, key) {
                return schema.clone();
            }
        }
    }
    object
        .get("additionalProperties")
        .cloned()
        .unwrap_or(Value::Bool(true))
}

fn has_pattern_for(object: &Map<String, Value>, key: &str) -> bool {
    object
        .get("patternProperties")
        .and_then(Value::as_object)
        .is_some_and(|patterns| patterns.keys().any(|pattern| matches_pattern(pattern, key)))
}

/// Whether `key` matches a `patternProperties` regex, by the same validator task data meets.
fn matches_pattern(pattern: &str, key: &str) -> bool {
    jsonschema::validator_for(&json!({"type": "string", "pattern": pattern}))
        .is_ok_and(|validator| validator.is_valid(&json!(key)))
}
