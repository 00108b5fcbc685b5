//! What a worker reports about itself, and whether a configured task can run on it.

use std::fmt;

use serde_json::{Map, Value};

use crate::task::{Task, TaskKind};

/// `system:worker_type`: which kind of worker this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkerType {
    /// An external worker, running worker tasks.
    External,
    /// The server's Celery worker, running server tasks.
    Celery,
    /// A signing worker, running signing tasks.
    Signing,
}

impl WorkerType {
    /// Debusine's spelling: `external`, `celery`, `signing`.
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkerType::External => "external",
            WorkerType::Celery => "celery",
            WorkerType::Signing => "signing",
        }
    }

    /// Parses Debusine's spelling.
    pub fn parse(text: &str) -> Option<WorkerType> {
        [
            WorkerType::External,
            WorkerType::Celery,
            WorkerType::Signing,
        ]
        .into_iter()
        .find(|worker_type| worker_type.as_str() == text)
    }
}

impl fmt::Display for WorkerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Debusine's system metadata key names.
pub mod keys {
    /// Number of CPUs (int).
    pub const CPU_COUNT: &str = "system:cpu_count";
    /// Total physical memory in bytes (int).
    pub const TOTAL_PHYSICAL_MEMORY: &str = "system:total_physical_memory";
    /// `external`, `celery` or `signing`.
    pub const WORKER_TYPE: &str = "system:worker_type";
    /// `dpkg --print-architecture`; absent without dpkg.
    pub const HOST_ARCHITECTURE: &str = "system:host_architecture";
    /// Architectures the worker can run (list of strings).
    pub const ARCHITECTURES: &str = "system:architectures";
    /// Static metadata: only these task names may run here.
    pub const TASKS_ALLOWLIST: &str = "tasks_allowlist";
    /// Static metadata: these task names may not run here.
    pub const TASKS_DENYLIST: &str = "tasks_denylist";

    /// Debusine's executor backends, each probed as `executor:<backend>:available`.
    pub const EXECUTOR_BACKENDS: [&str; 4] = ["unshare", "incus-lxc", "incus-vm", "qemu"];

    /// `executor:<backend>:available`.
    pub fn executor_available(backend: &str) -> String {
        format!("executor:{backend}:available")
    }
}

/// A worker's metadata as the scheduler sees it: a flat JSON object, read through typed accessors.
///
/// Accessors never panic: a key of the wrong type reads as absent, and [`check_can_run_on`]
/// reports it as such.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerMetadata {
    map: Map<String, Value>,
}

impl WorkerMetadata {
    /// Wraps a metadata object.
    pub fn new(map: Map<String, Value>) -> Self {
        WorkerMetadata { map }
    }

    /// From any JSON value; `None` unless it is an object.
    pub fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::Object(map) => Some(WorkerMetadata { map }),
            _ => None,
        }
    }

    /// The raw key/value pairs.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// Sets a key (for building metadata in tools and tests).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.map.insert(key.into(), value.into());
        self
    }

    /// Any key, raw.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }

    /// `system:worker_type`, if present and known.
    pub fn worker_type(&self) -> Option<WorkerType> {
        self.get_str(keys::WORKER_TYPE).and_then(WorkerType::parse)
    }

    /// `system:host_architecture`.
    pub fn host_architecture(&self) -> Option<&str> {
        self.get_str(keys::HOST_ARCHITECTURE)
    }

    /// `system:architectures`, if it is a list of strings.
    pub fn architectures(&self) -> Option<Vec<&str>> {
        self.get_str_list(keys::ARCHITECTURES)
    }

    /// `system:cpu_count`.
    pub fn cpu_count(&self) -> Option<u64> {
        self.get(keys::CPU_COUNT).and_then(Value::as_u64)
    }

    /// `system:total_physical_memory`, in bytes.
    pub fn total_physical_memory(&self) -> Option<u64> {
        self.get(keys::TOTAL_PHYSICAL_MEMORY)
            .and_then(Value::as_u64)
    }

    /// `tasks_allowlist`, if set.
    pub fn tasks_allowlist(&self) -> Option<Vec<&str>> {
        self.get_str_list(keys::TASKS_ALLOWLIST)
    }

    /// `tasks_denylist`, if set.
    pub fn tasks_denylist(&self) -> Option<Vec<&str>> {
        self.get_str_list(keys::TASKS_DENYLIST)
    }

    /// The integer version stored under `key` (a string `"1"` is not a version).
    pub fn version(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(Value::as_u64)
    }

    /// Whether `key` is exactly `true` (probes such as `sbuild:available`).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == Some(&Value::Bool(true))
    }

    /// `Ok` when `key` is exactly `true`, otherwise the unmet requirement, for `check_worker`.
    pub fn require_flag(&self, key: &str) -> Result<(), Unmet> {
        if self.flag(key) {
            Ok(())
        } else {
            Err(Unmet::new(format!(
                "`{key}` is {}, not true",
                describe(self.get(key))
            )))
        }
    }

    /// `Ok` when `architecture` is in `system:architectures`, for `check_worker`.
    pub fn require_architecture(&self, architecture: &str) -> Result<(), Unmet> {
        match self.architectures() {
            Some(list) if list.contains(&architecture) => Ok(()),
            Some(list) => Err(Unmet::new(format!(
                "architecture `{architecture}` is not in `{}` {list:?}",
                keys::ARCHITECTURES
            ))),
            None => Err(Unmet::new(format!(
                "`{}` is {}, not a list of architectures",
                keys::ARCHITECTURES,
                describe(self.get(keys::ARCHITECTURES))
            ))),
        }
    }

    fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    fn get_str_list(&self, key: &str) -> Option<Vec<&str>> {
        self.get(key)?
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect()
    }
}

