//! Small schema helpers shared by the catalogue's types.

use schemars::Schema;
use serde_json::Value;

/// Turns a documented unit enum's schema into a plain `enum`.
///
/// schemars writes an enum whose variants carry doc comments as a `oneOf` of `const`s, one per
/// variant, so that each keeps its description. Debusine's schemas and the catalogue's tests
/// expect `{"type": "string", "enum": [...]}`: this transform rewrites the `oneOf` into that form
/// and keeps the variants' descriptions as a list appended to the enum's own description.
pub(crate) fn unit_enum(schema: &mut Schema) {
    let Some(Value::Array(variants)) = schema.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    let mut notes = Vec::new();
    for variant in variants {
        let Some(object) = variant.as_object() else {
            return;
        };
        let plain = object
            .keys()
            .all(|key| matches!(key.as_str(), "type" | "const" | "description"));
        let Some(Value::String(value)) = object.get("const") else {
            return;
        };
        if !plain {
            return;
        }
        if let Some(Value::String(description)) = object.get("description") {
            notes.push(format!("- `{value}`: {description}"));
        }
        values.push(Value::String(value.clone()));
    }
    schema.remove("oneOf");
    schema.insert("type".into(), "string".into());
    schema.insert("enum".into(), Value::Array(values));
    if !notes.is_empty() {
        let description = match schema.get("description") {
            Some(Value::String(text)) => format!("{text}\n\n{}", notes.join("\n")),
            _ => notes.join("\n"),
        };
        schema.insert("description".into(), description.into());
    }
}
