//! The `blhc` task.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, RelationType, Task, TaskContext, TaskError,
};

use crate::artifacts::{Inputs, file_with_suffix};
use crate::categories;
use crate::executor::Backend;
use crate::lookup::{LookupSingle, default_task_configuration};

/// Check a build log for missing hardening flags with blhc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = BlhcDynamicData)]
pub struct Blhc {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The build log to check.
    pub input: BlhcInput,
    /// The executor backend to run blhc with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run blhc in, or null to run it on the worker.
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// The architecture to run on, or null for any.
    #[serde(default)]
    pub host_architecture: Option<String>,
    /// Options to pass to blhc.
    #[serde(default)]
    pub extra_flags: Vec<BlhcFlag>,
}

/// What the server found for a `blhc` task (Debusine's `BlhcDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlhcDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`: null or absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The build log to check, as found for `input.artifact`.
    pub input_artifact_id: ArtifactId,
}

/// The build log blhc checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlhcInput {
    /// The build log artifact.
    pub artifact: LookupSingle,
}

/// An option of blhc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::unit_enum)]
pub enum BlhcFlag {
    /// Check every flag, whatever the architecture.
    #[serde(rename = "--all")]
    All,
    /// Check for `-Wl,-z,now`.
    #[serde(rename = "--bindnow")]
    Bindnow,
    /// Output for buildd logs.
    #[serde(rename = "--buildd")]
    Buildd,
    /// Coloured output.
    #[serde(rename = "--color")]
    Color,
    /// Only warn about what Debian enables by default.
    #[serde(rename = "--debian")]
    Debian,
    /// Show line numbers.
    #[serde(rename = "--line-numbers")]
    LineNumbers,
    /// Check for PIE.
    #[serde(rename = "--pie")]
    Pie,
}

impl BlhcFlag {
    /// The option as blhc spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            BlhcFlag::All => "--all",
            BlhcFlag::Bindnow => "--bindnow",
            BlhcFlag::Buildd => "--buildd",
            BlhcFlag::Color => "--color",
            BlhcFlag::Debian => "--debian",
            BlhcFlag::LineNumbers => "--line-numbers",
            BlhcFlag::Pie => "--pie",
        }
    }
}

impl Blhc {
    /// The blhc command line for this task data and the local build log.
    pub fn command_line(&self, build_log: &PathBuf) -> CommandLine {
        CommandLine::new("blhc")
            .args(self.extra_flags.iter().map(|flag| flag.as_str()))
            .arg("--")
            .arg(build_log)
    }
}

impl Execute for Blhc {
    fn host_architecture(&self) -> Option<&str> {
        self.host_architecture.as_deref()
    }

    /// Checks the build log, then uploads blhc's report as `debian:blhc`, related to the log.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let artifact = inputs.single(
            "input.artifact",
            &self.input.artifact,
            dynamic.map(|data| data.input_artifact_id),
        )?;
        let log = file_with_suffix(&artifact, ".build")?;
        let report = ctx.work_dir().join("blhc.txt");
        let status = ctx.run(&self.command_line(&log).stdout_to(&report))?;
        let id = ctx.upload_artifact(categories::blhc(&report))?;
        inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        // As in Debusine: exit codes 0 and 1 are a success; any other (blhc sets bits, 8 for
        // missing hardening flags) a failure, with the report uploaded either way.
        Ok(matches!(status.code, Some(0) | Some(1)))
    }
}
