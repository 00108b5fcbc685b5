//! What a running task may use from its surroundings: work directory, abort flag, server, commands.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::abort::AbortHandle;
use super::command::{CommandLine, CommandRunner, CommandStatus, ProcessRunner};
use super::error::TaskError;

/// Access to the Debusine server, for tasks that fetch or upload artifacts.
///
/// A trait so that workers, tests and offline runs can supply their own.
pub trait ServerClient: fmt::Debug + Send + Sync {
    /// Sends a request to the server's API (`path` relative to `/api/1.0/`) and returns the JSON reply.
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, TaskError>;
}

/// Everything a running task may use from its surroundings.
#[derive(Debug, Clone)]
pub struct TaskContext {
    task_name: String,
    abort: AbortHandle,
    server: Option<Arc<dyn ServerClient>>,
    work_dir: PathBuf,
    runner: Arc<dyn CommandRunner>,
}

impl TaskContext {
    /// A context for task `task_name` working in `work_dir`, running commands as real processes,
    /// with no server access.
    pub fn new(task_name: impl Into<String>, work_dir: impl Into<PathBuf>) -> Self {
        TaskContext {
            task_name: task_name.into(),
            abort: AbortHandle::new(),
            server: None,
            work_dir: work_dir.into(),
            runner: Arc::new(ProcessRunner::default()),
        }
    }

    /// Uses this abort handle (keep a clone to abort from elsewhere).
    pub fn with_abort(mut self, abort: AbortHandle) -> Self {
        self.abort = abort;
        self
    }

    /// Gives the task access to the server.
    pub fn with_server(mut self, server: Arc<dyn ServerClient>) -> Self {
        self.server = Some(server);
        self
    }

    /// Runs commands through `runner` instead of real processes (tests, dry runs).
    pub fn with_runner(mut self, runner: Arc<dyn CommandRunner>) -> Self {
        self.runner = runner;
        self
    }

    /// The name of the task running.
    pub fn task_name(&self) -> &str {
        &self.task_name
    }

    /// The task's abort handle.
    pub fn abort_handle(&self) -> &AbortHandle {
        &self.abort
    }

    /// Whether the task was aborted.
    pub fn is_aborted(&self) -> bool {
        self.abort.is_aborted()
    }

    /// `Err(TaskError::Aborted)` once aborted: a checkpoint for long tasks.
    pub fn check_aborted(&self) -> Result<(), TaskError> {
        if self.is_aborted() {
            Err(TaskError::Aborted)
        } else {
            Ok(())
        }
    }

    /// The server client, or a clear error for a task that needs one and has none.
    pub fn server(&self) -> Result<&dyn ServerClient, TaskError> {
        self.server
            .as_deref()
            .ok_or_else(|| TaskError::ServerAccessRequired {
                task: self.task_name.clone(),
            })
    }

    /// The directory the task works in.
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// Runs a command (in the work directory unless it sets its own), stopping it on abort.
    ///
    /// A command that cannot be started because the program is missing gives
    /// [`TaskError::ToolMissing`].
    pub fn run(&self, command: &CommandLine) -> Result<CommandStatus, TaskError> {
        self.check_aborted()?;
        tracing::info!(task = %self.task_name, command = %command, "running");
        let command = if command.cwd.is_none() {
            command.clone().current_dir(&self.work_dir)
        } else {
            command.clone()
        };
        self.runner.run(&command, &self.abort)
    }
}
