//! A work request as Debusine sends it to a worker: checked, configured and executed as
//! Debusine's worker does, and its completion payload.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::configure::TaskInput;
use crate::execution::{AnyDynamicData, Outcome as TaskOutcome, TaskContext};
use crate::registry::{Registry, TaskEntry};
use crate::task::{DynTask, execute_logging_errors};
use crate::types::TaskKind;

/// The kind of task an external worker runs.
pub(crate) const WORKER_KIND: TaskKind = TaskKind::Worker;

/// A Debusine release, as `major.minor`: whose models a work request's data is read with, which
/// results and statistics its server takes, and what its worker protocol has (live logs).
///
/// Releases before 0.16 speak as 0.11 does (the oldest this worker knows); 0.16 and later as
/// 0.16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Release {
    major: u32,
    minor: u32,
}

impl Release {
    /// Debusine 0.11 (Debian 13's 0.11.3): noop's result a boolean, GET get-next-for-worker,
    /// results success, failure and error only.
    pub(crate) const V0_11: Release = Release {
        major: 0,
        minor: 11,
    };
    /// Debusine 0.16: POST get-next-for-worker, live logs over the WebSocket, every
    /// WorkRequestResults outcome, statistics per phase.
    pub(crate) const V0_16: Release = Release {
        major: 0,
        minor: 16,
    };

    /// A version as Debusine writes it (`0.16.2`, `0.11`, `0.16.2+deb1`): its major and minor
    /// numbers; `None` when it does not start with two numbers.
    pub(crate) fn parse(version: &str) -> Option<Release> {
        let mut parts = version.trim().splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor: String = parts
            .next()?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(Release {
            major,
            minor: minor.parse().ok()?,
        })
    }

    /// At least 0.16: the newer protocol.
    fn is_0_16_or_later(self) -> bool {
        self >= Release::V0_16
    }

    /// Whether `get-next-for-worker` is called with POST (0.16) rather than GET.
    pub(crate) fn takes_next_by_post(self) -> bool {
        self.is_0_16_or_later()
    }

    /// Whether the server takes a running task's log over the WebSocket (`log_data`).
    pub(crate) fn streams_logs(self) -> bool {
        self.is_0_16_or_later()
    }

    /// Whether the server's RuntimeStatistics has the phase durations and network counters
    /// (0.11's model forbids unknown fields).
    fn has_phase_statistics(self) -> bool {
        self.is_0_16_or_later()
    }

    /// Whether the server takes `skipped` and `temporary failure` (0.11 takes success,
    /// failure and error only).
    fn has_every_result(self) -> bool {
        self.is_0_16_or_later()
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

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

/// How a work request ended, as the worker reports it: Debusine 0.16's WorkRequestResults,
/// and the worker's own error when it could not run the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The task succeeded.
    Success,
    /// The task ran, and what it checked failed.
    Failure,
    /// The task found nothing to do (0.16's `skipped`).
    Skipped,
    /// The task could not tell, for a reason that may go away (0.16's `temporary failure`).
    TemporaryFailure,
    /// The task reported an error itself, without an exception (0.16's `error`).
    TaskError,
    /// The task could not run, or failed with an error.
    Error(WorkError),
}

impl Outcome {
    /// What a task's [`execute_outcome`](crate::Execute::execute_outcome) returned. No result
    /// (`""`, which noop can be asked for) is not a result a server takes (both refuse `""`
    /// with 400; Debian's worker then exits): it is reported as an `error` saying so.
    pub(crate) fn from_task(outcome: TaskOutcome) -> Self {
        match outcome {
            TaskOutcome::Success => Outcome::Success,
            TaskOutcome::Failure => Outcome::Failure,
            TaskOutcome::Error => Outcome::TaskError,
            TaskOutcome::Skipped => Outcome::Skipped,
            TaskOutcome::TemporaryFailure => Outcome::TemporaryFailure,
            TaskOutcome::NoResult => Outcome::Error(WorkError::new(
                ErrorCode::ExecuteFailed,
                "the task reported no result (\"\"), which a server does not take as a \
                 completion",
            )),
        }
    }

