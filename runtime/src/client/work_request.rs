//! A work request as Debusine sends it to a worker: checked, configured and executed as
//! Debusine's worker does, and its completion payload.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::configure::TaskInput;
use crate::execution::{AnyDynamicData, TaskContext};
use crate::registry::{Registry, TaskEntry};
use crate::task::{DynTask, execute_logging_errors};
use crate::types::TaskKind;

/// The kind of task an external worker runs.
pub(crate) const WORKER_KIND: TaskKind = TaskKind::Worker;

/// The fields of a work request the worker reads; the others are ignored, so that newer
/// servers' additions do not break the worker.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WorkRequest {
    /// The server's id; absent in a work request written by hand.
    #[serde(default)]
    pub id: Option<i64>,
    /// `Worker`, `Server`, `Internal`, `Workflow`, `Signing`, `Wait`.
    pub task_type: String,
    /// The task's name.
    pub task_name: String,
    /// The workspace the work request runs in: what its task uploads goes there.
    #[serde(default)]
    pub workspace: Option<String>,
    /// The task data, as the server validated it.
    #[serde(default)]
    pub task_data: Value,
    /// What the server computed for the task (its lookups resolved to artifact ids, ...);
    /// `null` or absent when it computed nothing.
    #[serde(default)]
    pub dynamic_task_data: Option<Value>,
}

/// Debusine's error codes in a completion payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    /// The work request is not of the kind this worker runs.
    WrongTaskType,
    /// The task is not known here.
    SetupFailed,
    /// The task data is invalid for the task here.
    ConfigureFailed,
    /// The task returned an error or panicked.
    ExecuteFailed,
}

impl ErrorCode {
    /// Debusine's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ErrorCode::WrongTaskType => "wrong-task-type",
            ErrorCode::SetupFailed => "setup-failed",
            ErrorCode::ConfigureFailed => "configure-failed",
            ErrorCode::ExecuteFailed => "execute-failed",
        }
    }
}

/// Why a work request cannot run, or could not complete: an `error` completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkError {
    /// Debusine's code.
    pub code: ErrorCode,
    /// What went wrong, for the server's `output_data.errors`.
    pub message: String,
}

impl WorkError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        WorkError {
            code,
            message: message.into(),
        }
    }
}

/// How a work request ended, as the worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The task returned true.
    Success,
    /// The task returned false.
    Failure,
    /// The task could not run, or failed with an error.
    Error(WorkError),
}

/// `output_data.runtime_statistics`, measured as Debusine's worker measures them: whole
/// seconds of wall-clock time, and whole seconds of the machine's user and system CPU time
/// (all processes, as psutil's `cpu_times()`), both over the task's execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuntimeStatistics {
    /// Wall-clock seconds.
    pub duration: u64,
    /// CPU seconds, or `None` where `/proc/stat` cannot be read.
    pub cpu_time: Option<u64>,
    /// The number of CPUs.
    pub cpu_count: Option<u64>,
}

/// The start of a measurement of [`RuntimeStatistics`].
#[derive(Debug)]
pub(crate) struct Stopwatch {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Stopwatch {
    /// Starts measuring now.
    pub(crate) fn start() -> Self {
        Stopwatch {
            wall: Instant::now(),
            cpu: machine_cpu_time(),
        }
    }

    /// The statistics from the start until now.
    pub(crate) fn stop(&self) -> RuntimeStatistics {
        let cpu_time = match (self.cpu, machine_cpu_time()) {
            (Some(start), Some(end)) => Some(end.saturating_sub(start).as_secs()),
            _ => None,
        };
        RuntimeStatistics {
            duration: self.wall.elapsed().as_secs(),
            cpu_time,
            cpu_count: std::thread::available_parallelism()
                .ok()
                .map(|n| n.get() as u64),
        }
    }
}

/// The machine's user + system CPU time so far, from the first line of `/proc/stat`.
fn machine_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_cpu_time(&stat, clock_ticks_per_second())
}

