//! The rows of a task's field table: every field, nested objects expanded as dotted paths.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::constraints::constraints;
use super::type_name::type_name;
use crate::schema::read::{ref_name, resolve_or_anything, strip_null_or_anything, unwrap_all_of};

/// One row of a task's field table.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Field {
    /// Dotted path: `input.source_artifact`; `[]` stands for the items of an array, `*` for the
    /// values of a map.
    pub path: String,
    /// The type, in words: `string`, `array of string`, `integer or null`, `object Binnmu`.
    pub type_name: String,
    /// Whether the field must be present (in its parent, when the parent is present).
    pub required: bool,
    /// The default, if the schema gives one.
    pub default: Option<Value>,
    /// Enum values, pattern, bounds, item counts, "no other keys", ...
    pub constraints: Vec<String>,
    /// The field's description (its doc comment), on one line.
    pub description: String,
}

/// Every field of a task schema, nested objects expanded, in schema order.
///
/// An object type (a `$defs` entry) is expanded where it first appears; later uses say where
/// its fields are, which also stops recursive types.
pub(super) fn fields(schema: &Value) -> Vec<Field> {
    let mut walker = FieldWalker {
        root: schema,
        rows: Vec::new(),
        expanded: BTreeMap::new(),
        stack: Vec::new(),
    };
    walker.object_fields(schema, "");
    walker.rows
}

struct FieldWalker<'s> {
    root: &'s Value,
    rows: Vec<Field>,
    /// Definitions already expanded, and the path where.
    expanded: BTreeMap<String, String>,
    stack: Vec<String>,
}

impl<'s> FieldWalker<'s> {
    fn object_fields(&mut self, object: &'s Value, prefix: &str) {
        let properties = object.get("properties").and_then(Value::as_object);
        let required: BTreeSet<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, property) in properties.into_iter().flatten() {
            let path = format!("{prefix}{name}");
            let row_index = self.rows.len();
            self.rows.push(Field {
                path: path.clone(),
                type_name: type_name(self.root, property, 0),
                required: required.contains(name.as_str()),
                default: property.get("default").cloned(),
                constraints: constraints(self.root, property),
                description: description(self.root, property),
            });
            if let Some(note) = self.expand(property, &path, 0) {
                let row = &mut self.rows[row_index];
                if !row.description.is_empty() {
                    row.description.push(' ');
                }
                row.description.push_str(&note);
            }
        }
        let patterns = object.get("patternProperties").and_then(Value::as_object);
        for (pattern, property) in patterns.into_iter().flatten() {
            let path = format!("{prefix}*");
            let mut constraints = vec![format!("key matches `{pattern}`")];
            constraints.extend(super::constraints::constraints(self.root, property));
            self.rows.push(Field {
                path: path.clone(),
                type_name: type_name(self.root, property, 0),
                required: false,
                default: None,
                constraints,
                description: description(self.root, property),
            });
            let _ = self.expand(property, &path, 0);
        }
    }

    /// Expands the object types inside `schema` (itself, array items, map values, alternatives)
    /// under `path`; a note when they were expanded elsewhere.
    fn expand(&mut self, schema: &'s Value, path: &str, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let schema = unwrap_all_of(schema);
        if let Some(name) = ref_name(schema) {
            let target = resolve_or_anything(self.root, schema);
            if target.get("properties").is_none() {
                return self.expand(target, path, depth + 1);
            }
            if let Some(place) = self.expanded.get(name) {
                return Some(format!("Fields as under `{place}`."));
            }
            if self.stack.iter().any(|open| open == name) {
                return None;
            }
            self.expanded.insert(name.to_owned(), path.to_owned());
            self.stack.push(name.to_owned());
            self.object_fields(target, &format!("{path}."));
            self.stack.pop();
            return None;
        }
        let mut notes = Vec::new();
        if schema.get("properties").is_some() {
            self.object_fields(schema, &format!("{path}."));
        }
        for keyword in ["anyOf", "oneOf", "allOf"] {
            for branch in schema
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                notes.extend(self.expand(branch, path, depth + 1));
            }
        }
        if let Some(items) = schema.get("items").filter(|items| items.is_object()) {
            notes.extend(self.expand(items, &format!("{path}[]"), depth + 1));
        }
        if let Some(values) = schema
            .get("additionalProperties")
            .filter(|values| values.is_object())
        {
            notes.extend(self.expand(values, &format!("{path}.*"), depth + 1));
        }
        notes.dedup();
        (!notes.is_empty()).then(|| notes.join(" "))
    }
}

/// The field's description, else its type's, on one line (paragraphs separated by `<br>`).
pub(super) fn description(root: &Value, schema: &Value) -> String {
    let text = schema
        .get("description")
        .and_then(Value::as_str)
        .or_else(|| {
            strip_null_or_anything(root, schema)
                .get("description")
                .and_then(Value::as_str)
        })
        .unwrap_or("");
    // Paragraphs and list items each start a new line of the cell.
    let paragraphs: Vec<String> = text
        .trim()
        .split("\n\n")
        .map(|paragraph| {
            let mut joined = String::new();
            for line in paragraph.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !joined.is_empty() {
                    joined.push_str(if line.starts_with("- ") { "<br>" } else { " " });
                }
                joined.push_str(line);
            }
            joined
        })
        .collect();
    paragraphs.join("<br>")
}
