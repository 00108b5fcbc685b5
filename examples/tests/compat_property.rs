//! Property: a change `taskdef compat` calls compatible keeps every old task data valid.
//!
//! Each round takes a catalogue schema, makes a few random edits to a copy (the kinds of edit
//! a task author makes: keys added, removed, made required or optional; enum values, bounds,
//! lengths, nullability, defaults, `additionalProperties`, descriptions changed), classifies
//! the pair, and when every change is compatible, generates random task data from the old
//! schema (kept only if the old schema accepts it) and checks that the new schema accepts it
//! too. Both schemas are checked by the `jsonschema` validator, set up as taskdef sets it up
//! (formats asserted). A small seeded generator stands in for a property-testing crate: the
//! runs are reproducible from the seed printed on failure, and no dependency is added.

use std::path::{Path, PathBuf};

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};
use taskdef::compat::{Class, compare};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// True `percent` times in a hundred.
fn chance(rng: &mut Rng, percent: u64) -> bool {
    rng.next_u64() % 100 < percent
}

/// One of `items`, or none if it is empty.
fn pick_any<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| rng.pick(items))
}

/// The names in an object schema's `properties`.
fn property_names(node: &Map<String, Value>) -> Vec<String> {
    node.get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

fn validator(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

/// Every schema of the published catalogue, `<release>/<file>`: the docs have a directory per
/// release of the engine, each with its tasks' schemas.
fn catalogue() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/tasks");
    let mut releases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    releases.sort();
    assert!(releases.len() >= 2, "a directory per release in {dir:?}");
    let mut schemas: Vec<(String, Value)> = Vec::new();
    for release in &releases {
        let release_name = release.file_name().unwrap().to_string_lossy().into_owned();
        let before = schemas.len();
        for path in std::fs::read_dir(release).unwrap() {
            let path = path.unwrap().path();
            if !path.to_string_lossy().ends_with(".schema.json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            schemas.push((
                format!(
                    "{release_name}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ),
                serde_json::from_str(&text).unwrap(),
            ));
        }
        assert!(
            schemas.len() - before >= 10,
            "release {release_name}'s schemas are there"
        );
    }
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    schemas
}

// ---- random task data from a schema ----

/// Strings tried for a `pattern` or `format`: the first the constraint accepts is used.
const STRING_POOL: &[&str] = &[
    "main",
    "bookworm",
    "http://deb.example.org/debian",
    "name@example.org",
    "2024-01-02T03:04:05Z",
    "+b1",
    "amd64",
    "lookup__x",
    "example",
];

struct Generator<'a> {
    root: &'a Value,
    rng: &'a mut Rng,
}

