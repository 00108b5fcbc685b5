use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

/// Build, as release 1.0 sent it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildV1 {
    pub host_architecture: String,
}

impl From<BuildV1> for Build {
    fn from(old: BuildV1) -> Build {
        Build {
            build_architecture: old.host_architecture,
        }
    }
}

/// Build.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, release = "2.0", older(release = "1.0", dat = BuildV1), older(data = BuildV1))]
pub struct Build {
    pub build_architecture: String,
}

impl Execute for Build {
    fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {}
