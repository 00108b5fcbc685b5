//! `taskdef docs`: write the Markdown pages, schemas and histories of every task, or check
//! that a directory has them up to date.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::answer::{CliError, CliResult, fail, out};
use super::compat::add_history;
use super::exit;
use crate::docs::BaseUrl;
use crate::registry::Registry;

#[derive(Debug, Args)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["out", "check"])))]
pub(super) struct DocsArgs {
    /// Write the docs into this directory (created if needed; stale *.md and *.schema.json
    /// files in it are removed).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Check the docs in this directory instead of writing them.
    #[arg(long, value_name = "DIR")]
    check: Option<PathBuf>,
    /// The URL the directory is published at: every schema's `$id` goes under it
    /// (URL/0.16/sbuild.schema.json). Without it, the base the docs in the directory were
    /// published under is kept (the `$id` of their work-request.schema.json); docs never
    /// published under one get `$id`s relative to each schema's own file.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
}

/// Writes the docs into `--out`, or compares them with `--check`'s (exit code 1 when they
/// differ); `program` names the binary in the advice to regenerate them.
pub(super) fn docs(registry: &Registry, args: DocsArgs, program: &str) -> CliResult {
    if let Some(problem) = registry
        .releases()
        .into_iter()
        .find_map(crate::docs::release_name_problem)
    {
        return Err(fail(problem));
    }
    let dir = args.check.as_ref().or(args.out.as_ref());
    let dir = dir.map_or(Path::new("."), PathBuf::as_path);
    let base = base_url(registry, dir, args.base_url.as_deref())?;
    let mut files = crate::docs::generate_under(registry, &base);
    add_history(registry, dir, &mut files)?;
    if let Some(dir) = args.check {
        let drift = crate::docs::check(&dir, &files)
            .map_err(|error| fail(format!("cannot read `{}`: {error}", dir.display())))?;
        if drift.is_empty() {
            return out(&format!(
                "docs in {} are up to date ({} files)\n",
                dir.display(),
                files.len()
            ));
        }
        let mut report = format!("error: the docs in {} are out of date\n", dir.display());
        for (label, names) in [
            ("missing", &drift.missing),
            ("changed", &drift.changed),
            ("extra", &drift.extra),
        ] {
            for name in names {
                report.push_str(&format!("  {label}: {}\n", dir.join(name).display()));
            }
        }
        report.push_str(&format!(
            "regenerate them with `{program} docs --out {}`\n",
            dir.display()
        ));
        io::stderr().write_all(report.as_bytes())?;
        return Ok(exit::NEGATIVE);
    }
    let dir = args.out.unwrap_or_else(|| PathBuf::from("."));
    let removed = crate::docs::write(&dir, &files).map_err(|error| {
        fail(format!(
            "cannot write docs into `{}`: {error}",
            dir.display()
        ))
    })?;
    let mut text = format!("wrote {} files to {}\n", files.len(), dir.display());
    if let Some(base) = base.as_str() {
        text.push_str(&format!("the schemas' $id are under {base}\n"));
    }
    for name in removed {
        text.push_str(&format!("removed {}\n", dir.join(name).display()));
    }
    out(&text)
}

/// The base of the schemas' `$id`s: `--base-url`, else the one the docs in `dir` were published
/// under, else none.
fn base_url(registry: &Registry, dir: &Path, given: Option<&str>) -> Result<BaseUrl, CliError> {
    if let Some(url) = given {
        return BaseUrl::parse(url).map_err(|reason| fail(format!("--base-url: {reason}")));
    }
    // Each release's work request schema, then the flat one: a directory published flat keeps
    // its base when its tasks first name releases.
    let mut paths: Vec<String> = registry
        .releases()
        .iter()
        .map(|&release| crate::docs::work_request_schema_path(Some(release)))
        .collect();
    paths.push(crate::docs::work_request_schema_path(None));
    let published = crate::docs::published_base(dir, &paths)
        .map_err(|error| fail(format!("cannot read `{}`: {error}", dir.display())))?;
    Ok(published.unwrap_or(BaseUrl::NONE))
}
