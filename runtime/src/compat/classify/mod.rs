//! The walk over two schemas side by side: at every place task data can reach, whether each
//! value the old schema accepts is still accepted by the new one and still means the same.
//!
//! Here: a place's documentation, default and alternatives (one per JSON type), paired old to
//! new. What a pair's keywords are compared by is split by what they constrain: `values`
//! (`enum`, `const`), `numbers` (bounds, `multipleOf`), `limits` (sizes, `pattern`, `format`),
//! `arrays` (`uniqueItems`, items), `objects` (keys, required keys, the keys not named). `walk`
//! holds the walk's state and how a change is recorded, which they all use.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

mod arrays;
mod limits;
mod numbers;
mod objects;
mod values;
mod walk;

use numbers::Bound;
use walk::Walk;

use super::change::{Change, Class, What};
use crate::schema::read::{Branch, DOCUMENTATION, JsonType, Resolved, Resolver};

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

impl Walk<'_> {
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
}

fn types_of(branches: &[Branch]) -> Value {
    let mut names: Vec<&str> = branches.iter().map(|branch| branch.ty.name()).collect();
    names.dedup();
    json!(names)
}
