//! `autopkgtest` as Debusine 0.11 has it (`AutopkgtestData`, `AutopkgtestDynamicData` of
//! 0.11.3).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use super::{ExtraRepository, extra_repositories};
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::autopkgtest::{self, FailOn, NeedsInternet, Timeout};

/// Autopkgtest's task data as Debusine 0.11 sends it: `host_architecture` where 0.16 has
/// `build_architecture`, extra repositories always external, no `pin_packages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autopkgtest {
    /// The task configuration to apply, or null (the default) for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to test.
    pub input: AutopkgtestInput,
    /// The executor backend to test with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to test in (a tarball or an image).
    pub environment: LookupSingle,
    /// The architecture to test on (`amd64`): 0.16's `build_architecture`.
    pub host_architecture: String,
    /// APT repositories to add to the test environment.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// Only these tests (all when empty).
    #[serde(default)]
    pub include_tests: Vec<String>,
    /// Never these tests.
    #[serde(default)]
    pub exclude_tests: Vec<String>,
    /// How much debugging output: 0 (none) to 3.
    #[serde(default)]
    #[schemars(range(min = 0, max = 3))]
    pub debug_level: u8,
    /// Whether to prefer packages from the environment's base distribution.
    #[serde(default)]
    pub use_packages_from_base_repository: bool,
    /// Environment variables for the tests.
    #[serde(default)]
    pub extra_environment: BTreeMap<String, String>,
    /// What to do with tests that need the Internet.
    #[serde(default)]
    pub needs_internet: NeedsInternet,
    /// Which outcomes make the task fail.
    #[serde(default)]
    pub fail_on: FailOn,
    /// Timeouts in seconds, or null for autopkgtest's defaults.
    #[serde(default)]
    pub timeout: Option<Timeout>,
}

impl From<Autopkgtest> for autopkgtest::Autopkgtest {
    /// `host_architecture` becomes `build_architecture`; no packages are pinned.
    fn from(old: Autopkgtest) -> Self {
        autopkgtest::Autopkgtest {
            task_configuration: old.task_configuration,
            input: old.input.into(),
            backend: old.backend,
            environment: old.environment,
            build_architecture: Some(old.host_architecture),
            extra_repositories: extra_repositories(old.extra_repositories),
            include_tests: old.include_tests,
            exclude_tests: old.exclude_tests,
            debug_level: old.debug_level,
            use_packages_from_base_repository: old.use_packages_from_base_repository,
            pin_packages: BTreeMap::new(),
            extra_environment: old.extra_environment,
            needs_internet: old.needs_internet,
            fail_on: old.fail_on,
            timeout: old.timeout,
        }
    }
}

/// What a Debusine 0.11 server found for an `autopkgtest` task: 0.16's without the resolved
/// `extra_repositories`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopkgtestDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The source package to test, as found for `input.source_artifact`.
    pub input_source_artifact_id: ArtifactId,
    /// The binary packages to test, as found for `input.binary_artifacts`.
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
    /// Further binary packages for the tests, as found for `input.context_artifacts`.
    #[serde(default)]
    pub input_context_artifacts_ids: Vec<ArtifactId>,
}

impl From<AutopkgtestDynamicData> for autopkgtest::AutopkgtestDynamicData {
    /// No resolved repositories: the worker uses the task data's, all external in 0.11.
    fn from(old: AutopkgtestDynamicData) -> Self {
        autopkgtest::AutopkgtestDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            extra_repositories: None,
            input_source_artifact_id: old.input_source_artifact_id,
            input_binary_artifacts_ids: old.input_binary_artifacts_ids,
            input_context_artifacts_ids: old.input_context_artifacts_ids,
        }
    }
}
/// The packages autopkgtest tests (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopkgtestInput {
    /// The source package holding the tests.
    pub source_artifact: LookupSingle,
    /// The binary packages to test.
    pub binary_artifacts: LookupMultiple011,
    /// Further artifacts the tests may use.
    #[serde(default)]
    pub context_artifacts: LookupMultiple011,
}

impl From<AutopkgtestInput> for autopkgtest::AutopkgtestInput {
    fn from(old: AutopkgtestInput) -> Self {
        autopkgtest::AutopkgtestInput {
            source_artifact: old.source_artifact,
            binary_artifacts: old.binary_artifacts.into(),
            context_artifacts: old.context_artifacts.into(),
        }
    }
}
