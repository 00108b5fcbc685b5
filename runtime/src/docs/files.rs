//! The generated files: their names, and how a directory (with its release subdirectories)
//! differs from them.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path};

use super::text::pretty;
use crate::registry::TaskEntry;
use crate::types::TaskKind;

/// The name of the index page.
pub const INDEX: &str = "README.md";

/// How the index of a release's directory starts; what tells such a directory from others.
pub const RELEASE_INDEX_HEADING: &str = "# Tasks in release ";

/// The file stem of a task's pages: its name for worker tasks, `<kind>-<name>` for the others
/// (a signing `noop` may sit beside the worker `noop`).
pub fn page_stem(entry: &TaskEntry) -> String {
    match entry.kind {
        TaskKind::Worker => entry.name.to_owned(),
        kind => format!("{kind}-{}", entry.name),
    }
}

/// The schema as pretty JSON with sorted keys and a final newline.
pub fn schema_file(entry: &TaskEntry) -> String {
    schema_text(entry.schema())
}

/// A schema as a file: pretty JSON with sorted keys and a final newline.
pub(super) fn schema_text(schema: &serde_json::Value) -> String {
    let mut text = pretty(schema);
    text.push('\n');
    text
}

/// What follows a task's page stem in the name of its dynamic data's schema file.
pub const DYNAMIC_DATA_SCHEMA_SUFFIX: &str = ".dynamic-data.schema.json";

/// The schema of the task's dynamic data, written as [`schema_file`] writes the task's.
pub fn dynamic_data_schema_file(entry: &TaskEntry) -> String {
    schema_text(entry.dynamic_data_schema())
}

/// How the files in a directory differ from the generated ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated files absent from the directory.
    pub missing: Vec<String>,
    /// Files whose content differs.
    pub changed: Vec<String>,
    /// Files that look generated (`*.md`, `*.schema.json`, `*.changes.json`) but are not, in
    /// the directory or in a release directory of it.
    pub extra: Vec<String>,
}

impl Drift {
    /// Whether the directory is up to date.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.extra.is_empty()
    }
}

/// Whether a file name is one `docs` could have written: `*.md`, `*.schema.json`, or a task's
/// history, `*.changes.json`.
pub fn looks_generated(name: &str) -> bool {
    name.ends_with(".md") || name.ends_with(".schema.json") || name.ends_with(".changes.json")
}

/// Compares `dir` with `files` (paths relative to `dir`, `/`-separated); a missing directory
/// has every file missing. Besides `dir` itself, the subdirectories `files` has files in and
/// those holding the index of a release (a release no longer generated) are searched for
/// extra files.
pub fn check(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<Drift> {
    let mut drift = Drift::default();
    let on_disk = generated_looking_files(dir, files)?;
    for (name, contents) in files {
        match std::fs::read(dir.join(relative(name)?)) {
            Ok(bytes) if bytes == contents.as_bytes() => {}
            Ok(_) => drift.changed.push(name.clone()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                drift.missing.push(name.clone())
            }
            Err(error) => return Err(error),
        }
    }
    drift.extra = on_disk
        .into_iter()
        .filter(|name| !files.contains_key(name))
        .collect();
    Ok(drift)
}

/// Writes `files` into `dir` (created if needed, with the subdirectories the paths name) and
/// removes the generated-looking files that are no longer generated, in the directories
/// [`check`] searches; a release directory left empty is removed too. Returns the names
/// removed.
pub fn write(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    for (name, contents) in files {
        let path = dir.join(relative(name)?);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read(&path).ok().as_deref() != Some(contents.as_bytes()) {
            std::fs::write(&path, contents)?;
        }
    }
    let subdirectories = searched_subdirectories(dir, files)?;
    let stale: Vec<String> = generated_looking_files(dir, files)?
        .into_iter()
        .filter(|name| !files.contains_key(name))
        .collect();
    for name in &stale {
        std::fs::remove_file(dir.join(relative(name)?))?;
    }
    for subdirectory in subdirectories {
        // Only when empty: a directory with other files in it is the author's.
        let _ = std::fs::remove_dir(dir.join(subdirectory));
    }
    Ok(stale)
}

/// `name` as a path under the docs directory, refused unless it is one there.
fn relative(name: &str) -> io::Result<&Path> {
    let path = Path::new(name);
    let plain = path
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    if plain && !name.is_empty() {
        Ok(path)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{name}` is not a path inside the docs directory"),
        ))
    }
}

/// The subdirectories of `dir` that [`check`] searches, sorted: those of `files`, and those
/// whose `README.md` is the index of a release.
fn searched_subdirectories(
    dir: &Path,
    files: &BTreeMap<String, String>,
) -> io::Result<BTreeSet<String>> {
    let mut subdirectories: BTreeSet<String> = files
        .keys()
        .filter_map(|name| name.split_once('/').map(|(first, _)| first.to_owned()))
        .collect();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(subdirectories),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let index = std::fs::read_to_string(entry.path().join(INDEX)).unwrap_or_default();
        if index.starts_with(RELEASE_INDEX_HEADING) {
            subdirectories.insert(name);
        }
    }
    Ok(subdirectories)
}

/// The generated-looking files of `dir` and of the subdirectories [`check`] searches, as paths
/// relative to `dir`, sorted.
fn generated_looking_files(
    dir: &Path,
    files: &BTreeMap<String, String>,
) -> io::Result<Vec<String>> {
    let mut names = generated_looking_files_in(dir, "")?;
    for subdirectory in searched_subdirectories(dir, files)? {
        names.extend(generated_looking_files_in(
            &dir.join(&subdirectory),
            &format!("{subdirectory}/"),
        )?);
    }
    names.sort();
    Ok(names)
}

/// The generated-looking files directly in `dir`, each named `prefix` + its file name.
fn generated_looking_files_in(dir: &Path, prefix: &str) -> io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        if let Some(name) = entry.file_name().to_str()
            && looks_generated(name)
        {
            names.push(format!("{prefix}{name}"));
        }
    }
    Ok(names)
}
