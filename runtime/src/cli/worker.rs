//! `taskdef worker`: this binary's tasks served to a Debusine server, as an external worker
//! (feature `worker`).

use std::fs::OpenOptions;
use std::io;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use clap::Args;

use super::answer::{CliResult, fail};
use super::exit;
use super::metadata::worker_metadata;
use super::run::parse_seconds;
use crate::client::config::{WorkerConfig, resolve_directory};
use crate::client::signals::stop_on_signals;
use crate::client::wake::{Shutdown, Wakeup};
use crate::client::worker::{Timings, Worker};
use crate::execution::AbortHandle;
use crate::registry::Registry;
use crate::types::WorkerType;

#[derive(Debug, Args)]
pub(super) struct WorkerArgs {
    /// The configuration directory (config.ini, token, activation-token). Default: the first
    /// of ~/.config/debusine/worker and /etc/debusine/worker that exists.
    #[arg(long, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    /// Append logs to this file instead of standard error (overrides config.ini's
    /// `log-file`).
    #[arg(long, value_name = "FILE")]
    log_file: Option<PathBuf>,
    /// DEBUG, INFO, WARNING, ERROR or CRITICAL (overrides config.ini's `log-level`; default
    /// INFO).
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    log_level: Option<tracing::Level>,
    /// Each work request works in a fresh directory under this one, removed afterwards
    /// (overrides config.ini's `working-directory`; default: ~/workdir, or /tmp without
    /// HOME, as Debian's worker).
    #[arg(long, value_name = "DIR", alias = "working-directory")]
    work_dir: Option<PathBuf>,
    /// Seconds between SIGTERM and SIGKILL when stopping a task's command.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_seconds)]
    grace_period: Duration,
}

/// Python's logging level names, as `debusine-worker --log-level` takes them.
fn parse_level(text: &str) -> Result<tracing::Level, String> {
    match text.to_ascii_uppercase().as_str() {
        "TRACE" => Ok(tracing::Level::TRACE),
        "DEBUG" => Ok(tracing::Level::DEBUG),
        "INFO" => Ok(tracing::Level::INFO),
        "WARNING" | "WARN" => Ok(tracing::Level::WARN),
        "ERROR" | "CRITICAL" => Ok(tracing::Level::ERROR),
        _ => Err(format!(
            "`{text}` is not a log level: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
        )),
    }
}

/// Where work requests work: `--work-dir`, else `working-directory`, else `$HOME/workdir`,
/// else `/tmp` (Debian's `ConfigHandler.working_directory`).
fn work_root(explicit: Option<PathBuf>, configured: Option<PathBuf>) -> PathBuf {
    explicit.or(configured).unwrap_or_else(|| {
        match std::env::var_os("HOME").filter(|home| !home.is_empty()) {
            Some(home) => PathBuf::from(home).join("workdir"),
            None => PathBuf::from("/tmp"),
        }
    })
}

pub(super) fn worker(registry: &'static Registry, args: WorkerArgs) -> CliResult {
    // Before any thread starts, so that every thread inherits the blocked mask.
    let wakeup =
        Wakeup::new().map_err(|error| fail(format!("cannot make a socket pair: {error}")))?;
    let shutdown = Shutdown::new(AbortHandle::new(), wakeup.waker());
    stop_on_signals(&shutdown, "the worker").map_err(fail)?;

    let dir = resolve_directory(args.config_dir.as_deref()).map_err(|e| fail(e.to_string()))?;
    let config = match WorkerConfig::read(&dir) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(match error.exit_code() {
                3 => super::exit::TOKEN_PERMISSIONS,
                _ => exit::USAGE,
            });
        }
    };
    let level = match (args.log_level, &config.log_level) {
        (Some(level), _) => level,
        (None, Some(text)) => parse_level(text).map_err(|error| {
            fail(format!(
                "`{}`: log-level: {error}",
                dir.join("config.ini").display()
            ))
        })?,
        (None, None) => tracing::Level::INFO,
    };
    let log_file = args.log_file.clone().or_else(|| config.log_file.clone());
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false);
    let _ = match &log_file {
        Some(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|error| {
                    fail(format!(
                        "cannot open the log file `{}`: {error}",
                        path.display()
                    ))
                })?;
            builder.with_writer(Mutex::new(file)).try_init()
        }
        None => builder.with_writer(io::stderr).try_init(),
    };
    tracing::info!(
        config_dir = %dir.display(),
        api_url = %config.api_url,
        tasks = registry.entries().len(),
        "taskdef worker starting"
    );
    let work_root = work_root(args.work_dir, config.working_directory.clone());
    if let Err(error) = std::fs::create_dir_all(&work_root) {
        // Debian's worker exits with 3 too.
        tracing::error!(
            "could not create working directory `{}`: {error}",
            work_root.display()
        );
        return Ok(super::exit::TOKEN_PERMISSIONS);
    }
    let worker = Worker {
        config,
        registry,
        metadata: Box::new(move || worker_metadata(registry, WorkerType::External)),
        shutdown,
        wakeup,
        work_root,
        grace_period: args.grace_period,
        timings: Timings::default(),
    };
    match worker.run() {
        Ok(()) => Ok(exit::SUCCESS),
        Err(error) => {
            tracing::error!("{error}");
            Err(fail(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn debusine_level_names_are_accepted() {
        assert_eq!(parse_level("warning"), Ok(tracing::Level::WARN));
        assert_eq!(parse_level("CRITICAL"), Ok(tracing::Level::ERROR));
        assert!(parse_level("loud").unwrap_err().contains("loud"));
    }

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
}
