//! The one reader of JSON Schemas as schemars 1 writes them: `$ref` into `$defs` (percent-decoded
//! JSON pointers), a lone `allOf: [{$ref}]` wrapper, `anyOf`/`oneOf` alternatives and the two
//! nullable forms (`type: [T, "null"]` and `anyOf: [..., {type: null}]`), and which keywords
//! only annotate. The fast path's compiler, configure's messages, the docs and `compat` all read
//! schemas through it.
//!
//! Two views of one schema:
//! - borrowed, for who walks a schema as it is written ([`resolve`], [`strip_null`],
//!   [`alias_of`], [`alternatives`], ...): the fast path, the docs, configure's messages;
//! - merged, for who compares ([`Resolver`]): a node's keywords with its references and
//!   `allOf` folded in, split into alternatives, one per JSON type, each with the keywords that
//!   apply to that type (`compat`).
//!
//! A reference that points to nothing, is not local, or leads back to itself is an error
//! ([`Unreadable`]), never a silent stop after some number of hops.

// The merged view serves `compat`, the borrowed one mostly the docs: without those features,
// only what the fast path and configure use is.
#![cfg_attr(not(all(feature = "docs", feature = "compat")), allow(dead_code))]

use serde_json::{Map, Value};

/// Keywords that only annotate, with no effect on which data a schema accepts: first those that
/// document ([`DOCUMENTATION`]), then `$id`, `default` and the two that hold definitions.
pub(crate) const ANNOTATIONS: &[&str] = &[
    "$comment",
    "$schema",
    "deprecated",
    "description",
    "examples",
    "readOnly",
    "title",
    "writeOnly",
    "x-error-messages",
    "$id",
    "default",
    "$defs",
    "definitions",
];

/// The annotations that change what a schema documents: [`ANNOTATIONS`] without `$id` (where
/// the schema is published, which `taskdef docs --base-url` sets: a move of the docs changes no
/// task), `default` (which gives an absent key its meaning) and the definitions.
pub(crate) const DOCUMENTATION: &[&str] = ANNOTATIONS.split_at(ANNOTATIONS.len() - 4).0;

/// Whether a keyword only annotates: one of [`ANNOTATIONS`], or an `x-` extension (which a
/// validator ignores).
pub(crate) fn is_annotation(key: &str) -> bool {
    ANNOTATIONS.contains(&key) || key.starts_with("x-")
}

/// Whether a keyword asserts something about the data, as the comparison reads it: not one of
/// [`ANNOTATIONS`]. (An `x-` extension other than `x-error-messages` counts: a change to it
/// is reported, not ignored.)
pub(crate) fn is_assertion(key: &str) -> bool {
    !ANNOTATIONS.contains(&key)
}

/// Why a schema could not be read.
pub(crate) type Unreadable = String;

/// The schema a local `$ref` (`#/$defs/Name`, any `#/...` pointer, percent-encoded or not)
/// points to in `root`.
pub(crate) fn target<'s>(root: &'s Value, reference: &Value) -> Result<&'s Value, Unreadable> {
    let Some(text) = reference.as_str() else {
        return Err(format!("`$ref` must be a string, not `{reference}`"));
    };
    let Some(pointer) = text.strip_prefix('#') else {
        return Err(format!(
            "`$ref` `{text}` is not local to the schema (only `#/...` is read)"
        ));
    };
    root.pointer(&percent_decode(pointer))
        .ok_or_else(|| format!("`$ref` `{text}` points to nothing in the schema"))
}

/// The error for a reference met again while it is being followed.
fn circular(reference: &str) -> Unreadable {
    format!("`$ref` `{reference}` leads back to itself")
}

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

/// Follows `$ref`s (and single-entry `allOf`s) into the root's definitions, to the first schema
/// that is not a reference; an error for a reference to nothing or back to itself.
pub(crate) fn resolve<'s>(root: &'s Value, mut schema: &'s Value) -> Result<&'s Value, Unreadable> {
    let mut followed: Vec<&str> = Vec::new();
    loop {
        schema = unwrap_all_of(schema);
        let Some(reference) = schema.get("$ref") else {
            return Ok(schema);
        };
        let text = reference.as_str().unwrap_or_default();
        if followed.contains(&text) {
            return Err(circular(text));
        }
        followed.push(text);
        schema = target(root, reference)?;
    }
}

