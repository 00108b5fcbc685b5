//! A binary whose tasks conflict (a second `noop` beside the catalogue's) refuses `list`,
//! `docs` and `run` with the conflict named and a non-zero exit code, instead of answering
//! without the name.
//!
//! The second `noop` exists only in this test binary, so it is its own `taskdef`: run with
//! `TASKDEF_TEST_AS_CLI=1`, `main` is the command line; otherwise it runs the checks, each
//! spawning this binary as `taskdef <command>`.

use std::process::{Command, ExitCode, Stdio};

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Task, TaskContext, TaskError};

// The catalogue, with its own `noop`.
use taskdef_examples as _;

/// Claims the catalogue's name.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, name = "noop")]
pub struct SecondNoop {}

impl Execute for SecondNoop {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

fn main() -> ExitCode {
    if std::env::var_os("TASKDEF_TEST_AS_CLI").is_some() {
        return taskdef::cli::main();
    }
    let out = std::env::temp_dir().join(format!("taskdef-conflict-{}", std::process::id()));
    let out = out.to_str().expect("a UTF-8 temporary directory");
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["docs", "--out", out],
        &["docs", "--check", "docs/tasks"],
        &["run", "noop", "-"],
    ] {
        let output = Command::new(std::env::current_exe().expect("the test binary"))
            .args(args)
            .env("TASKDEF_TEST_AS_CLI", "1")
            .stdin(Stdio::null())
            .output()
            .expect("the test binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(
            stderr.starts_with("error: Two Tasks with the same name: 'noop' (")
                && stderr.contains("cli_conflict::SecondNoop")
                && stderr.contains("taskdef_examples::tasks::noop::Noop")
                && stderr.contains("#[task(name = \"...\")]"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!std::path::Path::new(out).exists(), "no docs written");
    println!("test a_conflicting_name_refuses_list_docs_and_run ... ok");
    ExitCode::SUCCESS
}
