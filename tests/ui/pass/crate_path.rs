// A crate that re-exports taskdef: its users derive tasks through the re-export, and
// `#[task(crate = ...)]` (a path, or a string as serde writes it) makes the generated code name
// it instead of `::taskdef`.
#![deny(warnings)]

mod framework {
    pub use schemars;
    pub use serde;
    pub use taskdef;
}

use framework::taskdef::{Execute, Task, TaskContext, TaskError};

/// Through a path.
#[derive(Debug, framework::serde::Deserialize, framework::schemars::JsonSchema, Task)]
#[serde(crate = "framework::serde", deny_unknown_fields)]
#[schemars(crate = "framework::schemars")]
#[task(version = 1, crate = framework::taskdef)]
pub struct Reexported {
    pub suite: String,
}

/// Through a string.
#[derive(Debug, framework::serde::Deserialize, framework::schemars::JsonSchema, Task)]
#[serde(crate = "framework::serde", deny_unknown_fields)]
#[schemars(crate = "framework::schemars")]
#[task(version = 2, kind = server, crate = "crate::framework::taskdef")]
pub struct Quoted {}

impl Execute for Reexported {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

impl Execute for Quoted {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() {
    assert_eq!(Reexported::NAME, "reexported");
    assert_eq!(Reexported::DESCRIPTION, "Through a path.");
    assert_eq!(Reexported::configure(r#"{"suite": "sid"}"#).unwrap().suite, "sid");
    assert_eq!(Quoted::version_key(), "server:quoted:version");
    let registry = framework::taskdef::Registry::global();
    assert_eq!(registry.names(), ["quoted", "reexported"]);
}
