//! `lintian` as Debusine 0.11 has it (`LintianData` of 0.11.3; its dynamic data is 0.16's).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::executor::Backend;
use crate::lookup::LookupSingle;
use crate::tasks::lintian::{self, LintianInput, LintianOutput, Severity};

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
            input: old.input,
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
