//! `piuparts` as Debusine 0.11 has it (`PiupartsData`, `PiupartsDynamicData` of 0.11.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use super::{ExtraRepository, extra_repositories};
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::piuparts;

/// Piuparts' task data as Debusine 0.11 sends it: `host_architecture` where 0.16 has
/// `build_architecture`, extra repositories always external.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Piuparts {
    /// The task configuration to apply, or null (the default) for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to test.
    pub input: PiupartsInput,
    /// The executor backend to run piuparts with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run piuparts in.
    pub environment: LookupSingle,
    /// The architecture to test on (`amd64`): 0.16's `build_architecture`.
    pub host_architecture: String,
    /// APT repositories to add to the test system.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// The system tarball piuparts installs the packages into.
    pub base_tgz: LookupSingle,
}

impl From<Piuparts> for piuparts::Piuparts {
    /// `host_architecture` becomes `build_architecture`.
    fn from(old: Piuparts) -> Self {
        piuparts::Piuparts {
            task_configuration: old.task_configuration,
            input: old.input.into(),
            backend: old.backend,
            environment: old.environment,
            build_architecture: Some(old.host_architecture),
            extra_repositories: extra_repositories(old.extra_repositories),
            base_tgz: old.base_tgz,
        }
    }
}

/// What a Debusine 0.11 server found for a `piuparts` task: 0.16's without the resolved
/// `extra_repositories`.
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

impl From<PiupartsDynamicData> for piuparts::PiupartsDynamicData {
    /// No resolved repositories: the worker uses the task data's, all external in 0.11.
    fn from(old: PiupartsDynamicData) -> Self {
        piuparts::PiupartsDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            extra_repositories: None,
            input_binary_artifacts_ids: old.input_binary_artifacts_ids,
            base_tgz_id: old.base_tgz_id,
        }
    }
}
/// The packages piuparts tests (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PiupartsInput {
    /// The binary packages to test.
    pub binary_artifacts: LookupMultiple011,
}

impl From<PiupartsInput> for piuparts::PiupartsInput {
    fn from(old: PiupartsInput) -> Self {
        piuparts::PiupartsInput {
            binary_artifacts: old.binary_artifacts.into(),
        }
    }
}
