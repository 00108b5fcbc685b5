//! The `mergeuploads` task.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, CommandLine, Execute, RelationType, Rules, Task, TaskConfigError, TaskContext,
    TaskError,
};

use crate::artifacts::file_with_suffix;
use crate::categories;
use crate::deb822::{self, Paragraph};
use crate::debusine_0_11;
use crate::dynamic_data::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::signing::{self, Stop, failure};

/// Merge several uploads of one source package and version into one.
///
/// The `.changes` files of the `debian:upload`s merged into one, to upload them together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = MergeUploadsDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = debusine_0_11::MergeUploads,
        dynamic_data = debusine_0_11::MergeUploadsDynamicData
    )
)]
pub struct MergeUploads {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// No longer used (Debusine keeps it for old task data).
    #[serde(default)]
    pub backend: Backend,
    /// No longer used (Debusine keeps it for old task data).
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// The uploads to merge.
    pub input: MergeUploadsInput,
}

/// What the server found for a `mergeuploads` task (Debusine's `MergeUploadsDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeUploadsDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// No longer used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The uploads, as found for `input.uploads`: each once.
    #[schemars(extend("uniqueItems" = true))]
    pub input_uploads_ids: Vec<ArtifactId>,
}

/// The uploads of a `mergeuploads` task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeUploadsInput {
    /// The `debian:upload` artifacts.
    pub uploads: LookupMultiple,
}

/// The file lists of a `.changes` and the names of their columns, as python-debian reads them.
const LISTS: [(&str, &[&str]); 3] = [
    ("Files", &["md5sum", "size", "section", "priority", "name"]),
    ("Checksums-Sha1", &["sha1", "size", "name"]),
    ("Checksums-Sha256", &["sha256", "size", "name"]),
];

