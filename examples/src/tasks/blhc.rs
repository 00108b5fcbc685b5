//! The `blhc` task.

use std::cmp::Ordering;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, RelationType, Task, TaskContext, TaskError,
};

use crate::artifacts::{Inputs, file_with_suffix};
use crate::categories::{self, Models, PackageBuildLogData};
use crate::debversion::compare;
use crate::executor::Backend;
use crate::lookup::{LookupSingle, default_task_configuration};

/// Check a build log for missing hardening flags with blhc.
///
/// As Debusine 0.16 does, blhc gets `--debian` first when the installed blhc has it (version
/// 0.07+20170817+gita232d32 or later, by `dpkg-query`), then `extra_flags`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = BlhcDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::Blhc,
        dynamic_data = crate::debusine_0_11::BlhcDynamicData
    )
)]
pub struct Blhc {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The build log to check.
    pub input: BlhcInput,
    /// The executor backend to run blhc with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run blhc in (`""` when converted from 0.11 data without one).
    pub environment: LookupSingle,
    /// The architecture to run on (`amd64`); `""` (converted from 0.11 data, which has no
    /// architecture) is no condition on the worker.
    pub build_architecture: String,
    /// Options to pass to blhc.
    #[serde(default)]
    pub extra_flags: Vec<BlhcFlag>,
}

/// What the server found for a `blhc` task (Debusine's `BlhcDynamicData`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlhcDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The build log to check, as found for `input.artifact`.
    pub input_artifact_id: ArtifactId,
    /// The build log's artifact data, or null (a work request created before Debusine sent
    /// it); its `source`, `version` and `architecture` go into the `debian:blhc` data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_artifact_data: Option<PackageBuildLogData>,
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

/// The first blhc version with `--debian` (<https://bugs.debian.org/845339>).
pub const BLHC_DEBIAN_SINCE: &str = "0.07+20170817+gita232d32";

impl Blhc {
    /// The blhc command line for this task data and the local build log; `debian` adds
    /// `--debian` (when the installed blhc has it).
    pub fn command_line(&self, build_log: &Path, debian: bool) -> CommandLine {
        CommandLine::new("blhc")
            .args(debian.then_some("--debian"))
            .args(self.extra_flags.iter().map(|flag| flag.as_str()))
            .arg("--")
            .arg(build_log)
    }
}

/// Whether the installed blhc has `--debian`, by its package's version. As in Debusine, it is
/// better to leave the option out than to fail: a blhc that `dpkg-query` does not know (not
/// installed from a package, or no dpkg) runs without it.
fn blhc_has_debian_option(ctx: &TaskContext) -> Result<bool, TaskError> {
    let output = ctx.work_dir().join("blhc-version.txt");
    let query = CommandLine::new("dpkg-query")
        .args(["--show", "--showformat=${Version}", "blhc"])
        .stdout_to(&output);
    match ctx.run(&query) {
        Ok(status) if status.success() => {}
        Ok(_) | Err(TaskError::ToolMissing { .. }) => return Ok(false),
        Err(other) => return Err(other),
    }
    let version = std::fs::read_to_string(&output).unwrap_or_default();
    let version = version.trim();
    Ok(!version.is_empty() && compare(version, BLHC_DEBIAN_SINCE) != Ordering::Less)
}

impl Execute for Blhc {
    fn host_architecture(&self) -> Option<&str> {
        Some(self.build_architecture.as_str()).filter(|architecture| !architecture.is_empty())
    }

    /// Checks the build log, then uploads blhc's report as `debian:blhc` (with the build log's
    /// source, version and architecture when the server sent its data), related to the log.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let artifact = inputs.single(
            "input.artifact",
            &self.input.artifact,
            dynamic.map(|data| data.input_artifact_id),
        )?;
        let log = file_with_suffix(&artifact, ".build")?;
        let debian = blhc_has_debian_option(ctx)?;
        let report = ctx.work_dir().join("blhc.txt");
        let status = ctx.run(&self.command_line(&log, debian).stdout_to(&report))?;
        let build_log = dynamic.and_then(|data| data.input_artifact_data.as_ref());
        let id = ctx.upload_artifact(categories::blhc(&report, build_log, Models::of(ctx)))?;
        inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        // As in Debusine: exit codes 0 and 1 are a success; any other (blhc sets bits, 8 for
        // missing hardening flags) a failure, with the report uploaded either way.
        Ok(matches!(status.code, Some(0) | Some(1)))
    }
}
