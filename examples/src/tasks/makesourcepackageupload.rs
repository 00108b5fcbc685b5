//! The `makesourcepackageupload` task.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{ArtifactId, CommandLine, Execute, RelationType, Task, TaskContext, TaskError};

use crate::artifacts::{Inputs, file_with_suffix};
use crate::categories;
use crate::dynamic_data::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupSingle, default_task_configuration};

/// Make a source package upload (a `.changes` file) from a source package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = MakeSourcePackageUploadDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::MakeSourcePackageUpload,
        dynamic_data = crate::debusine_0_11::MakeSourcePackageUploadDynamicData
    )
)]
pub struct MakeSourcePackageUpload {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The source package.
    pub input: MakeSourcePackageUploadInput,
    /// The executor backend to run with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run in.
    pub environment: LookupSingle,
    /// The architecture to run on, or null for any.
    #[serde(default)]
    pub build_architecture: Option<String>,
    /// Include the changelog entries since this version, or null for the last entry only.
    #[serde(default)]
    pub since_version: Option<String>,
    /// The distribution to upload to, or null for the changelog's.
    #[serde(default)]
    pub target_distribution: Option<String>,
}

/// What the server found for a `makesourcepackageupload` task (Debusine's
/// `MakeSourcePackageUploadDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MakeSourcePackageUploadDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The source package to make an upload of, as found for `input.source_artifact`.
    pub input_source_artifact_id: ArtifactId,
}

/// The source package to make an upload of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MakeSourcePackageUploadInput {
    /// The source package artifact.
    pub source_artifact: LookupSingle,
}

impl MakeSourcePackageUpload {
    /// The two commands: unpack the `.dsc` into `source_dir`, then generate the `.changes` file
    /// `changes` from it (run in `source_dir`).
    pub fn command_lines(&self, dsc: &Path, source_dir: &Path, changes: &Path) -> [CommandLine; 2] {
        let extract = CommandLine::new("dpkg-source")
            .arg("--no-check")
            .arg("-x")
            .arg(dsc)
            .arg(source_dir);
        let mut output = std::ffi::OsString::from("-O");
        output.push(changes);
        let mut genchanges = CommandLine::new("dpkg-genchanges")
            .arg("--build=source")
            .current_dir(source_dir);
        if let Some(version) = &self.since_version {
            genchanges = genchanges.arg(format!("-v{version}"));
        }
        if let Some(distribution) = &self.target_distribution {
            genchanges = genchanges.arg(format!("-DDistribution={distribution}"));
        }
        [extract, genchanges.arg(output)]
    }
}

impl Execute for MakeSourcePackageUpload {
    fn host_architecture(&self) -> Option<&str> {
        self.build_architecture.as_deref()
    }

    /// Makes the `.changes`, then uploads it with the source package's files as `debian:upload`,
    /// extending and relating to the source package.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let artifact = inputs.single(
            "input.source_artifact",
            &self.input.source_artifact,
            dynamic.map(|data| data.input_source_artifact_id),
        )?;
        let dsc = file_with_suffix(&artifact, ".dsc")?;
        // dpkg-genchanges finds the files it lists in the parent of the unpacked tree, so the
        // tree goes beside the .dsc, as in Debusine.
        let files_dir = dsc.parent().unwrap_or(ctx.work_dir()).to_owned();
        let source_dir: PathBuf = files_dir.join("package");
        let stem = dsc
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let changes = ctx.work_dir().join(format!("{stem}_source.changes"));
        for command in self.command_lines(&dsc, &source_dir, &changes) {
            if !ctx.run(&command)?.success() {
                return Ok(false);
            }
        }
        let upload = categories::upload(&changes, &files_dir)?;
        let id = ctx.upload_artifact(upload)?;
        inputs.relate_to_sources(id, RelationType::Extends)?;
        inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        Ok(true)
    }
}
