//! `taskdef can-run`: whether a worker with the given metadata can run a task with the given
//! data, checked in the scheduler's order.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;

use super::answer::{CliResult, fail, out};
use super::diagnostics;
use super::exit;
use super::input::{FormatArg, read_input};
use super::tasks::{configure_in, lookup};
use crate::locate::locate_positions;
use crate::metadata::{NameFilter, WorkerMetadata};
use crate::registry::Registry;

#[derive(Debug, Args)]
pub(super) struct CanRunArgs {
    /// The task's name (any case).
    name: String,
    /// The task data: JSON or YAML; `-` reads standard input.
    file: PathBuf,
    /// The worker's metadata: a JSON or YAML object (see the `metadata` command).
    #[arg(long, value_name = "METADATA")]
    worker: PathBuf,
    #[command(flatten)]
    format: FormatArg,
}

/// Prints `yes` with 0, or `no: <the check that failed>` with 1.
pub(super) fn can_run(registry: &Registry, args: CanRunArgs, release: Option<&str>) -> CliResult {
    let entry = lookup(registry, &args.name)?;
    let worker_input = read_input(&args.worker, None)?;
    let worker_value = worker_input.value()?;
    let metadata = WorkerMetadata::from_value(worker_value).ok_or_else(|| {
        fail(format!(
            "`{}` is not worker metadata: expected a JSON object",
            worker_input.display
        ))
    })?;
    let input = read_input(&args.file, args.format.format)?;
    let task = match configure_in(entry, release, input.task_input()) {
        Ok(task) => task,
        Err(mut error) => {
            locate_positions(&mut error, &input.text, input.format);
            let report = diagnostics::render(&error, &input.display, &input.text, entry.name);
            io::stderr().write_all(report.as_bytes())?;
            out("no: the task data is invalid\n")?;
            return Ok(exit::NEGATIVE);
        }
    };
    if let Err(refusal) = NameFilter::of(&metadata).check(entry.name) {
        out(&format!("no: `{}` {refusal}\n", entry.name))?;
        return Ok(exit::NEGATIVE);
    }
    match task.check_can_run_on(&metadata) {
        Ok(()) => out("yes\n"),
        Err(failure) => {
            out(&format!("no: {failure}\n"))?;
            Ok(exit::NEGATIVE)
        }
    }
}
