//! `extractforsigning` as Debusine 0.11 sends it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::extractforsigning as current;

/// The task data of `extractforsigning` as Debusine 0.11 sends it: no `build_architecture`,
/// and `task_configuration` defaults to null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractForSigning {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The executor backend: only `auto` is accepted.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to extract the packages in.
    pub environment: LookupSingle,
    /// The template and the packages to extract from.
    pub input: ExtractForSigningInput,
}

impl From<ExtractForSigning> for current::ExtractForSigning {
    fn from(old: ExtractForSigning) -> Self {
        current::ExtractForSigning {
            task_configuration: old.task_configuration,
            backend: old.backend,
            environment: old.environment,
            build_architecture: None,
            input: old.input.into(),
        }
    }
}

/// What a Debusine 0.11 server found for an `extractforsigning` task: 0.16's, on 0.11's base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractForSigningDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The signing template, as found for `input.template_artifact`.
    pub input_template_artifact_id: ArtifactId,
    /// The binary packages, as found for `input.binary_artifacts`.
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
}

impl From<ExtractForSigningDynamicData> for current::ExtractForSigningDynamicData {
    fn from(old: ExtractForSigningDynamicData) -> Self {
        current::ExtractForSigningDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            input_template_artifact_id: old.input_template_artifact_id,
            input_binary_artifacts_ids: old.input_binary_artifacts_ids,
        }
    }
}
/// The template and the binary packages of an `extractforsigning` task (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractForSigningInput {
    /// The signing template.
    pub template_artifact: LookupSingle,
    /// The binary packages holding the files to sign.
    pub binary_artifacts: LookupMultiple011,
}

impl From<ExtractForSigningInput> for current::ExtractForSigningInput {
    fn from(old: ExtractForSigningInput) -> Self {
        current::ExtractForSigningInput {
            template_artifact: old.template_artifact,
            binary_artifacts: old.binary_artifacts.into(),
        }
    }
}
