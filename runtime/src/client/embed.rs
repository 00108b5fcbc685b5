//! The worker for a program that embeds it (feature `worker`, without the command line): what
//! `taskdef worker` runs, with the program's own argument parsing and logging.
//!
//! Two steps, because logging is set up between them: [`ExternalWorker::new`] takes SIGINT and
//! SIGTERM and reads the configuration directory (which says where and how much to log), then
//! [`ExternalWorker::run`] joins the server and serves work requests until a signal stops it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::config::{WorkerConfig, resolve_directory};
use super::signals::stop_on_signals;
use super::wake::{Shutdown, Wakeup};
use super::worker::{Timings, Worker};
use crate::execution::AbortHandle;
use crate::registry::Registry;
use crate::types::WorkerType;

/// How an embedded worker finds its configuration and where its work requests work; each
/// field overrides what the configuration directory says, as `taskdef worker`'s options do.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The configuration directory (config.ini, token, activation-token); `None`: the first of
    /// `~/.config/debusine/worker` and `/etc/debusine/worker` that exists.
    pub config_dir: Option<PathBuf>,
    /// The directory under which each work request gets a fresh one; `None`: config.ini's
    /// `working-directory`, else `~/workdir`, else `/tmp`, as Debian's worker.
    pub work_dir: Option<PathBuf>,
    /// How long a task's command has between SIGTERM and SIGKILL when it is stopped.
    pub grace_period: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            config_dir: None,
            work_dir: None,
            grace_period: Duration::from_secs(5),
        }
    }
}

/// Why an embedded worker could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkerError {
    /// The signals or the wake-up channel could not be set up.
    #[error("{0}")]
    Setup(String),
    /// A token file is readable by others (Debian's worker exits with 3).
    #[error("{0}")]
    TokenPermissions(String),
    /// The configuration directory is missing, unreadable or invalid.
    #[error("{0}")]
    Config(String),
    /// The work directory cannot be created (Debian's worker exits with 3).
    #[error("could not create working directory `{}`: {reason}", path.display())]
    WorkDirectory {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// The worker stopped on an error it cannot recover from (a refused registration, ...).
    #[error("{0}")]
    Run(String),
}

/// A worker whose configuration is read and which stops on SIGINT and SIGTERM, ready to
/// [`run`](Self::run).
///
/// ```no_run
/// use taskdef::{ExternalWorker, Registry, WorkerOptions};
///
/// let worker = ExternalWorker::new(WorkerOptions::default())?;
/// // Set up logging here (any `tracing` subscriber), from `worker.log_level()` if wanted.
/// worker.run(Registry::global())?;
/// # Ok::<(), taskdef::WorkerError>(())
/// ```
pub struct ExternalWorker {
    config: WorkerConfig,
    shutdown: Shutdown,
    wakeup: Wakeup,
    options: WorkerOptions,
}

impl ExternalWorker {
    /// Blocks SIGINT and SIGTERM in this thread and every thread started after it (call it
    /// before the program starts threads, so that a signal reaches the worker), and reads the
    /// configuration directory.
    pub fn new(options: WorkerOptions) -> Result<Self, WorkerError> {
        let wakeup = Wakeup::new()
            .map_err(|error| WorkerError::Setup(format!("cannot make a socket pair: {error}")))?;
        let shutdown = Shutdown::new(AbortHandle::new(), wakeup.waker());
        stop_on_signals(&shutdown, "the worker").map_err(WorkerError::Setup)?;
        let dir = resolve_directory(options.config_dir.as_deref())
            .map_err(|error| WorkerError::Config(error.to_string()))?;
        let config = WorkerConfig::read(&dir).map_err(|error| match error.exit_code() {
            3 => WorkerError::TokenPermissions(error.to_string()),
            _ => WorkerError::Config(error.to_string()),
        })?;
        Ok(ExternalWorker {
            config,
            shutdown,
            wakeup,
            options,
        })
    }

    /// The configuration directory it read.
    pub fn config_dir(&self) -> &Path {
        &self.config.dir
    }

    /// config.ini's `log-level`, as Python's logging names it (`INFO`, `WARNING`...), if set.
    pub fn log_level(&self) -> Option<&str> {
        self.config.log_level.as_deref()
    }

    /// config.ini's `log-file`, if set.
    pub fn log_file(&self) -> Option<&Path> {
        self.config.log_file.as_deref()
    }

    /// The server's API URL.
    pub fn api_url(&self) -> &str {
        &self.config.api_url
    }

    /// Joins the server (registering first if the directory holds only an activation token)
    /// and serves `registry`'s external tasks until SIGINT or SIGTERM; logs through `tracing`.
    pub fn run(self, registry: &'static Registry) -> Result<(), WorkerError> {
        let work_root = work_root(self.options.work_dir, self.config.working_directory.clone());
        std::fs::create_dir_all(&work_root).map_err(|reason| WorkerError::WorkDirectory {
            path: work_root.clone(),
            reason,
        })?;
        let worker = Worker {
            config: self.config,
            registry,
            metadata: Box::new(move || registry.worker_metadata(WorkerType::External)),
            shutdown: self.shutdown,
            wakeup: self.wakeup,
            work_root,
            grace_period: self.options.grace_period,
            timings: Timings::default(),
        };
        worker.run().map_err(WorkerError::Run)
    }
}

/// Where work requests work: the option, else `working-directory`, else `$HOME/workdir`, else
/// `/tmp` (Debian's `ConfigHandler.working_directory`).
fn work_root(explicit: Option<PathBuf>, configured: Option<PathBuf>) -> PathBuf {
    explicit.or(configured).unwrap_or_else(|| {
        match std::env::var_os("HOME").filter(|home| !home.is_empty()) {
            Some(home) => PathBuf::from(home).join("workdir"),
            None => PathBuf::from("/tmp"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_directory_is_the_options_then_the_configurations_then_home() {
        let explicit = Some(PathBuf::from("/a"));
        let configured = Some(PathBuf::from("/b"));
        assert_eq!(work_root(explicit, configured.clone()), PathBuf::from("/a"));
        assert_eq!(work_root(None, configured), PathBuf::from("/b"));
        let default = work_root(None, None);
        assert!(
            default.ends_with("workdir") || default == Path::new("/tmp"),
            "{}",
            default.display()
        );
    }

    #[test]
    fn a_missing_configuration_directory_is_a_config_error_naming_it() {
        let options = WorkerOptions {
            config_dir: Some(PathBuf::from("/nonexistent/taskdef-worker-config")),
            ..WorkerOptions::default()
        };
        match ExternalWorker::new(options) {
            Err(WorkerError::Config(message)) => {
                assert!(
                    message.contains("/nonexistent/taskdef-worker-config"),
                    "{message}"
                )
            }
            Err(other) => panic!("expected a config error, got {other:?}"),
            Ok(_) => panic!("a missing directory was read"),
        }
    }
}