/// The schema `true`, which accepts anything.
pub(crate) static ANYTHING: Value = Value::Bool(true);

/// [`resolve`] for who describes a schema and has no error to report (the docs): a schema that
/// cannot be read is described as [`ANYTHING`]. (The validator refuses a reference to nothing
/// before the docs ever see the schema; a circle of bare references constrains nothing.)
pub(crate) fn resolve_or_anything<'s>(root: &'s Value, schema: &'s Value) -> &'s Value {
    resolve(root, schema).unwrap_or(&ANYTHING)
}

/// [`strip_null`] for who describes a schema: see [`resolve_or_anything`].
pub(crate) fn strip_null_or_anything<'s>(root: &'s Value, schema: &'s Value) -> &'s Value {
    strip_null(root, schema).unwrap_or(&ANYTHING)
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

/// `X` for an `anyOf`/`oneOf` of `X` and null; the schema itself otherwise (both resolved).
pub(crate) fn strip_null<'s>(root: &'s Value, schema: &'s Value) -> Result<&'s Value, Unreadable> {
    let schema = resolve(root, schema)?;
    if let Some(branches) = alternatives(schema) {
        let non_null: Vec<&Value> = branches
            .iter()
            .filter(|branch| !is_null_schema(branch))
            .collect();
        if non_null.len() == 1 && branches.len() == 2 {
            return resolve(root, non_null[0]);
        }
    }
    Ok(schema)
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

/// The reference a schema only stands for: a `$ref`, or a one-entry `allOf` of a `$ref` (as
/// schemars writes a reference with a default), with nothing but annotations beside it.
pub(crate) fn alias_of(schema: &Value) -> Option<&Value> {
    let object = schema.as_object()?;
    if let Some(target) = object.get("$ref")
        && object.keys().all(|k| k == "$ref" || is_annotation(k))
    {
        return Some(target);
    }
    if let Some(Value::Array(all)) = object.get("allOf")
        && let [single] = all.as_slice()
        && object.keys().all(|k| k == "allOf" || is_annotation(k))
    {
        return single
            .as_object()
            .filter(|inner| inner.len() == 1)
            .and_then(|inner| inner.get("$ref"));
    }
    None
}

/// Keywords that apply to one JSON type; the others apply to every type.
const STRING_KEYWORDS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "contentEncoding",
    "contentMediaType",
];
const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "format",
];
const ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];
const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
];

/// A JSON type as a schema's `type` names it; `Any` when a schema says nothing about the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JsonType {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
    Any,
}

impl JsonType {
    fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    /// The type's name in a schema (`any` for no type).
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Any => "any value",
        }
    }

    /// The type of a JSON value (`1.0` is a number; `1` an integer).
    pub(crate) fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(number) if number.is_i64() || number.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// Whether every value of `self` is a value of `wider`.
    pub(crate) fn within(self, wider: JsonType) -> bool {
        self == wider
            || wider == JsonType::Any
            || (self == JsonType::Integer && wider == JsonType::Number)
    }

    fn keywords(self) -> &'static [&'static str] {
        match self {
            JsonType::String => STRING_KEYWORDS,
            JsonType::Integer | JsonType::Number => NUMBER_KEYWORDS,
            JsonType::Array => ARRAY_KEYWORDS,
            JsonType::Object => OBJECT_KEYWORDS,
            JsonType::Null | JsonType::Boolean | JsonType::Any => &[],
        }
    }
}

/// A schema with its `$ref` and `allOf` wrappers merged in: the keywords it applies, and the
/// definition it stands for (for the comparison to stop on recursive types).
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) keywords: Map<String, Value>,
    /// `false` for the schema that accepts nothing.
    pub(crate) accepts_anything_at_all: bool,
    /// The last definition followed, if the schema was a reference.
    pub(crate) definition: Option<String>,
    /// Every reference folded in, to find an `anyOf` alternative that leads back to it.
    followed: Vec<String>,
}

