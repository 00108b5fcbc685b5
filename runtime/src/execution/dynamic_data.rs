//! The dynamic data the server computes for a task when it assigns the work: the part every
//! task receives, and a task's own data held without naming its type.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the server computes for every task when it assigns the work (Debusine's
/// `BaseDynamicTaskData`), and all a task without dynamic data of its own receives.
///
/// A task's own dynamic data embeds it with `#[serde(flatten)]`, so that its keys sit beside the
/// task's. Every field is optional: the server sends only those it set (often none: `{}`).
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
    /// The id of the task-configuration collection found for `task_configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_configuration_id: Option<u64>,
    /// The stable name of the main inputs, under which configuration is looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_context: Option<String>,
    /// Debusine 0.16's store of the task's resolved input fields, sent to every task (often
    /// `{}`); taskdef tasks find their inputs in their own fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_input_fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A task's dynamic data, validated and typed, held without naming its type: what the registry
/// gives for a task known by name, and what the context keeps.
///
/// ```
/// use taskdef::{AnyDynamicData, BaseDynamicData};
///
/// let data = AnyDynamicData::new(BaseDynamicData::default());
/// assert!(data.downcast_ref::<BaseDynamicData>().is_some());
/// assert!(data.downcast_ref::<String>().is_none());
/// ```
#[derive(Clone)]
pub struct AnyDynamicData(Arc<dyn Any + Send + Sync>);

impl AnyDynamicData {
    /// Holds `data`.
    pub fn new<D: Any + Send + Sync>(data: D) -> Self {
        AnyDynamicData(Arc::new(data))
    }

    /// The data, if it is a `D`.
    pub fn downcast_ref<D: Any>(&self) -> Option<&D> {
        self.0.downcast_ref()
    }

    /// The data itself, if it is a `D` held nowhere else; `self` back otherwise.
    pub fn into_inner<D: Any + Send + Sync>(self) -> Result<D, AnyDynamicData> {
        match self.0.downcast::<D>() {
            Ok(data) => Arc::try_unwrap(data).map_err(|data| AnyDynamicData(data)),
            Err(other) => Err(AnyDynamicData(other)),
        }
    }
}

impl fmt::Debug for AnyDynamicData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AnyDynamicData(..)")
    }
}