impl From<Map<String, Value>> for WorkerMetadata {
    fn from(map: Map<String, Value>) -> Self {
        WorkerMetadata::new(map)
    }
}

fn describe(value: Option<&Value>) -> String {
    match value {
        None => "missing".to_owned(),
        Some(value) => format!("`{value}`"),
    }
}

/// A task's own metadata, written under its prefix so it cannot touch another task's keys.
#[derive(Debug)]
pub struct TaskMetadata<'a> {
    kind: TaskKind,
    name: &'static str,
    map: &'a mut Map<String, Value>,
}

impl<'a> TaskMetadata<'a> {
    /// A writer for task `name` of `kind` into `map`.
    pub fn new(kind: TaskKind, name: &'static str, map: &'a mut Map<String, Value>) -> Self {
        TaskMetadata { kind, name, map }
    }

    /// Sets `<prefix>:<key>`, e.g. `insert("available", true)` sets `sbuild:available`.
    pub fn insert(&mut self, key: &str, value: impl Into<Value>) {
        let key = self.kind.prefix_with_task_name(self.name, key);
        self.map.insert(key, value.into());
    }
}

/// A condition of a task's `check_worker` that the worker does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    reason: String,
}

impl Unmet {
    /// An unmet condition, explained.
    pub fn new(reason: impl Into<String>) -> Self {
        Unmet {
            reason: reason.into(),
        }
    }

    /// The explanation.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Which check of `can_run_on` failed, in the order they run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunCheckFailure {
    /// The task's kind is never scheduled on workers (wait, internal).
    #[error("{kind} tasks are not scheduled on workers")]
    NotSchedulable {
        /// The task's kind.
        kind: TaskKind,
    },
    /// `system:worker_type` does not fit the task's kind.
    #[error("worker type is {}, but {kind} tasks need `{expected}`", describe(found.as_ref()))]
    WorkerType {
        /// The task's kind.
        kind: TaskKind,
        /// The worker type the kind needs.
        expected: WorkerType,
        /// What the worker reported.
        found: Option<Value>,
    },
    /// The worker's `<prefix>:version` differs from the task's version.
    #[error("`{key}` is {}, but the task is version {expected}", describe(found.as_ref()))]
    Version {
        /// The version key.
        key: String,
        /// The task's version.
        expected: u32,
        /// What the worker reported.
        found: Option<Value>,
    },
    /// The task's host architecture is not in `system:architectures`.
    #[error("host architecture: {0}")]
    Architecture(Unmet),
    /// A condition of the task's own `check_worker`.
    #[error("{0}")]
    Task(Unmet),
}

