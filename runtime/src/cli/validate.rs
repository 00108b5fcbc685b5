//! `taskdef validate`: check task data against a task's schema and rules, for people (each
//! violation with its line, column and pointer) or for programs (`--json`).

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use serde_json::{Value, json};

use super::answer::{CliResult, out};
use super::diagnostics;
use super::exit;
use super::input::{FormatArg, read_input};
use super::tasks::{configure_in, lookup};
use crate::locate::locate_positions;
use crate::registry::Registry;
use crate::types::TaskConfigError;

#[derive(Debug, Args)]
pub(super) struct ValidateArgs {
    /// The task's name (any case).
    name: String,
    /// The task data: JSON or YAML; `-` reads standard input.
    file: PathBuf,
    #[command(flatten)]
    format: FormatArg,
    /// Print the violations as a JSON array, for programs.
    #[arg(long)]
    json: bool,
}

/// Validates the file in `release`: `ok` (or `[]`) with 0, the violations with 1.
pub(super) fn validate(
    registry: &Registry,
    args: ValidateArgs,
    release: Option<&str>,
) -> CliResult {
    let entry = lookup(registry, &args.name)?;
    let input = read_input(&args.file, args.format.format)?;
    match configure_in(entry, release, input.task_input()) {
        Ok(_) if args.json => out("[]\n"),
        Ok(_) => out("ok\n"),
        Err(mut error) => {
            locate_positions(&mut error, &input.text, input.format);
            if args.json {
                out(&format!(
                    "{}\n",
                    crate::docs::pretty(&violations_json(&error))
                ))?;
                return Ok(exit::NEGATIVE);
            }
            let report = diagnostics::render(&error, &input.display, &input.text, entry.name);
            io::stderr().write_all(report.as_bytes())?;
            Ok(exit::NEGATIVE)
        }
    }
}

/// The violations of `error` for programs: one object each, with the kind's stable name.
fn violations_json(error: &TaskConfigError) -> Value {
    let violations = error.violations().iter().map(|violation| {
        let position = violation.position;
        json!({
            "pointer": violation.pointer,
            "kind": violation.kind.name(),
            "message": violation.message,
            "line": position.map(|at| at.line),
            "column": position.map(|at| at.column),
            "schema_path": violation.schema_path,
        })
    });
    Value::Array(violations.collect())
}
