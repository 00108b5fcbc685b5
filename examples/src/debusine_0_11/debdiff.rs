//! `debdiff` as Debusine 0.11 sends it: `host_architecture` (0.16's `build_architecture`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{ArtifactId, Rules, TaskConfigError};

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::debdiff::{self as current, DebdiffFlag};

/// Compare two source packages, or two sets of binary packages, with debdiff (Debusine 0.11's
/// `DebDiffData`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Debdiff {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// What to compare: exactly one of the two pairs.
    pub input: DebdiffInput,
    /// The executor backend to run debdiff with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run debdiff in.
    pub environment: LookupSingle,
    /// The architecture to run on (`amd64`).
    pub host_architecture: String,
    /// Options to pass to debdiff.
    #[serde(default)]
    pub extra_flags: Vec<DebdiffFlag>,
}

/// Debusine 0.11.3's message for its rule on the inputs, word for word (it lacks a space).
pub const EXACTLY_ONE_INPUT: &str =
    "Exactly one of source_artifactsor binary_artifacts must be set";

/// What a 0.11 server found for a `debdiff` task (Debusine 0.11's `DebDiffDynamicData`): the
/// binary ids have no length constraint, and both lists may be set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebdiffDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The two source packages to compare, as found for `input.source_artifacts`.
    #[serde(default)]
    #[schemars(length(min = 2, max = 2))]
    pub input_source_artifacts_ids: Option<Vec<ArtifactId>>,
    /// The sets of binary packages to compare, as found for `input.binary_artifacts`.
    #[serde(default)]
    pub input_binary_artifacts_ids: Option<Vec<Vec<ArtifactId>>>,
}

/// `host_architecture` is `build_architecture`; 0.11's rule on the inputs is checked here, with
/// 0.11's message (0.16's `validate` then checks the rest).
impl TryFrom<Debdiff> for current::Debdiff {
    type Error = TaskConfigError;

    fn try_from(old: Debdiff) -> Result<Self, TaskConfigError> {
        let mut rules = Rules::new();
        if old.input.source_artifacts.is_some() == old.input.binary_artifacts.is_some() {
            rules.fail("/input", EXACTLY_ONE_INPUT);
        }
        rules.finish()?;
        Ok(current::Debdiff {
            task_configuration: old.task_configuration,
            input: old.input.into(),
            backend: old.backend,
            environment: old.environment,
            build_architecture: old.host_architecture,
            extra_flags: old.extra_flags,
        })
    }
}

/// The same ids: a 0.11 server sends two lists of binary ids and at most one of the two.
impl From<DebdiffDynamicData> for current::DebdiffDynamicData {
    fn from(old: DebdiffDynamicData) -> Self {
        current::DebdiffDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            input_source_artifacts_ids: old.input_source_artifacts_ids,
            input_binary_artifacts_ids: old.input_binary_artifacts_ids,
        }
    }
}
/// The two things debdiff compares (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebdiffInput {
    /// The old and the new source package.
    #[serde(default)]
    pub source_artifacts: Option<[LookupSingle; 2]>,
    /// The old and the new set of binary packages.
    #[serde(default)]
    pub binary_artifacts: Option<[LookupMultiple011; 2]>,
}

impl From<DebdiffInput> for current::DebdiffInput {
    fn from(old: DebdiffInput) -> Self {
        current::DebdiffInput {
            source_artifacts: old.source_artifacts,
            binary_artifacts: old.binary_artifacts.map(|pair| pair.map(Into::into)),
        }
    }
}