/// The base checks then the task's own, stopping at the first that fails.
///
/// 1. the worker type fits the kind; 2. the version key equals the task's version;
/// 3. the task's host architecture, if any, is in `system:architectures`; 4. `check_worker`.
///
/// ```
/// # use schemars::JsonSchema;
/// # use serde::Deserialize;
/// # use taskdef::{Execute, Task, TaskContext, TaskError};
/// /// Build for an architecture.
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]
/// #[task(version = 1)]
/// struct Build { host_architecture: String }
/// impl Execute for Build {
///     fn host_architecture(&self) -> Option<&str> { Some(&self.host_architecture) }
/// #   fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> { Ok(true) }
/// }
/// use taskdef::{RunCheckFailure, WorkerMetadata, check_can_run_on};
///
/// let task = Build::configure(r#"{"host_architecture": "arm64"}"#).unwrap();
/// let mut worker = WorkerMetadata::default();
/// worker
///     .insert("system:worker_type", "external")
///     .insert("build:version", 1)
///     .insert("system:architectures", serde_json::json!(["amd64"]));
/// let failure = check_can_run_on(&task, &worker).unwrap_err();
/// assert!(matches!(failure, RunCheckFailure::Architecture(_)));
/// worker.insert("system:architectures", serde_json::json!(["amd64", "arm64"]));
/// assert!(check_can_run_on(&task, &worker).is_ok());
/// ```
pub fn check_can_run_on<T: Task>(task: &T, worker: &WorkerMetadata) -> Result<(), RunCheckFailure> {
    check_base(
        T::KIND,
        T::NAME,
        T::VERSION,
        task.host_architecture(),
        worker,
    )?;
    task.check_worker(worker).map_err(RunCheckFailure::Task)
}

/// Whether the worker can run the task: [`check_can_run_on`] as a yes or no.
pub fn can_run_on<T: Task>(task: &T, worker: &WorkerMetadata) -> bool {
    check_can_run_on(task, worker).is_ok()
}

fn check_base(
    kind: TaskKind,
    name: &str,
    version: u32,
    host_architecture: Option<&str>,
    worker: &WorkerMetadata,
) -> Result<(), RunCheckFailure> {
    let expected = kind
        .worker_type()
        .ok_or(RunCheckFailure::NotSchedulable { kind })?;
    if worker.worker_type() != Some(expected) {
        return Err(RunCheckFailure::WorkerType {
            kind,
            expected,
            found: worker.get(keys::WORKER_TYPE).cloned(),
        });
    }
    let key = kind.prefix_with_task_name(name, "version");
    if worker.version(&key) != Some(u64::from(version)) {
        let found = worker.get(&key).cloned();
        return Err(RunCheckFailure::Version {
            key,
            expected: version,
            found,
        });
    }
    if let Some(architecture) = host_architecture {
        worker
            .require_architecture(architecture)
            .map_err(RunCheckFailure::Architecture)?;
    }
    Ok(())
}

/// This machine's system metadata, with Debusine's key names.
///
/// `system:host_architecture` comes from `dpkg --print-architecture` and is absent without dpkg;
/// `system:architectures` is the sorted output of `arch-test -n` where available, else `[host]`.
pub fn system_metadata(worker_type: WorkerType) -> Map<String, Value> {
    let mut map = Map::new();
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    map.insert(keys::CPU_COUNT.into(), cpus.into());
    if let Some(bytes) = total_physical_memory() {
        map.insert(keys::TOTAL_PHYSICAL_MEMORY.into(), bytes.into());
    }
    map.insert(keys::WORKER_TYPE.into(), worker_type.as_str().into());
    if let Some(host) = command_output("dpkg", &["--print-architecture"]) {
        let host = host.trim().to_owned();
        let mut architectures: Vec<String> = command_output("arch-test", &["-n"])
            .map(|text| text.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        if architectures.is_empty() {
            architectures.push(host.clone());
        }
        architectures.sort();
        map.insert(keys::HOST_ARCHITECTURE.into(), host.into());
        map.insert(keys::ARCHITECTURES.into(), architectures.into());
    }
    for backend in keys::EXECUTOR_BACKENDS {
        map.insert(
            keys::executor_available(backend),
            executor_available(backend).into(),
        );
    }
    map
}

/// Whether the tools an executor backend drives are installed: `unshare` for unshare,
/// `incus` for the incus backends, `qemu-img` and `qemu-system-<cpu>` for qemu.
fn executor_available(backend: &str) -> bool {
    match backend {
        "unshare" => program_on_path("unshare"),
        "incus-lxc" | "incus-vm" => program_on_path("incus"),
        "qemu" => {
            program_on_path("qemu-img")
                && program_on_path(&format!("qemu-system-{}", std::env::consts::ARCH))
        }
        _ => false,
    }
}

/// Whether an executable file called `program` is on `PATH` (for tool probes such as
/// `sbuild:available`).
pub fn program_on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(program))
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    })
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

fn total_physical_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}
