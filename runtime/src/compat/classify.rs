//! The walk over two schemas side by side: at every place task data can reach, whether each
//! value the old schema accepts is still accepted by the new one and still means the same.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Map, Value, json};

use super::change::{Change, Class, What};
use crate::schema::read::{Branch, DOCUMENTATION, JsonType, Resolved, Resolver, allowed_values};
use crate::types::pointer::child;

/// Every change between two schemas of one task, in the order of the new schema's keys where
/// they exist. Never fails: what cannot be read is reported as [`Class::Undecidable`].
pub fn compare(old: &Value, new: &Value) -> Vec<Change> {
    let old_resolver = Resolver::new(old);
    let new_resolver = Resolver::new(new);
    let mut walk = Walk::new(&old_resolver, &new_resolver);
    walk.node(old, new, &mut Vec::new(), false);
    walk.changes
}

/// How deep the walk goes into nested schemas before it gives up and says so.
const MAX_DEPTH: usize = 128;

/// Keywords the branch comparison reads; any other assertion keyword is compared as text.
const READ_KEYWORDS: &[&str] = &[
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
];

#[derive(Clone)]
struct Walk<'a> {
    old: &'a Resolver<'a>,
    new: &'a Resolver<'a>,
    /// Pairs of definitions (old, new) already compared: a recursive type is walked once, and
    /// a definition used in many places reports its changes at the first.
    visited: HashSet<(String, String)>,
    /// Documentation changes already reported (a description shared by many places once).
    docs_seen: HashSet<String>,
    changes: Vec<Change>,
}

impl<'a> Walk<'a> {
    fn new(old: &'a Resolver<'a>, new: &'a Resolver<'a>) -> Self {
        Walk {
            old,
            new,
            visited: HashSet::new(),
            docs_seen: HashSet::new(),
            changes: Vec::new(),
        }
    }

