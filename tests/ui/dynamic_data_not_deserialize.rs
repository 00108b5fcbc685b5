use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// Dynamic data that cannot be read.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildDynamicData {
    pub input_source_artifact_id: u64,
}

/// Build.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = BuildDynamicData)]
pub struct Build {}

impl Execute for Build {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(Self::dynamic_data(ctx).is_some())
    }
}

fn main() {}
