//! What every task's dynamic data holds, as Debusine 0.16 sends it (its `BaseDynamicTaskData`).
//!
//! The runtime's [`taskdef::BaseDynamicData`] takes the keys of every Debusine release at once,
//! for tasks that name no release. The catalogue names its releases, and each release's models
//! refuse the other's keys: 0.16 has `task_input_fields` (never null) and no
//! `task_configuration_id`, 0.11 the reverse. So each release's form has its own base: this one
//! for 0.16, embedded in each task's own dynamic data and the whole of it for the tasks that
//! have none of their own (`noop`, `mmdebstrap`, `simplesystemimagebuild`), and
//! [`crate::debusine_0_11::BaseDynamicData`] for 0.11, converted into this one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What the server computes for every task when it assigns the work (Debusine 0.16's
/// `BaseDynamicTaskData`). Every field may be absent: the server sends only those it set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseDynamicData {
    /// A short human-readable summary of the work request's most important parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_summary: Option<String>,
    /// What the task works on, grouping inputs expected to behave alike, for statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The parameters that most change how the task runs, for statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_context: Option<String>,
    /// The stable name of the main inputs, under which configuration is looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_context: Option<String>,
    /// The server's store of the task's resolved input fields (an object, `{}` when absent;
    /// never null). The catalogue's tasks find their inputs in their own fields.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub task_input_fields: Map<String, Value>,
}