fn clock_ticks_per_second() -> u64 {
    #[cfg(feature = "worker")]
    {
        use nix::unistd::{SysconfVar, sysconf};
        if let Ok(Some(ticks)) = sysconf(SysconfVar::CLK_TCK)
            && ticks > 0
        {
            return ticks as u64;
        }
    }
    // USER_HZ is 100 on every Linux architecture Debian builds for.
    100
}

/// `cpu  user nice system idle ...` in clock ticks: user + system.
fn parse_cpu_time(stat: &str, ticks_per_second: u64) -> Option<Duration> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let ticks = fields.first()?.checked_add(*fields.get(2)?)?;
    Some(Duration::from_millis(
        ticks.checked_mul(1000)? / ticks_per_second.max(1),
    ))
}

/// What the worker reports when a work request is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Completion {
    /// The result.
    pub outcome: Outcome,
    /// Measured while the task executed; `None` when it did not run.
    pub statistics: Option<RuntimeStatistics>,
}

impl Completion {
    /// An `error` completion for a work request that could not run.
    pub(crate) fn error(error: WorkError) -> Self {
        Completion {
            outcome: Outcome::Error(error),
            statistics: None,
        }
    }

    /// `success`, `failure` or `error`.
    pub(crate) fn result(&self) -> &'static str {
        match self.outcome {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Error(_) => "error",
        }
    }

    /// The body of `PUT /api/1.0/work-request/<id>/completed/`:
    /// `{"result", "output_data": {"runtime_statistics", "errors"}}`, each part only when there
    /// is something to say.
    pub(crate) fn payload(&self) -> Value {
        let mut output = Map::new();
        if let Some(statistics) = &self.statistics {
            let mut stats = Map::new();
            stats.insert("duration".into(), statistics.duration.into());
            if let Some(cpu_time) = statistics.cpu_time {
                stats.insert("cpu_time".into(), cpu_time.into());
            }
            if let Some(cpu_count) = statistics.cpu_count {
                stats.insert("cpu_count".into(), cpu_count.into());
            }
            output.insert("runtime_statistics".into(), Value::Object(stats));
        }
        if let Outcome::Error(error) = &self.outcome {
            output.insert(
                "errors".into(),
                json!([{ "message": error.message, "code": error.code.as_str() }]),
            );
        }
        let mut payload = json!({ "result": self.result() });
        if !output.is_empty() {
            payload["output_data"] = Value::Object(output);
        }
        payload
    }
}

/// A work request's task, found and configured, ready to execute.
pub(crate) struct Prepared {
    /// The task's registry entry.
    pub entry: &'static TaskEntry,
    /// The configured task.
    pub task: Box<dyn DynTask>,
    /// The task's dynamic data, validated and typed; `None` when the work request has none.
    pub dynamic_data: Option<AnyDynamicData>,
}

/// Checks a work request as Debusine's worker does before running it: the task type, then the
/// task's name, then its data, then its dynamic data (a violation of either is
/// `configure-failed`; those of the dynamic data point under `/dynamic_task_data`).
pub(crate) fn prepare(registry: &Registry, request: &WorkRequest) -> Result<Prepared, WorkError> {
    if request.task_type != WORKER_KIND.task_type() {
        return Err(WorkError::new(
            ErrorCode::WrongTaskType,
            format!(
                "this worker runs {} tasks, not {} tasks",
                WORKER_KIND.task_type(),
                request.task_type
            ),
        ));
    }
    let entry = registry
        .get_of_kind(WORKER_KIND, &request.task_name)
        .map_err(|error| WorkError::new(ErrorCode::SetupFailed, error.to_string()))?;
    let task = entry
        .configure(TaskInput::from(&request.task_data))
        .map_err(|error| WorkError::new(ErrorCode::ConfigureFailed, error.to_string()))?;
    // `null` is no dynamic data, as in Debusine's `configure`.
    let dynamic_data = match request.dynamic_task_data.as_ref().filter(|v| !v.is_null()) {
        None => None,
        Some(dynamic) => Some(
            entry
                .configure_dynamic_data(TaskInput::from(dynamic))
                .map_err(|error| {
                    let error = error.nested_under("/dynamic_task_data");
                    WorkError::new(ErrorCode::ConfigureFailed, error.to_string())
                })?,
        ),
    };
    Ok(Prepared {
        entry,
        task,
        dynamic_data,
    })
}