impl Generator<'_> {
    fn value(&mut self, schema: &Value, depth: usize) -> Value {
        let Some(map) = schema.as_object() else {
            return json!("anything");
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            let target = self.root.pointer(&reference[1..]).cloned().unwrap();
            return self.value(&target, depth + 1);
        }
        if let Some(Value::Array(members)) = map.get("allOf") {
            return self.value(&members[0].clone(), depth + 1);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alternatives)) = map.get(key) {
                // Deep down, the first alternatives (scalars in the catalogue) end recursion.
                let index = if depth > 6 {
                    0
                } else {
                    self.rng.index(alternatives.len())
                };
                return self.value(&alternatives[index].clone(), depth + 1);
            }
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return pick_any(self.rng, values).cloned().unwrap_or(Value::Null);
        }
        if let Some(value) = map.get("const") {
            return value.clone();
        }
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(name)) => vec![name.as_str()],
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => vec!["string", "integer", "boolean", "null"],
        };
        let ty = if depth > 6 && types.contains(&"null") {
            "null"
        } else {
            pick_any(self.rng, &types).copied().unwrap_or("null")
        };
        match ty {
            "null" => Value::Null,
            "boolean" => Value::Bool(chance(self.rng, 50)),
            "integer" | "number" => self.number(map),
            "string" => self.string(map),
            "array" => self.array(map, depth),
            "object" => self.object(map, depth),
            _ => Value::Null,
        }
    }

    fn number(&mut self, map: &Map<String, Value>) -> Value {
        let min = map.get("minimum").and_then(Value::as_i64).unwrap_or(-5);
        let max = map.get("maximum").and_then(Value::as_i64).unwrap_or(100);
        let candidates = [min, max, 0, 1, min.saturating_add(1)];
        let value = *pick_any(self.rng, &candidates).unwrap();
        json!(value.clamp(min, max.max(min)))
    }

    fn string(&mut self, map: &Map<String, Value>) -> Value {
        let constrained = ["pattern", "format", "minLength", "maxLength"]
            .iter()
            .any(|key| map.contains_key(*key));
        if !constrained && chance(self.rng, 50) {
            return json!(format!("s{}", self.rng.index(1000)));
        }
        // The string keywords alone: the node may be a whole schema (an edit can make the
        // root a string), whose `$id` and `$defs` a fragment must not carry.
        let mut only_string: Map<String, Value> = ["pattern", "format", "minLength", "maxLength"]
            .iter()
            .filter_map(|key| Some(((*key).to_owned(), map.get(*key)?.clone())))
            .collect();
        only_string.insert("type".to_owned(), json!("string"));
        let check = validator(&Value::Object(only_string));
        let start = self.rng.index(STRING_POOL.len());
        (0..STRING_POOL.len())
            .map(|offset| STRING_POOL[(start + offset) % STRING_POOL.len()])
            .find(|candidate| check.is_valid(&json!(candidate)))
            .map_or_else(|| json!("x"), |found| json!(found))
    }

    fn array(&mut self, map: &Map<String, Value>, depth: usize) -> Value {
        if let Some(Value::Array(prefix)) = map.get("prefixItems") {
            return Value::Array(
                prefix
                    .iter()
                    .map(|item| self.value(&item.clone(), depth + 1))
                    .collect(),
            );
        }
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let count = if depth > 6 {
            min
        } else {
            min + self.rng.index(3)
        };
        let items = map.get("items").cloned().unwrap_or(json!({}));
        Value::Array((0..count).map(|_| self.value(&items, depth + 1)).collect())
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (key, schema) in properties {
                let wanted =
                    required.contains(&key.as_str()) || (depth <= 6 && chance(self.rng, 50));
                if wanted {
                    out.insert(key.clone(), self.value(schema, depth + 1));
                }
            }
        }
        Value::Object(out)
    }
}

// ---- random edits to a schema ----

