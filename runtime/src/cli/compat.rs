//! `taskdef compat OLD`: the linked tasks against an earlier set of published schemas, and the
//! change history the `docs` command keeps beside each schema.
//!
//! Both go release by release when the tasks name releases of their engine: each release's
//! forms are compared with the old publication's directory of the same release
//! (`OLD/<release>/`, or `docs/tasks/<release>/` in a git revision), and each page's history
//! grows in its release's directory. A release the old publication does not have is new:
//! reported, nothing compared, never blocking.
//!
//! A publication that names no release (the flat layout, as every publication before releases
//! was written) is read as the data of each task's **oldest** form: when an author first names
//! releases, the struct the task had becomes the oldest release's form (`older(release = ...,
//! data = ...)`) and the new engine's data the task's own. So that struct is compared with what
//! was published, its history goes on in the oldest release's directory, and the task's newer
//! releases start as new. A task that names no release has one form, the data of every release,
//! and is compared in each.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use serde_json::{Value, json};

use super::answer::{CliError, CliResult, fail, out};
use super::exit;
use crate::compat::history::{FILE_SUFFIX, History};
use crate::compat::{Change, PublishedTask, TaskEvent, TaskReport, compare_tasks};
use crate::docs::{DYNAMIC_DATA_SCHEMA_SUFFIX, FormPage};
use crate::registry::Registry;

#[derive(Debug, Args)]
pub(super) struct CompatArgs {
    /// The earlier schemas: a directory written by `taskdef docs --out`, or a git revision
    /// (`main`, `HEAD~1`, a commit) whose `--docs-dir` is read with `git show`.
    old: String,
    /// Where the docs sit in the git revision, relative to the current directory.
    #[arg(long, value_name = "PATH", default_value = "docs/tasks")]
    docs_dir: PathBuf,
    /// Print a JSON object: {"old", "ok", "releases": [{release, status, old_tasks}],
    /// "tasks": [{release, task, kind, event, ..., blocks}]}.
    #[arg(long)]
    json: bool,
}

/// A form of a task's data as the docs publish it.
fn published_form(page: &FormPage) -> PublishedTask {
    PublishedTask {
        name: page.entry.name.to_owned(),
        kind: page.entry.kind.as_str().to_owned(),
        version: page.entry.version,
        schema: page.form.schema().clone(),
        rules: crate::docs::page_rules(page.entry),
        dynamic_data_schema: Some(page.form.dynamic_data_schema().clone()),
    }
}

/// An earlier publication, as its index says it was written.
enum Publication {
    /// Flat: written when no task named a release (every publication before releases).
    Flat(Vec<PublishedTask>),
    /// One directory per release, newest first; each read when compared.
    Releases(Vec<String>),
}

impl Publication {
    fn read(source: &Source) -> Result<Publication, CliError> {
        let index = source.read(crate::docs::INDEX)?;
        let releases = crate::docs::releases_of_index(&index);
        if releases.is_empty() {
            return read_published(source, "", &index).map(Publication::Flat);
        }
        Ok(Publication::Releases(releases))
    }
}

/// How one release was compared.
#[derive(Debug, Clone, PartialEq)]
enum ReleaseStatus {
    /// With the old publication's tasks of the release, `count` of them, read from `from`.
    Compared { from: String, count: usize },
    /// A release the old publication does not have: nothing to compare.
    New,
    /// A release the old publication has and no task names any longer.
    Removed,
}

impl ReleaseStatus {
    fn as_str(&self) -> &'static str {
        match self {
            ReleaseStatus::Compared { .. } => "compared",
            ReleaseStatus::New => "new",
            ReleaseStatus::Removed => "removed",
        }
    }
}

/// One release's comparison: its tasks' reports.
#[derive(Debug, Clone)]
struct ReleaseReport {
    /// The release; `None` when neither side names one.
    release: Option<String>,
    status: ReleaseStatus,
    tasks: Vec<TaskReport>,
}

/// The release of `releases` that `asked` selects: the same name, or the longest that is a
/// dotted prefix of it (`0.16` for `0.16.2`), as a task's form is found.
fn selected<'r>(releases: &[&'r str], asked: &str) -> Option<&'r str> {
    releases
        .iter()
        .copied()
        .filter(|&release| {
            asked == release
                || asked
                    .strip_prefix(release)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|release| release.len())
}

