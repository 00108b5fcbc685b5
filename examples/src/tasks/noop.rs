//! The `noop` task.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use taskdef::{Execute, Task, TaskContext, TaskError};

use crate::lookup::{LookupSingle, default_task_configuration};

/// Do nothing, and report success or failure as asked.
///
/// Useful to check that a worker takes and completes work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Noop {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The result to report: true or "success" for success, false or "failure" for failure
    /// (Debusine 0.16 writes the name).
    #[serde(default)]
    pub result: NoopResult,
}

/// The result noop reports, in either of Debusine's spellings: a boolean (true for success,
/// false for failure) up to Debusine 0.12, or the result's name (`success`, `failure`) in newer
/// servers (0.16), whose scheduler sends noop's data in its own spelling.
///
/// The other results 0.16 allows (`error`, `skipped`, `temporary failure`, empty) are refused:
/// a taskdef task reports success or failure, and an error only by failing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NoopResult {
    /// `true` or `"success"`.
    #[default]
    Success,
    /// `false` or `"failure"`.
    Failure,
}

impl Serialize for NoopResult {
    /// As a boolean: the spelling of the task's schema version, Debusine 0.12's.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*self == NoopResult::Success)
    }
}

impl<'de> Deserialize<'de> for NoopResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ResultVisitor)
    }
}

/// Reads a boolean, `"success"` or `"failure"`; names what it got otherwise.
struct ResultVisitor;

impl Visitor<'_> for ResultVisitor {
    type Value = NoopResult;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, \"success\" or \"failure\"")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NoopResult, E> {
        Ok(if v {
            NoopResult::Success
        } else {
            NoopResult::Failure
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NoopResult, E> {
        match v {
            "success" => Ok(NoopResult::Success),
            "failure" => Ok(NoopResult::Failure),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

impl JsonSchema for NoopResult {
    fn schema_name() -> Cow<'static, str> {
        "NoopResult".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "true or \"success\" for success, false or \"failure\" for failure (Debusine 0.16 writes the name).",
            "anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["success", "failure"]}]
        })
    }
}

impl Execute for Noop {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        ctx.check_aborted()?;
        Ok(self.result == NoopResult::Success)
    }
}
