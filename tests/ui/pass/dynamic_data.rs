use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{BaseDynamicData, Execute, Task, TaskContext, TaskError};

mod found {
    /// What the server found for a build, in another module.
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct BuildDynamicData {
        /// The source package.
        pub input_source_artifact_id: u64,
        /// What every task receives.
        #[serde(flatten)]
        pub base: taskdef::BaseDynamicData,
    }
}

/// Build.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = found::BuildDynamicData)]
pub struct Build {}

impl Execute for Build {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let data: Option<&found::BuildDynamicData> = Self::dynamic_data(ctx);
        Ok(data.is_some_and(|data| data.input_source_artifact_id > 0))
    }
}

/// Written as a string, as serde writes types in its attributes.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = "Vec<u64>")]
pub struct Listed {}

impl Execute for Listed {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(Self::dynamic_data(ctx).is_some_and(|ids: &Vec<u64>| !ids.is_empty()))
    }
}

/// Without the key: what Debusine sends every task.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Plain {}

impl Execute for Plain {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let data: Option<&BaseDynamicData> = Self::dynamic_data(ctx);
        Ok(data.is_none())
    }
}

fn main() {}
