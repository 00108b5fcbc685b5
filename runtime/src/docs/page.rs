//! The Markdown pages: the index (of the tasks, or of the releases and of each release), and
//! one page per task and release.

use std::fmt::Write as _;
use std::ptr;

use serde_json::Value;

use super::example::{ExampleSource, example_of_form};
use super::fields::fields;
use super::files::{DYNAMIC_DATA_SCHEMA_SUFFIX, INDEX, RELEASE_INDEX_HEADING, page_stem};
use super::layout::{FormPage, form_in, pages_in, release_name_problem};
use super::text::{cell, compact, pretty};
use super::work_request::WORK_REQUEST_SCHEMA;
use crate::registry::{Registry, TaskEntry};
use crate::task::ReleaseForm;
use crate::types::TaskKind;

/// The index: every task with its kind, version and one-line description.
pub fn index_page(entries: &[&TaskEntry]) -> String {
    let mut out = String::new();
    out.push_str("# Tasks\n\n");
    out.push_str(
        "Generated from the task definitions by the `docs` command of the binary that links \
         them; do not edit by hand. Regenerate with `<binary> docs --out <this directory>`.\n\n",
    );
    task_rows(&mut out, entries);
    schemas_paragraph(&mut out);
    out
}

/// The table of tasks an index lists, one row each: ``| [`name`](stem.md) | kind | version |
/// description |``, the rows `compat` reads back.
fn task_rows(out: &mut String, entries: &[&TaskEntry]) {
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
}

/// What starts the line of each release in the index of releases: ``- [`0.16`](0.16/README.md)``.
const RELEASE_ITEM: &str = "- [`";

/// The index of a registry that names releases: the releases, newest first, each with a link
/// to its own index, then a table task × release with a link to each release's page of each
/// task (`—` where a task has no data in that release).
pub fn releases_index_page(registry: &Registry) -> String {
    let releases = registry.releases();
    let mut out = String::new();
    out.push_str("# Tasks\n\n");
    out.push_str(
        "Generated from the task definitions by the `docs` command of the binary that links \
         them; do not edit by hand. Regenerate with `<binary> docs --out <this directory>`.\n\n",
    );
    out.push_str(
        "A task's data may differ from one release of the engine that sends it to the next: \
         each release has its own pages, schemas and change histories, in a directory of its \
         own. A task that names no release takes the same data in every release. The releases, \
         newest first:\n\n",
    );
    for &release in &releases {
        let count = pages_in(registry, release).len();
        let _ = writeln!(
            out,
            "{RELEASE_ITEM}{release}`]({release}/{INDEX}): {count} task{}",
            if count == 1 { "" } else { "s" }
        );
    }
    out.push_str("\n| Task | Kind | Version |");
    for release in &releases {
        let _ = write!(out, " `{release}` |");
    }
    out.push_str(" Description |\n|---|---|---|");
    for _ in &releases {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for entry in registry.entries() {
        let stem = page_stem(entry);
        let _ = write!(
            out,
            "| `{}` | {} | {} |",
            entry.name, entry.kind, entry.version
        );
        for &release in &releases {
            match form_in(entry, release) {
                Some(_) => {
                    let _ = write!(out, " [`{release}`]({release}/{stem}.md) |");
                }
                None => out.push_str(" — |"),
            }
        }
        let _ = writeln!(out, " {} |", cell(entry.summary()));
    }
    out
}

/// The index of one release's directory: its tasks, as [`index_page`] lists them.
pub fn release_index_page(release: &str, pages: &[FormPage]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{RELEASE_INDEX_HEADING}`{release}`\n");
    out.push_str(
        "Generated from the task definitions by the `docs` command of the binary that links \
         them; do not edit by hand. Regenerate with `<binary> docs --out <the parent \
         directory>`.\n\n",
    );
    let _ = writeln!(
        out,
        "The task data of release `{release}` of the engine; the other releases are in the \
         [index of releases](../{INDEX}).\n"
    );
    let entries: Vec<&TaskEntry> = pages.iter().map(|page| page.entry).collect();
    task_rows(&mut out, &entries);
    schemas_paragraph(&mut out);
    out
}

/// What the schemas beside an index are, and how an editor uses the work request's.
fn schemas_paragraph(out: &mut String) {
    let _ = writeln!(
        out,
        "\nBeside each page, `<task>.schema.json` is the JSON Schema of the task's data and \
         `<task>{DYNAMIC_DATA_SCHEMA_SUFFIX}` that of its dynamic data; \
         [`{WORK_REQUEST_SCHEMA}`]({WORK_REQUEST_SCHEMA}) is the schema of a whole work request \
         (`task_name` and its `task_data`), for an editor: a YAML file whose first line is \
         `# yaml-language-server: $schema=<its path or URL>` is checked as it is written."
    );
}

/// The releases an index lists, in its order (newest first), as [`releases_index_page`] writes
/// them; empty for the index of a flat publication, which names no release. A name that cannot
/// be a release's directory ([`release_name_problem`]) is left out.
pub fn releases_of_index(index: &str) -> Vec<String> {
    index
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(RELEASE_ITEM)?;
            let (release, rest) = rest.split_once("`](")?;
            // Only names that can be a release's directory: nothing read outside the docs.
            (rest.starts_with(&format!("{release}/{INDEX})"))
                && release_name_problem(release).is_none())
            .then(|| release.to_owned())
        })
        .collect()
}

