//! `taskdef run`: a task configured and executed here, as Debusine's default external worker
//! would, with its completion payload on standard output.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use nix::sys::signal::{SigSet, Signal};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{CliError, CliResult, FormatArg, exit, fail, read_input};
use crate::configure::TaskInput;
use crate::execution::{AbortHandle, ProcessRunner, TaskContext};
use crate::locate::locate_positions;
use crate::registry::{Registry, TaskEntry};
use crate::task::{DynTask, execute_logging_errors};
use crate::types::TaskKind;

/// The kind of task the embedded worker runs: it is an external worker.
const WORKER_KIND: TaskKind = TaskKind::Worker;

#[derive(Debug, Args)]
pub(super) struct RunArgs {
    /// The task's name (any case); with FILE, instead of --work-request.
    #[arg(required_unless_present = "work_request", requires = "file")]
    name: Option<String>,
    /// The task data: JSON or YAML; `-` reads standard input.
    #[arg(required_unless_present = "work_request")]
    file: Option<PathBuf>,
    /// A work request as Debusine sends it to a worker (JSON or YAML): `task_type`,
    /// `task_name`, `task_data`, ...; unknown fields are ignored.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "file"])]
    work_request: Option<PathBuf>,
    /// Seconds between SIGTERM and SIGKILL when stopping a command on abort.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_seconds)]
    grace_period: Duration,
    /// The directory the task works in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    work_dir: PathBuf,
    /// How much to log on standard error.
    #[arg(long, value_enum, default_value_t = LogLevel::Info)]
    log_level: LogLevel,
    #[command(flatten)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl From<LogLevel> for tracing::Level {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => tracing::Level::ERROR,
            LogLevel::Warn => tracing::Level::WARN,
            LogLevel::Info => tracing::Level::INFO,
            LogLevel::Debug => tracing::Level::DEBUG,
            LogLevel::Trace => tracing::Level::TRACE,
        }
    }
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` is not a duration: expected 0 or more seconds"))
}

/// The fields of a work request the worker reads; the others are ignored.
#[derive(Debug, Deserialize)]
struct WorkRequest {
    #[serde(default)]
    id: Option<i64>,
    task_type: String,
    task_name: String,
    #[serde(default)]
    task_data: Value,
    #[serde(default)]
    dynamic_task_data: Option<Value>,
}

/// Debusine's error codes in a completion payload.
#[derive(Debug, Clone, Copy)]
enum ErrorCode {
    WrongTaskType,
    SetupFailed,
    ConfigureFailed,
    ExecuteFailed,
}

impl ErrorCode {
    fn as_str(self) -> &'static str {
        match self {
            ErrorCode::WrongTaskType => "wrong-task-type",
            ErrorCode::SetupFailed => "setup-failed",
            ErrorCode::ConfigureFailed => "configure-failed",
            ErrorCode::ExecuteFailed => "execute-failed",
        }
    }
}

/// `{"result": "error", "output_data": {"errors": [{"message", "code"}]}}` on stdout; exit 1.
fn report_error(code: ErrorCode, message: &str) -> CliResult {
    tracing::error!(code = code.as_str(), "{message}");
    let payload = json!({
        "result": "error",
        "output_data": { "errors": [{ "message": message, "code": code.as_str() }] },
    });
    print_payload(&payload)?;
    Ok(exit::NEGATIVE)
}

fn print_payload(payload: &Value) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", crate::docs::pretty(payload))?;
    stdout.flush()?;
    Ok(())
}

pub(super) fn run(registry: &Registry, args: RunArgs) -> CliResult {
    // Before any thread starts, so that every thread inherits the blocked mask.
    let abort = AbortHandle::new();
    watch_signals(&abort)?;
    let _ = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_max_level(tracing::Level::from(args.log_level))
        .with_target(false)
        .try_init();

    let (entry, task) = match &args.work_request {
        Some(path) => match from_work_request(registry, path)? {
            Ok(found) => found,
            Err(outcome) => return outcome,
        },
        None => {
            let (Some(name), Some(file)) = (&args.name, &args.file) else {
                return Err(fail("`run` needs NAME and FILE, or --work-request FILE"));
            };
            match from_name_and_file(registry, name, file, &args.format)? {
                Ok(found) => found,
                Err(outcome) => return outcome,
            }
        }
    };

    let runner = ProcessRunner {
        grace_period: args.grace_period,
        ..ProcessRunner::default()
    };
    let ctx = TaskContext::new(entry.name, &args.work_dir)
        .with_abort(abort.clone())
        .with_runner(Arc::new(runner));
    // Become the parent of the task's orphaned grandchildren, so that they are reaped here
    // even where PID 1 does not reap (containers, microVMs).
    if let Err(error) = nix::sys::prctl::set_child_subreaper(true) {
        tracing::debug!(%error, "cannot become a child subreaper");
    }
    tracing::info!(task = entry.name, "executing");
    let outcome = execute_logging_errors(task.as_ref(), &ctx);
    if abort.is_aborted() {
        // The runner killed the process group: wait briefly for its members to die.
        reap_orphans(Duration::from_secs(1));
        tracing::warn!(task = entry.name, "aborted: nothing is reported");
        return Ok(exit::ABORTED);
    }
    reap_orphans(Duration::ZERO);
    match outcome {
        Ok(true) => {
            print_payload(&json!({ "result": "success" }))?;
            Ok(exit::SUCCESS)
        }
        Ok(false) => {
            print_payload(&json!({ "result": "failure" }))?;
            Ok(exit::NEGATIVE)
        }
        Err(error) => report_error(ErrorCode::ExecuteFailed, &error.to_string()),
    }
}

/// A configured task, or the exit code of a request already answered.
type Prepared = Result<(&'static TaskEntry, Box<dyn DynTask>), CliResult>;

fn from_work_request(registry: &Registry, path: &Path) -> Result<Prepared, CliError> {
    let input = read_input(path, None)?;
    let request: WorkRequest = serde_json::from_value(input.value()?).map_err(|error| {
        fail(format!(
            "`{}` is not a work request: {error}",
            input.display
        ))
    })?;
    tracing::info!(
        id = request.id,
        task_type = %request.task_type,
        task_name = %request.task_name,
        "work request"
    );
    if request.task_type != WORKER_KIND.task_type() {
        return Ok(Err(report_error(
            ErrorCode::WrongTaskType,
            &format!(
                "this worker runs {} tasks, not {} tasks",
                WORKER_KIND.task_type(),
                request.task_type
            ),
        )));
    }
    let entry = match registry.get_of_kind(WORKER_KIND, &request.task_name) {
        Ok(entry) => entry,
        Err(error) => {
            return Ok(Err(report_error(
                ErrorCode::SetupFailed,
                &error.to_string(),
            )));
        }
    };
    if let Some(dynamic) = request.dynamic_task_data.as_ref().filter(|v| !v.is_null()) {
        tracing::debug!(%dynamic, "dynamic_task_data is not used by taskdef tasks");
    }
    match entry.configure(TaskInput::from(&request.task_data)) {
        Ok(task) => Ok(Ok((entry, task))),
        Err(error) => Ok(Err(report_error(
            ErrorCode::ConfigureFailed,
            &error.to_string(),
        ))),
    }
}

fn from_name_and_file(
    registry: &Registry,
    name: &str,
    file: &Path,
    format: &FormatArg,
) -> Result<Prepared, CliError> {
    let input = read_input(file, format.format)?;
    let entry = match registry.get(name) {
        Ok(entry) => entry,
        Err(error) => {
            return Ok(Err(report_error(
                ErrorCode::SetupFailed,
                &error.to_string(),
            )));
        }
    };
    if entry.kind != WORKER_KIND {
        return Ok(Err(report_error(
            ErrorCode::WrongTaskType,
            &format!(
                "this worker runs {} tasks, and `{}` is a {} task",
                WORKER_KIND.task_type(),
                entry.name,
                entry.kind.task_type()
            ),
        )));
    }
    match entry.configure(input.task_input()) {
        Ok(task) => Ok(Ok((entry, task))),
        Err(mut error) => {
            locate_positions(&mut error, &input.text, input.format);
            Ok(Err(report_error(
                ErrorCode::ConfigureFailed,
                &error.to_string(),
            )))
        }
    }
}

/// Reaps exited children (the task's orphans, reparented here), for up to `patience` while
/// some are still running.
fn reap_orphans(patience: Duration) {
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    let deadline = std::time::Instant::now() + patience;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {
                if std::time::Instant::now() >= deadline {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(_) => {}
            // ECHILD: no children left.
            Err(_) => return,
        }
    }
}

/// Blocks SIGINT and SIGTERM in this thread (and so in every thread started after it) and
/// starts a thread that takes them with `sigwait` and aborts the task.
///
/// Child processes do not inherit the mask: the standard library resets it when it spawns.
fn watch_signals(abort: &AbortHandle) -> Result<(), CliError> {
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    signals
        .thread_block()
        .map_err(|error| fail(format!("cannot block SIGINT and SIGTERM: {error}")))?;
    let abort = abort.clone();
    std::thread::Builder::new()
        .name("taskdef-signals".to_owned())
        .spawn(move || {
            while let Ok(signal) = signals.wait() {
                if abort.is_aborted() {
                    tracing::warn!(%signal, "already aborting");
                } else {
                    tracing::warn!(%signal, "aborting the task");
                    abort.abort();
                }
            }
        })
        .map_err(|error| fail(format!("cannot start the signal thread: {error}")))?;
    Ok(())
}
