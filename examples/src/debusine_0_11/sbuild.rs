//! `sbuild` as Debusine 0.11 has it (`SbuildData`, `SbuildDynamicData` of 0.11.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use super::{ExtraRepository, extra_repositories};
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::sbuild::{self, Binnmu, BuildComponent, default_build_components};

/// Sbuild's task data as Debusine 0.11 sends it: `host_architecture` where 0.16 has
/// `build_architecture`, extra repositories always external, and none of 0.16's
/// `build_dep_resolver`, `aspcud_criteria` and `resolve_alternatives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sbuild {
    /// The task configuration to apply, or null (the default) for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// What to build.
    pub input: SbuildInput,
    /// The executor backend to build with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to build in (a tarball or an image).
    pub environment: LookupSingle,
    /// The architecture to build for (`amd64`): 0.16's `build_architecture`.
    pub host_architecture: String,
    /// APT repositories to add to the build environment.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// Which packages to build.
    #[serde(default = "default_build_components")]
    pub build_components: Vec<BuildComponent>,
    /// Build a binary-only non-maintainer upload.
    #[serde(default)]
    pub binnmu: Option<Binnmu>,
    /// Build profiles to enable (`nocheck`, `nodoc`, ...).
    #[serde(default)]
    pub build_profiles: Option<Vec<String>>,
}

impl From<Sbuild> for sbuild::Sbuild {
    /// `host_architecture` becomes `build_architecture`; 0.16's new keys take their defaults.
    fn from(old: Sbuild) -> Self {
        sbuild::Sbuild {
            task_configuration: old.task_configuration,
            input: old.input.into(),
            backend: old.backend,
            environment: old.environment,
            build_architecture: old.host_architecture,
            extra_repositories: extra_repositories(old.extra_repositories),
            build_components: old.build_components,
            binnmu: old.binnmu,
            build_profiles: old.build_profiles,
            build_dep_resolver: None,
            aspcud_criteria: None,
            resolve_alternatives: false,
        }
    }
}

/// What a Debusine 0.11 server found for an `sbuild` task: 0.16's without the resolved
/// `extra_repositories`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SbuildDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`: null or absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The source package to build, as found for `input.source_artifact`.
    pub input_source_artifact_id: ArtifactId,
    /// The binary packages to make available, as found for `input.extra_binary_artifacts`.
    #[serde(default)]
    pub input_extra_binary_artifacts_ids: Vec<ArtifactId>,
    /// The maintainer of a binNMU, when `binnmu` gives none: the requester's name and address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binnmu_maintainer: Option<String>,
}

impl From<SbuildDynamicData> for sbuild::SbuildDynamicData {
    /// No resolved repositories: the worker uses the task data's, all external in 0.11.
    fn from(old: SbuildDynamicData) -> Self {
        sbuild::SbuildDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            extra_repositories: None,
            input_source_artifact_id: old.input_source_artifact_id,
            input_extra_binary_artifacts_ids: old.input_extra_binary_artifacts_ids,
            binnmu_maintainer: old.binnmu_maintainer,
        }
    }
}
/// The artifacts sbuild builds from (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SbuildInput {
    /// The source package to build.
    pub source_artifact: LookupSingle,
    /// Binary packages to make available to the build.
    #[serde(default)]
    pub extra_binary_artifacts: LookupMultiple011,
}

impl From<SbuildInput> for sbuild::SbuildInput {
    fn from(old: SbuildInput) -> Self {
        sbuild::SbuildInput {
            source_artifact: old.source_artifact,
            extra_binary_artifacts: old.extra_binary_artifacts.into(),
        }
    }
}
