//! `makesourcepackageupload` as Debusine 0.11 sends it: without an architecture field.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::LookupSingle;
use crate::tasks::makesourcepackageupload::{self as current, MakeSourcePackageUploadInput};

/// Make a source package upload (a `.changes` file) from a source package (Debusine 0.11's
/// `MakeSourcePackageUploadData`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MakeSourcePackageUpload {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The source package.
    pub input: MakeSourcePackageUploadInput,
    /// The executor backend to run with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run in.
    pub environment: LookupSingle,
    /// Include the changelog entries since this version, or null for the last entry only.
    #[serde(default)]
    pub since_version: Option<String>,
    /// The distribution to upload to, or null for the changelog's.
    #[serde(default)]
    pub target_distribution: Option<String>,
}

/// No architecture: `build_architecture` null (any). The dynamic data is the same in both
/// releases.
impl From<MakeSourcePackageUpload> for current::MakeSourcePackageUpload {
    fn from(old: MakeSourcePackageUpload) -> Self {
        current::MakeSourcePackageUpload {
            task_configuration: old.task_configuration,
            input: old.input,
            backend: old.backend,
            environment: old.environment,
            build_architecture: None,
            since_version: old.since_version,
            target_distribution: old.target_distribution,
        }
    }
}

/// What a Debusine 0.11 server found for a `makesourcepackageupload` task: 0.16's, on 0.11's
/// base.
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

impl From<MakeSourcePackageUploadDynamicData> for current::MakeSourcePackageUploadDynamicData {
    fn from(old: MakeSourcePackageUploadDynamicData) -> Self {
        current::MakeSourcePackageUploadDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            input_source_artifact_id: old.input_source_artifact_id,
        }
    }
}