/// The tasks of a flat publication that `release` compares: each task's flat data is its
/// oldest form's (see [`crate::docs::oldest_form`]), so a task is compared in the releases
/// whose form is its oldest; a task no longer linked in is reported in the oldest release.
fn flat_in_release(
    registry: &Registry,
    tasks: &[PublishedTask],
    release: &str,
) -> Vec<PublishedTask> {
    let oldest_release = registry.releases().last().copied();
    tasks
        .iter()
        .filter(|task| {
            let entry = registry
                .entries()
                .filter(|entry| entry.name == task.name)
                .min_by_key(|entry| entry.kind.as_str() != task.kind);
            match entry {
                Some(entry) => crate::docs::form_in(entry, release)
                    .is_some_and(|form| std::ptr::eq(form, crate::docs::oldest_form(entry))),
                None => oldest_release == Some(release),
            }
        })
        .cloned()
        .collect()
}

/// The tasks of the old publication's directory of `release`, and where they were read.
fn read_release(source: &Source, release: &str) -> Result<(String, Vec<PublishedTask>), CliError> {
    let prefix = crate::docs::release_prefix(Some(release));
    let index = source.read(&format!("{prefix}{}", crate::docs::INDEX))?;
    let tasks = read_published(source, &prefix, &index)?;
    Ok((source.describe(&prefix), tasks))
}

/// One release compared: `old` as read from `from`, or `None` for a release the old publication
/// does not have.
fn release_report(
    release: Option<&str>,
    old: Option<(String, Vec<PublishedTask>)>,
    new: &[PublishedTask],
) -> ReleaseReport {
    let (status, tasks) = match old {
        Some((from, old)) => (
            ReleaseStatus::Compared {
                from,
                count: old.len(),
            },
            compare_tasks(&old, new),
        ),
        None => (ReleaseStatus::New, Vec::new()),
    };
    ReleaseReport {
        release: release.map(str::to_owned),
        status,
        tasks,
    }
}

/// Every release's comparison of `registry` with `old`, newest release first; `asked` (the
/// `--release`) keeps one.
///
/// - Neither side names a release: one comparison, as before releases.
/// - The registry names releases: each of them, with the old publication's directory of that
///   release (a release it does not have is new), or with a flat publication read as each
///   task's oldest form ([`flat_in_release`]); the old publication's releases that no task
///   names any longer are reported removed.
/// - Only the old publication names releases: the tasks, one form each, are the data of every
///   release, compared with each of its releases.
fn compare_releases(
    registry: &Registry,
    source: &Source,
    old: &Publication,
    asked: Option<&str>,
) -> Result<Vec<ReleaseReport>, CliError> {
    let new_releases = registry.releases();
    let pages = crate::docs::pages(registry);
    let mut reports = Vec::new();
    if new_releases.is_empty() {
        let new: Vec<PublishedTask> = pages.iter().map(published_form).collect();
        match old {
            Publication::Flat(tasks) => {
                let from = source.describe("");
                reports.push(release_report(None, Some((from, tasks.clone())), &new));
            }
            Publication::Releases(old_releases) => {
                let names: Vec<&str> = old_releases.iter().map(String::as_str).collect();
                let chosen: Vec<&str> = match asked {
                    Some(asked) => vec![selected(&names, asked).unwrap_or(asked)],
                    None => names.clone(),
                };
                for release in chosen {
                    let old = if names.contains(&release) {
                        Some(read_release(source, release)?)
                    } else {
                        None
                    };
                    reports.push(release_report(Some(release), old, &new));
                }
            }
        }
        return Ok(reports);
    }
    let chosen: Vec<&str> = match asked {
        Some(asked) => selected(&new_releases, asked).into_iter().collect(),
        None => new_releases.clone(),
    };
    for release in chosen {
        let new: Vec<PublishedTask> = pages
            .iter()
            .filter(|page| page.release == Some(release))
            .map(published_form)
            .collect();
        let old = match old {
            Publication::Flat(tasks) => Some((
                format!(
                    "{}, which names no release: each task's oldest form",
                    source.describe("")
                ),
                flat_in_release(registry, tasks, release),
            )),
            Publication::Releases(old_releases) if old_releases.iter().any(|r| r == release) => {
                Some(read_release(source, release)?)
            }
            Publication::Releases(_) => None,
        };
        reports.push(release_report(Some(release), old, &new));
    }
    if let (Publication::Releases(old_releases), None) = (old, asked) {
        for release in old_releases {
            if !new_releases.contains(&release.as_str()) {
                reports.push(ReleaseReport {
                    release: Some(release.clone()),
                    status: ReleaseStatus::Removed,
                    tasks: Vec::new(),
                });
            }
        }
    }
    Ok(reports)
}

