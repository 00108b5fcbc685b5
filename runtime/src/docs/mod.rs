//! Markdown documentation generated from the registry: one page per task, an index, and each
//! task's JSON Schemas (of its task data, and of its dynamic data).
//!
//! Everything here is deterministic (object keys sorted, tasks in registry order, fields in
//! schema order), so the generated files can be committed and checked in CI with
//! [`check`] (the `taskdef docs --check DIR` command).
//!
//! A task page has the task's description, version and version key, what a worker needs to run
//! it, a table of every field (nested objects expanded as dotted paths: `input.source_artifact`,
//! `repositories[].url`), the same table for its dynamic data, and an example: the schema's
//! first `examples` entry if it has one, else one generated from the schema and checked to
//! configure.
//!
//! A registry whose tasks name releases of their engine (`#[task(release = ...)]`) gets one
//! directory per release, each with its own index, pages and schemas, and an index of the
//! releases that shows them side by side (see [`pages`] and [`generate`]); a registry that names
//! none is written flat, as it always was.

mod constraints;
mod example;
mod fields;
mod files;
mod ids;
mod layout;
mod page;
mod text;
mod type_name;
mod work_request;

use std::collections::BTreeMap;

use crate::registry::Registry;
#[cfg(test)]
use serde_json::Value;

pub use example::{Example, ExampleSource, example, example_of_form};
pub use files::{
    DYNAMIC_DATA_SCHEMA_SUFFIX, Drift, INDEX, RELEASE_INDEX_HEADING, check,
    dynamic_data_schema_file, looks_generated, page_stem, schema_file, write,
};
pub use ids::BaseUrl;
pub use layout::{
    FormPage, form_in, oldest_form, pages, pages_in, release_name_problem, release_prefix,
};
pub use page::{
    form_page, index_page, page_rules, release_index_page, releases_index_page, releases_of_index,
    rules_of_page, task_page,
};
pub use text::pretty;
pub use work_request::{
    WORK_REQUEST_SCHEMA, published_base, work_request_schema, work_request_schema_path,
};

/// Every generated file, by path relative to the docs directory, with `$id`s relative to each
/// schema's file ([`BaseUrl::NONE`]); see [`generate_under`].
pub fn generate(registry: &Registry) -> BTreeMap<String, String> {
    generate_under(registry, &BaseUrl::NONE)
}

