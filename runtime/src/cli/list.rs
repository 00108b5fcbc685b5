//! `taskdef list`: the registered tasks, one line each or as JSON.

use clap::Args;
use serde_json::{Value, json};

use super::answer::{CliResult, out};
use super::tasks::in_release;
use crate::registry::{Registry, TaskEntry};

#[derive(Debug, Args)]
pub(super) struct ListArgs {
    /// Print a JSON array of {name, kind, version, version_key, description, releases}.
    #[arg(long)]
    json: bool,
}

/// Lists the tasks with data in `release` (every task when `None`).
pub(super) fn list(registry: &Registry, args: ListArgs, release: Option<&str>) -> CliResult {
    let entries: Vec<&TaskEntry> = registry
        .entries()
        .filter(|entry| in_release(entry, release))
        .collect();
    if args.json {
        let entries: Vec<Value> = entries
            .iter()
            .map(|entry| {
                json!({
                    "name": entry.name,
                    "kind": entry.kind.as_str(),
                    "version": entry.version,
                    "version_key": entry.version_key(),
                    "description": entry.summary(),
                    "releases": entry.releases().collect::<Vec<_>>(),
                })
            })
            .collect();
        return out(&format!(
            "{}\n",
            crate::docs::pretty(&Value::Array(entries))
        ));
    }
    let name_width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let kind_width = entries
        .iter()
        .map(|e| e.kind.as_str().len())
        .max()
        .unwrap_or(0);
    let version_width = entries
        .iter()
        .map(|e| e.version.to_string().len() + 1)
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for entry in entries {
        let line = format!(
            "{:<name_width$}  {:<kind_width$}  {:<version_width$}  {}",
            entry.name,
            entry.kind.as_str(),
            format!("v{}", entry.version),
            entry.summary()
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    out(&text)
}
