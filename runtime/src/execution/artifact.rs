//! Artifacts as a task sees them: inputs fetched by id into the work directory, outputs described
//! by category, data and local files, and relations between them.
//!
//! A task never talks HTTP: it asks its [`TaskContext`](super::TaskContext), which goes through
//! the [`ServerClient`](super::ServerClient) when the task runs under a Debusine server and keeps
//! a local record when it runs offline, so that the same task code serves both.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::TaskError;

/// An artifact id, as Debusine numbers them (ids of offline records count from 1 in the run).
pub type ArtifactId = u64;

/// An artifact a task made and wants uploaded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArtifact {
    /// Debusine's category, such as `debian:package-build-log`.
    pub category: String,
    /// The category's data (its fields as Debusine's models define them).
    pub data: Value,
    /// The files, in the order given.
    pub files: Vec<ArtifactFile>,
}

impl NewArtifact {
    /// An artifact of `category` with `data` and no files yet.
    pub fn new(category: impl Into<String>, data: Value) -> Self {
        NewArtifact {
            category: category.into(),
            data,
            files: Vec::new(),
        }
    }

    /// Adds the local file `path` under the name `name` in the artifact.
    pub fn with_file(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.files.push(ArtifactFile {
            name: name.into(),
            path: path.into(),
        });
        self
    }
}

/// One file of an artifact to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactFile {
    /// Its path inside the artifact (relative, `/`-separated, no `..`).
    pub name: String,
    /// Where it is on this machine.
    pub path: PathBuf,
}

/// How one artifact relates to another, as Debusine names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationType {
    /// `relates-to`: made from, or about, the target (a build log and its packages).
    RelatesTo,
    /// `extends`: adds to the target (signatures, a changes file and its packages).
    Extends,
    /// `built-using`: the target was used to build it (an environment, a source package).
    BuiltUsing,
}

impl RelationType {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationType::RelatesTo => "relates-to",
            RelationType::Extends => "extends",
            RelationType::BuiltUsing => "built-using",
        }
    }
}

impl fmt::Display for RelationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A downloaded artifact: where its files are, and what the server says it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedArtifact {
    /// Its id.
    pub id: ArtifactId,
    /// Its category (empty when it was found locally and not downloaded).
    pub category: String,
    /// Its data (`null` when it was found locally and not downloaded).
    pub data: Value,
    /// The directory holding its files: `<work dir>/artifacts/<id>`.
    pub dir: PathBuf,
    /// Its files, each under `dir`, sorted.
    pub files: Vec<PathBuf>,
}

/// What an offline run would have uploaded: artifacts in order (the id of each is its
/// position counting from 1) and the relations between them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedArtifacts {
    /// The artifacts, in upload order.
    pub artifacts: Vec<NewArtifact>,
    /// `(artifact, target, type)` in the order created.
    pub relations: Vec<(ArtifactId, ArtifactId, RelationType)>,
}

/// Every regular file under `dir`, recursively, sorted; symbolic links are not followed (an
/// artifact's files, or a tool's output directory to upload).
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, TaskError> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), TaskError> {
        let error = |path: &Path, error: std::io::Error| {
            TaskError::other(format!("{}: {error}", path.display()))
        };
        for entry in std::fs::read_dir(dir).map_err(|e| error(dir, e))? {
            let entry = entry.map_err(|e| error(dir, e))?;
            let kind = entry.file_type().map_err(|e| error(&entry.path(), e))?;
            if kind.is_dir() {
                walk(&entry.path(), files)?;
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    Ok(files)
}