/// The heading of a page's list of cross-field rules.
const RULES_HEADING: &str = "## Rules";

/// A task's cross-field rules as its page lists them: each on one line, its runs of whitespace
/// made one space.
pub fn page_rules(entry: &TaskEntry) -> Vec<String> {
    let one_line = |rule: &&str| rule.split_whitespace().collect::<Vec<_>>().join(" ");
    entry.rules.iter().map(one_line).collect()
}

/// The cross-field rules a task page lists, as [`task_page`] writes them: what a published page
/// tells of rules that its schema cannot.
pub fn rules_of_page(page: &str) -> Vec<String> {
    let mut lines = page
        .lines()
        .skip_while(|line| *line != RULES_HEADING)
        .skip(1);
    let mut rules = Vec::new();
    for line in lines.by_ref() {
        if line.starts_with("## ") {
            break;
        }
        if let Some(rule) = line.strip_prefix("- ") {
            rules.push(rule.to_owned());
        }
    }
    rules
}

/// One task's page, of its own form: the page of the flat layout.
pub fn task_page(entry: &TaskEntry) -> String {
    page(entry, &entry.release_forms()[0], None)
}

/// The page of `page`'s form in its release; `releases` are the registry's, for the links to
/// the task's pages of the other releases. In the flat layout (no release), [`task_page`].
pub fn form_page(page_of: &FormPage, releases: &[&'static str]) -> String {
    let Some(release) = page_of.release else {
        return page(page_of.entry, page_of.form, None);
    };
    let others: Vec<&str> = releases
        .iter()
        .copied()
        .filter(|&other| other != release && form_in(page_of.entry, other).is_some())
        .collect();
    page(
        page_of.entry,
        page_of.form,
        Some(ReleaseOfPage { release, others }),
    )
}

/// Which release a page documents, and the task's other releases.
struct ReleaseOfPage<'a> {
    release: &'a str,
    others: Vec<&'a str>,
}

