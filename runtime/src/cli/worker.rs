//! `taskdef worker`: this binary's tasks served to a Debusine server, as an external worker
//! (feature `worker`).

use std::fs::OpenOptions;
use std::io;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use clap::Args;

use super::run::parse_seconds;
use super::{CliResult, exit, fail, worker_metadata};
use crate::client::config::{WorkerConfig, resolve_directory};
use crate::client::signals::abort_on_signals;
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
    /// Each work request works in a fresh directory under this one, removed afterwards.
    #[arg(long, value_name = "DIR", default_value_os_t = std::env::temp_dir())]
    work_dir: PathBuf,
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

/// Debian's worker's exit code for a token file that group or others can read.
const EXIT_TOKEN_PERMISSIONS: u8 = 3;

pub(super) fn worker(registry: &'static Registry, args: WorkerArgs) -> CliResult {
    // Before any thread starts, so that every thread inherits the blocked mask.
    let shutdown = AbortHandle::new();
    abort_on_signals(&shutdown, "the worker").map_err(fail)?;

    let dir = resolve_directory(args.config_dir.as_deref()).map_err(|e| fail(e.to_string()))?;
    let config = match WorkerConfig::read(&dir) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(match error.exit_code() {
                3 => EXIT_TOKEN_PERMISSIONS,
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
    let worker = Worker {
        config,
        registry,
        metadata: Box::new(move || worker_metadata(registry, WorkerType::External)),
        shutdown,
        work_root: args.work_dir,
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

    #[test]
    fn debusine_level_names_are_accepted() {
        assert_eq!(parse_level("warning"), Ok(tracing::Level::WARN));
        assert_eq!(parse_level("CRITICAL"), Ok(tracing::Level::ERROR));
        assert!(parse_level("loud").unwrap_err().contains("loud"));
    }
}