/// `value` as Python's `repr` writes a string.
pub fn py_repr(value: &str) -> String {
    let quote = if value.contains('\'') && !value.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// One entry of a file list: its columns, in order.
type Entry = Vec<(&'static str, String)>;

/// Python's `repr` of an entry (a dict).
fn entry_repr(entry: &Entry) -> String {
    let items: Vec<String> = entry
        .iter()
        .map(|(key, value)| format!("{}: {}", py_repr(key), py_repr(value)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// The entries of the file list `field` of `changes`.
fn entries(changes: &Paragraph, field: &str) -> Vec<Entry> {
    let Some((_, keys)) = LISTS.iter().find(|(name, _)| *name == field) else {
        return Vec::new();
    };
    deb822::field(changes, field)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            keys.iter()
                .copied()
                .zip(line.split_whitespace().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The value of `name` in an entry.
fn column<'a>(entry: &'a Entry, name: &str) -> &'a str {
    entry
        .iter()
        .find(|(key, _)| *key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// `field` of `changes`, or a failure naming the field (Python's `KeyError`).
fn require<'a>(changes: &'a Paragraph, field: &str, path: &Path) -> Result<&'a str, Stop> {
    deb822::field(changes, field).map_or_else(
        || failure(format!("{}: no {field} field", path.display())),
        Ok,
    )
}

/// Debusine's checks of the `.changes` files to merge, in its order and with its messages: a
/// file name with a directory, format 1.8, the same `Format`, `Source` and `Version`, the same
/// description of each binary package, no checksum fields but SHA-1 and SHA-256, the same
/// checksums for each file name; then what Debusine stops at without a message: one file listed
/// by two uploads.
pub fn check(all: &[(PathBuf, Paragraph)]) -> Result<(), Stop> {
    for (path, changes) in all {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        for (field, _) in LISTS {
            for entry in entries(changes, field) {
                let file = column(&entry, "name");
                if file.is_empty() || file.contains('/') || file == "." || file == ".." {
                    return failure(format!(
                        "{} has an entry in {field} with more than one path component: {}",
                        py_repr(&name),
                        py_repr(file)
                    ));
                }
            }
        }
    }
    let Some((first_path, first)) = all.first() else {
        return failure("input.uploads: no uploads to merge");
    };
    let format = require(first, "Format", first_path)?;
    if format != "1.8" {
        return failure(format!("Unknown .changes format: {format}"));
    }
    for field in ["Format", "Source", "Version"] {
        let mut values = Vec::new();
        for (path, changes) in all {
            values.push(require(changes, field, path)?);
        }
        if values.iter().any(|value| *value != values[0]) {
            let list: Vec<String> = values.iter().map(|value| py_repr(value)).collect();
            return failure(format!(
                "{field} fields do not match: [{}]",
                list.join(", ")
            ));
        }
    }
    let mut descriptions: BTreeMap<String, String> = BTreeMap::new();
    for (_, changes) in all {
        for line in deb822::field(changes, "Description")
            .unwrap_or_default()
            .lines()
        {
            let Some((name, description)) = description_line(line) else {
                continue;
            };
            match descriptions.get(name) {
                Some(known) if known != description => {
                    return failure(format!(
                        "Descriptions for {name} do not match: {} != {}",
                        py_repr(known),
                        py_repr(description)
                    ));
                }
                _ => {
                    descriptions.insert(name.to_owned(), description.to_owned());
                }
            }
        }
    }
    let mut seen: BTreeMap<(&str, String), Entry> = BTreeMap::new();
    for (_, changes) in all {
        for (field, _) in changes {
            let lower = field.to_ascii_lowercase();
            if lower.starts_with("checksums-")
                && lower != "checksums-sha1"
                && lower != "checksums-sha256"
            {
                return failure(format!("Unsupported checksum field: {field}"));
            }
        }
        for (field, _) in LISTS {
            for entry in entries(changes, field) {
                let name = column(&entry, "name").to_owned();
                match seen.get(&(field, name.clone())) {
                    Some(known) if *known != entry => {
                        return failure(format!(
                            "Entries in {field} for {name} do not match: {} != {}",
                            entry_repr(known),
                            entry_repr(&entry)
                        ));
                    }
                    _ => {
                        seen.insert((field, name), entry);
                    }
                }
            }
        }
    }
    let mut listed_by: BTreeMap<String, &Path> = BTreeMap::new();
    for (path, changes) in all {
        for entry in entries(changes, "Checksums-Sha256") {
            let name = column(&entry, "name").to_owned();
            if let Some(other) = listed_by.insert(name.clone(), path) {
                return failure(format!(
                    "{name} is listed by two uploads ({} and {}): each file must come from one",
                    other.display(),
                    path.display()
                ));
            }
        }
    }
    Ok(())
}

/// A line ` <package> - <description>` of a `Description` field (Debusine's
/// `^ ([^ ]+) - (.+)`), as its two parts.
fn description_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(' ')?;
    let end = rest.find(' ')?;
    let (name, after) = rest.split_at(end);
    let description = after.strip_prefix(" - ")?;
    (!name.is_empty() && !description.is_empty()).then_some((name, description))
}

/// The merged `.changes`'s file name, as mergechanges(1) and Debusine name it:
/// `<source>_<version without epoch>_multi.changes`.
pub fn merged_name(source: &str, version: &str) -> Result<String, Stop> {
    let version = match version.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.chars().all(|c| c.is_ascii_digit()) => {
            rest
        }
        _ => version,
    };
    let name = format!("{source}_{version}_multi.changes");
    if name.contains('/') || name.starts_with('.') {
        return failure(format!(
            "Source {} and Version {} make no plain file name",
            py_repr(source),
            py_repr(version)
        ));
    }
    Ok(name)
}

impl MergeUploads {
    /// `mergechanges` of the `.changes` files (the one file twice when there is only one, as
    /// mergechanges needs two), its output to `merged`.
    ///
    /// mergechanges takes no `--`: a relative path gets a `./` so that none reads as an option.
    pub fn command_line(changes: &[PathBuf], merged: &Path) -> CommandLine {
        let plain = |path: &PathBuf| {
            if path.is_absolute() {
                path.clone()
            } else {
                Path::new(".").join(path)
            }
        };
        let mut command = CommandLine::new("mergechanges").args(changes.iter().map(plain));
        if let [only] = changes {
            command = command.arg(plain(only));
        }
        command.stdout_to(merged)
    }

    fn run(&self, ctx: &TaskContext) -> Result<(), Stop> {
        let dynamic = Self::dynamic_data(ctx);
        let mut uploads: Vec<(Option<ArtifactId>, PathBuf)> = signing::multiple(
            ctx,
            "input.uploads",
            &self.input.uploads,
            dynamic.map(|data| data.input_uploads_ids.as_slice()),
            categories::UPLOAD,
        )?
        .into_iter()
        .map(|input| (input.id, input.path))
        .collect();
        // Debusine merges in the order of the artifact ids.
        if uploads.iter().all(|(id, _)| id.is_some()) {
            uploads.sort_by_key(|(id, _)| *id);
        }
        let mut all = Vec::new();
        for (_, path) in &uploads {
            let changes = file_with_suffix(path, ".changes")?;
            let fields = deb822::read_first(&changes)?;
            all.push((changes, fields));
        }
        check(&all)?;

        let (first_path, first) = &all[0];
        let name = merged_name(
            require(first, "Source", first_path)?,
            require(first, "Version", first_path)?,
        )?;
        let dir = ctx.work_dir().join("merged");
        signing::fresh_dir(&dir)?;
        for (changes, fields) in &all {
            let from = changes.parent().unwrap_or(ctx.work_dir());
            for entry in entries(fields, "Checksums-Sha256") {
                let file = column(&entry, "name");
                std::os::unix::fs::symlink(from.join(file), dir.join(file)).map_err(|error| {
                    TaskError::other(format!("{}: {error}", dir.join(file).display()))
                })?;
            }
        }
        let merged = dir.join(name);
        let changes: Vec<PathBuf> = all.iter().map(|(path, _)| path.clone()).collect();
        signing::run_or_fail(ctx, &Self::command_line(&changes, &merged))?;

        let id = ctx.upload_artifact(categories::upload(&merged, &dir)?)?;
        for (input, _) in &uploads {
            if let Some(input) = input {
                ctx.relate_artifacts(id, *input, RelationType::Extends)?;
            }
        }
        Ok(())
    }
}

impl Execute for MergeUploads {
    const RULES: &'static [&'static str] = &[crate::lookup::RULE_MATCHERS];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        if self.input.uploads.has_rules_to_check() {
            self.input.uploads.check("/input/uploads", &mut rules);
        }
        rules.finish()
    }

    /// Checks that the uploads fit together as Debusine does, merges their `.changes` with
    /// mergechanges(1) (which writes what Debusine's own merge writes), and uploads the result
    /// with every file of every upload as one `debian:upload`, extending each input. Uploads
    /// that do not fit (another source or version, different checksums for one file name) fail
    /// the task, as in Debusine.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        signing::finish(Self::NAME, self.run(ctx))
    }
}