fn page(entry: &TaskEntry, form: &ReleaseForm, release: Option<ReleaseOfPage<'_>>) -> String {
    let schema = form.schema();
    let stem = page_stem(entry);
    let own = ptr::eq(form, &entry.release_forms()[0]);
    let mut out = String::new();
    let mut qualifiers = Vec::new();
    if entry.kind != TaskKind::Worker {
        qualifiers.push(format!("{} task", entry.kind));
    }
    if let Some(release) = &release {
        qualifiers.push(format!("release `{}`", release.release));
    }
    if qualifiers.is_empty() {
        let _ = writeln!(out, "# `{}`\n", entry.name);
    } else {
        let _ = writeln!(out, "# `{}` ({})\n", entry.name, qualifiers.join(", "));
    }
    if !entry.description.trim().is_empty() {
        let _ = writeln!(out, "{}\n", entry.description.trim());
    }
    out.push_str("| | |\n|---|---|\n");
    let _ = writeln!(out, "| Kind | {} |", entry.kind);
    let _ = writeln!(out, "| Version | {} |", entry.version);
    let _ = writeln!(out, "| Version key | `{}` |", entry.version_key());
    if let Some(release) = &release {
        if form.release().is_some() {
            let _ = writeln!(out, "| Release | `{}` |", release.release);
        } else {
            let _ = writeln!(
                out,
                "| Release | `{}` (the task takes the same data in every release) |",
                release.release
            );
        }
        let links: Vec<String> = release
            .others
            .iter()
            .map(|other| format!("[`{other}`](../{other}/{stem}.md)"))
            .collect();
        let _ = writeln!(
            out,
            "| Other releases | {} |",
            if links.is_empty() {
                "none".to_owned()
            } else {
                links.join(", ")
            }
        );
    }
    if own {
        let _ = writeln!(out, "| Rust type | `{}` |", entry.type_name);
    } else {
        let _ = writeln!(out, "| Rust type | `{}` |", form.type_name());
        let _ = writeln!(
            out,
            "| Converted into | `{}`, the struct the task runs with |",
            entry.type_name
        );
    }
    let _ = writeln!(
        out,
        "| Schema | [`{stem}.schema.json`]({stem}.schema.json) |"
    );
    let _ = writeln!(
        out,
        "| Dynamic data schema | [`{stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}`]({stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}) |"
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
    if !field_table(&mut out, schema) {
        out.push_str("This task takes no data: `{}`.\n\n");
    }

    if !entry.rules.is_empty() {
        let _ = writeln!(
            out,
            "{RULES_HEADING}\n\nBesides the constraints above, the task data must follow:\n"
        );
        for rule in page_rules(entry) {
            let _ = writeln!(out, "- {rule}");
        }
        out.push('\n');
    }

    dynamic_data_section(&mut out, form.dynamic_data_schema(), &stem);

    out.push_str("## Example\n\n");
    let example = example_of_form(form);
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

/// The field table of the object `schema`; `false`, and nothing written, when it has no fields.
fn field_table(out: &mut String, schema: &Value) -> bool {
    let rows = fields(schema);
    if rows.is_empty() {
        return false;
    }
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
    true
}

/// What the server computes for the task when it assigns the work, and how it is checked.
fn dynamic_data_section(out: &mut String, schema: &Value, stem: &str) {
    out.push_str("## Dynamic data\n\n");
    let _ = writeln!(
        out,
        "What the server computes for the task when it assigns the work request (its \
         `dynamic_task_data`: the lookups of the task data resolved to artifact ids, and \
         statistics keys), with its own schema, [`{stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}`]\
         ({stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}). It is validated as strictly as the task data; a \
         violation is `configure-failed`, at a pointer under `/dynamic_task_data`. `null` means \
         none, as in a run without a server.\n"
    );
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        out.push_str("Unknown keys are rejected.\n\n");
    }
    if !field_table(out, schema) {
        out.push_str("It has no fields: `{}`.\n\n");
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_a_page_lists_are_read_back_and_nothing_else() {
        let page = "# `demo`\n\n## Fields\n\n- not a rule\n\n## Rules\n\nBesides ...:\n\n\
                    - `a` needs `b`.\n- at most one of `c`, `d`.\n\n## Example\n\n- not a rule\n";
        assert_eq!(
            rules_of_page(page),
            ["`a` needs `b`.", "at most one of `c`, `d`."]
        );
        assert!(rules_of_page("# `demo`\n\n- not a rule\n").is_empty());
    }
}
