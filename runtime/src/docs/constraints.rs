//! A schema's constraints, in words.

use serde_json::Value;

use super::text::compact;
use crate::schema::read::{const_choices, strip_null_or_anything};
use crate::schema::restates_bounds;

/// Enum values, pattern, bounds, item counts and the like, in words.
pub(super) fn constraints(root: &Value, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_constraints(root, schema, "", &mut out, 0);
    out
}

fn collect_constraints(
    root: &Value,
    schema: &Value,
    lead: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 4 {
        return;
    }
    let schema = strip_null_or_anything(root, schema);
    let values: Option<Vec<&Value>> = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().collect())
        .or_else(|| const_choices(schema));
    if let Some(values) = values {
        let values: Vec<String> = values
            .into_iter()
            .filter(|value| !value.is_null())
            .map(|value| format!("`{}`", compact(value)))
            .collect();
        out.push(format!("{lead}one of {}", values.join(", ")));
    }
    if let Some(Value::String(pattern)) = schema.get("pattern") {
        out.push(format!("{lead}matches `{pattern}`"));
    }
    if let Some(Value::String(format)) = schema.get("format") {
        // schemars' integer formats (`uint32`, ...) only restate the bounds.
        if !restates_bounds(format) {
            out.push(format!("{lead}format `{format}`"));
        }
    }
    let bounds = [
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ];
    for (keyword, symbol) in bounds {
        if let Some(bound) = schema.get(keyword).filter(|bound| bound.is_number()) {
            out.push(format!("{lead}{symbol} {bound}"));
        }
    }
    let counts = [
        ("minLength", "at least", "characters"),
        ("maxLength", "at most", "characters"),
        ("minItems", "at least", "items"),
        ("maxItems", "at most", "items"),
        ("minProperties", "at least", "keys"),
        ("maxProperties", "at most", "keys"),
    ];
    for (keyword, words, unit) in counts {
        if let Some(count) = schema.get(keyword).and_then(Value::as_u64) {
            // `minItems: 0` says nothing.
            if count > 0 || words == "at most" {
                out.push(format!("{lead}{words} {count} {unit}"));
            }
        }
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        out.push(format!("{lead}items unique"));
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(false))
        && schema.get("properties").is_some()
    {
        out.push(format!("{lead}no other keys"));
    }
    if let Some(items) = schema.get("items").filter(|items| items.is_object()) {
        collect_constraints(root, items, &format!("{lead}each item: "), out, depth + 1);
    }
    if let Some(values) = schema
        .get("additionalProperties")
        .filter(|values| values.is_object())
    {
        collect_constraints(root, values, &format!("{lead}each value: "), out, depth + 1);
    }
}