pub(super) fn compat(registry: &Registry, args: CompatArgs, asked: Option<&str>) -> CliResult {
    super::tasks::require_sound(registry)?;
    let source = if Path::new(&args.old).is_dir() {
        Source::Directory(PathBuf::from(&args.old))
    } else {
        Source::git(&args.old, &args.docs_dir)?
    };
    let old = Publication::read(&source)?;
    let releases = compare_releases(registry, &source, &old, asked)?;
    let blocking: Vec<(&ReleaseReport, &TaskReport)> = releases
        .iter()
        .flat_map(|release| release.tasks.iter().map(move |task| (release, task)))
        .filter(|(_, task)| task.blocks())
        .collect();
    if args.json {
        out(&format!(
            "{}\n",
            crate::docs::pretty(&json_report(&releases, &args.old, blocking.is_empty()))
        ))?;
    } else {
        out(&changelog(&releases, &args.old))?;
    }
    if blocking.is_empty() {
        return Ok(exit::SUCCESS);
    }
    let mut report = String::new();
    for (release, task) in blocking {
        report.push_str(&fix_message(task, release.release.as_deref()));
    }
    io::stderr().write_all(report.as_bytes())?;
    Ok(exit::NEGATIVE)
}

/// The `--json` document.
fn json_report(releases: &[ReleaseReport], old: &str, ok: bool) -> Value {
    let mut tasks = Vec::new();
    let mut listed = Vec::new();
    for release in releases {
        let mut entry = json!({"release": release.release, "status": release.status.as_str()});
        if let ReleaseStatus::Compared { count, .. } = &release.status {
            entry["old_tasks"] = Value::from(*count);
        }
        listed.push(entry);
        for report in &release.tasks {
            let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
            value["blocks"] = Value::Bool(report.blocks());
            value["release"] = json!(release.release);
            tasks.push(value);
        }
    }
    json!({"old": old, "ok": ok, "releases": listed, "tasks": tasks})
}

/// The changelog: one paragraph per task that changed, one line per change; release by release
/// when there are releases.
fn changelog(releases: &[ReleaseReport], old: &str) -> String {
    if let [only] = releases
        && only.release.is_none()
    {
        let compared = match &only.status {
            ReleaseStatus::Compared { count, .. } => *count,
            _ => 0,
        };
        let mut text = task_lines(&only.tasks, None);
        text.push_str(&format!(
            "{} tasks in {old}, {} changed, {} need a new version\n",
            compared,
            only.tasks.len(),
            only.tasks.iter().filter(|report| report.blocks()).count()
        ));
        return text;
    }
    let mut text = String::new();
    let (mut changed, mut blocking, mut new, mut removed) = (0, 0, 0, 0);
    for release in releases {
        let name = release.release.as_deref().unwrap_or("(none)");
        match &release.status {
            ReleaseStatus::Compared { from, count } => {
                text.push_str(&format!(
                    "release {name}: compared with {from} ({count} task{})\n",
                    if *count == 1 { "" } else { "s" }
                ));
                text.push_str(&task_lines(&release.tasks, Some(name)));
                changed += release.tasks.len();
                blocking += release.tasks.iter().filter(|task| task.blocks()).count();
            }
            ReleaseStatus::New => {
                new += 1;
                text.push_str(&format!(
                    "release {name}: a new release, not in {old}: nothing to compare\n"
                ));
            }
            ReleaseStatus::Removed => {
                removed += 1;
                text.push_str(&format!(
                    "release {name}: removed: in {old}, but no task here has its data\n"
                ));
            }
        }
    }
    text.push_str(&format!(
        "{} release{} ({new} new, {removed} removed), {changed} task{} changed, {blocking} need a \
         new version\n",
        releases.len(),
        if releases.len() == 1 { "" } else { "s" },
        if changed == 1 { "" } else { "s" },
    ));
    text
}

