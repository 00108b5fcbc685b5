//! A task's input artifacts: fetched by the ids of its dynamic data under a server, found
//! locally from its lookups offline.
//!
//! Under Debusine the server resolves each lookup into artifact ids when it assigns the work
//! and sends them as the task's dynamic data; [`Inputs`] fetches those into
//! `<work dir>/artifacts/<id>/` and remembers them, since Debusine relates a task's outputs to
//! the inputs it fetched. A run without dynamic data resolves only what is unambiguous locally:
//!
//! - an integer lookup `N` is the directory (or file) `<work dir>/artifacts/N`, fetched there
//!   through the server when the run has one and it is not there yet;
//! - a string lookup is a path relative to the work directory (no `..`, not absolute) that exists.
//!
//! Anything else (a lookup such as `debian/match:codename=bookworm`, or a lookup object) needs
//! the server: without one, [`TaskContext::server`] gives [`TaskError::ServerAccessRequired`];
//! with one, the error says that resolving lookups through it is not implemented here.

use std::path::{Path, PathBuf};

use serde_json::Value;
use taskdef::{ArtifactId, RelationType, TaskContext, TaskError};

use crate::lookup::{LookupItem, LookupMultiple, LookupSingle};

/// The inputs of one run, and the ids of those it fetched.
#[derive(Debug)]
pub struct Inputs<'a> {
    ctx: &'a TaskContext,
    sources: Vec<ArtifactId>,
}

/// The environment a task runs in: where it is, and what its artifact says it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// The environment's file when its artifact has exactly one (a tarball, an image), else
    /// its directory (or the local path offline).
    pub path: PathBuf,
    /// The artifact's data (`vendor`, `codename`, ...); `null` when found locally.
    pub data: Value,
}

impl<'a> Inputs<'a> {
    /// No inputs yet.
    pub fn new(ctx: &'a TaskContext) -> Self {
        Inputs {
            ctx,
            sources: Vec::new(),
        }
    }

    /// Artifact `id` (from the dynamic data) fetched into `<work dir>/artifacts/<id>/`: its
    /// directory. It counts as a source of the task's outputs.
    pub fn fetch(&mut self, id: ArtifactId) -> Result<PathBuf, TaskError> {
        let fetched = self.ctx.fetch_artifact(id)?;
        self.sources.push(id);
        Ok(fetched.dir)
    }

    /// The input of `field`: artifact `id` of the dynamic data when the run has some (`id` is
    /// `Some`), else `lookup` resolved locally. Only fetched inputs count as sources: offline
    /// the recorded ids number the run's own outputs, and an input's id would be mistaken for
    /// one of them.
    pub fn single(
        &mut self,
        field: &str,
        lookup: &LookupSingle,
        id: Option<ArtifactId>,
    ) -> Result<PathBuf, TaskError> {
        if let Some(id) = id.or_else(|| self.served_id(lookup)) {
            return self.fetch(id);
        }
        resolve_single(self.ctx, field, lookup)
    }

    /// The inputs of `field`: artifacts `ids` of the dynamic data when the run has some, else
    /// `lookup` resolved locally.
    pub fn multiple(
        &mut self,
        field: &str,
        lookup: &LookupMultiple,
        ids: Option<&[ArtifactId]>,
    ) -> Result<Vec<PathBuf>, TaskError> {
        if let Some(ids) = ids {
            return ids.iter().map(|id| self.fetch(*id)).collect();
        }
        lookup
            .items
            .iter()
            .map(|item| match item {
                LookupItem::Single(single) => self.single(field, single, None),
                LookupItem::Dict(dict) => {
                    needs_server(self.ctx, field, &format!("a lookup in {}", dict.collection))
                }
            })
            .collect()
    }

    /// The artifact id an integer lookup names, when the run has a server and the artifact is
    /// not already under the work directory: a run without dynamic data (`taskdef run` with a
    /// server, an older server) still fetches what is named by id.
    fn served_id(&self, lookup: &LookupSingle) -> Option<ArtifactId> {
        let LookupSingle::Id(id) = lookup else {
            return None;
        };
        let id = ArtifactId::try_from(*id).ok()?;
        let local = local_path(self.ctx.work_dir(), lookup).is_some();
        (!local && self.ctx.server().is_ok()).then_some(id)
    }

    /// The environment of `field`: artifact `id` of the dynamic data when the run has some,
    /// else `lookup` resolved locally. Not a source: Debusine does not relate outputs to it.
    pub fn environment(
        &self,
        field: &str,
        lookup: &LookupSingle,
        id: Option<ArtifactId>,
    ) -> Result<Environment, TaskError> {
        let Some(id) = id.or_else(|| self.served_id(lookup)) else {
            return Ok(Environment {
                path: resolve_single(self.ctx, field, lookup)?,
                data: Value::Null,
            });
        };
        let mut fetched = self.ctx.fetch_artifact(id)?;
        let path = match fetched.files.len() {
            1 => fetched.files.remove(0),
            _ => fetched.dir,
        };
        Ok(Environment {
            path,
            data: fetched.data,
        })
    }

    /// The ids of the inputs fetched, in order.
    pub fn sources(&self) -> &[ArtifactId] {
        &self.sources
    }

    /// Relates `artifact` to every source as `relation`.
    pub fn relate_to_sources(
        &self,
        artifact: ArtifactId,
        relation: RelationType,
    ) -> Result<(), TaskError> {
        for source in &self.sources {
            self.ctx.relate_artifacts(artifact, *source, relation)?;
        }
        Ok(())
    }
}

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
            taskdef::paths::check_relative(text).ok()?;
            work_dir.join(text)
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

/// The regular files directly in `dir` whose names end in one of `suffixes`, sorted; symbolic
/// links are skipped (sbuild's `<package>_<version>_<arch>.build` link names the real log).
pub fn output_files(dir: &Path, suffixes: &[&str]) -> Result<Vec<PathBuf>, TaskError> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|error| TaskError::other(format!("{}: {error}", dir.display())))?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| entry.path())
        .filter(|file| {
            let name = file.to_string_lossy();
            suffixes.iter().any(|suffix| name.ends_with(suffix))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Reads `path` as text, as a task error naming the file on failure.
pub fn read_file(path: &Path) -> Result<String, TaskError> {
    std::fs::read_to_string(path)
        .map_err(|error| TaskError::other(format!("{}: {error}", path.display())))
}
