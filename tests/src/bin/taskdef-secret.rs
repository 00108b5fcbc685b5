//! A `taskdef` command with one task whose data holds a secret, for `tests/secret.rs`: every
//! output of a run of it is searched for the secret's value.

use std::process::ExitCode;

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{CommandLine, Execute, Secret, Task, TaskContext, TaskError};

/// Push to a mirror with a token; fails, so that the run writes its debug logs too.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Mirror {
    /// Where to push.
    pub url: String,
    /// The mirror's token.
    pub token: Secret<String>,
}

impl Execute for Mirror {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        // What a careless task writes: its whole data, in the log and into a command's output.
        tracing::info!(task = ?self, "pushing");
        let status = ctx.run(&CommandLine::new("echo").arg(format!("{self:?}")))?;
        tracing::warn!(data = %serde_json::to_string(&self.token).unwrap_or_default(), "token");
        Ok(status.success() && self.token.expose().is_empty())
    }
}

fn main() -> ExitCode {
    taskdef::cli::main()
}