    /// The result's name for a server of `release`: Debusine 0.16's names; for 0.11, which has
    /// only success, failure and error, `skipped` is `success` and `temporary failure` is
    /// `failure`, as 0.11's own autopkgtest reported an all-skipped run and a testbed failure.
    pub(crate) fn result_in(&self, release: Release) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::TaskError | Outcome::Error(_) => "error",
            Outcome::Skipped if release.has_every_result() => "skipped",
            Outcome::Skipped => "success",
            Outcome::TemporaryFailure if release.has_every_result() => "temporary failure",
            Outcome::TemporaryFailure => "failure",
        }
    }

    /// Whether the task succeeded (its debug logs then drop `stages.log`).
    pub(crate) fn is_success(&self) -> bool {
        matches!(self, Outcome::Success)
    }
}

/// `output_data.runtime_statistics`, measured as Debusine's worker measures them: whole
/// seconds of wall-clock time, and whole seconds of the machine's user and system CPU time
/// (all processes, as psutil's `cpu_times()`), both over the task's execution; on 0.16 also
/// the phases' durations and the bytes the machine's non-loopback interfaces received and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RuntimeStatistics {
    /// Wall-clock seconds.
    pub duration: u64,
    /// CPU seconds, or `None` where `/proc/stat` cannot be read.
    pub cpu_time: Option<u64>,
    /// The number of CPUs.
    pub cpu_count: Option<u64>,
    /// Seconds of setup (before the first command), run (from the first command's start to the
    /// last one's end) and teardown (after it); `None` when the phases were not followed.
    pub phases: Option<PhaseDurations>,
    /// Bytes received over non-loopback interfaces, or `None` without `/proc/net/dev`.
    pub network_received: Option<u64>,
    /// Bytes sent over non-loopback interfaces, or `None` without `/proc/net/dev`.
    pub network_sent: Option<u64>,
}

/// Whole seconds of each phase of a task (Debusine 0.16's `duration_setup`, `duration_run`,
/// `duration_teardown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PhaseDurations {
    /// Before the first command.
    pub setup: u64,
    /// From the first command's start to the last one's end; the whole execution when the task
    /// ran no command.
    pub run: u64,
    /// After the last command (uploads).
    pub teardown: u64,
}

/// When a task's commands ran, noted by the runner: the phases of [`PhaseDurations`].
#[derive(Debug, Default)]
pub(crate) struct Phases {
    commands: std::sync::Mutex<(Option<Instant>, Option<Instant>)>,
}

impl Phases {
    /// A command starts now.
    pub(crate) fn command_started(&self) {
        let mut commands = self
            .commands
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        commands.0.get_or_insert_with(Instant::now);
    }

    /// A command ended now.
    pub(crate) fn command_ended(&self) {
        let mut commands = self
            .commands
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        commands.1 = Some(Instant::now());
    }

    /// Whether a command has started.
    #[cfg(test)]
    pub(crate) fn any_command(&self) -> bool {
        self.commands
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
            .is_some()
    }

    /// The phases of an execution from `start` to `end`.
    fn durations(&self, start: Instant, end: Instant) -> PhaseDurations {
        let commands = *self
            .commands
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let seconds = |from: Instant, to: Instant| to.saturating_duration_since(from).as_secs();
        match commands {
            (Some(first), last) => {
                let last = last.unwrap_or(end).clamp(first, end);
                PhaseDurations {
                    setup: seconds(start, first),
                    run: seconds(first, last),
                    teardown: seconds(last, end),
                }
            }
            (None, _) => PhaseDurations {
                setup: 0,
                run: seconds(start, end),
                teardown: 0,
            },
        }
    }
}

/// The start of a measurement of [`RuntimeStatistics`].
#[derive(Debug)]
pub(crate) struct Stopwatch {
    wall: Instant,
    cpu: Option<Duration>,
    network: Option<(u64, u64)>,
}