/// Every object schema in `schema` (the root, properties, items, `$defs`, alternatives), as
/// JSON pointers.
fn subschemas(schema: &Value, at: String, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            out.push(at.clone());
            for (key, value) in map {
                if matches!(
                    key.as_str(),
                    "enum" | "const" | "default" | "examples" | "required"
                ) {
                    continue;
                }
                subschemas(
                    value,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                subschemas(item, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

fn edit(schema: &mut Value, rng: &mut Rng) {
    let mut places = Vec::new();
    subschemas(schema, String::new(), &mut places);
    let place = pick_any(rng, &places).cloned().unwrap_or_default();
    let Some(Value::Object(node)) = schema.pointer_mut(&place) else {
        return;
    };
    match rng.index(12) {
        0 => {
            if let Some(Value::Object(properties)) = node.get_mut("properties") {
                properties.insert(
                    format!("added_{}", rng.index(100)),
                    json!({"type": "string", "default": "x"}),
                );
            }
        }
        1 => {
            let keys = property_names(node);
            if let Some(key) = pick_any(rng, &keys).cloned() {
                node["properties"].as_object_mut().unwrap().remove(&key);
            }
        }
        2 => {
            let keys = property_names(node);
            if let Some(key) = pick_any(rng, &keys).cloned() {
                let required = node.entry("required").or_insert(json!([]));
                let list = required.as_array_mut().unwrap();
                match list.iter().position(|item| item == &json!(key)) {
                    Some(index) => {
                        list.remove(index);
                    }
                    None => list.push(json!(key)),
                }
            }
        }
        3 => {
            if let Some(Value::Array(values)) = node.get_mut("enum") {
                if chance(rng, 50) && values.len() > 1 {
                    values.remove(rng.index(values.len()));
                } else {
                    values.push(json!(format!("value{}", rng.index(10))));
                }
            }
        }
        4 => match node.get_mut("type") {
            Some(Value::Array(types)) if types.contains(&json!("null")) => {
                types.retain(|ty| ty != "null");
            }
            Some(ty @ Value::String(_)) => {
                let single = ty.clone();
                *ty = json!([single, "null"]);
            }
            _ => {}
        },
        5 | 6 => {
            let key = *rng.pick(&[
                "minimum",
                "maximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
            ]);
            let applies = match node.get("type") {
                Some(Value::String(ty)) => match key {
                    "minimum" | "maximum" => ty == "integer" || ty == "number",
                    "minLength" | "maxLength" => ty == "string",
                    _ => ty == "array",
                },
                _ => false,
            };
            if applies {
                if node.contains_key(key) && chance(rng, 30) {
                    node.remove(key);
                } else {
                    let current = node.get(key).and_then(Value::as_i64).unwrap_or(0);
                    let delta = rng.index(5) as i64 - 2;
                    node.insert(key.to_owned(), json!(current.saturating_add(delta).max(0)));
                }
            }
        }
        7 => {
            if node.get("additionalProperties") == Some(&Value::Bool(false)) {
                node.remove("additionalProperties");
            } else if node.contains_key("properties") {
                node.insert("additionalProperties".to_owned(), json!(false));
            }
        }
        8 => {
            if node.contains_key("default") {
                node.insert("default".to_owned(), json!(format!("d{}", rng.index(3))));
            }
        }
        9 => {
            node.insert("description".to_owned(), json!("edited"));
        }
        10 => {
            if let Some(Value::Array(alternatives)) = node.get_mut("anyOf") {
                if chance(rng, 50) && alternatives.len() > 1 {
                    alternatives.remove(rng.index(alternatives.len()));
                } else {
                    alternatives.push(json!({"type": "boolean"}));
                }
            }
        }
        _ => {
            if let Some(Value::String(ty)) = node.get("type").cloned() {
                let wider = match ty.as_str() {
                    "integer" => "number",
                    "number" => "integer",
                    _ => "string",
                };
                node.insert("type".to_owned(), json!(wider));
            }
        }
    }
}

#[test]
fn every_change_called_compatible_keeps_old_task_data_valid() {
    const ROUNDS: usize = 600;
    const SAMPLES: usize = 20;
    let schemas = catalogue();
    // Another seed explores other edits: `TASKDEF_COMPAT_SEED=123 cargo test ...`.
    let seed = std::env::var("TASKDEF_COMPAT_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(0x7a5c_def1_u64);
    let mut rng = Rng::new(seed);
    let (mut compatible_pairs, mut breaking_pairs, mut checked, mut counterexamples) = (0, 0, 0, 0);
    for round in 0..ROUNDS {
        let (name, old) = &schemas[round % schemas.len()];
        let mut new = old.clone();
        for _ in 0..=rng.index(3) {
            edit(&mut new, &mut rng);
        }
        if jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&new)
            .is_err()
        {
            continue;
        }
        let changes = compare(old, &new);
        if changes.is_empty() {
            continue;
        }
        let all_compatible = changes
            .iter()
            .all(|change| change.class == Class::Compatible);
        let (old_validator, new_validator) = (validator(old), validator(&new));
        let mut found_invalid = false;
        for _ in 0..SAMPLES {
            let data = Generator {
                root: old,
                rng: &mut rng,
            }
            .value(old, 0);
            if !old_validator.is_valid(&data) {
                continue;
            }
            checked += 1;
            let valid = new_validator.is_valid(&data);
            assert!(
                valid || !all_compatible,
                "round {round} (seed {seed:#x}), {name}: every change was called compatible, \
                 but this task data became invalid:\n{data}\nchanges: {changes:#?}\nnew \
                 schema: {new}"
            );
            found_invalid |= !valid;
        }
        if all_compatible {
            compatible_pairs += 1;
        } else {
            breaking_pairs += 1;
            counterexamples += usize::from(found_invalid);
        }
    }
    eprintln!(
        "{compatible_pairs} compatible pairs, {breaking_pairs} breaking pairs ({counterexamples} \
         with old data the new schema refuses), {checked} valid old task data checked"
    );
    // The property is only worth something if it was exercised on both sides.
    assert!(
        compatible_pairs >= 50,
        "{compatible_pairs} compatible pairs"
    );
    assert!(breaking_pairs >= 50, "{breaking_pairs} breaking pairs");
    assert!(
        counterexamples >= 10,
        "{counterexamples} breaking pairs with a counterexample"
    );
    assert!(checked >= 2000, "{checked} task data checked");
}
