//! The generated files: their names, and how a directory differs from them.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use super::text::pretty;
use crate::registry::TaskEntry;
use crate::types::TaskKind;

/// The name of the index page.
pub const INDEX: &str = "README.md";

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
    let mut text = pretty(entry.schema());
    text.push('\n');
    text
}

/// What follows a task's page stem in the name of its dynamic data's schema file.
pub const DYNAMIC_DATA_SCHEMA_SUFFIX: &str = ".dynamic-data.schema.json";

/// The schema of the task's dynamic data, written as [`schema_file`] writes the task's.
pub fn dynamic_data_schema_file(entry: &TaskEntry) -> String {
    let mut text = pretty(entry.dynamic_data_schema());
    text.push('\n');
    text
}

/// How the files in a directory differ from the generated ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated files absent from the directory.
    pub missing: Vec<String>,
    /// Files whose content differs.
    pub changed: Vec<String>,
    /// Files that look generated (`*.md`, `*.schema.json`) but are not.
    pub extra: Vec<String>,
}

impl Drift {
    /// Whether the directory is up to date.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.extra.is_empty()
    }
}

/// Whether a file name is one `docs` could have written: `*.md` or `*.schema.json`.
pub fn looks_generated(name: &str) -> bool {
    name.ends_with(".md") || name.ends_with(".schema.json")
}

/// Compares `dir` with `files`; a missing directory has every file missing.
pub fn check(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<Drift> {
    let mut drift = Drift::default();
    let on_disk = generated_looking_files(dir)?;
    for (name, contents) in files {
        match std::fs::read(dir.join(name)) {
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

/// Writes `files` into `dir` (created if needed) and removes the generated-looking files that
/// are no longer generated; returns the names removed.
pub fn write(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    for (name, contents) in files {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(contents.as_bytes()) {
            std::fs::write(&path, contents)?;
        }
    }
    let stale: Vec<String> = generated_looking_files(dir)?
        .into_iter()
        .filter(|name| !files.contains_key(name))
        .collect();
    for name in &stale {
        std::fs::remove_file(dir.join(name))?;
    }
    Ok(stale)
}

fn generated_looking_files(dir: &Path) -> io::Result<Vec<String>> {
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
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}
