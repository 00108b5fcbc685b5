//! `taskdef compat OLD`: the linked tasks against an earlier set of published schemas, and the
//! change history the `docs` command keeps beside each schema.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use serde_json::{Value, json};

use super::{CliError, CliResult, exit, fail, out};
use crate::compat::history::{FILE_SUFFIX, History};
use crate::compat::{Change, PublishedTask, TaskEvent, TaskReport, compare_tasks};
use crate::docs::DYNAMIC_DATA_SCHEMA_SUFFIX;
use crate::registry::{Registry, TaskEntry};

#[derive(Debug, Args)]
pub(super) struct CompatArgs {
    /// The earlier schemas: a directory written by `taskdef docs --out`, or a git revision
    /// (`main`, `HEAD~1`, a commit) whose `--docs-dir` is read with `git show`.
    old: String,
    /// Where the docs sit in the git revision, relative to the current directory.
    #[arg(long, value_name = "PATH", default_value = "docs/tasks")]
    docs_dir: PathBuf,
    /// Print a JSON object: {"old", "ok", "tasks": [{task, kind, event, ..., blocks}]}.
    #[arg(long)]
    json: bool,
}

/// The tasks linked into the binary, as the docs publish them.
fn published(registry: &Registry) -> Vec<PublishedTask> {
    registry.entries().map(published_task).collect()
}

fn published_task(entry: &TaskEntry) -> PublishedTask {
    PublishedTask {
        name: entry.name.to_owned(),
        kind: entry.kind.as_str().to_owned(),
        version: entry.version,
        schema: entry.schema().clone(),
        rules: crate::docs::page_rules(entry),
        dynamic_data_schema: Some(entry.dynamic_data_schema().clone()),
    }
}

pub(super) fn compat(registry: &Registry, args: CompatArgs) -> CliResult {
    super::require_sound(registry)?;
    let source = if Path::new(&args.old).is_dir() {
        Source::Directory(PathBuf::from(&args.old))
    } else {
        Source::git(&args.old, &args.docs_dir)?
    };
    let old = read_published(&source)?;
    let reports = compare_tasks(&old, &published(registry));
    let blocking: Vec<&TaskReport> = reports.iter().filter(|report| report.blocks()).collect();
    if args.json {
        let tasks: Vec<Value> = reports
            .iter()
            .map(|report| {
                let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
                value["blocks"] = Value::Bool(report.blocks());
                value
            })
            .collect();
        let document = json!({"old": args.old, "ok": blocking.is_empty(), "tasks": tasks});
        out(&format!("{}\n", crate::docs::pretty(&document)))?;
    } else {
        out(&changelog(&reports, old.len(), &args.old))?;
    }
    if blocking.is_empty() {
        return Ok(exit::SUCCESS);
    }
    let mut report = String::new();
    for task in blocking {
        report.push_str(&fix_message(task));
    }
    io::stderr().write_all(report.as_bytes())?;
    Ok(exit::NEGATIVE)
}

/// One paragraph per task that changed, one line per change.
fn changelog(reports: &[TaskReport], compared: usize, old: &str) -> String {
    let mut text = String::new();
    for report in reports {
        let heading = match &report.event {
            TaskEvent::Added { version } => format!("new task, version {version}"),
            TaskEvent::Removed { version } => format!("removed (was version {version})"),
            TaskEvent::KindChanged {
                old_kind,
                old_version,
                new_version,
            } => format!(
                "kind changed from {old_kind} (version {old_version} to {new_version}): a new \
                 version key, so no worker confuses the two"
            ),
            TaskEvent::Changed {
                old_version,
                new_version,
                changes,
            } => {
                let verdict = if report.blocks() {
                    "BREAKING with the same version"
                } else if old_version != new_version {
                    "version bumped"
                } else {
                    "compatible"
                };
                format!(
                    "version {old_version} -> {new_version}, {} change{}, {verdict}",
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                )
            }
        };
        text.push_str(&format!("{} ({}): {heading}\n", report.task, report.kind));
        if let TaskEvent::Changed { changes, .. } = &report.event {
            for change in changes {
                text.push_str(&format!("  {}\n", change.line()));
            }
        }
    }
    text.push_str(&format!(
        "{} tasks in {old}, {} changed, {} need a new version\n",
        compared,
        reports.len(),
        reports.iter().filter(|report| report.blocks()).count()
    ));
    text
}

