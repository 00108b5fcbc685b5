//! The messages of schema violations: those a schema declares under `x-error-messages`, and
//! alternatives (`anyOf`, `oneOf`) named by what each accepts.

use serde_json::Value;

use crate::schema::read::{alternatives, resolve};
use crate::types::ViolationKind;

/// The schema keyword holding messages for other keywords; see `declared_message`.
pub const ERROR_MESSAGES: &str = "x-error-messages";

/// The message a schema declares for a keyword, under `x-error-messages` beside it
/// (`{"pattern": "...", "x-error-messages": {"pattern": "Invalid suite {instance}"}}`) or in
/// an enclosing schema, keyed by the path below it (`{"items/pattern": "..."}`). In the
/// message, `{instance}` is the offending value (a string without its quotes).
///
/// This is how a task keeps Debusine's wording for errors that its schema, not a rule, finds.
pub(super) fn declared_message(
    schema: &Value,
    schema_path: &str,
    instance: &Value,
) -> Option<String> {
    let mut split = schema_path.len();
    // The keyword's own schema, then up to two enclosing levels.
    for _ in 0..3 {
        split = schema_path[..split].rfind('/')?;
        let (parent, relative) = (&schema_path[..split], &schema_path[split + 1..]);
        let template = schema
            .pointer(parent)
            .and_then(|schema| schema.get(ERROR_MESSAGES)?.get(relative)?.as_str());
        if let Some(template) = template {
            let instance = match instance {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            return Some(template.replace("{instance}", &instance));
        }
    }
    None
}

/// The validator says only "not valid under any of the schemas listed in the 'anyOf' keyword";
/// say what was expected instead, from the alternatives at `schema_path` (an `anyOf` or
/// `oneOf`).
///
/// schemars writes documented enums as a `oneOf` of `const`s: those are an
/// [`Enum`](ViolationKind::Enum) naming the permitted values, as a plain `enum` would be. Any
/// other alternatives stay a schema violation of that keyword, and the message names each
/// alternative by its type or value.
pub(super) fn explain_alternatives(
    schema: &Value,
    schema_path: &str,
    instance: &Value,
) -> Option<(ViolationKind, String)> {
    let keyword = schema_path.rsplit('/').next()?;
    if keyword != "oneOf" && keyword != "anyOf" {
        return None;
    }
    let mut expected = Vec::new();
    for branch in schema.pointer(schema_path)?.as_array()? {
        describe(schema, branch, 0, &mut expected);
    }
    expected.dedup();
    let words: Vec<String> = expected.iter().map(Expected::to_string).collect();
    let values: Option<Vec<Value>> = expected
        .into_iter()
        .map(|expected| match expected {
            Expected::Value(value) => Some(value),
            Expected::Type(_) | Expected::Other => None,
        })
        .collect();
    Some(match values {
        // Only values (an enum, perhaps optional): permitted values, as for `enum`.
        Some(allowed) => (
            ViolationKind::Enum { allowed },
            format!(
                "{instance} is not one of the permitted values: {}",
                words.join(", ")
            ),
        ),
        None => (
            ViolationKind::Schema {
                keyword: keyword.to_owned(),
            },
            format!(
                "{instance} matches none of the alternatives: {}",
                words.join(", ")
            ),
        ),
    })
}

/// What one alternative accepts.
#[derive(PartialEq)]
enum Expected {
    /// Exactly this value (`const`, an `enum`'s value, or the type `null`).
    Value(Value),
    /// Any value of this JSON type.
    Type(String),
    /// Something this description does not follow (an object of some shape, a deep `$ref`).
    Other,
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Value(value) => write!(f, "{value}"),
            Expected::Type(name) => f.write_str(&with_article(name)),
            Expected::Other => f.write_str("a value of another shape"),
        }
    }
}

/// What `branch` accepts, onto `out`: through `$ref`s and nested alternatives, a few levels deep.
fn describe(root: &Value, branch: &Value, depth: usize, out: &mut Vec<Expected>) {
    const MAX_DEPTH: usize = 4;
    let Ok(branch) = resolve(root, branch) else {
        // A reference that cannot be followed: described as the others the text cannot name.
        out.push(Expected::Other);
        return;
    };
    if let Some(value) = branch.get("const") {
        out.push(Expected::Value(value.clone()));
    } else if let Some(values) = branch.get("enum").and_then(Value::as_array) {
        out.extend(values.iter().cloned().map(Expected::Value));
    } else if let Some(branches) = alternatives(branch).filter(|_| depth < MAX_DEPTH) {
        for branch in branches {
            describe(root, branch, depth + 1, out);
        }
    } else {
        let one = |name: &str| match name {
            "null" => Expected::Value(Value::Null),
            other => Expected::Type(other.to_owned()),
        };
        match branch.get("type") {
            Some(Value::String(name)) => out.push(one(name)),
            Some(Value::Array(names)) => {
                out.extend(names.iter().filter_map(Value::as_str).map(one))
            }
            _ if branch.get("properties").is_some() => out.push(one("object")),
            _ => out.push(Expected::Other),
        }
    }
}

/// A JSON type's name as a noun: `an integer`, `a string`, `null`.
fn with_article(type_name: &str) -> String {
    match type_name {
        "null" => "null".to_owned(),
        "integer" | "object" | "array" => format!("an {type_name}"),
        other => format!("a {other}"),
    }
}