impl Stopwatch {
    /// Starts measuring now.
    pub(crate) fn start() -> Self {
        Stopwatch {
            wall: Instant::now(),
            cpu: machine_cpu_time(),
            network: network_bytes(),
        }
    }

    /// The statistics from the start until now, with the phases of `phases` when given.
    pub(crate) fn stop(&self, phases: Option<&Phases>) -> RuntimeStatistics {
        let end = Instant::now();
        let cpu_time = match (self.cpu, machine_cpu_time()) {
            (Some(start), Some(end)) => Some(end.saturating_sub(start).as_secs()),
            _ => None,
        };
        let network = match (self.network, network_bytes()) {
            (Some((rx0, tx0)), Some((rx1, tx1))) => {
                Some((rx1.saturating_sub(rx0), tx1.saturating_sub(tx0)))
            }
            _ => None,
        };
        RuntimeStatistics {
            duration: end.saturating_duration_since(self.wall).as_secs(),
            cpu_time,
            cpu_count: std::thread::available_parallelism()
                .ok()
                .map(|n| n.get() as u64),
            phases: phases.map(|phases| phases.durations(self.wall, end)),
            network_received: network.map(|(rx, _)| rx),
            network_sent: network.map(|(_, tx)| tx),
        }
    }
}

/// The bytes received and sent so far over every interface but loopback, from
/// `/proc/net/dev`.
fn network_bytes() -> Option<(u64, u64)> {
    parse_network_bytes(&std::fs::read_to_string("/proc/net/dev").ok()?)
}

/// `iface: rx_bytes rx_packets ... (8 receive fields) tx_bytes ...` after two header lines.
fn parse_network_bytes(dev: &str) -> Option<(u64, u64)> {
    let mut total = (0u64, 0u64);
    for line in dev.lines().skip(2) {
        let (name, counters) = line.split_once(':')?;
        if name.trim() == "lo" {
            continue;
        }
        let fields: Vec<u64> = counters
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        total.0 = total.0.saturating_add(*fields.first()?);
        total.1 = total.1.saturating_add(*fields.get(8)?);
    }
    Some(total)
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

    /// The result's name in Debusine 0.16's spelling.
    pub(crate) fn result(&self) -> &'static str {
        self.outcome.result_in(Release::V0_16)
    }

    /// The body of `PUT /api/1.0/work-request/<id>/completed/` in Debusine 0.16's terms.
    // Used by `taskdef run` only (feature `cli`); the worker sends `payload_in` its server's release.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn payload(&self) -> Value {
        self.payload_in(Release::V0_16)
    }

    /// The body of `PUT /api/1.0/work-request/<id>/completed/` for a server of `release`:
    /// `{"result", "output_data": {"runtime_statistics", "errors"}}`, each part only when there
    /// is something to say, and only the statistics that release's model has.
    pub(crate) fn payload_in(&self, release: Release) -> Value {
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
            if release.has_phase_statistics() {
                if let Some(phases) = statistics.phases {
                    stats.insert("duration_setup".into(), phases.setup.into());
                    stats.insert("duration_run".into(), phases.run.into());
                    stats.insert("duration_teardown".into(), phases.teardown.into());
                }
                if let Some(received) = statistics.network_received {
                    stats.insert("network_received".into(), received.into());
                }
                if let Some(sent) = statistics.network_sent {
                    stats.insert("network_sent".into(), sent.into());
                }
            }
            output.insert("runtime_statistics".into(), Value::Object(stats));
        }
        if let Outcome::Error(error) = &self.outcome {
            output.insert(
                "errors".into(),
                json!([{ "message": error.message, "code": error.code.as_str() }]),
            );
        }
        let mut payload = json!({ "result": self.outcome.result_in(release) });
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
    /// The release of the engine the data was read in (the server's), which the task's
    /// context names when it runs; `None` when unknown.
    pub release: Option<String>,
}