/// What the author must do: the task, its breaking changes, and the two ways out.
fn fix_message(report: &TaskReport) -> String {
    let version = match &report.event {
        TaskEvent::Changed { old_version, .. } => *old_version,
        _ => 0,
    };
    let breaking: Vec<&Change> = report.breaking().collect();
    let mut text = if breaking.is_empty() {
        format!(
            "error: task `{}`: its version went down from {version}; a version only goes up\n",
            report.task
        )
    } else {
        format!(
            "error: task `{}` keeps version {version} but changed in a way that breaks its \
             existing task data:\n",
            report.task
        )
    };
    for change in breaking {
        text.push_str(&format!("  {}\n", change.line()));
    }
    text.push_str(&format!(
        "  fix: bump the version, `#[task(version = {})]` on the task's struct, or make the \
         change compatible (an optional key with a default, a wider type or range)\n",
        version + 1
    ));
    text
}

/// Where the earlier published docs are read from.
enum Source {
    Directory(PathBuf),
    Git { revision: String, dir: PathBuf },
}

impl Source {
    fn git(revision: &str, dir: &Path) -> Result<Source, CliError> {
        let verified = Command::new("git")
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{revision}^{{commit}}"))
            .output()
            .map_err(|error| fail(format!("`{revision}` is not a directory, and git cannot run to read it as a revision: {error}")))?;
        if !verified.status.success() {
            return Err(fail(format!(
                "`{revision}` is neither a directory written by `taskdef docs --out` nor a git \
                 revision of the repository here (in a shallow clone, fetch more history)"
            )));
        }
        Ok(Source::Git {
            revision: revision.to_owned(),
            dir: dir.to_owned(),
        })
    }

    fn describe(&self, name: &str) -> String {
        match self {
            Source::Directory(dir) => dir.join(name).display().to_string(),
            Source::Git { revision, dir } => format!("{revision}:{}", dir.join(name).display()),
        }
    }

