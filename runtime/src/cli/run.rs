//! `taskdef run`: a task configured and executed here, as Debusine's default external worker
//! would, with its completion payload on standard output.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::answer::{CliError, CliResult, fail};
use super::exit;
use super::input::{FormatArg, read_input};
use crate::client::signals::abort_on_signals;
use crate::client::work_request::{
    Completion, ErrorCode, Outcome, Prepared, Release, WORKER_KIND, WorkError, WorkRequest,
    execute, prepare_in,
};
use crate::execution::{AbortHandle, ProcessRunner, RecordedArtifacts, TaskContext};
use crate::locate::locate_positions;
use crate::registry::Registry;

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

pub(super) fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` is not a duration: expected 0 or more seconds"))
}

/// `{"result": "error", "output_data": {"errors": [{"message", "code"}]}}` on stdout; exit 1.
fn report_error(code: ErrorCode, message: &str) -> CliResult {
    tracing::error!(code = code.as_str(), "{message}");
    let completion = Completion::error(WorkError {
        code,
        message: message.to_owned(),
    });
    print_payload(&completion.payload())?;
    Ok(exit::NEGATIVE)
}

fn print_payload(payload: &Value) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", crate::docs::pretty(payload))?;
    stdout.flush()?;
    Ok(())
}

/// Runs one task here; `release` is the Debusine release whose task data is read (the task's
/// own form when `None`).
pub(super) fn run(registry: &Registry, args: RunArgs, release: Option<&str>) -> CliResult {
    // Before any thread starts, so that every thread inherits the blocked mask.
    let abort = AbortHandle::new();
    abort_on_signals(&abort, "the task").map_err(fail)?;
    let _ = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_max_level(tracing::Level::from(args.log_level))
        .with_target(false)
        .try_init();

    let prepared = match &args.work_request {
        Some(path) => match from_work_request(registry, path, release)? {
            Ok(found) => found,
            Err(outcome) => return outcome,
        },
        None => {
            let (Some(name), Some(file)) = (&args.name, &args.file) else {
                return Err(fail("`run` needs NAME and FILE, or --work-request FILE"));
            };
            match from_name_and_file(registry, name, file, &args.format, release)? {
                Ok(found) => found,
                Err(outcome) => return outcome,
            }
        }
    };

    let runner = ProcessRunner {
        grace_period: args.grace_period,
        ..ProcessRunner::default()
    };
    // Absolute, because commands run in the work directory and get paths of files under it.
    let work_dir = std::path::absolute(&args.work_dir)
        .map_err(|error| fail(format!("{}: {error}", args.work_dir.display())))?;
    let ctx = TaskContext::new(prepared.entry.name, &work_dir)
        .with_abort(abort.clone())
        .with_runner(Arc::new(runner));
    let Some(completion) = execute(&prepared, &ctx) else {
        return Ok(exit::ABORTED);
    };
    write_recorded(&ctx.recorded_artifacts(), &work_dir)?;
    // `run` prints what Debusine's worker would send, less the machine's statistics.
    let completion = Completion {
        statistics: None,
        ..completion
    };
    print_payload(&completion.payload())?;
    Ok(match completion.outcome {
        Outcome::Success => exit::SUCCESS,
        _ => exit::NEGATIVE,
    })
}

/// The file of the work directory that lists what an offline run would have uploaded.
const RECORDED_FILE: &str = "uploads.json";

/// Writes what the task would have uploaded under a server (artifacts with their category,
/// data and files; relations) to `<work dir>/uploads.json`, so that nothing it made goes
/// unreported; nothing is written when it made nothing.
fn write_recorded(recorded: &RecordedArtifacts, work_dir: &Path) -> Result<(), CliError> {
    if recorded.artifacts.is_empty() && recorded.relations.is_empty() {
        return Ok(());
    }
    let artifacts: Vec<Value> = recorded
        .artifacts
        .iter()
        .enumerate()
        .map(|(index, artifact)| {
            let files: serde_json::Map<String, Value> = artifact
                .files
                .iter()
                .map(|file| (file.name.clone(), file.path.display().to_string().into()))
                .collect();
            serde_json::json!({
                "id": index + 1,
                "category": artifact.category,
                "data": artifact.data,
                "files": files,
            })
        })
        .collect();
    let relations: Vec<Value> = recorded
        .relations
        .iter()
        .map(|(artifact, target, relation)| {
            serde_json::json!({"artifact": artifact, "target": target, "type": relation.as_str()})
        })
        .collect();
    let document = serde_json::json!({"artifacts": artifacts, "relations": relations});
    let path = work_dir.join(RECORDED_FILE);
    std::fs::write(&path, crate::docs::pretty(&document))
        .map_err(|error| fail(format!("{}: {error}", path.display())))?;
    tracing::info!(
        path = %path.display(),
        artifacts = recorded.artifacts.len(),
        relations = recorded.relations.len(),
        "what a server would have received"
    );
    Ok(())
}

/// A configured task, or the exit code of a request already answered.
type Found = Result<Prepared, CliResult>;

fn from_work_request(
    registry: &Registry,
    path: &Path,
    release: Option<&str>,
) -> Result<Found, CliError> {
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
    let release = match release {
        Some(name) => Some(
            Release::parse(name)
                .ok_or_else(|| fail(format!("`{name}` is not a Debusine release such as 0.16")))?,
        ),
        None => None,
    };
    Ok(prepare_in(registry, &request, release)
        .map_err(|error| report_error(error.code, &error.message)))
}

fn from_name_and_file(
    registry: &Registry,
    name: &str,
    file: &Path,
    format: &FormatArg,
    release: Option<&str>,
) -> Result<Found, CliError> {
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
    match super::tasks::configure_in(entry, release, input.task_input()) {
        // A task file is task data only: the task resolves its lookups locally.
        Ok(task) => Ok(Ok(Prepared {
            entry,
            task,
            dynamic_data: None,
            release: release.map(str::to_owned),
        })),
        Err(mut error) => {
            locate_positions(&mut error, &input.text, input.format);
            Ok(Err(report_error(
                ErrorCode::ConfigureFailed,
                &error.to_string(),
            )))
        }
    }
}