/// Checks a work request as Debusine's worker does before running it: the task type, then the
/// task's name, then its data, then its dynamic data (a violation of either is
/// `configure-failed`; those of the dynamic data point under `/dynamic_task_data`).
///
/// `release` is the server's Debusine release, whose models the data is read with; a
/// `configure-failed` names it.
pub(crate) fn prepare_in(
    registry: &Registry,
    request: &WorkRequest,
    release: Option<Release>,
) -> Result<Prepared, WorkError> {
    let configure_failed = |error: String| {
        let message = match release {
            Some(release) => format!("Debusine {release}'s task data: {error}"),
            None => error,
        };
        WorkError::new(ErrorCode::ConfigureFailed, message)
    };
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
    // The one place the release selects the models: the task's form of that release (a task
    // with one form reads every release with it), else its own.
    let release_name = release.map(|release| release.to_string());
    let task = match &release_name {
        Some(name) => entry.configure_in(name, TaskInput::from(&request.task_data)),
        None => entry.configure(TaskInput::from(&request.task_data)),
    }
    .map_err(|error| configure_failed(error.to_string()))?;
    // `null` is no dynamic data, as in Debusine's `configure`.
    let dynamic_data = match request.dynamic_task_data.as_ref().filter(|v| !v.is_null()) {
        None => None,
        Some(dynamic) => Some(
            match &release_name {
                Some(name) => entry.configure_dynamic_data_in(name, TaskInput::from(dynamic)),
                None => entry.configure_dynamic_data(TaskInput::from(dynamic)),
            }
            .map_err(|error| {
                configure_failed(error.nested_under("/dynamic_task_data").to_string())
            })?,
        ),
    };
    Ok(Prepared {
        entry,
        task,
        dynamic_data,
        release: release_name,
    })
}

/// Executes a prepared task in `ctx` given its dynamic data, measuring it; `None` when it was
/// aborted (an aborted task reports nothing).
///
/// The calling process becomes a child subreaper, so that the task's orphaned grandchildren
/// are reaped here even where PID 1 does not reap (containers, microVMs).
// Used by `taskdef run` only (feature `cli`); the worker runs `execute_measured`.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) fn execute(prepared: &Prepared, ctx: &TaskContext) -> Option<Completion> {
    execute_measured(prepared, ctx, None)
}