    /// The file's text, or `None` when the publication has no such file.
    fn read_if_present(&self, name: &str) -> Result<Option<String>, CliError> {
        match self {
            Source::Directory(dir) => read_if_present(&dir.join(name)),
            Source::Git { revision, dir } => {
                let path = Path::new(".").join(dir).join(name);
                let exists = Command::new("git")
                    .args(["cat-file", "-e"])
                    .arg(format!("{revision}:{}", path.display()))
                    .output()
                    .map_err(|error| fail(format!("cannot run git: {error}")))?;
                if exists.status.success() {
                    self.read(name).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    fn read(&self, name: &str) -> Result<String, CliError> {
        match self {
            Source::Directory(dir) => std::fs::read_to_string(dir.join(name))
                .map_err(|error| fail(format!("cannot read `{}`: {error}", self.describe(name)))),
            Source::Git { revision, dir } => {
                let path = Path::new(".").join(dir).join(name);
                let output = Command::new("git")
                    .arg("show")
                    .arg(format!("{revision}:{}", path.display()))
                    .output()
                    .map_err(|error| fail(format!("cannot run git: {error}")))?;
                if !output.status.success() {
                    return Err(fail(format!(
                        "cannot read `{}`: {}",
                        self.describe(name),
                        String::from_utf8_lossy(&output.stderr).trim()
                    )));
                }
                String::from_utf8(output.stdout).map_err(|error| {
                    fail(format!("`{}` is not UTF-8: {error}", self.describe(name)))
                })
            }
        }
    }
}

/// The tasks of a published docs directory: the index (`README.md`) gives each task's name,
/// kind, version and page, `<stem>.schema.json` its schema and the page its documented rules.
fn read_published(source: &Source) -> Result<Vec<PublishedTask>, CliError> {
    let index_name = crate::docs::INDEX;
    let index = source.read(index_name)?;
    let mut tasks = Vec::new();
    for (number, line) in index.lines().enumerate() {
        let Some(row) = IndexRow::parse(line) else {
            continue;
        };
        let row = row.map_err(|reason| {
            fail(format!(
                "`{}` line {}: {reason}",
                source.describe(index_name),
                number + 1
            ))
        })?;
        let schema_name = format!("{}.schema.json", row.stem);
        let text = source.read(&schema_name)?;
        let schema = parse_schema(&text, &source.describe(&schema_name))?;
        let rules = crate::docs::rules_of_page(&source.read(&format!("{}.md", row.stem))?);
        let dynamic_name = format!("{}{DYNAMIC_DATA_SCHEMA_SUFFIX}", row.stem);
        let dynamic_data_schema = source
            .read_if_present(&dynamic_name)?
            .map(|text| parse_schema(&text, &source.describe(&dynamic_name)))
            .transpose()?;
        tasks.push(PublishedTask {
            name: row.name,
            kind: row.kind,
            version: row.version,
            schema,
            rules,
            dynamic_data_schema,
        });
    }
    if tasks.is_empty() {
        return Err(fail(format!(
            "`{}` lists no task: is it the index written by `taskdef docs --out`?",
            source.describe(index_name)
        )));
    }
    Ok(tasks)
}

/// A row of the docs index: ``| [`name`](stem.md) | kind | version | description |``.
struct IndexRow {
    name: String,
    stem: String,
    kind: String,
    version: u32,
}

impl IndexRow {
    /// `None` for lines that are not task rows; an error for a task row that cannot be read.
    fn parse(line: &str) -> Option<Result<IndexRow, String>> {
        let rest = line.strip_prefix("| [`")?;
        Some(Self::parse_cells(rest))
    }

    fn parse_cells(rest: &str) -> Result<IndexRow, String> {
        let (name, rest) = rest
            .split_once("`](")
            .ok_or("the task's link is not ``[`name`](page.md)``")?;
        let (stem, rest) = rest
            .split_once(".md)")
            .ok_or("the task's link does not end with `.md)`")?;
        let mut cells = rest.split('|').skip(1).map(str::trim);
        let kind = cells.next().ok_or("no kind column")?;
        let version = cells.next().ok_or("no version column")?;
        let version = version
            .parse()
            .map_err(|_| format!("version `{version}` is not a whole number"))?;
        Ok(IndexRow {
            name: name.to_owned(),
            stem: stem.to_owned(),
            kind: kind.to_owned(),
            version,
        })
    }
}

/// Adds each task's history file to the generated docs and its "Changes" section to its page:
/// the history already in `dir`, grown by the changes from the schema and rules published in
/// `dir` to the new ones.
pub(super) fn add_history(
    registry: &Registry,
    dir: &Path,
    files: &mut BTreeMap<String, String>,
) -> Result<(), CliError> {
    for entry in registry.entries() {
        let stem = crate::docs::page_stem(entry);
        let history_name = format!("{stem}{FILE_SUFFIX}");
        let schema_name = format!("{stem}.schema.json");
        let previous_history = read_if_present(&dir.join(&history_name))?
            .map(|text| {
                History::parse(&text).map_err(|reason| {
                    fail(format!("`{}`: {reason}", dir.join(&history_name).display()))
                })
            })
            .transpose()?;
        let previous_schema = read_if_present(&dir.join(&schema_name))?
            .map(|text| parse_schema(&text, &dir.join(&schema_name).display().to_string()))
            .transpose()?;
        let dynamic_name = format!("{stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}");
        let previous_dynamic_schema = read_if_present(&dir.join(&dynamic_name))?
            .map(|text| parse_schema(&text, &dir.join(&dynamic_name).display().to_string()))
            .transpose()?;
        let task = published_task(entry);
        // Only the schema and the rules of the previous publication are compared.
        let previous = match previous_schema {
            Some(schema) => Some(PublishedTask {
                name: task.name.clone(),
                kind: task.kind.clone(),
                version: task.version,
                schema,
                rules: read_if_present(&dir.join(format!("{stem}.md")))?
                    .map_or_else(Vec::new, |page| crate::docs::rules_of_page(&page)),
                dynamic_data_schema: previous_dynamic_schema,
            }),
            None => None,
        };
        let history = History::updated(previous_history, previous.as_ref(), &task);
        if let Some(page) = files.get_mut(&format!("{stem}.md")) {
            page.push_str(&history.section(&history_name));
        }
        files.insert(history_name, history.to_file());
    }
    Ok(())
}

/// A published schema's text as JSON; `what` names where it was read, for the error.
fn parse_schema(text: &str, what: &str) -> Result<Value, CliError> {
    serde_json::from_str(text).map_err(|error| fail(format!("`{what}` is not JSON: {error}")))
}

fn read_if_present(path: &Path) -> Result<Option<String>, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(fail(format!("cannot read `{}`: {error}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_rows_are_read_and_other_lines_skipped() {
        let row = IndexRow::parse("| [`noop`](signing-noop.md) | signing | 3 | Does nothing. |")
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                row.name.as_str(),
                row.stem.as_str(),
                row.kind.as_str(),
                row.version
            ),
            ("noop", "signing-noop", "signing", 3)
        );
        assert!(IndexRow::parse("| Task | Kind | Version | Description |").is_none());
        let error = IndexRow::parse("| [`x`](x.md) | worker | v1 | |")
            .unwrap()
            .err()
            .unwrap();
        assert!(error.contains("`v1`"), "{error}");
    }
}