/// One alternative of a schema: the values of one JSON type it accepts.
#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub(crate) ty: JsonType,
    /// The keywords that constrain values of `ty` (those of other types left out).
    pub(crate) keywords: Map<String, Value>,
    /// The definition the alternative came from, to pair alternatives of the same type.
    pub(crate) definition: Option<String>,
}

/// The merged view: resolves local references (`#/$defs/Name`, any `#/...` pointer, see
/// [`target`]) against one root schema and splits a schema into its alternatives.
pub(crate) struct Resolver<'a> {
    root: &'a Value,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Resolver { root }
    }

    /// `schema` with its `$ref` and mergeable `allOf` members folded in; the schema's own
    /// keywords win over those of what it references (schemars puts `default` and
    /// `description` beside a `$ref`).
    pub(crate) fn resolve(&self, schema: &Value) -> Result<Resolved, Unreadable> {
        self.resolve_in(schema, &mut Vec::new())
    }

    /// [`resolve`](Self::resolve) inside the references `open` (being followed): one of them
    /// met again is a circle, an error.
    fn resolve_in(&self, schema: &Value, open: &mut Vec<String>) -> Result<Resolved, Unreadable> {
        let map = match schema {
            Value::Bool(accepts) => {
                return Ok(Resolved {
                    keywords: Map::new(),
                    accepts_anything_at_all: *accepts,
                    definition: None,
                    followed: Vec::new(),
                });
            }
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "a schema must be an object or a boolean, not `{other}`"
                ));
            }
        };
        let mut keywords = Map::new();
        let mut accepts = true;
        let mut definition = None;
        let mut followed = Vec::new();
        if let Some(reference) = map.get("$ref") {
            let target = target(self.root, reference)?;
            let text = reference.as_str().unwrap_or_default().to_owned();
            if open.contains(&text) {
                return Err(circular(&text));
            }
            open.push(text.clone());
            let resolved = self.resolve_in(target, open);
            open.pop();
            let resolved = resolved?;
            keywords = resolved.keywords;
            accepts = resolved.accepts_anything_at_all;
            definition = Some(definition_name(reference));
            followed = resolved.followed;
            followed.push(text);
        }
        let mut own = map.clone();
        own.remove("$ref");
        own.remove("$defs");
        own.remove("definitions");
        if let Some(Value::Array(members)) = own.get("allOf").cloned() {
            let mut merged = Map::new();
            let mut mergeable = true;
            for member in &members {
                let resolved = self.resolve_in(member, open)?;
                followed.extend(resolved.followed);
                if !resolved.accepts_anything_at_all {
                    accepts = false;
                }
                if members.len() == 1 {
                    definition = resolved.definition.or(definition);
                }
                for (key, value) in resolved.keywords {
                    match merged.get(&key) {
                        Some(existing) if existing != &value && !DOCUMENTATION.contains(&&*key) => {
                            mergeable = false;
                        }
                        _ => {
                            merged.insert(key, value);
                        }
                    }
                }
            }
            if mergeable {
                own.remove("allOf");
                for (key, value) in merged {
                    keywords.insert(key, value);
                }
            }
        }
        for (key, value) in own {
            keywords.insert(key, value);
        }
        Ok(Resolved {
            keywords,
            accepts_anything_at_all: accepts,
            definition,
            followed,
        })
    }

    /// The alternatives of a schema, one per JSON type, with `anyOf` members flattened and
    /// nullable forms split into a `null` alternative.
    pub(crate) fn branches(&self, resolved: &Resolved) -> Result<Vec<Branch>, Unreadable> {
        self.branches_in(resolved, &mut Vec::new())
    }

    /// [`branches`](Self::branches) of an alternative reached through the references `open`.
    fn branches_in(
        &self,
        resolved: &Resolved,
        open: &mut Vec<String>,
    ) -> Result<Vec<Branch>, Unreadable> {
        if !resolved.accepts_anything_at_all {
            return Ok(Vec::new());
        }
        let keywords = &resolved.keywords;
        if let Some(alternatives) = keywords.get("anyOf") {
            let Some(alternatives) = alternatives.as_array() else {
                return Err("`anyOf` must be an array".to_owned());
            };
            if let Some(extra) = keywords
                .keys()
                .find(|key| is_assertion(key) && key.as_str() != "anyOf")
            {
                return Err(format!(
                    "`{extra}` beside `anyOf` (only documentation and `default` are read there)"
                ));
            }
            let outer = open.len();
            open.extend(resolved.followed.iter().cloned());
            let mut branches = Vec::new();
            for alternative in alternatives {
                let within = open.len();
                let resolved = self.resolve_in(alternative, open)?;
                branches.extend(self.branches_in(&resolved, open)?);
                open.truncate(within);
            }
            open.truncate(outer);
            return Ok(branches);
        }
        let types: Vec<JsonType> = match keywords.get("type") {
            Some(Value::String(name)) => vec![parse_type(name)?],
            Some(Value::Array(names)) => names
                .iter()
                .map(|name| {
                    name.as_str()
                        .ok_or_else(|| format!("`type` entry `{name}` is not a string"))
                        .and_then(parse_type)
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("`type` must be a string or an array: `{other}`")),
            None => match allowed_values(keywords) {
                Some(values) => {
                    let mut types: Vec<JsonType> = values.iter().map(JsonType::of).collect();
                    types.sort();
                    types.dedup();
                    types
                }
                None => vec![JsonType::Any],
            },
        };
        Ok(types
            .into_iter()
            .map(|ty| Branch {
                ty,
                keywords: keywords_for(keywords, ty),
                definition: resolved.definition.clone(),
            })
            .collect())
    }
}

