//! `mergeuploads` as Debusine 0.11 sends it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::mergeuploads as current;

/// The task data of `mergeuploads` as Debusine 0.11 sends it: `task_configuration` defaults to
/// null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeUploads {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// No longer used.
    #[serde(default)]
    pub backend: Backend,
    /// No longer used.
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// The uploads to merge.
    pub input: MergeUploadsInput,
}

impl From<MergeUploads> for current::MergeUploads {
    fn from(old: MergeUploads) -> Self {
        current::MergeUploads {
            task_configuration: old.task_configuration,
            backend: old.backend,
            environment: old.environment,
            input: old.input.into(),
        }
    }
}

/// What Debusine 0.11's server finds for a `mergeuploads` task: the ids need not be unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeUploadsDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// No longer used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The uploads, as found for `input.uploads`.
    pub input_uploads_ids: Vec<ArtifactId>,
}

impl From<MergeUploadsDynamicData> for current::MergeUploadsDynamicData {
    fn from(old: MergeUploadsDynamicData) -> Self {
        current::MergeUploadsDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            input_uploads_ids: old.input_uploads_ids,
        }
    }
}
/// The uploads of a `mergeuploads` task (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeUploadsInput {
    /// The `debian:upload` artifacts.
    pub uploads: LookupMultiple011,
}

impl From<MergeUploadsInput> for current::MergeUploadsInput {
    fn from(old: MergeUploadsInput) -> Self {
        current::MergeUploadsInput {
            uploads: old.uploads.into(),
        }
    }
}
