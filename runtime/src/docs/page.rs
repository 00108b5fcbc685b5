//! The Markdown pages: the index, and one page per task.

use std::fmt::Write as _;

use serde_json::Value;

use super::example::{ExampleSource, example};
use super::fields::fields;
use super::files::page_stem;
use super::text::{cell, compact, pretty};
use crate::registry::TaskEntry;
use crate::types::TaskKind;

/// The index: every task with its kind, version and one-line description.
pub fn index_page(entries: &[&TaskEntry]) -> String {
    let mut out = String::new();
    out.push_str("# Tasks\n\n");
    out.push_str(
        "Generated from the task definitions by the `docs` command of the binary that links \
         them; do not edit by hand. Regenerate with `<binary> docs --out <this directory>`.\n\n",
    );
    out.push_str("| Task | Kind | Version | Description |\n|---|---|---|---|\n");
    for entry in entries {
        let stem = page_stem(entry);
        let _ = writeln!(
            out,
            "| [`{}`]({stem}.md) | {} | {} | {} |",
            entry.name,
            entry.kind,
            entry.version,
            cell(entry.summary())
        );
    }
    out
}

/// One task's page.
pub fn task_page(entry: &TaskEntry) -> String {
    let schema = entry.schema();
    let stem = page_stem(entry);
    let mut out = String::new();
    match entry.kind {
        TaskKind::Worker => {
            let _ = writeln!(out, "# `{}`\n", entry.name);
        }
        kind => {
            let _ = writeln!(out, "# `{}` ({kind} task)\n", entry.name);
        }
    }
    if !entry.description.trim().is_empty() {
        let _ = writeln!(out, "{}\n", entry.description.trim());
    }
    out.push_str("| | |\n|---|---|\n");
    let _ = writeln!(out, "| Kind | {} |", entry.kind);
    let _ = writeln!(out, "| Version | {} |", entry.version);
    let _ = writeln!(out, "| Version key | `{}` |", entry.version_key());
    let _ = writeln!(out, "| Rust type | `{}` |", entry.type_name);
    let _ = writeln!(
        out,
        "| Schema | [`{stem}.schema.json`]({stem}.schema.json) |"
    );
    out.push('\n');

    out.push_str("## Worker requirements\n\n");
    worker_requirements(&mut out, entry, schema);

    out.push_str("## Task data\n\n");
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        out.push_str("Unknown keys are rejected");
        out.push_str(
            " (here and in every nested object whose constraints say \"no other keys\").\n\n",
        );
    }
    let rows = fields(schema);
    if rows.is_empty() {
        out.push_str("This task takes no data: `{}`.\n\n");
    } else {
        out.push_str("| Field | Type | Required | Default | Constraints | Description |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for row in &rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                cell(&row.path),
                cell(&row.type_name),
                if row.required { "yes" } else { "no" },
                row.default
                    .as_ref()
                    .map_or_else(String::new, |value| format!("`{}`", cell(&compact(value)))),
                cell(&row.constraints.join("; ")),
                cell(&row.description),
            );
        }
        out.push('\n');
    }

    if !entry.rules.is_empty() {
        out.push_str("## Rules\n\nBesides the constraints above, the task data must follow:\n\n");
        for rule in entry.rules {
            let _ = writeln!(out, "- {}", rule.trim());
        }
        out.push('\n');
    }

    out.push_str("## Example\n\n");
    let example = example(entry);
    match (&example.source, &example.error) {
        (ExampleSource::Schema, _) => out.push_str("From the schema's `examples`:\n\n"),
        (ExampleSource::Generated, None) => {
            out.push_str("Generated from the schema (and checked to configure):\n\n")
        }
        (ExampleSource::Generated, Some(error)) => {
            let _ = writeln!(
                out,
                "Generated from the schema, but it does **not** configure: {}\n",
                error.lines().next().unwrap_or_default()
            );
        }
    }
    let _ = writeln!(out, "```json\n{}\n```", pretty(&example.value));
    out
}

fn worker_requirements(out: &mut String, entry: &TaskEntry, schema: &Value) {
    let Some(worker_type) = entry.kind.worker_type() else {
        let _ = writeln!(
            out,
            "{} tasks are not scheduled on workers.\n",
            entry.kind.task_type()
        );
        return;
    };
    out.push_str("A worker can run this task only if its metadata has:\n\n");
    let _ = writeln!(out, "- `system:worker_type` = `\"{worker_type}\"`;");
    let _ = writeln!(out, "- `{}` = `{}`;", entry.version_key(), entry.version);
    let has_host_architecture = schema
        .get("properties")
        .and_then(|properties| properties.get("host_architecture"))
        .is_some();
    if has_host_architecture {
        out.push_str(
            "- the task's `host_architecture`, when it has one, in `system:architectures`;\n",
        );
    }
    out.push_str("- and whatever the task's own checks require.\n\n");
    let version_key = entry.version_key();
    let own: Vec<String> = entry
        .analyze_worker()
        .keys()
        .filter(|key| **key != version_key)
        .cloned()
        .collect();
    if !own.is_empty() {
        let keys: Vec<String> = own.iter().map(|key| format!("`{key}`")).collect();
        let _ = writeln!(
            out,
            "Besides its version, the task adds to the worker's metadata: {}.\n",
            keys.join(", ")
        );
    }
}
