// A valid task with every key: `name`, `kind` as a bare word, `version`.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Registry, Task, TaskContext, TaskError, TaskKind};

/// Update the suites of a workspace.
///
/// Runs on the server.
///   Indented line.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 3, name = "update_suites", kind = server)]
pub struct UpdateSuites {
    /// Only this suite.
    pub suite: Option<String>,
}

impl Execute for UpdateSuites {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {
    assert_eq!(UpdateSuites::NAME, "update_suites");
    assert_eq!(UpdateSuites::VERSION, 3);
    assert_eq!(UpdateSuites::KIND, TaskKind::Server);
    assert_eq!(UpdateSuites::version_key(), "server:update_suites:version");
    assert_eq!(UpdateSuites::TYPE_NAME, concat!(module_path!(), "::UpdateSuites"));
    assert_eq!(
        UpdateSuites::DESCRIPTION,
        "Update the suites of a workspace.\n\nRuns on the server.\n  Indented line."
    );
    assert_eq!(UpdateSuites::schema()["description"], UpdateSuites::DESCRIPTION);
    let entry = Registry::global().get("Update_Suites").unwrap();
    assert_eq!(entry.type_name, UpdateSuites::TYPE_NAME);
    assert!(UpdateSuites::configure(r#"{"suite": "bookworm"}"#).is_ok());
}
