//! A task's example: the schema's own, or one generated from the schema and checked to configure.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::registry::TaskEntry;
use crate::schema::read::{
    alternatives, is_null_schema, resolve_or_anything, strip_null_or_anything,
};
use crate::task::ReleaseForm;

/// Where a page's example came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleSource {
    /// The schema's first `examples` entry.
    Schema,
    /// Built from the schema's required fields, defaults and constraints.
    Generated,
}

/// A task's example data.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The data.
    pub value: Value,
    /// Where it came from.
    pub source: ExampleSource,
    /// Why it does not configure, if it does not.
    pub error: Option<String>,
}

/// The task's example: the schema's first `examples` entry, else the first generated candidate
/// that configures (only required fields; then every field; then required fields plus one
/// optional field, for tasks whose rules need one of several).
pub fn example(entry: &TaskEntry) -> Example {
    example_of_form(&entry.release_forms()[0])
}

/// The example of one release's form of a task's data, found as [`example`] finds the task's
/// and checked to configure with that form.
pub fn example_of_form(form: &ReleaseForm) -> Example {
    let schema = form.schema();
    let check = |value: &Value| form.configure(value).err().map(|error| error.to_string());
    if let Some(value) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|examples| examples.first())
    {
        return Example {
            value: value.clone(),
            source: ExampleSource::Schema,
            error: check(value),
        };
    }
    let minimal = generate_example(schema, &|_| false);
    if check(&minimal).is_none() {
        return generated(minimal, None);
    }
    let full = generate_example(schema, &|_| true);
    if check(&full).is_none() {
        return generated(full, None);
    }
    for path in optional_paths(schema) {
        let candidate = generate_example(schema, &|candidate| candidate == path);
        if check(&candidate).is_none() {
            return generated(candidate, None);
        }
    }
    let error = check(&minimal);
    generated(minimal, error)
}

fn generated(value: Value, error: Option<String>) -> Example {
    Example {
        value,
        source: ExampleSource::Generated,
        error,
    }
}

/// Builds data from the schema: required properties always, an optional one when `include`
/// says so for its dotted path.
pub(super) fn generate_example(schema: &Value, include: &dyn Fn(&str) -> bool) -> Value {
    let generator = Generator {
        root: schema,
        include,
    };
    generator.value(schema, "", 0, 0)
}

/// Optional properties are left out below this depth, so that recursive types end.
const MAX_OPTIONAL_DEPTH: usize = 6;

struct Generator<'s> {
    root: &'s Value,
    include: &'s dyn Fn(&str) -> bool,
}

impl Generator<'_> {
    fn value(&self, schema: &Value, path: &str, nth: usize, depth: usize) -> Value {
        if depth > 10 {
            return Value::Null;
        }
        let schema = resolve_or_anything(self.root, schema);
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        if let Some(first) = schema
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|examples| examples.first())
        {
            return first.clone();
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let choices: Vec<&Value> = values.iter().filter(|value| !value.is_null()).collect();
            if !choices.is_empty() {
                return choices[nth % choices.len()].clone();
            }
        }
        if let Some(branches) = alternatives(schema) {
            let choices: Vec<&Value> = branches
                .iter()
                .filter(|branch| !is_null_schema(branch))
                .collect();
            if choices.iter().all(|branch| branch.get("const").is_some()) && !choices.is_empty() {
                return choices[nth % choices.len()]["const"].clone();
            }
            if let Some(first) = choices.first() {
                return self.value(first, path, nth, depth + 1);
            }
            return Value::Null;
        }
        let kind = match schema.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|kind| *kind != "null")
                .unwrap_or("null"),
            _ if schema.get("properties").is_some() => "object",
            _ => return Value::Null,
        };
        match kind {
            "object" => self.object(schema, path, depth),
            "array" => self.array(schema, path, depth),
            "string" => string_example(schema, nth),
            "integer" | "number" => number_example(schema, nth),
            "boolean" => Value::Bool(false),
            _ => Value::Null,
        }
    }

    fn object(&self, schema: &Value, path: &str, depth: usize) -> Value {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut map = Map::new();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let child = join_path(path, name);
                let optional_wanted = depth < MAX_OPTIONAL_DEPTH && (self.include)(&child);
                if required.contains(name.as_str()) || optional_wanted {
                    map.insert(name.clone(), self.value(property, &child, 0, depth + 1));
                }
            }
        } else if let Some(values) = schema
            .get("additionalProperties")
            .filter(|values| values.is_object())
        {
            let child = join_path(path, "*");
            if (self.include)(&child) {
                map.insert("key".to_owned(), self.value(values, &child, 0, depth + 1));
            }
        }
        Value::Object(map)
    }

    fn array(&self, schema: &Value, path: &str, depth: usize) -> Value {
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = schema.get("maxItems").and_then(Value::as_u64);
        let mut count = min;
        if count == 0 && (self.include)(path) && max != Some(0) {
            count = 1;
        }
        let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
        let child = format!("{path}[]");
        Value::Array(
            (0..count.min(16) as usize)
                .map(|nth| self.value(&items, &child, nth, depth + 1))
                .collect(),
        )
    }
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The dotted paths of optional properties reachable through required ones (and the optional
/// ones themselves), for example candidates.
pub(super) fn optional_paths(schema: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    collect_optional(schema, schema, "", &mut paths, 0);
    paths
}

fn collect_optional(root: &Value, schema: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 6 {
        return;
    }
    let schema = strip_null_or_anything(root, schema);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, property) in properties {
        let child = join_path(path, name);
        if required.contains(name.as_str()) {
            collect_optional(root, property, &child, out, depth + 1);
        } else {
            out.push(child);
        }
    }
}

