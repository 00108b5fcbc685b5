//! Small tasks used by taskdef's integration tests: one per behaviour under test.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{
    CommandLine, Execute, Task, TaskConfigError, TaskContext, TaskError, TaskMetadata, Unmet,
    WorkerMetadata,
};

/// Succeed or fail as told.
///
/// The simplest task: its data is one optional boolean.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct TestNoop {
    /// What `execute` returns.
    #[serde(default = "default_true")]
    pub result: bool,
}

fn default_true() -> bool {
    true
}

impl Execute for TestNoop {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(self.result)
    }
}

/// Build something for an architecture, with a cross-field rule and a worker probe.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 3, name = "testbuild")]
pub struct TestBuildTask {
    /// Architecture to build for.
    pub host_architecture: String,
    /// Components to build.
    #[serde(default = "default_components")]
    #[schemars(length(min = 1))]
    pub build_components: Vec<Component>,
    /// Rebuild suffix; incompatible with `all`.
    pub binnmu: Option<String>,
    /// How verbose, 0 to 3.
    #[serde(default)]
    #[schemars(range(max = 3))]
    pub debug_level: u8,
}

/// A part of a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    /// Architecture-dependent packages.
    Any,
    /// Architecture-independent packages.
    All,
    /// The source package.
    Source,
}

fn default_components() -> Vec<Component> {
    vec![Component::Any]
}

impl Execute for TestBuildTask {
    fn validate(&self) -> Result<(), TaskConfigError> {
        if self.binnmu.is_some() && self.build_components.contains(&Component::All) {
            return Err(TaskConfigError::rule(
                "",
                "Cannot build architecture-independent packages in a binNMU",
            ));
        }
        Ok(())
    }

    fn host_architecture(&self) -> Option<&str> {
        Some(&self.host_architecture)
    }

    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", true);
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        Self::worker_keys(worker).require_flag("available")
    }

    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let status = ctx.run(&CommandLine::new("true").arg(&self.host_architecture))?;
        Ok(status.success())
    }
}

/// A server-side task, to show the `server:` prefix.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 2, kind = server, name = "servernoop")]
pub struct ServerNoop {}

impl Execute for ServerNoop {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// A signing task sharing its name with a worker task, as Debusine allows.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, kind = signing, name = "testnoop")]
pub struct SigningNoop {}

impl Execute for SigningNoop {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// A wait task: never scheduled on a worker.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, kind = wait)]
pub struct TestDelay {}

impl Execute for TestDelay {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// Fail in the way the data asks, to test the logging runner.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct TestFailing {
    /// How to fail.
    pub how: FailureMode,
}

/// The ways [`TestFailing`] fails.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FailureMode {
    /// Return `Err(TaskError::MissingFiles)`.
    MissingFiles,
    /// Panic.
    Panic,
    /// Ask for the server client.
    NeedsServer,
    /// Run a command that does not exist.
    MissingTool,
    /// Run `sleep 60` (to be aborted).
    Sleep,
}

impl Execute for TestFailing {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        match self.how {
            FailureMode::MissingFiles => Err(TaskError::MissingFiles(vec![
                "out/a.deb".into(),
                "out/b.changes".into(),
            ])),
            FailureMode::Panic => panic!("the task data asked for a panic"),
            FailureMode::NeedsServer => ctx.server().map(|_| true),
            FailureMode::MissingTool => ctx
                .run(&CommandLine::new("taskdef-no-such-tool"))
                .map(|status| status.success()),
            FailureMode::Sleep => ctx
                .run(&CommandLine::new("sleep").arg("60"))
                .map(|status| status.success()),
        }
    }
}
