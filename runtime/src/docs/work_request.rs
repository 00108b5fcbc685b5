//! The schema of a whole work request, as a user writes one to create it: the task's name and
//! its data (the body of Debusine's `POST /api/1.0/work-request/`), one schema per release.
//!
//! `task_name` is one of the tasks a work request can be created for (worker and server
//! tasks; the others are created by the server itself), and selects the schema of
//! `task_data` by one `if`/`then` per task: `if` the name is that task's, `then` the data is
//! the task's schema. An editor or validator so reports a task's data against that task's
//! schema alone, with each error at its key, where a `oneOf` of the tasks would report the
//! document against every task it is not.
//!
//! The schema is one self-contained file, a compound document of JSON Schema 2020-12: each task
//! schema is embedded under `$defs/<page stem>` exactly as it is published beside it, `$id`
//! included, and the `then` refers to it by that `$id`. A validator finds the `$id` in the
//! file itself, so nothing is fetched: it works offline and wherever the directory is copied,
//! with or without a base URL.

use std::io;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::ids::{BaseUrl, published_schema};
use super::layout::{FormPage, release_prefix};
use crate::types::TaskKind;

/// The file name of the work request's schema, in the docs directory or in each release's.
pub const WORK_REQUEST_SCHEMA: &str = "work-request.schema.json";

/// The path of the work request's schema of `release` in the docs directory.
pub fn work_request_schema_path(release: Option<&str>) -> String {
    format!("{}{WORK_REQUEST_SCHEMA}", release_prefix(release))
}

/// Whether a work request can be created for a task of this kind: worker and server tasks
/// (Debusine makes the others itself, and refuses them in a work request's creation).
fn created_by_users(kind: TaskKind) -> bool {
    matches!(kind, TaskKind::Worker | TaskKind::Server)
}

/// The schema of a work request of `release` (`None` in the flat layout) over the tasks of
/// `pages` (that release's pages), its `$id` and the embedded task schemas' under `base`.
pub fn work_request_schema(release: Option<&str>, pages: &[FormPage], base: &BaseUrl) -> Value {
    let pages: Vec<&FormPage> = pages
        .iter()
        .filter(|page| created_by_users(page.entry.kind))
        .collect();
    let mut names: Vec<&str> = Vec::new();
    for page in &pages {
        if !names.contains(&page.entry.name) {
            names.push(page.entry.name);
        }
    }
    let mut definitions = Map::new();
    let mut selections = Vec::new();
    for page in &pages {
        let schema = published_schema(page, base);
        let id = schema["$id"].clone();
        let mut then = json!({ "properties": { "task_data": { "$ref": id } } });
        // Debusine configures absent task data as `{}`: a task with required keys needs it.
        if schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|required| !required.is_empty())
        {
            then["required"] = json!(["task_data"]);
        }
        selections.push(json!({
            "if": {
                "properties": { "task_name": { "const": page.entry.name } },
                "required": ["task_name"]
            },
            "then": then
        }));
        definitions.insert(page.stem(), schema);
    }
    let title = match release {
        Some(release) => format!("A work request of release {release}"),
        None => "A work request".to_owned(),
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base.id(&work_request_schema_path(release)),
        "title": title,
        "description": "A work request as it is created: the name of the task to run and its \
            data, checked against that task's schema (each task's schema is beside this file, \
            and embedded in `$defs`).",
        "type": "object",
        "additionalProperties": false,
        "required": ["task_name"],
        "properties": {
            "task_name": {
                "description": "The task to run; it selects the schema of `task_data`.",
                "type": "string",
                "enum": names,
            },
            "task_data": {
                "description": "The task's data, as the schema of the task `task_name` names \
                    says; absent, it is `{}`.",
                "type": "object",
                "default": {},
            },
            "workspace": {
                "description": "The name of the workspace to create the work request in; \
                    absent, the scope's default workspace.",
                "type": "string",
            },
            "event_reactions": {
                "description": "What the server does on the work request's events \
                    (`on_creation`, `on_success`, ...: lists of actions); the server checks \
                    them, this schema does not.",
                "type": "object",
            },
        },
        "allOf": selections,
        "$defs": definitions,
    })
}

/// The base URL the docs in `dir` were published under, read from the `$id` of the first work
/// request schema of `paths` (those [`work_request_schema_path`] gives) found there; `None`
/// when there is none, or its `$id` is not one [`work_request_schema`] writes.
pub fn published_base(dir: &Path, paths: &[String]) -> io::Result<Option<BaseUrl>> {
    for path in paths {
        let text = match std::fs::read_to_string(dir.join(path)) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        let id = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|schema| schema.get("$id")?.as_str().map(str::to_owned));
        return Ok(id.and_then(|id| BaseUrl::of_id(&id, path)));
    }
    Ok(None)
}
