//! `makesourcepackageupload` as Debusine 0.11 sends it: without an architecture field.

use schemars::JsonSchema;
use serde::Deserialize;

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