fn parse_type(name: &str) -> Result<JsonType, Unreadable> {
    JsonType::parse(name).ok_or_else(|| format!("unknown `type` `{name}`"))
}

/// `enum`, or `const` as an enum of one value.
pub(crate) fn allowed_values(keywords: &Map<String, Value>) -> Option<Vec<Value>> {
    match (keywords.get("enum"), keywords.get("const")) {
        (Some(Value::Array(values)), _) => Some(values.clone()),
        (_, Some(value)) => Some(vec![value.clone()]),
        _ => None,
    }
}

/// The keywords of `keywords` that constrain values of type `ty`: `enum`/`const` keep only the
/// values of that type, and keywords of other types are left out.
fn keywords_for(keywords: &Map<String, Value>, ty: JsonType) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in keywords {
        let of_another_type = [
            JsonType::String,
            JsonType::Number,
            JsonType::Array,
            JsonType::Object,
        ]
        .iter()
        .any(|other| other.keywords().contains(&key.as_str()))
            && !ty.keywords().contains(&key.as_str())
            && ty != JsonType::Any;
        if of_another_type || key == "type" || !is_assertion(key) {
            continue;
        }
        if key == "enum" || key == "const" {
            continue;
        }
        out.insert(key.clone(), value.clone());
    }
    if let Some(values) = allowed_values(keywords) {
        let of_type: Vec<Value> = values
            .into_iter()
            .filter(|value| JsonType::of(value).within(ty))
            .collect();
        out.insert("enum".to_owned(), Value::Array(of_type));
    }
    out
}

fn definition_name(reference: &Value) -> String {
    let text = reference.as_str().unwrap_or_default();
    text.rsplit('/').next().unwrap_or(text).to_owned()
}

