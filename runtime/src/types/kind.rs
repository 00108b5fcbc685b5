//! Which registry a task belongs to and which type of worker runs it: plain kinds, no behaviour.

use std::fmt;

/// Which of Debusine's task registries a task belongs to.
///
/// The kind decides the prefix of the task's metadata keys and which type of worker may run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskKind {
    /// Runs on an external worker (`system:worker_type` = `external`); keys are `name:x`.
    Worker,
    /// Runs on the server's Celery workers (`celery`); keys are `server:name:x`.
    Server,
    /// Runs on a signing worker (`signing`); keys are `signing:name:x`.
    Signing,
    /// Waits for an event; never scheduled on a worker; keys are `wait:name:x`.
    Wait,
    /// Internal to the server; never scheduled on a worker; keys are `internal:name:x`.
    Internal,
}

impl TaskKind {
    /// Every kind, in the order used for listings.
    pub const ALL: [TaskKind; 5] = [
        TaskKind::Worker,
        TaskKind::Server,
        TaskKind::Signing,
        TaskKind::Wait,
        TaskKind::Internal,
    ];

    /// The lowercase name used in `#[task(kind = ...)]` and in key prefixes.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskKind::Worker => "worker",
            TaskKind::Server => "server",
            TaskKind::Signing => "signing",
            TaskKind::Wait => "wait",
            TaskKind::Internal => "internal",
        }
    }

    /// Debusine's `task_type` spelling (`Worker`, `Server`, ...), as in work requests.
    pub const fn task_type(self) -> &'static str {
        match self {
            TaskKind::Worker => "Worker",
            TaskKind::Server => "Server",
            TaskKind::Signing => "Signing",
            TaskKind::Wait => "Wait",
            TaskKind::Internal => "Internal",
        }
    }

    /// Parses Debusine's `task_type` spelling (`Worker`, ...), exactly as Debusine writes it.
    pub fn from_task_type(task_type: &str) -> Option<TaskKind> {
        TaskKind::ALL
            .into_iter()
            .find(|kind| kind.task_type() == task_type)
    }

    /// The worker type that may run tasks of this kind; `None` for kinds never sent to workers.
    pub const fn worker_type(self) -> Option<WorkerType> {
        match self {
            TaskKind::Worker => Some(WorkerType::External),
            TaskKind::Server => Some(WorkerType::Celery),
            TaskKind::Signing => Some(WorkerType::Signing),
            TaskKind::Wait | TaskKind::Internal => None,
        }
    }

    /// Debusine's `prefix_with_task_name`: `name:text` for worker tasks, `kind:name:text` otherwise.
    pub fn prefix_with_task_name(self, name: &str, text: &str) -> String {
        match self {
            TaskKind::Worker => format!("{name}:{text}"),
            other => format!("{}:{name}:{text}", other.as_str()),
        }
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
