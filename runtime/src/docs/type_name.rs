//! The type of a schema, in words.

use std::collections::BTreeSet;

use serde_json::Value;

use super::text::compact;
use crate::schema::read::{
    alternatives, const_choices, ref_name, resolve_or_anything, unwrap_all_of,
};

/// The type of a schema, in words.
pub(super) fn type_name(root: &Value, schema: &Value, depth: usize) -> String {
    if depth > 6 {
        return "…".to_owned();
    }
    let schema = unwrap_all_of(schema);
    if let Some(name) = ref_name(schema) {
        let target = resolve_or_anything(root, schema);
        if target.get("properties").is_some() {
            return format!("object `{name}`");
        }
        return type_name(root, target, depth + 1);
    }
    match schema {
        Value::Bool(true) => return "any".to_owned(),
        Value::Bool(false) => return "nothing".to_owned(),
        _ => {}
    }
    if let Some(value) = schema.get("const") {
        return format!("`{}`", compact(value));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return join_alternatives(values.iter().map(json_type).collect());
    }
    if let Some(values) = const_choices(schema) {
        return join_alternatives(values.into_iter().map(json_type).collect());
    }
    if let Some(branches) = alternatives(schema) {
        return join_alternatives(
            branches
                .iter()
                .map(|branch| type_name(root, branch, depth + 1))
                .collect(),
        );
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ if schema.get("properties").is_some() => vec!["object"],
        _ => return "any".to_owned(),
    };
    join_alternatives(
        types
            .into_iter()
            .map(|kind| match kind {
                "array" => match (schema.get("prefixItems"), schema.get("items")) {
                    (Some(Value::Array(tuple)), items) => {
                        let mut parts: Vec<String> = tuple
                            .iter()
                            .map(|item| type_name(root, item, depth + 1))
                            .collect();
                        if !matches!(items, Some(Value::Bool(false))) {
                            parts.push("…".to_owned());
                        }
                        format!("array [{}]", parts.join(", "))
                    }
                    (_, Some(items)) => {
                        format!("array of {}", grouped(type_name(root, items, depth + 1)))
                    }
                    _ => "array".to_owned(),
                },
                "object" => match schema.get("additionalProperties") {
                    Some(values @ Value::Object(_)) if schema.get("properties").is_none() => {
                        let values = type_name(root, values, depth + 1);
                        format!("map of string to {}", grouped(values))
                    }
                    _ => "object".to_owned(),
                },
                other => other.to_owned(),
            })
            .collect(),
    )
}

/// `(a or b)` where a type of alternatives is part of a larger one.
fn grouped(name: String) -> String {
    if name.contains(" or ") {
        format!("({name})")
    } else {
        name
    }
}

fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .to_owned()
}

/// `a or b or null`, without repeats, null last.
fn join_alternatives(mut names: Vec<String>) -> String {
    let mut seen = BTreeSet::new();
    names.retain(|name| seen.insert(name.clone()));
    if let Some(index) = names.iter().position(|name| name == "null") {
        let null = names.remove(index);
        names.push(null);
    }
    names.join(" or ")
}