/// [`execute`], the phases of the statistics taken from `phases` (noted by the runner).
pub(crate) fn execute_measured(
    prepared: &Prepared,
    ctx: &TaskContext,
    phases: Option<&Phases>,
) -> Option<Completion> {
    if let Err(error) = nix::sys::prctl::set_child_subreaper(true) {
        tracing::debug!(%error, "cannot become a child subreaper");
    }
    tracing::info!(task = prepared.entry.name, "executing");
    let mut ctx = ctx.clone();
    if let Some(data) = &prepared.dynamic_data {
        ctx = ctx.with_any_dynamic_data(data.clone());
    }
    if let Some(release) = &prepared.release {
        ctx = ctx.with_release(release);
    }
    let ctx = &ctx;
    let stopwatch = Stopwatch::start();
    let outcome = execute_logging_errors(prepared.task.as_ref(), ctx);
    let statistics = stopwatch.stop(phases);
    if ctx.is_aborted() {
        // The runner killed the process group: wait briefly for its members to die.
        reap_orphans(Duration::from_secs(1));
        tracing::warn!(task = prepared.entry.name, "aborted: nothing is reported");
        return None;
    }
    reap_orphans(Duration::ZERO);
    let outcome = match outcome {
        Ok(result) => Outcome::from_task(result),
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
                ..RuntimeStatistics::default()
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

    #[test]
    fn every_result_is_reported_by_its_name_on_0_16_and_mapped_on_0_11() {
        let error = Outcome::Error(WorkError::new(ErrorCode::ExecuteFailed, "boom"));
        let cases = [
            (Outcome::Success, "success", "success"),
            (Outcome::Failure, "failure", "failure"),
            (Outcome::Skipped, "skipped", "success"),
            (Outcome::TemporaryFailure, "temporary failure", "failure"),
            (Outcome::TaskError, "error", "error"),
            (error, "error", "error"),
        ];
        for (outcome, on_0_16, on_0_11) in cases {
            let completion = Completion {
                outcome: outcome.clone(),
                statistics: None,
            };
            assert_eq!(completion.payload_in(Release::V0_16)["result"], on_0_16);
            assert_eq!(completion.payload_in(Release::V0_11)["result"], on_0_11);
        }
    }

    #[test]
    fn a_tasks_outcomes_become_results_and_no_result_an_error() {
        for outcome in TaskOutcome::ALL {
            let reported = Outcome::from_task(outcome);
            let name = reported.result_in(Release::V0_16);
            if outcome == TaskOutcome::NoResult {
                assert_eq!(name, "error");
                assert!(
                    matches!(reported, Outcome::Error(ref error) if error.message.contains("no result"))
                );
            } else {
                assert_eq!(name, outcome.as_str());
            }
        }
    }

    #[test]
    fn phase_and_network_statistics_go_to_0_16_only() {
        let completion = Completion {
            outcome: Outcome::Success,
            statistics: Some(RuntimeStatistics {
                duration: 9,
                cpu_time: None,
                cpu_count: Some(2),
                phases: Some(PhaseDurations {
                    setup: 1,
                    run: 7,
                    teardown: 1,
                }),
                network_received: Some(300),
                network_sent: Some(20),
            }),
        };
        assert_eq!(
            completion.payload_in(Release::V0_16)["output_data"]["runtime_statistics"],
            json!({"duration": 9, "cpu_count": 2, "duration_setup": 1, "duration_run": 7,
                "duration_teardown": 1, "network_received": 300, "network_sent": 20})
        );
        assert_eq!(
            completion.payload_in(Release::V0_11)["output_data"]["runtime_statistics"],
            json!({"duration": 9, "cpu_count": 2})
        );
    }

    #[test]
    fn phases_split_at_the_first_command_and_the_end_of_the_last() {
        let start = Instant::now();
        let phases = Phases::default();
        let after = |seconds| start + Duration::from_secs(seconds);
        assert_eq!(
            phases.durations(start, after(5)),
            PhaseDurations {
                setup: 0,
                run: 5,
                teardown: 0
            }
        );
        *phases.commands.lock().unwrap() = (Some(after(2)), Some(after(10)));
        assert_eq!(
            phases.durations(start, after(13)),
            PhaseDurations {
                setup: 2,
                run: 8,
                teardown: 3
            }
        );
    }

    #[test]
    fn network_bytes_leave_out_loopback() {
        let dev = "Inter-|   Receive                                                |  Transmit\n \
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n\
                lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n\
              eth0: 5000 40 0 0 0 0 0 0 700 7 0 0 0 0 0 0\n\
              eth1: 1 1 0 0 0 0 0 0 2 1 0 0 0 0 0 0\n";
        assert_eq!(parse_network_bytes(dev), Some((5001, 702)));
        assert_eq!(parse_network_bytes("h\nh\neth0: x\n"), None);
    }

    #[test]
    fn releases_are_read_from_debusine_versions() {
        assert_eq!(Release::parse("0.16.2"), Some(Release::V0_16));
        assert_eq!(Release::parse("0.11"), Some(Release::V0_11));
        assert_eq!(Release::parse(" 0.16.2+deb13u1 "), Some(Release::V0_16));
        assert_eq!(Release::parse("0.12.1").unwrap().to_string(), "0.12");
        assert_eq!(Release::parse("sixteen"), None);
        assert_eq!(Release::parse("0"), None);
        assert!(Release::parse("0.12.1").unwrap() < Release::V0_16);
        assert!(Release::V0_16.takes_next_by_post() && !Release::V0_11.takes_next_by_post());
    }
}