/// A paragraph per task report; `release` names the release the reports are of.
fn task_lines(reports: &[TaskReport], release: Option<&str>) -> String {
    let mut text = String::new();
    for report in reports {
        let heading = match (&report.event, release) {
            (TaskEvent::Added { version }, None) => format!("new task, version {version}"),
            (TaskEvent::Added { version }, Some(release)) => {
                format!("new in release {release}, version {version}: nothing to compare")
            }
            (TaskEvent::Removed { version }, None) => format!("removed (was version {version})"),
            (TaskEvent::Removed { version }, Some(release)) => {
                format!("no longer in release {release} (was version {version})")
            }
            (
                TaskEvent::KindChanged {
                    old_kind,
                    old_version,
                    new_version,
                },
                _,
            ) => format!(
                "kind changed from {old_kind} (version {old_version} to {new_version}): a new \
                 version key, so no worker confuses the two"
            ),
            (
                TaskEvent::Changed {
                    old_version,
                    new_version,
                    changes,
                },
                _,
            ) => {
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
    text
}

/// What the author must do: the task, its breaking changes, and the two ways out.
fn fix_message(report: &TaskReport, release: Option<&str>) -> String {
    let task = match release {
        Some(release) => format!("`{}` (release {release})", report.task),
        None => format!("`{}`", report.task),
    };
    let version = match &report.event {
        TaskEvent::Changed { old_version, .. } => *old_version,
        _ => 0,
    };
    let breaking: Vec<&Change> = report.breaking().collect();
    let mut text = if breaking.is_empty() {
        format!(
            "error: task {task}: its version went down from {version}; a version only goes up\n"
        )
    } else {
        format!(
            "error: task {task} keeps version {version} but changed in a way that breaks its \
             existing task data:\n"
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

/// The tasks of a published docs directory, or of one release's directory of it (`prefix` is
/// `<release>/`, or empty): its index, `index`, gives each task's name, kind, version and page,
/// `<stem>.schema.json` its schema and the page its documented rules.
fn read_published(
    source: &Source,
    prefix: &str,
    index: &str,
) -> Result<Vec<PublishedTask>, CliError> {
    let index_name = format!("{prefix}{}", crate::docs::INDEX);
    let mut tasks = Vec::new();
    for (number, line) in index.lines().enumerate() {
        let Some(row) = IndexRow::parse(line) else {
            continue;
        };
        let row = row.map_err(|reason| {
            fail(format!(
                "`{}` line {}: {reason}",
                source.describe(&index_name),
                number + 1
            ))
        })?;
        let stem = format!("{prefix}{}", row.stem);
        let schema_name = format!("{stem}.schema.json");
        let text = source.read(&schema_name)?;
        let schema = parse_schema(&text, &source.describe(&schema_name))?;
        let rules = crate::docs::rules_of_page(&source.read(&format!("{stem}.md"))?);
        let dynamic_name = format!("{stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}");
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
            source.describe(&index_name)
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

/// Adds each page's history file to the generated docs and its "Changes" section to the page:
/// the history already in `dir`, grown by the changes from the schema and rules published in
/// `dir` to the new ones, release by release (`<release>/<stem>.changes.json`).
///
/// A release's page with nothing published in its directory yet, whose form is the task's
/// oldest, continues the task's flat publication (`<stem>.*`, written before the task named
/// releases): the struct the task had became that form.
pub(super) fn add_history(
    registry: &Registry,
    dir: &Path,
    files: &mut BTreeMap<String, String>,
) -> Result<(), CliError> {
    for page in crate::docs::pages(registry) {
        let task = published_form(&page);
        let mut previous = previous_publication(dir, &page.path(""), &task)?;
        if previous.0.is_none()
            && previous.1.is_none()
            && page.release.is_some()
            && page.is_oldest_form()
        {
            previous = previous_publication(dir, &page.stem(), &task)?;
        }
        let (previous_history, previous) = previous;
        let mut history = History::updated(previous_history, previous.as_ref(), &task);
        history.release = page.release.map(str::to_owned);
        let history_path = page.path(FILE_SUFFIX);
        if let Some(text) = files.get_mut(&page.path(".md")) {
            text.push_str(&history.section(&format!("{}{FILE_SUFFIX}", page.stem())));
        }
        files.insert(history_path, history.to_file());
    }
    Ok(())
}

/// The history and the task published at `dir`/`stem` (`<release>/<stem>` or `<stem>`), as far
/// as there are: only the schemas and the rules of the previous publication are compared.
fn previous_publication(
    dir: &Path,
    stem: &str,
    task: &PublishedTask,
) -> Result<(Option<History>, Option<PublishedTask>), CliError> {
    let history_path = dir.join(format!("{stem}{FILE_SUFFIX}"));
    let previous_history = read_if_present(&history_path)?
        .map(|text| {
            History::parse(&text)
                .map_err(|reason| fail(format!("`{}`: {reason}", history_path.display())))
        })
        .transpose()?;
    let schema_path = dir.join(format!("{stem}.schema.json"));
    let previous_schema = read_if_present(&schema_path)?
        .map(|text| parse_schema(&text, &schema_path.display().to_string()))
        .transpose()?;
    let dynamic_path = dir.join(format!("{stem}{DYNAMIC_DATA_SCHEMA_SUFFIX}"));
    let previous_dynamic_schema = read_if_present(&dynamic_path)?
        .map(|text| parse_schema(&text, &dynamic_path.display().to_string()))
        .transpose()?;
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
    Ok((previous_history, previous))
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

    #[test]
    fn a_release_is_selected_by_name_or_longest_dotted_prefix() {
        let releases = ["0.16.2", "0.16", "0.11"];
        assert_eq!(selected(&releases, "0.16"), Some("0.16"));
        assert_eq!(selected(&releases, "0.16.2"), Some("0.16.2"));
        assert_eq!(selected(&releases, "0.16.3"), Some("0.16"));
        assert_eq!(selected(&releases, "0.11.7"), Some("0.11"));
        assert_eq!(selected(&releases, "0.1"), None);
        assert_eq!(selected(&releases, "1"), None);
    }

    fn changed(task: &str, old_version: u32, new_version: u32, breaking: bool) -> TaskReport {
        let change = Change {
            pointer: "/a".to_owned(),
            class: if breaking {
                crate::compat::Class::Breaking
            } else {
                crate::compat::Class::Compatible
            },
            what: crate::compat::What::KeyAdded,
            old: None,
            new: None,
            detail: "a change".to_owned(),
        };
        TaskReport {
            task: task.to_owned(),
            kind: "worker".to_owned(),
            event: TaskEvent::Changed {
                old_version,
                new_version,
                changes: vec![change],
            },
        }
    }

    fn releases() -> Vec<ReleaseReport> {
        vec![
            ReleaseReport {
                release: Some("2.0".to_owned()),
                status: ReleaseStatus::New,
                tasks: Vec::new(),
            },
            ReleaseReport {
                release: Some("1.0".to_owned()),
                status: ReleaseStatus::Compared {
                    from: "old/1.0/".to_owned(),
                    count: 2,
                },
                tasks: vec![
                    changed("a", 1, 1, true),
                    TaskReport {
                        task: "b".to_owned(),
                        kind: "worker".to_owned(),
                        event: TaskEvent::Added { version: 1 },
                    },
                ],
            },
            ReleaseReport {
                release: Some("0.9".to_owned()),
                status: ReleaseStatus::Removed,
                tasks: Vec::new(),
            },
        ]
    }

    #[test]
    fn the_changelog_goes_release_by_release() {
        let text = changelog(&releases(), "old");
        assert_eq!(
            text,
            "release 2.0: a new release, not in old: nothing to compare\n\
             release 1.0: compared with old/1.0/ (2 tasks)\n\
             a (worker): version 1 -> 1, 1 change, BREAKING with the same version\n\
             \x20 breaking     /a: a change\n\
             b (worker): new in release 1.0, version 1: nothing to compare\n\
             release 0.9: removed: in old, but no task here has its data\n\
             3 releases (1 new, 1 removed), 2 tasks changed, 1 need a new version\n"
        );
        let message = fix_message(&releases()[1].tasks[0], Some("1.0"));
        assert!(
            message.starts_with("error: task `a` (release 1.0) keeps version 1"),
            "{message}"
        );
    }

    #[test]
    fn without_releases_the_changelog_is_as_before() {
        let flat = [ReleaseReport {
            release: None,
            status: ReleaseStatus::Compared {
                from: "old/".to_owned(),
                count: 4,
            },
            tasks: vec![changed("a", 1, 2, true)],
        }];
        assert_eq!(
            changelog(&flat, "old"),
            "a (worker): version 1 -> 2, 1 change, version bumped\n  breaking     /a: a \
             change\n4 tasks in old, 1 changed, 0 need a new version\n"
        );
        let document = json_report(&flat, "old", true);
        assert_eq!(document["tasks"][0]["release"], Value::Null);
        assert_eq!(document["releases"][0]["status"], "compared");
    }

    #[test]
    fn the_json_report_names_each_tasks_release_and_each_releases_status() {
        let document = json_report(&releases(), "old", false);
        assert_eq!(document["ok"], false);
        let statuses: Vec<(&str, &str)> = document["releases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["release"].as_str().unwrap(),
                    r["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            statuses,
            [("2.0", "new"), ("1.0", "compared"), ("0.9", "removed")]
        );
        assert_eq!(document["releases"][1]["old_tasks"], 2);
        assert!(document["releases"][0].get("old_tasks").is_none());
        let tasks = document["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0]["release"], "1.0");
        assert_eq!(tasks[0]["task"], "a");
        assert_eq!(tasks[0]["blocks"], true);
        assert_eq!(tasks[1]["event"], "added");
    }
}
