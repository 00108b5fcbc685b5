//! `taskdef schema`: one task's JSON Schema, in the release asked for.

use clap::Args;

use super::answer::{CliResult, fail, out};
use super::tasks::lookup;
use crate::registry::Registry;

#[derive(Debug, Args)]
pub(super) struct SchemaArgs {
    /// The task's name (any case).
    name: String,
}

/// Prints the schema of the task's form of `release` (its own form when `None`).
pub(super) fn schema(registry: &Registry, args: SchemaArgs, release: Option<&str>) -> CliResult {
    let entry = lookup(registry, &args.name)?;
    let schema = match release {
        Some(release) => entry
            .form(release)
            .map_err(|error| fail(error.to_string()))?
            .schema(),
        None => entry.schema(),
    };
    out(&format!("{}\n", crate::docs::pretty(schema)))
}
