//! Running a configured task: its context, the one-way abort, external commands, and errors.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::command::{CommandLine, CommandRunner, CommandStatus, ProcessRunner};
use crate::configure::TaskConfigError;
use crate::task::DynTask;

/// A shareable, thread-safe flag: once aborted, a task stays aborted.
///
/// Clones share the flag, so one can be handed to a signal handler or another thread.
#[derive(Debug, Clone, Default)]
pub struct AbortHandle {
    aborted: Arc<AtomicBool>,
}

impl AbortHandle {
    /// A handle that is not aborted.
    pub fn new() -> Self {
        AbortHandle::default()
    }

    /// Marks the task aborted. There is no way back.
    pub fn abort(&self) {
        self.aborted.store(true, Ordering::SeqCst);
    }

    /// Whether [`abort`](AbortHandle::abort) was called on this handle or a clone.
    pub fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::SeqCst)
    }
}

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

/// Runs `task`, logging any error or panic with the task's name, and returns it (Debusine's
/// `execute_logging_exceptions`). A panic becomes [`TaskError::Panicked`].
///
/// ```
/// # use schemars::JsonSchema;
/// # use serde::Deserialize;
/// # use taskdef::{Execute, Task, TaskContext, TaskError};
/// /// Fail loudly.
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]
/// #[task(version = 1)]
/// struct Loud {}
/// impl Execute for Loud {
///     fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
///         panic!("boom")
///     }
/// }
/// use taskdef::execute_logging_errors;
///
/// let task = Loud::configure("{}").unwrap();
/// let ctx = TaskContext::new("loud", std::env::temp_dir());
/// let error = execute_logging_errors(&task, &ctx).unwrap_err();
/// assert_eq!(error.to_string(), "the task panicked: boom");
/// ```
pub fn execute_logging_errors(task: &dyn DynTask, ctx: &TaskContext) -> Result<bool, TaskError> {
    let span = tracing::info_span!("task", name = task.name());
    let _entered = span.enter();
    let outcome = catch_unwind(AssertUnwindSafe(|| task.execute(ctx)))
        .unwrap_or_else(|payload| Err(TaskError::Panicked(panic_message(payload.as_ref()))));
    match &outcome {
        Ok(success) => tracing::info!(task = task.name(), success, "task finished"),
        Err(error) => {
            tracing::error!(task = task.name(), %error, "Exception in Task {}", task.name())
        }
    }
    outcome
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}
