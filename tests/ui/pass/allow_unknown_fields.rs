// A task that opts in to unknown keys accepts them; with `deny_unknown_fields` they are refused
// and the schema says so.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// Keeps what it knows, ignores the rest.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[task(version = 1, allow_unknown_fields)]
pub struct Tolerant {
    pub suite: String,
}

/// Refuses keys it does not define.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Strict {
    pub suite: String,
}

impl Execute for Tolerant {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

impl Execute for Strict {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {
    let data = r#"{"suite": "trixie", "extra": 1}"#;
    assert_eq!(Tolerant::configure(data).unwrap().suite, "trixie");
    assert!(Tolerant::schema().get("additionalProperties").is_none());
    assert!(Strict::configure(data).is_err());
    assert_eq!(Strict::schema()["additionalProperties"], false);
}
