//! Markdown documentation generated from the registry: one page per task, an index, and each
//! task's JSON Schemas (of its task data, and of its dynamic data).
//!
//! Everything here is deterministic (object keys sorted, tasks in registry order, fields in
//! schema order), so the generated files can be committed and checked in CI with
//! [`check`] (the `taskdef docs --check DIR` command).
//!
//! A task page has the task's description, version and version key, what a worker needs to run
//! it, a table of every field (nested objects expanded as dotted paths: `input.source_artifact`,
//! `repositories[].url`), the same table for its dynamic data, and an example: the schema's first `examples` entry if it has one, else
//! one generated from the schema and checked to configure.

mod constraints;
mod example;
mod fields;
mod files;
mod page;
mod text;
mod type_name;

use std::collections::BTreeMap;

use crate::registry::{Registry, TaskEntry};
#[cfg(test)]
use serde_json::Value;

pub use example::{Example, ExampleSource, example};
pub use files::{
    DYNAMIC_DATA_SCHEMA_SUFFIX, Drift, INDEX, check, dynamic_data_schema_file, looks_generated,
    page_stem, schema_file, write,
};
pub use page::{index_page, page_rules, rules_of_page, task_page};
pub use text::pretty;

/// Every generated file, by file name (no directories): the index, and per task `<stem>.md`,
/// `<stem>.schema.json` and `<stem>.dynamic-data.schema.json`.
pub fn generate(registry: &Registry) -> BTreeMap<String, String> {
    let entries: Vec<&'static TaskEntry> = registry.entries().collect();
    let mut files = BTreeMap::new();
    files.insert(INDEX.to_owned(), index_page(&entries));
    for entry in entries {
        let stem = page_stem(entry);
        files.insert(format!("{stem}.md"), task_page(entry));
        files.insert(format!("{stem}.schema.json"), schema_file(entry));
        files.insert(
            format!("{stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}"),
            dynamic_data_schema_file(entry),
        );
    }
    files
}

#[cfg(test)]
mod tests {
    use super::example::{generate_example, optional_paths, pattern_example};
    use super::fields::fields;
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "required": ["input", "mode"],
            "properties": {
                "input": { "$ref": "#/$defs/Input", "description": "What to read." },
                "mode": { "type": "string", "enum": ["fast", "slow"] },
                "level": { "type": "integer", "format": "uint8", "minimum": 0, "maximum": 3, "default": 0 },
                "tags": { "type": "array", "items": { "type": "string", "pattern": "^[a-z]+$" }, "uniqueItems": true },
                "child": { "anyOf": [{ "$ref": "#/$defs/Node" }, { "type": "null" }] },
                "env": { "type": "object", "additionalProperties": { "type": "string" } }
            },
            "$defs": {
                "Input": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["source"],
                    "properties": {
                        "source": { "type": ["integer", "string"] },
                        "when": { "type": ["string", "null"], "format": "date-time" }
                    }
                },
                "Node": {
                    "type": "object",
                    "properties": {
                        "next": { "anyOf": [{ "$ref": "#/$defs/Node" }, { "type": "null" }] },
                        "input": { "$ref": "#/$defs/Input" }
                    }
                }
            }
        })
    }

    #[test]
    fn fields_expand_nested_objects_once_and_stop_on_recursion() {
        let schema = schema();
        let rows = fields(&schema);
        let paths: Vec<&str> = rows.iter().map(|row| row.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "child",
                "child.input",
                "child.input.source",
                "child.input.when",
                "child.next",
                "env",
                "input",
                "level",
                "mode",
                "tags"
            ]
        );
        let input = rows.iter().find(|row| row.path == "input").unwrap();
        assert_eq!(input.type_name, "object `Input`");
        assert!(input.required);
        assert!(input.description.contains("Fields as under `child.input`"));
        let child = &rows[0];
        assert_eq!(child.type_name, "object `Node` or null");
        let level = rows.iter().find(|row| row.path == "level").unwrap();
        assert_eq!(level.constraints, [">= 0", "<= 3"]);
        assert_eq!(level.default, Some(json!(0)));
        let mode = rows.iter().find(|row| row.path == "mode").unwrap();
        assert_eq!(mode.constraints, ["one of `\"fast\"`, `\"slow\"`"]);
        let tags = rows.iter().find(|row| row.path == "tags").unwrap();
        assert_eq!(tags.type_name, "array of string");
        assert_eq!(
            tags.constraints,
            ["items unique", "each item: matches `^[a-z]+$`"]
        );
        let env = rows.iter().find(|row| row.path == "env").unwrap();
        assert_eq!(env.type_name, "map of string to string");
        let when = rows
            .iter()
            .find(|row| row.path == "child.input.when")
            .unwrap();
        assert_eq!(when.type_name, "string or null");
        assert_eq!(when.constraints, ["format `date-time`"]);
    }

    #[test]
    fn generated_examples() {
        let schema = schema();
        assert_eq!(
            generate_example(&schema, &|_| false),
            json!({"input": {"source": 1}, "mode": "fast"})
        );
        let full = generate_example(&schema, &|_| true);
        assert_eq!(full["tags"], json!(["example"]));
        assert_eq!(full["input"]["when"], json!("2025-01-01T00:00:00Z"));
        assert_eq!(full["env"], json!({"key": "example"}));
        assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&full));
        assert_eq!(
            optional_paths(&schema),
            ["child", "env", "input.when", "level", "tags"]
        );
    }

    #[test]
    fn patterns_get_a_matching_string() {
        assert_eq!(pattern_example(Some(r"^(\w|[./ -])+$")).unwrap(), "example");
        assert_eq!(pattern_example(Some(r"^[0-9]+$")).unwrap(), "1");
    }

    #[test]
    fn pretty_sorts_keys() {
        assert_eq!(
            pretty(&json!({"b": 1, "a": {"d": 2, "c": 3}})),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}"
        );
    }

    #[test]
    fn drift_lists_missing_changed_and_extra_files() {
        let dir = std::env::temp_dir().join(format!("taskdef-docs-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut files = BTreeMap::new();
        files.insert("README.md".to_owned(), "index\n".to_owned());
        files.insert("a.md".to_owned(), "a\n".to_owned());
        assert_eq!(check(&dir, &files).unwrap().missing, ["README.md", "a.md"]);
        assert!(write(&dir, &files).unwrap().is_empty());
        assert!(check(&dir, &files).unwrap().is_empty());
        std::fs::write(dir.join("a.md"), "edited\n").unwrap();
        std::fs::write(dir.join("old.schema.json"), "{}\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "kept\n").unwrap();
        let drift = check(&dir, &files).unwrap();
        assert_eq!(drift.changed, ["a.md"]);
        assert_eq!(drift.extra, ["old.schema.json"]);
        assert_eq!(write(&dir, &files).unwrap(), ["old.schema.json"]);
        assert!(check(&dir, &files).unwrap().is_empty());
        assert!(dir.join("notes.txt").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
