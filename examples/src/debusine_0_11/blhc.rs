//! `blhc` as Debusine 0.11 sends it.
//!
//! Debusine 0.16 requires `environment` and `build_architecture`; 0.11 has no architecture
//! field and takes a null environment (blhc then runs on the worker, as this catalogue's blhc
//! always does). Such data has no 0.16 form, and Debusine's own migration leaves it invalid;
//! to keep running what a 0.11 server sends, the conversion writes what is missing as the
//! empty string (and a missing `environment_id` as 0), which the task reads as "none": no
//! architecture condition on the worker, no environment (the task never fetches one).

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::ArtifactId;

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::LookupSingle;
use crate::tasks::blhc::{self as current, BlhcFlag, BlhcInput};

/// Check a build log for missing hardening flags with blhc (Debusine 0.11's `BlhcData`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blhc {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The build log to check.
    pub input: BlhcInput,
    /// The executor backend to run blhc with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run blhc in, or null to run it on the worker.
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// Options to pass to blhc.
    #[serde(default)]
    pub extra_flags: Vec<BlhcFlag>,
}

/// What a 0.11 server found for a `blhc` task (Debusine 0.11's `BlhcDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlhcDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`: null or absent when it has none.
    #[serde(default)]
    pub environment_id: Option<ArtifactId>,
    /// The build log to check, as found for `input.artifact`.
    pub input_artifact_id: ArtifactId,
}

/// A null environment becomes `""`, the missing architecture `""` (see the module).
impl From<Blhc> for current::Blhc {
    fn from(old: Blhc) -> Self {
        current::Blhc {
            task_configuration: old.task_configuration,
            input: old.input,
            backend: old.backend,
            environment: old
                .environment
                .unwrap_or_else(|| LookupSingle::Path(String::new())),
            build_architecture: String::new(),
            extra_flags: old.extra_flags,
        }
    }
}

/// A missing `environment_id` becomes 0; 0.11 sends no `input_artifact_data`.
impl From<BlhcDynamicData> for current::BlhcDynamicData {
    fn from(old: BlhcDynamicData) -> Self {
        current::BlhcDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id.unwrap_or(0),
            input_artifact_id: old.input_artifact_id,
            input_artifact_data: None,
        }
    }
}
