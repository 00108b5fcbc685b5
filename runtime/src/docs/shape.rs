//! Reading schemars' schema shapes: references, `allOf` wrappers, nullable alternatives, enums.

use serde_json::Value;

pub(super) fn ref_name(schema: &Value) -> Option<&str> {
    let reference = unwrap_all_of(schema).get("$ref")?.as_str()?;
    reference
        .strip_prefix("#/$defs/")
        .or_else(|| reference.strip_prefix("#/definitions/"))
}

/// schemars writes a `$ref` with siblings (a default) as `allOf: [{"$ref": ...}]`: the ref.
pub(super) fn unwrap_all_of(schema: &Value) -> &Value {
    match schema.get("allOf").and_then(Value::as_array) {
        Some(branches) if branches.len() == 1 && schema.get("type").is_none() => &branches[0],
        _ => schema,
    }
}

/// Follows `$ref`s (and single-entry `allOf`s) into the root's definitions.
pub(super) fn resolve<'s>(root: &'s Value, mut schema: &'s Value) -> &'s Value {
    for _ in 0..16 {
        schema = unwrap_all_of(schema);
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

pub(super) fn is_null_schema(schema: &Value) -> bool {
    schema.get("type") == Some(&Value::String("null".to_owned()))
        || schema.get("const") == Some(&Value::Null)
}

/// The alternatives of `anyOf`/`oneOf`, if any.
pub(super) fn alternatives(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
}

/// `X` for an `anyOf`/`oneOf` of `X` and null; the schema itself otherwise.
pub(super) fn strip_null<'s>(root: &'s Value, schema: &'s Value) -> &'s Value {
    let schema = resolve(root, schema);
    if let Some(branches) = alternatives(schema) {
        let non_null: Vec<&Value> = branches
            .iter()
            .filter(|branch| !is_null_schema(branch))
            .collect();
        if non_null.len() == 1 && branches.len() == 2 {
            return resolve(root, non_null[0]);
        }
    }
    schema
}

/// All alternatives are `const`s: their values.
pub(super) fn const_choices(schema: &Value) -> Option<Vec<&Value>> {
    let branches = alternatives(schema)?;
    branches.iter().map(|branch| branch.get("const")).collect()
}
