//! Reading schemars' schema shapes: references, `allOf` wrappers, nullable alternatives, enums
//! written as `const` alternatives. The fast path, the docs and configure's messages read
//! schemas through these.

// Most of these serve the docs; without them, only what the fast path and configure use is.
#![cfg_attr(not(feature = "docs"), allow(dead_code))]

use serde_json::Value;

/// Keywords that only annotate: no effect on validity.
pub(crate) const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// The name of the definition a schema refers to (through a one-entry `allOf`), if any.
pub(crate) fn ref_name(schema: &Value) -> Option<&str> {
    let reference = unwrap_all_of(schema).get("$ref")?.as_str()?;
    reference
        .strip_prefix("#/$defs/")
        .or_else(|| reference.strip_prefix("#/definitions/"))
}

/// schemars writes a `$ref` with siblings (a default) as `allOf: [{"$ref": ...}]`: the ref.
pub(crate) fn unwrap_all_of(schema: &Value) -> &Value {
    match schema.get("allOf").and_then(Value::as_array) {
        Some(branches) if branches.len() == 1 && schema.get("type").is_none() => &branches[0],
        _ => schema,
    }
}

/// Follows `$ref`s (and single-entry `allOf`s) into the root's definitions.
pub(crate) fn resolve<'s>(root: &'s Value, mut schema: &'s Value) -> &'s Value {
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

/// Whether a schema admits only `null`.
pub(crate) fn is_null_schema(schema: &Value) -> bool {
    schema.get("type") == Some(&Value::String("null".to_owned()))
        || schema.get("const") == Some(&Value::Null)
}

/// The alternatives of `anyOf`/`oneOf`, if any.
pub(crate) fn alternatives(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
}

/// `X` for an `anyOf`/`oneOf` of `X` and null; the schema itself otherwise.
pub(crate) fn strip_null<'s>(root: &'s Value, schema: &'s Value) -> &'s Value {
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
pub(crate) fn const_choices(schema: &Value) -> Option<Vec<&Value>> {
    const_values(alternatives(schema)?)
}

/// The values of alternatives that are all `const`s (schemars' documented enums); `None` if
/// one is not.
pub(crate) fn const_values(branches: &[Value]) -> Option<Vec<&Value>> {
    branches.iter().map(|branch| branch.get("const")).collect()
}

/// The schema a schema only stands for: a `$ref`, or a one-entry `allOf` of a `$ref` (as
/// schemars writes a reference with a default), with nothing but annotations beside it.
pub(crate) fn alias_of(schema: &Value) -> Option<&str> {
    let object = schema.as_object()?;
    let only_annotations = |key: &str| ANNOTATIONS.contains(&key);
    if let Some(Value::String(target)) = object.get("$ref")
        && object.keys().all(|k| k == "$ref" || only_annotations(k))
    {
        return Some(target);
    }
    if let Some(Value::Array(all)) = object.get("allOf")
        && let [single] = all.as_slice()
        && object.keys().all(|k| k == "allOf" || only_annotations(k))
    {
        return single
            .as_object()
            .filter(|inner| inner.len() == 1)
            .and_then(|inner| inner.get("$ref")?.as_str());
    }
    None
}
