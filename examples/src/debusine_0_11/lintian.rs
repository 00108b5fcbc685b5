//! `lintian` as Debusine 0.11 has it (`LintianData` and
//! `LintianDynamicData` of 0.11.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::ArtifactId;

use super::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple011, LookupSingle};
use crate::tasks::lintian::{self, LintianOutput, Severity};

fn default_target_distribution() -> String {
    "debian:unstable".to_owned()
}

fn never() -> Severity {
    Severity::None
}

/// Lintian's task data as Debusine 0.11 sends it: no architecture at all, and
/// `fail_on_severity` defaults to `none` (0.16: `error`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lintian {
    /// The task configuration to apply, or null (the default) for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to check: a source package, binary packages, or both.
    pub input: LintianInput,
    /// The executor backend to run lintian with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run lintian in, or null to run it on the worker.
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// Which analyses to produce.
    #[serde(default)]
    pub output: LintianOutput,
    /// The distribution to check against (`vendor:codename`).
    #[serde(default = "default_target_distribution")]
    pub target_distribution: String,
    /// Only these tags (all when empty).
    #[serde(default)]
    pub include_tags: Vec<String>,
    /// Never these tags.
    #[serde(default)]
    pub exclude_tags: Vec<String>,
    /// The least severe tag that makes the task fail; by default none does.
    #[serde(default = "never")]
    pub fail_on_severity: Severity,
}

impl From<Lintian> for lintian::Lintian {
    /// No `build_architecture`; the severity as given (its 0.11 default, `none`, kept).
    fn from(old: Lintian) -> Self {
        lintian::Lintian {
            task_configuration: old.task_configuration,
            input: old.input.into(),
            backend: old.backend,
            environment: old.environment,
            build_architecture: None,
            output: old.output,
            target_distribution: old.target_distribution,
            include_tags: old.include_tags,
            exclude_tags: old.exclude_tags,
            fail_on_severity: old.fail_on_severity,
        }
    }
}

/// What a Debusine 0.11 server found for a `lintian` task: 0.16's, on 0.11's base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintianDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`: null or absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The source package to check, as found for `input.source_artifact`: null or absent when
    /// there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_source_artifact_id: Option<ArtifactId>,
    /// The binary packages to check, as found for `input.binary_artifacts`.
    #[serde(default)]
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
}

impl From<LintianDynamicData> for lintian::LintianDynamicData {
    fn from(old: LintianDynamicData) -> Self {
        lintian::LintianDynamicData {
            base: old.base.into(),
            environment_id: old.environment_id,
            input_source_artifact_id: old.input_source_artifact_id,
            input_binary_artifacts_ids: old.input_binary_artifacts_ids,
        }
    }
}
/// The packages lintian checks (0.11's lookups: see [`LookupMultiple011`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintianInput {
    /// The source package, or null.
    #[serde(default)]
    pub source_artifact: Option<LookupSingle>,
    /// Binary packages.
    #[serde(default)]
    pub binary_artifacts: LookupMultiple011,
}

impl From<LintianInput> for lintian::LintianInput {
    fn from(old: LintianInput) -> Self {
        lintian::LintianInput {
            source_artifact: old.source_artifact,
            binary_artifacts: old.binary_artifacts.into(),
        }
    }
}
