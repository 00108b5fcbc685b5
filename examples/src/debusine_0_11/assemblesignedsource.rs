//! `assemblesignedsource` as Debusine 0.11 sends it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::assemblesignedsource as current;

/// The task data of `assemblesignedsource` as Debusine 0.11 sends it: no
/// `build_architecture`, and `task_configuration` defaults to null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssembleSignedSource {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The executor backend: only `auto` is accepted.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to build the source package in.
    pub environment: LookupSingle,
    /// The signing template (a `debian:binary-package`).
    pub template: LookupSingle,
    /// The signatures: `debusine:signing-output` artifacts.
    pub signed: LookupMultiple011,
}

impl From<AssembleSignedSource> for current::AssembleSignedSource {
    fn from(old: AssembleSignedSource) -> Self {
        current::AssembleSignedSource {
            task_configuration: old.task_configuration,
            backend: old.backend,
            environment: old.environment,
            build_architecture: None,
            template: old.template,
            signed: old.signed.into(),
        }
    }
}

/// What Debusine 0.11's server finds for an `assemblesignedsource` task: no `unsigned_ids`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssembleSignedSourceDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The signing template, as found for `template`.
    pub template_id: ArtifactId,
    /// The signatures, as found for `signed`.
    pub signed_ids: Vec<ArtifactId>,
}

impl From<AssembleSignedSourceDynamicData> for current::AssembleSignedSourceDynamicData {
    fn from(old: AssembleSignedSourceDynamicData) -> Self {
        current::AssembleSignedSourceDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            template_id: old.template_id,
            signed_ids: old.signed_ids,
            unsigned_ids: Vec::new(),
        }
    }
}
