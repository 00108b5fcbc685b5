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
use super::run::parse_seconds;
use crate::client::embed::{ExternalWorker, WorkerError, WorkerOptions};
use crate::registry::Registry;

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

pub(super) fn worker(registry: &'static Registry, args: WorkerArgs) -> CliResult {
    let options = WorkerOptions {
        config_dir: args.config_dir,
        work_dir: args.work_dir,
        grace_period: args.grace_period,
    };
    // Before any thread starts, so that every thread inherits the blocked mask.
    let worker = match ExternalWorker::new(options) {
        Ok(worker) => worker,
        Err(WorkerError::TokenPermissions(message)) => {
            eprintln!("error: {message}");
            return Ok(exit::TOKEN_PERMISSIONS);
        }
        Err(WorkerError::Config(message)) => {
            eprintln!("error: {message}");
            return Ok(exit::USAGE);
        }
        Err(error) => return Err(fail(error.to_string())),
    };
    let level = match (args.log_level, worker.log_level()) {
        (Some(level), _) => level,
        (None, Some(text)) => parse_level(text).map_err(|error| {
            fail(format!(
                "`{}`: log-level: {error}",
                worker.config_dir().join("config.ini").display()
            ))
        })?,
        (None, None) => tracing::Level::INFO,
    };
    let log_file = args
        .log_file
        .clone()
        .or_else(|| worker.log_file().map(PathBuf::from));
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
        config_dir = %worker.config_dir().display(),
        api_url = %worker.api_url(),
        tasks = registry.entries().len(),
        "taskdef worker starting"
    );
    match worker.run(registry) {
        Ok(()) => Ok(exit::SUCCESS),
        Err(error @ WorkerError::WorkDirectory { .. }) => {
            // Debian's worker exits with 3 too.
            tracing::error!("{error}");
            Ok(exit::TOKEN_PERMISSIONS)
        }
        Err(error) => {
            tracing::error!("{error}");
            Err(fail(error.to_string()))
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
