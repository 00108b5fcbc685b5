//! `extractforsigning` as Debusine 0.11 sends it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::executor::Backend;
use crate::lookup::LookupSingle;
use crate::tasks::extractforsigning::{self as current, ExtractForSigningInput};

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
            input: old.input,
        }
    }
}