    fn push(
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

    fn unreadable(&mut self, path: &[String], reason: impl Into<String>) {
        self.push(
            path,
            Class::Undecidable,
            What::Undecidable,
            None,
            None,
            reason,
        );
    }

    /// Compares the schemas of one place in task data. `optional` says the key may be absent
    /// in both schemas, so that its default is part of what the data means.
    fn node(&mut self, old: &Value, new: &Value, path: &mut Vec<String>, optional: bool) {
        if path.len() > MAX_DEPTH {
            self.unreadable(path, "the schemas nest too deeply to compare");
            return;
        }
        let (old_resolved, new_resolved) = match (self.old.resolve(old), self.new.resolve(new)) {
            (Ok(old), Ok(new)) => (old, new),
            (Err(error), _) => return self.unreadable(path, format!("old schema: {error}")),
            (_, Err(error)) => return self.unreadable(path, format!("new schema: {error}")),
        };
        self.documentation(&old_resolved.keywords, &new_resolved.keywords, path);
        if optional {
            self.default(&old_resolved.keywords, &new_resolved.keywords, path);
        }
        if let (Some(old_name), Some(new_name)) =
            (&old_resolved.definition, &new_resolved.definition)
            && !self.visited.insert((old_name.clone(), new_name.clone()))
        {
            return;
        }
        self.alternatives(&old_resolved, &new_resolved, path);
    }

    fn documentation(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
    ) {
        let mut before = Map::new();
        let mut after = Map::new();
        for key in DOCUMENTATION {
            if *key == "$schema" || old.get(*key) == new.get(*key) {
                continue;
            }
            if let Some(value) = old.get(*key) {
                before.insert((*key).to_owned(), value.clone());
            }
            if let Some(value) = new.get(*key) {
                after.insert((*key).to_owned(), value.clone());
            }
        }
        if before.is_empty() && after.is_empty() {
            return;
        }
        let key = format!("{before:?}{after:?}");
        if !self.docs_seen.insert(key) {
            return;
        }
        let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let keys: Vec<String> = keys.into_iter().map(|key| format!("`{key}`")).collect();
        self.push(
            path,
            Class::Compatible,
            What::Documentation,
            Some(Value::Object(before)),
            Some(Value::Object(after)),
            format!("documentation changed ({})", keys.join(", ")),
        );
    }

    fn default(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, path: &[String]) {
        match (old.get("default"), new.get("default")) {
            (Some(before), Some(after)) if before != after => self.push(
                path,
                Class::Breaking,
                What::DefaultChanged,
                Some(before.clone()),
                Some(after.clone()),
                "default changed: task data without this key now means something else",
            ),
            (Some(before), None) => self.push(
                path,
                Class::Undecidable,
                What::DefaultChanged,
                Some(before.clone()),
                None,
                "default no longer written in the schema: what an absent key means is not stated",
            ),
            (None, Some(after)) => self.push(
                path,
                Class::Undecidable,
                What::DefaultChanged,
                None,
                Some(after.clone()),
                "default now stated where there was none: the old meaning of an absent key is \
                 not known",
            ),
            _ => {}
        }
    }

    /// Pairs each old alternative (one JSON type, or one `anyOf` member) with a new one that
    /// accepts its values, and compares each pair.
    fn alternatives(&mut self, old: &Resolved, new: &Resolved, path: &mut Vec<String>) {
        let (old_branches, new_branches) = match (self.old.branches(old), self.new.branches(new)) {
            (Ok(old), Ok(new)) => (old, new),
            (Err(error), _) => return self.unreadable(path, format!("old schema: {error}")),
            (_, Err(error)) => return self.unreadable(path, format!("new schema: {error}")),
        };
        let mut paired = vec![false; new_branches.len()];
        for branch in &old_branches {
            let candidates: Vec<usize> = (0..new_branches.len())
                .filter(|&index| branch.ty.within(new_branches[index].ty))
                .collect();
            match candidates.as_slice() {
                [] => {
                    let (what, detail) = if branch.ty == JsonType::Null {
                        (What::NullRefused, "no longer accepts `null`".to_owned())
                    } else {
                        (
                            What::TypeNarrowed,
                            format!("no longer accepts {}", branch.ty.name()),
                        )
                    };
                    self.push(
                        path,
                        Class::Breaking,
                        what,
                        Some(types_of(&old_branches)),
                        Some(types_of(&new_branches)),
                        detail,
                    );
                }
                [only] => {
                    paired[*only] = true;
                    self.branch(branch, &new_branches[*only], path);
                }
                several => {
                    let chosen = self.choose(branch, several, &new_branches, path);
                    paired[chosen] = true;
                }
            }
        }
        for (index, branch) in new_branches.iter().enumerate() {
            // Values of a type the old schema accepted as part of a wider one (an integer
            // where any number was accepted) are not new.
            let inside_old = old_branches
                .iter()
                .any(|old| old.ty != branch.ty && branch.ty.within(old.ty));
            if paired[index] || inside_old {
                continue;
            }
            let (what, detail) = if branch.ty == JsonType::Null {
                (What::NullAccepted, "now accepts `null`".to_owned())
            } else if old_branches.iter().any(|old| old.ty == branch.ty) {
                (
                    What::TypeWidened,
                    format!("new alternative accepting {}", branch.ty.name()),
                )
            } else {
                (
                    What::TypeWidened,
                    format!("now accepts {}", branch.ty.name()),
                )
            };
            self.push(
                path,
                Class::Compatible,
                what,
                Some(types_of(&old_branches)),
                Some(types_of(&new_branches)),
                detail,
            );
        }
    }

    /// Several new alternatives could take the values of an old one (two object alternatives
    /// of an `anyOf`): the one from the same definition, else the first that keeps every old
    /// value valid; if none is sure, the change is undecidable.
    fn choose(
        &mut self,
        branch: &Branch,
        candidates: &[usize],
        new_branches: &[Branch],
        path: &mut Vec<String>,
    ) -> usize {
        let same_definition = candidates.iter().copied().find(|&index| {
            branch.definition.is_some() && new_branches[index].definition == branch.definition
        });
        if let Some(index) = same_definition {
            self.branch(branch, &new_branches[index], path);
            return index;
        }
        let mut trials = Vec::new();
        for &index in candidates {
            let mut trial = self.clone();
            trial.changes.clear();
            trial.branch(branch, &new_branches[index], path);
            let safe = trial
                .changes
                .iter()
                .all(|change| change.class == Class::Compatible);
            if safe {
                self.visited = trial.visited;
                self.docs_seen = trial.docs_seen;
                self.changes.extend(trial.changes);
                return index;
            }
            trials.push(index);
        }
        self.push(
            path,
            Class::Undecidable,
            What::Undecidable,
            Some(json!(branch.ty.name())),
            Some(types_of(new_branches)),
            format!(
                "the old {} values are split over several new alternatives, none of which \
                 surely accepts them all",
                branch.ty.name()
            ),
        );
        trials[0]
    }

    /// Compares two alternatives whose types fit (the new one's type includes the old's).
    fn branch(&mut self, old: &Branch, new: &Branch, path: &mut Vec<String>) {
        let (o, n) = (&old.keywords, &new.keywords);
        self.values(o, n, path);
        if matches!(old.ty, JsonType::Integer | JsonType::Number | JsonType::Any) {
            self.bound(o, n, path, Bound::Lower);
            self.bound(o, n, path, Bound::Upper);
            self.multiple_of(o, n, path);
        }
        if matches!(old.ty, JsonType::String | JsonType::Any) {
            self.count(o, n, path, "minLength", "maxLength");
            self.presence(o, n, path, "pattern");
            self.presence(o, n, path, "format");
        }
        if matches!(old.ty, JsonType::Array | JsonType::Any) {
            self.count(o, n, path, "minItems", "maxItems");
            self.unique_items(o, n, path);
            self.items(o, n, path);
        }
        if matches!(old.ty, JsonType::Object | JsonType::Any) {
            self.count(o, n, path, "minProperties", "maxProperties");
            self.object(o, n, path);
        }
        let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for key in keys {
            if READ_KEYWORDS.contains(&key.as_str()) || o.get(key) == n.get(key) {
                continue;
            }
            self.push(
                path,
                Class::Undecidable,
                What::Undecidable,
                o.get(key).cloned(),
                n.get(key).cloned(),
                format!("`{key}` changed, which taskdef cannot compare"),
            );
        }
    }

    fn values(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, path: &[String]) {
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

    fn bound(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
        side: Bound,
    ) {
        let (before, after) = (side.of(old), side.of(new));
        if before == after {
            return;
        }
        let tighter = match (&before, &after) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(b), Some(a)) => side.tighter(a, b),
            (None, None) => return,
        };
        let keywords = |map: &Map<String, Value>| {
            let picked: Map<String, Value> = side
                .keywords()
                .iter()
                .filter_map(|key| {
                    map.get(*key)
                        .map(|value| ((*key).to_owned(), value.clone()))
                })
                .collect();
            (!picked.is_empty()).then_some(Value::Object(picked))
        };
        self.tightened_or_relaxed(path, tighter, keywords(old), keywords(new), side.name());
    }