/// Executes a prepared task in `ctx` given its dynamic data, measuring it; `None` when it was
/// aborted (an aborted task reports nothing).
///
/// The calling process becomes a child subreaper, so that the task's orphaned grandchildren
/// are reaped here even where PID 1 does not reap (containers, microVMs).
pub(crate) fn execute(prepared: &Prepared, ctx: &TaskContext) -> Option<Completion> {
    if let Err(error) = nix::sys::prctl::set_child_subreaper(true) {
        tracing::debug!(%error, "cannot become a child subreaper");
    }
    tracing::info!(task = prepared.entry.name, "executing");
    let with_data;
    let ctx = match &prepared.dynamic_data {
        Some(data) => {
            with_data = ctx.clone().with_any_dynamic_data(data.clone());
            &with_data
        }
        None => ctx,
    };
    let stopwatch = Stopwatch::start();
    let outcome = execute_logging_errors(prepared.task.as_ref(), ctx);
    let statistics = stopwatch.stop();
    if ctx.is_aborted() {
        // The runner killed the process group: wait briefly for its members to die.
        reap_orphans(Duration::from_secs(1));
        tracing::warn!(task = prepared.entry.name, "aborted: nothing is reported");
        return None;
    }
    reap_orphans(Duration::ZERO);
    let outcome = match outcome {
        // Every other result of Debusine 0.16 is reported as a failure until the completion
        // carries them.
        Ok(result) if result.is_success() => Outcome::Success,
        Ok(_) => Outcome::Failure,
        Err(error) => Outcome::Error(WorkError::new(ErrorCode::ExecuteFailed, error.to_string())),
    };
    Some(Completion {
        outcome,
        statistics: Some(statistics),
    })
}

/// Reaps exited children (the task's orphans, reparented here), for up to `patience` while
/// some are still running.
fn reap_orphans(patience: Duration) {
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    let deadline = Instant::now() + patience;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {
                if Instant::now() >= deadline {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_user_plus_system_of_the_cpu_line() {
        let stat = "cpu  1000 50 300 9000 10 0 5 0 0 0\ncpu0 500 25 150 4500 5 0 2 0 0 0\n";
        assert_eq!(
            parse_cpu_time(stat, 100),
            Some(Duration::from_millis(13_000))
        );
        assert_eq!(parse_cpu_time("cpu0 1 2 3\n", 100), None);
        assert_eq!(parse_cpu_time("cpu  x 2 3\n", 100), None);
        assert_eq!(parse_cpu_time("cpu  1\n", 100), None);
    }

    #[test]
    fn the_payload_has_statistics_and_errors_only_when_there_are_some() {
        let done = Completion {
            outcome: Outcome::Success,
            statistics: Some(RuntimeStatistics {
                duration: 2,
                cpu_time: Some(1),
                cpu_count: Some(4),
            }),
        };
        assert_eq!(
            done.payload(),
            json!({"result": "success", "output_data": {"runtime_statistics":
                {"duration": 2, "cpu_time": 1, "cpu_count": 4}}})
        );
        let refused = Completion::error(WorkError::new(ErrorCode::SetupFailed, "no such task"));
        assert_eq!(
            refused.payload(),
            json!({"result": "error", "output_data": {"errors":
                [{"message": "no such task", "code": "setup-failed"}]}})
        );
        let failed = Completion {
            outcome: Outcome::Failure,
            statistics: None,
        };
        assert_eq!(failed.payload(), json!({"result": "failure"}));
    }
}