/// `%25` and friends in a `$ref` fragment (JSON pointers in URIs are percent-encoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(hex) = text.get(index + 1..index + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            index += 3;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn types(schema: Value) -> Vec<JsonType> {
        let resolver = Resolver::new(&schema);
        let resolved = resolver.resolve(&schema).unwrap();
        resolver
            .branches(&resolved)
            .unwrap()
            .into_iter()
            .map(|branch| branch.ty)
            .collect()
    }

    #[test]
    fn both_nullable_forms_give_a_null_alternative() {
        assert_eq!(
            types(json!({"type": ["string", "null"]})),
            [JsonType::String, JsonType::Null]
        );
        assert_eq!(
            types(json!({
                "$defs": {"A": {"type": "integer"}},
                "anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]
            })),
            [JsonType::Integer, JsonType::Null]
        );
    }

    #[test]
    fn a_lone_all_of_reference_is_merged_with_its_siblings() {
        let schema = json!({
            "$defs": {"Kind": {"type": "string", "enum": ["a", "b"]}},
            "allOf": [{"$ref": "#/$defs/Kind"}],
            "default": "a"
        });
        let resolver = Resolver::new(&schema);
        let resolved = resolver.resolve(&schema).unwrap();
        assert_eq!(resolved.keywords["enum"], json!(["a", "b"]));
        assert_eq!(resolved.keywords["default"], json!("a"));
        assert_eq!(resolved.definition.as_deref(), Some("Kind"));
    }

    #[test]
    fn an_untyped_enum_is_split_by_the_types_of_its_values() {
        assert_eq!(
            types(json!({"enum": ["a", 1, null]})),
            [JsonType::Null, JsonType::Integer, JsonType::String]
        );
    }

    #[test]
    fn a_reference_to_nothing_is_an_error_not_a_panic() {
        let schema = json!({"$ref": "#/$defs/Missing"});
        let error = Resolver::new(&schema).resolve(&schema).unwrap_err();
        assert!(error.contains("points to nothing"), "{error}");
    }

    #[test]
    fn a_reference_back_to_itself_is_an_error_in_both_views() {
        let schema = json!({
            "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"allOf": [{"$ref": "#/$defs/A"}]}},
            "$ref": "#/$defs/A"
        });
        let error = resolve(&schema, &schema).unwrap_err();
        assert!(error.contains("leads back to itself"), "{error}");
        let error = Resolver::new(&schema).resolve(&schema).unwrap_err();
        assert!(error.contains("leads back to itself"), "{error}");
        let schema = json!({
            "$defs": {"A": {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]}},
            "$ref": "#/$defs/A"
        });
        let resolver = Resolver::new(&schema);
        let resolved = resolver.resolve(&schema).unwrap();
        let error = resolver.branches(&resolved).unwrap_err();
        assert!(error.contains("leads back to itself"), "{error}");
    }

    #[test]
    fn a_long_chain_of_references_is_followed_to_its_end() {
        let mut defs = Map::new();
        for index in 0..40 {
            defs.insert(
                format!("D{index}"),
                json!({"$ref": format!("#/$defs/D{}", index + 1)}),
            );
        }
        defs.insert("D40".to_owned(), json!({"type": "integer"}));
        let schema = json!({"$defs": defs, "$ref": "#/$defs/D0"});
        assert_eq!(
            resolve(&schema, &schema).unwrap(),
            &json!({"type": "integer"})
        );
        assert_eq!(types(schema), [JsonType::Integer]);
    }

    #[test]
    fn a_percent_encoded_reference_is_decoded_in_both_views() {
        let schema = json!({"$defs": {"a b": {"type": "string"}}, "$ref": "#/$defs/a%20b"});
        assert_eq!(
            resolve(&schema, &schema).unwrap(),
            &json!({"type": "string"})
        );
        assert_eq!(types(schema), [JsonType::String]);
    }

    #[test]
    fn the_documentation_keywords_are_the_annotations_but_id_default_and_definitions() {
        let rest: Vec<&str> = ANNOTATIONS
            .iter()
            .copied()
            .filter(|key| !DOCUMENTATION.contains(key))
            .collect();
        assert_eq!(rest, ["$id", "default", "$defs", "definitions"]);
        assert!(is_annotation("$id") && !is_assertion("$id"));
        assert!(is_annotation("x-anything") && !is_annotation("minimum"));
        assert!(is_assertion("x-anything") && !is_assertion("x-error-messages"));
    }
}
