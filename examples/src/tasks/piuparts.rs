//! The `piuparts` task.

use std::ffi::OsString;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, Task, TaskConfigError, TaskContext,
    TaskError,
};

use crate::artifacts::{Inputs, files_with_suffix};
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExtraRepository};
use taskdef::Rules;

/// Test that binary packages install, upgrade and purge cleanly with piuparts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = PiupartsDynamicData)]
pub struct Piuparts {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to test.
    pub input: PiupartsInput,
    /// The executor backend to run piuparts with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run piuparts in.
    pub environment: LookupSingle,
    /// The architecture to test on (`amd64`).
    pub host_architecture: String,
    /// APT repositories to add to the test system.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// The system tarball piuparts installs the packages into.
    pub base_tgz: LookupSingle,
}

/// What the server found for a `piuparts` task (Debusine's `PiupartsDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PiupartsDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The binary packages to test, as found for `input.binary_artifacts`.
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
    /// The base system tarball, as found for `base_tgz`.
    pub base_tgz_id: ArtifactId,
}

/// The packages piuparts tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PiupartsInput {
    /// The binary packages to test.
    pub binary_artifacts: LookupMultiple,
}

/// The local files a piuparts run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiupartsInputs {
    /// The binary packages (`.deb`).
    pub binaries: Vec<PathBuf>,
    /// The base system tarball.
    pub base_tgz: PathBuf,
}

impl Piuparts {
    /// The piuparts command line for this task data and these local files.
    pub fn command_line(&self, inputs: &PiupartsInputs) -> CommandLine {
        let mut basetgz = OsString::from("--basetgz=");
        basetgz.push(&inputs.base_tgz);
        let mut cmd = CommandLine::new("piuparts")
            .arg("--keep-sources-list")
            .arg("--allow-database")
            .arg("--warn-on-leftovers-after-purge")
            .arg(format!("--arch={}", self.host_architecture))
            .arg(basetgz);
        for repository in repository::external(&self.extra_repositories) {
            cmd = cmd.arg(format!("--extra-repo={}", repository.sources_list_line()));
        }
        cmd.arg("--").args(inputs.binaries.iter())
    }
}

impl Execute for Piuparts {
    const RULES: &'static [&'static str] = &[
        crate::lookup::RULE_MATCHERS,
        crate::repository::RULE_COMPONENTS,
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        self.input
            .binary_artifacts
            .check("/input/binary_artifacts", &mut rules);
        repository::check_all(&self.extra_repositories, &mut rules);
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        Some(&self.host_architecture)
    }

    /// Tests the packages; uploads nothing, as in Debusine (its log is the report).
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let binaries = inputs.multiple(
            "input.binary_artifacts",
            &self.input.binary_artifacts,
            dynamic.map(|data| data.input_binary_artifacts_ids.as_slice()),
        )?;
        let base_tgz = inputs.environment(
            "base_tgz",
            &self.base_tgz,
            dynamic.map(|data| data.base_tgz_id),
        )?;
        let found = PiupartsInputs {
            binaries: files_with_suffix(&binaries, ".deb")?,
            base_tgz: base_tgz.path,
        };
        Ok(ctx.run(&self.command_line(&found))?.success())
    }
}
