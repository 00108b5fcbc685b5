//! `noop` as Debusine 0.11 sends it.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::executor::Backend;
use crate::lookup::LookupSingle;
use crate::tasks::{self, NoopResult};

/// Do nothing, and report success or failure as asked (Debusine 0.11's `NoopData`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Noop {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// The result to report: true for success, false for failure.
    #[serde(default = "yes")]
    pub result: bool,
}

fn yes() -> bool {
    true
}

/// `true` is `success`, `false` is `failure`; 0.11 has no executor fields (0.16's defaults).
impl From<Noop> for tasks::Noop {
    fn from(old: Noop) -> Self {
        tasks::Noop {
            task_configuration: old.task_configuration,
            backend: Backend::Auto,
            environment: None,
            build_architecture: None,
            result: if old.result {
                NoopResult::Success
            } else {
                NoopResult::Failure
            },
        }
    }
}