    fn tightened_or_relaxed(
        &mut self,
        path: &[String],
        tighter: bool,
        old: Option<Value>,
        new: Option<Value>,
        what: &str,
    ) {
        if tighter {
            self.push(
                path,
                Class::Breaking,
                What::ConstraintTightened,
                old,
                new,
                format!("{what} tightened"),
            );
        } else {
            self.push(
                path,
                Class::Compatible,
                What::ConstraintRelaxed,
                old,
                new,
                format!("{what} relaxed"),
            );
        }
    }

    fn multiple_of(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, path: &[String]) {
        let (before, after) = (old.get("multipleOf"), new.get("multipleOf"));
        if before == after {
            return;
        }
        let tighter = match (
            before.and_then(Value::as_f64),
            after.and_then(Value::as_f64),
        ) {
            (_, None) => false,
            (None, Some(_)) => true,
            // Every multiple of `b` is a multiple of `a` when `b` is a multiple of `a`.
            (Some(b), Some(a)) => a == 0.0 || (b / a).fract() != 0.0,
        };
        self.tightened_or_relaxed(
            path,
            tighter,
            before.cloned(),
            after.cloned(),
            "`multipleOf`",
        );
    }

    /// A count with a lower and an upper limit (`minLength`/`maxLength`, ...).
    fn count(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
        min: &str,
        max: &str,
    ) {
        for (key, is_min) in [(min, true), (max, false)] {
            let (before, after) = (old.get(key), new.get(key));
            if before == after {
                continue;
            }
            let limit = |value: Option<&Value>| {
                value.and_then(Num::of).unwrap_or(if is_min {
                    Num::Integer(0)
                } else {
                    Num::Float(f64::INFINITY)
                })
            };
            let (b, a) = (limit(before), limit(after));
            if a == b {
                continue;
            }
            let tighter = if is_min { a > b } else { a < b };
            self.tightened_or_relaxed(
                path,
                tighter,
                before.cloned(),
                after.cloned(),
                &format!("`{key}`"),
            );
        }
    }

