//! Reading a JSON Schema as schemars 1 writes it: `$ref` into `$defs`, a lone `allOf: [{$ref}]`
//! wrapper, `anyOf` alternatives and the two nullable forms (`type: [T, "null"]` and
//! `anyOf: [..., {type: null}]`), all brought to one shape: a node's alternatives, one per JSON
//! type, each with the keywords that apply to that type.

use serde_json::{Map, Value};

/// Keywords that change what a schema documents, never which data it accepts.
pub(super) const DOC_KEYWORDS: &[&str] = &[
    "$comment",
    "$schema",
    "$id",
    "deprecated",
    "description",
    "examples",
    "readOnly",
    "title",
    "writeOnly",
    "x-error-messages",
];

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
pub(super) enum JsonType {
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
    pub(super) fn name(self) -> &'static str {
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
    pub(super) fn of(value: &Value) -> JsonType {
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
    pub(super) fn within(self, wider: JsonType) -> bool {
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
/// names of the definitions it went through (to stop on recursive types).
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub(super) keywords: Map<String, Value>,
    /// `false` for the schema that accepts nothing.
    pub(super) accepts_anything_at_all: bool,
    /// The last definition followed, if the schema was a reference.
    pub(super) definition: Option<String>,
}

/// One alternative of a schema: the values of one JSON type it accepts.
#[derive(Debug, Clone)]
pub(super) struct Branch {
    pub(super) ty: JsonType,
    /// The keywords that constrain values of `ty` (those of other types left out).
    pub(super) keywords: Map<String, Value>,
    /// The definition the alternative came from, to pair alternatives of the same type.
    pub(super) definition: Option<String>,
}

/// Why a schema could not be read; the comparison counts it as undecidable.
pub(super) type Unreadable = String;

/// Resolves local references (`#/$defs/Name`, any `#/...` pointer) against one root schema.
pub(super) struct Resolver<'a> {
    root: &'a Value,
}

/// How many `$ref` may be followed in a row before the schema counts as circular.
const MAX_REF_CHAIN: usize = 32;

impl<'a> Resolver<'a> {
    pub(super) fn new(root: &'a Value) -> Self {
        Resolver { root }
    }

    /// `schema` with its `$ref` and mergeable `allOf` members folded in; the schema's own
    /// keywords win over those of what it references (schemars puts `default` and
    /// `description` beside a `$ref`).
    pub(super) fn resolve(&self, schema: &Value) -> Result<Resolved, Unreadable> {
        self.resolve_at(schema, 0)
    }

    fn resolve_at(&self, schema: &Value, depth: usize) -> Result<Resolved, Unreadable> {
        let map = match schema {
            Value::Bool(accepts) => {
                return Ok(Resolved {
                    keywords: Map::new(),
                    accepts_anything_at_all: *accepts,
                    definition: None,
                });
            }
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "a schema must be an object or a boolean, not `{other}`"
                ));
            }
        };
        if depth > MAX_REF_CHAIN {
            return Err("`$ref` chain too long (a reference to itself?)".to_owned());
        }
        let mut keywords = Map::new();
        let mut accepts = true;
        let mut definition = None;
        if let Some(reference) = map.get("$ref") {
            let target = self.target(reference)?;
            let resolved = self.resolve_at(target, depth + 1)?;
            keywords = resolved.keywords;
            accepts = resolved.accepts_anything_at_all;
            definition = Some(definition_name(reference));
        }
        let mut own = map.clone();
        own.remove("$ref");
        own.remove("$defs");
        own.remove("definitions");
        if let Some(Value::Array(members)) = own.get("allOf").cloned() {
            let mut merged = Map::new();
            let mut mergeable = true;
            for member in &members {
                let resolved = self.resolve_at(member, depth + 1)?;
                if !resolved.accepts_anything_at_all {
                    accepts = false;
                }
                if members.len() == 1 {
                    definition = resolved.definition.or(definition);
                }
                for (key, value) in resolved.keywords {
                    match merged.get(&key) {
                        Some(existing) if existing != &value && !DOC_KEYWORDS.contains(&&*key) => {
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
        })
    }

    fn target(&self, reference: &Value) -> Result<&'a Value, Unreadable> {
        let Some(text) = reference.as_str() else {
            return Err(format!("`$ref` must be a string, not `{reference}`"));
        };
        let Some(pointer) = text.strip_prefix('#') else {
            return Err(format!(
                "`$ref` `{text}` is not local to the schema (only `#/...` is read)"
            ));
        };
        let pointer = percent_decode(pointer);
        self.root
            .pointer(&pointer)
            .ok_or_else(|| format!("`$ref` `{text}` points to nothing in the schema"))
    }

    /// The alternatives of a schema, one per JSON type, with `anyOf` members flattened and
    /// nullable forms split into a `null` alternative.
    pub(super) fn branches(&self, resolved: &Resolved) -> Result<Vec<Branch>, Unreadable> {
        self.branches_at(resolved, 0)
    }

    fn branches_at(&self, resolved: &Resolved, depth: usize) -> Result<Vec<Branch>, Unreadable> {
        if !resolved.accepts_anything_at_all {
            return Ok(Vec::new());
        }
        if depth > MAX_REF_CHAIN {
            return Err("`anyOf` nested too deeply".to_owned());
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
            let mut branches = Vec::new();
            for alternative in alternatives {
                let resolved = self.resolve(alternative)?;
                branches.extend(self.branches_at(&resolved, depth + 1)?);
            }
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
pub(super) fn allowed_values(keywords: &Map<String, Value>) -> Option<Vec<Value>> {
    match (keywords.get("enum"), keywords.get("const")) {
        (Some(Value::Array(values)), _) => Some(values.clone()),
        (_, Some(value)) => Some(vec![value.clone()]),
        _ => None,
    }
}

/// Whether a keyword asserts something about the data (not documentation, not `default`, not
/// an annotation that names what a schema is).
pub(super) fn is_assertion(key: &str) -> bool {
    !DOC_KEYWORDS.contains(&key) && key != "default" && key != "$defs" && key != "definitions"
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
}
