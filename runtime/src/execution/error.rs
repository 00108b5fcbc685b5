//! Why a task did not complete.

use std::path::PathBuf;

use crate::types::TaskConfigError;

/// Why a task did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// The task data turned out unusable on this worker.
    #[error(transparent)]
    Config(#[from] TaskConfigError),
    /// The task ran but did not produce files it must produce.
    #[error("missing files: {}", display_paths(.0))]
    MissingFiles(Vec<PathBuf>),
    /// The task was aborted.
    #[error("the task was aborted")]
    Aborted,
    /// The task needs the server and the context has no server client.
    #[error("task `{task}` needs server access, but none was configured")]
    ServerAccessRequired {
        /// The task's name.
        task: String,
    },
    /// A program the task needs is not installed.
    #[error("`{program}` is not installed or not on PATH")]
    ToolMissing {
        /// The program.
        program: String,
    },
    /// A command could not be run.
    #[error("could not run `{program}`: {source}")]
    Command {
        /// The program.
        program: String,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The task panicked; the runner caught it.
    #[error("the task panicked: {0}")]
    Panicked(String),
    /// Any other failure.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl TaskError {
    /// Any error, as [`TaskError::Other`].
    pub fn other(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        TaskError::Other(error.into())
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