    /// A constraint that is there or not, and cannot be compared when it changes (`pattern`,
    /// `format`): new is tightened, gone is relaxed, changed is undecidable.
    fn presence(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
        key: &str,
    ) {
        let (before, after) = (old.get(key), new.get(key));
        match (before, after) {
            (Some(b), Some(a)) if a != b => self.push(
                path,
                Class::Undecidable,
                What::ConstraintTightened,
                Some(b.clone()),
                Some(a.clone()),
                format!(
                    "`{key}` changed: taskdef cannot tell whether every old value still matches"
                ),
            ),
            (None, Some(_)) | (Some(_), None) => self.tightened_or_relaxed(
                path,
                before.is_none(),
                before.cloned(),
                after.cloned(),
                &format!("`{key}`"),
            ),
            _ => {}
        }
    }

    fn unique_items(
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

    fn items(
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

    fn object(
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
    fn other_keys(
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

/// A number from a schema, exact for every integer JSON can carry (`u64::MAX` and `i64::MIN`
/// alike), so that a bound moved by one is seen.
#[derive(Debug, Clone, Copy)]
enum Num {
    Integer(i128),
    Float(f64),
}

impl Num {
    fn of(value: &Value) -> Option<Num> {
        let number = value.as_number()?;
        if let Some(integer) = number.as_i64() {
            Some(Num::Integer(integer.into()))
        } else if let Some(integer) = number.as_u64() {
            Some(Num::Integer(integer.into()))
        } else {
            number.as_f64().map(Num::Float)
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::Integer(integer) => integer as f64,
            Num::Float(float) => float,
        }
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.partial_cmp(other) == Some(std::cmp::Ordering::Equal)
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Integer(a), Num::Integer(b)) => a.partial_cmp(b),
            _ => self.as_f64().partial_cmp(&other.as_f64()),
        }
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Lower,
    Upper,
}

impl Bound {
    fn keywords(self) -> [&'static str; 2] {
        match self {
            Bound::Lower => ["minimum", "exclusiveMinimum"],
            Bound::Upper => ["maximum", "exclusiveMaximum"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Bound::Lower => "lower bound",
            Bound::Upper => "upper bound",
        }
    }

    /// The effective bound: its value and whether it is exclusive.
    fn of(self, map: &Map<String, Value>) -> Option<(Num, bool)> {
        let [inclusive, exclusive] = self.keywords();
        let candidates = [
            map.get(inclusive).and_then(Num::of).map(|v| (v, false)),
            map.get(exclusive).and_then(Num::of).map(|v| (v, true)),
        ];
        candidates
            .into_iter()
            .flatten()
            .reduce(|a, b| if self.tighter(&a, &b) { a } else { b })
    }

    /// Whether bound `a` excludes some value bound `b` allows.
    fn tighter(self, a: &(Num, bool), b: &(Num, bool)) -> bool {
        match self {
            Bound::Lower => a.0 > b.0 || (a.0 == b.0 && a.1 && !b.1),
            Bound::Upper => a.0 < b.0 || (a.0 == b.0 && a.1 && !b.1),
        }
    }
}

fn types_of(branches: &[Branch]) -> Value {
    let mut names: Vec<&str> = branches.iter().map(|branch| branch.ty.name()).collect();
    names.dedup();
    json!(names)
}

fn list(values: &[&Value]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A JSON pointer into task data; `*` stands for any array item or any other key.
fn pointer(path: &[String]) -> String {
    path.iter()
        .fold(String::new(), |pointer, segment| child(&pointer, segment))
}