fn string_example(schema: &Value, nth: usize) -> Value {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let base = match format {
        "date-time" => "2025-01-01T00:00:00Z".to_owned(),
        "date" => "2025-01-01".to_owned(),
        "time" => "00:00:00Z".to_owned(),
        "email" | "idn-email" => "debusine@example.org".to_owned(),
        "uri" | "url" | "iri" => "https://deb.debian.org/debian".to_owned(),
        "hostname" => "example.org".to_owned(),
        "ipv4" => "192.0.2.1".to_owned(),
        "ipv6" => "2001:db8::1".to_owned(),
        "uuid" => "00000000-0000-4000-8000-000000000000".to_owned(),
        _ => pattern_example(schema.get("pattern").and_then(Value::as_str))
            .unwrap_or_else(|| "example".to_owned()),
    };
    let mut text = if nth == 0 {
        base
    } else {
        format!("{base}{}", nth + 1)
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    while text.chars().count() < min {
        text.push('x');
    }
    Value::String(text)
}

/// A short string matching `pattern`, from a few plausible candidates.
pub(super) fn pattern_example(pattern: Option<&str>) -> Option<String> {
    let pattern = pattern?;
    let schema = serde_json::json!({ "type": "string", "pattern": pattern });
    let validator = jsonschema::validator_for(&schema).ok()?;
    [
        "example",
        "main",
        "unstable",
        "a",
        "1",
        "a-1",
        "example/",
        "https://deb.debian.org/debian",
        "x",
        "",
    ]
    .into_iter()
    .find(|candidate| validator.is_valid(&Value::String((*candidate).to_owned())))
    .map(str::to_owned)
}

/// A number a reader would write: 1 (then 2, 3... for the next items), moved into the declared
/// range when it lies outside. 1 is a plausible id, count or level; a range's bound is only a
/// good example when it is a real constraint, not the limit of the Rust type
/// (`-9223372036854775808` for an `i64` id).
fn number_example(schema: &Value, nth: usize) -> Value {
    let min = schema.get("minimum").and_then(Value::as_i64).or_else(|| {
        schema
            .get("exclusiveMinimum")
            .and_then(Value::as_i64)
            .map(|bound| bound.saturating_add(1))
    });
    let max = schema.get("maximum").and_then(Value::as_i64).or_else(|| {
        schema
            .get("exclusiveMaximum")
            .and_then(Value::as_i64)
            .map(|bound| bound.saturating_sub(1))
    });
    let mut value = 1i64.saturating_add(nth as i64);
    if let Some(min) = min {
        value = value.max(min.saturating_add(nth as i64));
    }
    if let Some(max) = max {
        value = value.min(max);
    }
    Value::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_what_a_reader_would_write() {
        let example = |schema: Value, nth| number_example(&schema, nth);
        let i64_id = json!({"type": "integer", "format": "int64",
            "minimum": i64::MIN, "maximum": i64::MAX});
        assert_eq!(
            example(i64_id.clone(), 0),
            json!(1),
            "not the type's minimum"
        );
        assert_eq!(example(i64_id, 2), json!(3));
        assert_eq!(
            example(json!({"minimum": 0, "maximum": 65535}), 0),
            json!(1)
        );
        assert_eq!(
            example(json!({"minimum": 10, "maximum": 127}), 0),
            json!(10)
        );
        assert_eq!(example(json!({"exclusiveMinimum": 5}), 0), json!(6));
        assert_eq!(example(json!({"maximum": -5}), 0), json!(-5));
        assert_eq!(example(json!({"exclusiveMaximum": 1}), 0), json!(0));
        assert_eq!(example(json!({"minimum": 0, "maximum": 0}), 0), json!(0));
        assert_eq!(example(json!({}), 0), json!(1));
    }
}
