//! `taskdef metadata`: this machine's worker metadata, as Debusine would receive it; the
//! `worker` subcommand sends the same.

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::answer::{CliResult, out};
use crate::registry::Registry;
use crate::types::WorkerType;

#[derive(Debug, Args)]
pub(super) struct MetadataArgs {
    /// The worker type to report (`system:worker_type`).
    #[arg(long, value_enum, default_value_t = WorkerTypeArg::External)]
    worker_type: WorkerTypeArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum WorkerTypeArg {
    External,
    Celery,
    Signing,
}

impl From<WorkerTypeArg> for WorkerType {
    fn from(arg: WorkerTypeArg) -> Self {
        match arg {
            WorkerTypeArg::External => WorkerType::External,
            WorkerTypeArg::Celery => WorkerType::Celery,
            WorkerTypeArg::Signing => WorkerType::Signing,
        }
    }
}

/// Prints the metadata as one JSON object with sorted keys.
pub(super) fn metadata(registry: &Registry, args: MetadataArgs) -> CliResult {
    let metadata = registry.worker_metadata(args.worker_type.into());
    out(&format!(
        "{}\n",
        crate::docs::pretty(&Value::Object(metadata))
    ))
}
