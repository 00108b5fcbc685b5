//! Finding a task's input artifacts on an offline worker.
//!
//! Debusine's server resolves lookups into artifacts and the worker downloads their files. This
//! offline runner has no such service, so it resolves only what is unambiguous locally:
//!
//! - an integer lookup `N` is the directory (or file) `<work dir>/artifacts/N`;
//! - a string lookup is a path relative to the work directory (no `..`, not absolute) that exists.
//!
//! Anything else (a lookup such as `debian/match:codename=bookworm`, or a lookup object) needs
//! the server: without one, [`TaskContext::server`] gives [`TaskError::ServerAccessRequired`];
//! with one, the error says that resolving lookups through it is not implemented here.

use std::path::{Component, Path, PathBuf};

use taskdef::{TaskContext, TaskError};

use crate::lookup::{LookupItem, LookupMultiple, LookupSingle};

/// The local path of a single lookup, or why there is none.
pub fn resolve_single(
    ctx: &TaskContext,
    field: &str,
    lookup: &LookupSingle,
) -> Result<PathBuf, TaskError> {
    match local_path(ctx.work_dir(), lookup) {
        Some(path) => Ok(path),
        None => needs_server(ctx, field, &lookup.to_string()),
    }
}

/// The local paths of a multiple lookup, or why there are none.
pub fn resolve_multiple(
    ctx: &TaskContext,
    field: &str,
    lookup: &LookupMultiple,
) -> Result<Vec<PathBuf>, TaskError> {
    lookup
        .items
        .iter()
        .map(|item| match item {
            LookupItem::Single(single) => resolve_single(ctx, field, single),
            LookupItem::Dict(dict) => {
                needs_server(ctx, field, &format!("a lookup in {}", dict.collection))
            }
        })
        .collect()
}

/// Where a single lookup is under `work_dir`, if it is there.
pub fn local_path(work_dir: &Path, lookup: &LookupSingle) -> Option<PathBuf> {
    let path = match lookup {
        LookupSingle::Id(id) => work_dir.join("artifacts").join(id.to_string()),
        LookupSingle::Path(text) => {
            let relative = Path::new(text);
            let plain = relative
                .components()
                .all(|component| matches!(component, Component::Normal(_)));
            if !plain || text.is_empty() {
                return None;
            }
            work_dir.join(relative)
        }
    };
    path.exists().then_some(path)
}

fn needs_server<T>(ctx: &TaskContext, field: &str, what: &str) -> Result<T, TaskError> {
    ctx.server()?;
    Err(TaskError::other(format!(
        "{field}: `{what}` is not under the work directory {}, and resolving lookups through the \
         server is not implemented by this runner: download the artifact to {}/artifacts/<id>",
        ctx.work_dir().display(),
        ctx.work_dir().display(),
    )))
}

/// The file of an artifact ending in `suffix`: the path itself if it is a file, else the one
/// such file in the artifact's directory.
pub fn file_with_suffix(path: &Path, suffix: &str) -> Result<PathBuf, TaskError> {
    if path.is_file() {
        return Ok(path.to_owned());
    }
    let mut found = files_in(path, suffix)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(TaskError::MissingFiles(vec![
            path.join(format!("*{suffix}")),
        ])),
        _ => Err(TaskError::other(format!(
            "{}: several files end in {suffix}",
            path.display()
        ))),
    }
}

/// The files directly in `dir` whose names end in `suffix`, sorted.
fn files_in(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, TaskError> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|error| TaskError::other(format!("{}: {error}", dir.display())))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|file| file.is_file() && file.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    Ok(found)
}

/// Every file of the artifacts ending in `suffix` (each artifact a file or a directory).
pub fn files_with_suffix(paths: &[PathBuf], suffix: &str) -> Result<Vec<PathBuf>, TaskError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        files.extend(files_in(path, suffix)?);
    }
    Ok(files)
}

/// Writes `contents` to `path`, as a task error on failure.
pub fn write_file(path: &Path, contents: &str) -> Result<(), TaskError> {
    std::fs::write(path, contents)
        .map_err(|error| TaskError::other(format!("{}: {error}", path.display())))
}