/// Every generated file, by path relative to the docs directory, each schema's `$id` under
/// `base` (the URL the directory is published at).
///
/// When no task names a release: the index, the schema of a work request
/// ([`WORK_REQUEST_SCHEMA`]) and, per task, `<stem>.md`, `<stem>.schema.json` and
/// `<stem>.dynamic-data.schema.json`, side by side. Else `README.md` is the index of the
/// releases ([`releases_index_page`]) and each release `R` has `R/README.md`, its work request's
/// schema and those three files for every task with data in `R` (see [`pages`]).
pub fn generate_under(registry: &Registry, base: &BaseUrl) -> BTreeMap<String, String> {
    let releases = registry.releases();
    let mut files = BTreeMap::new();
    if releases.is_empty() {
        let entries: Vec<_> = registry.entries().collect();
        files.insert(INDEX.to_owned(), index_page(&entries));
        files.insert(
            work_request_schema_path(None),
            files::schema_text(&work_request_schema(None, &pages(registry), base)),
        );
    } else {
        files.insert(INDEX.to_owned(), releases_index_page(registry));
        for &release in &releases {
            let pages = pages_in(registry, release);
            files.insert(
                format!("{release}/{INDEX}"),
                release_index_page(release, &pages),
            );
            files.insert(
                work_request_schema_path(Some(release)),
                files::schema_text(&work_request_schema(Some(release), &pages, base)),
            );
        }
    }
    for page in pages(registry) {
        files.insert(page.path(".md"), form_page(&page, &releases));
        files.insert(
            page.path(".schema.json"),
            files::schema_text(&ids::published_schema(&page, base)),
        );
        files.insert(
            page.path(DYNAMIC_DATA_SCHEMA_SUFFIX),
            files::schema_text(&ids::published_dynamic_data_schema(&page, base)),
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

    #[test]
    fn release_directories_are_checked_and_written_and_a_dropped_release_goes() {
        let dir =
            std::env::temp_dir().join(format!("taskdef-docs-releases-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut files = BTreeMap::new();
        files.insert("README.md".to_owned(), "index\n".to_owned());
        for release in ["2.0", "1.0"] {
            files.insert(
                format!("{release}/README.md"),
                format!("{RELEASE_INDEX_HEADING}`{release}`\n"),
            );
            files.insert(format!("{release}/a.md"), format!("a of {release}\n"));
            files.insert(format!("{release}/a.changes.json"), "{}\n".to_owned());
        }
        assert!(write(&dir, &files).unwrap().is_empty());
        assert!(check(&dir, &files).unwrap().is_empty());
        // Extra files are found in the release directories; the author's other files are not
        // touched, nor directories that are no release's.
        std::fs::write(dir.join("2.0/old.schema.json"), "{}\n").unwrap();
        std::fs::write(dir.join("2.0/notes.txt"), "kept\n").unwrap();
        std::fs::create_dir_all(dir.join("images")).unwrap();
        std::fs::write(dir.join("images/figure.md"), "kept\n").unwrap();
        std::fs::write(dir.join("1.0/a.md"), "edited\n").unwrap();
        let drift = check(&dir, &files).unwrap();
        assert_eq!(drift.extra, ["2.0/old.schema.json"]);
        assert_eq!(drift.changed, ["1.0/a.md"]);
        assert!(drift.missing.is_empty());
        // Release 1.0 dropped, and the layout made flat: the old files are stale, the release's
        // directory is removed once empty, the author's files stay.
        let mut flat = BTreeMap::new();
        flat.insert("README.md".to_owned(), "index\n".to_owned());
        flat.insert("2.0/README.md".to_owned(), files["2.0/README.md"].clone());
        flat.insert("a.md".to_owned(), "a\n".to_owned());
        let drift = check(&dir, &flat).unwrap();
        assert_eq!(
            drift.extra,
            [
                "1.0/README.md",
                "1.0/a.changes.json",
                "1.0/a.md",
                "2.0/a.changes.json",
                "2.0/a.md",
                "2.0/old.schema.json"
            ]
        );
        assert_eq!(write(&dir, &flat).unwrap(), drift.extra);
        assert!(
            !dir.join("1.0").exists(),
            "an emptied release directory is removed"
        );
        assert!(dir.join("2.0/notes.txt").exists());
        assert!(dir.join("images/figure.md").exists());
        assert!(check(&dir, &flat).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_path_out_of_the_docs_directory_is_refused() {
        let dir = std::env::temp_dir().join(format!("taskdef-docs-escape-{}", std::process::id()));
        for name in ["../escaped.md", "/tmp/escaped.md", "a/../../b.md", ""] {
            let mut files = BTreeMap::new();
            files.insert(name.to_owned(), "x\n".to_owned());
            let error = write(&dir, &files).unwrap_err();
            assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{name}");
            assert!(error.to_string().contains("not a path inside"), "{error}");
            assert!(check(&dir, &files).is_err(), "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn release_names_must_name_a_plain_directory() {
        for good in ["0.16", "trixie", "1.0-beta+1~rc"] {
            assert_eq!(release_name_problem(good), None, "{good}");
        }
        for bad in ["", ".", "..", ".hidden", "0.16/x", "a b", "a\\b"] {
            assert!(release_name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn the_releases_an_index_lists_are_read_back() {
        let index = "# Tasks\n\n- [`0.16`](0.16/README.md): 3 tasks\n- [`0.11`](0.11/README.md): \
                     1 task\n- [`x`](elsewhere/README.md)\n- [`..`](../README.md)\n| `a` | worker | 1 |\n";
        assert_eq!(releases_of_index(index), ["0.16", "0.11"]);
        assert!(releases_of_index("# Tasks\n\n| [`a`](a.md) | worker | 1 | A. |\n").is_empty());
    }
}
