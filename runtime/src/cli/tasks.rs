//! Finding what a subcommand names: the task (with suggestions when the name is unknown), the
//! release of the engine whose data it reads, and a registry sound enough to answer for.

use super::answer::{CliError, fail};
use crate::configure::TaskInput;
use crate::registry::{LookupError, Registry, TaskEntry};

/// The release a command reads task data in: the one asked for, or the newest the tasks name;
/// `None` when no task names a release (every task then has one form).
pub(crate) fn chosen_release(
    registry: &Registry,
    asked: Option<String>,
) -> Result<Option<String>, CliError> {
    let releases = registry.releases();
    let Some(asked) = asked else {
        return Ok(releases.first().map(|&newest| newest.to_owned()));
    };
    let known = releases
        .iter()
        .any(|&release| crate::types::release_names(release, &asked));
    if releases.is_empty() || known {
        return Ok(Some(asked));
    }
    Err(fail(format!(
        "no task names release `{asked}`; the releases are {}",
        releases.join(", ")
    )))
}

/// Configures `entry` from `input` in `release` (its own form when `None`).
pub(crate) fn configure_in(
    entry: &TaskEntry,
    release: Option<&str>,
    input: TaskInput<'_>,
) -> Result<Box<dyn crate::task::DynTask>, crate::types::TaskConfigError> {
    match release {
        Some(release) => entry.configure_in(release, input),
        None => entry.configure(input),
    }
}

/// Why a binary with no tasks answers nothing, and how to mend it.
pub(crate) const NO_TASKS: &str =
    "no task is linked into this binary: name the crate of tasks with `use my_tasks as _;`";

/// Refuses a registry that `list`, `docs` and `run` cannot answer for: a name claimed by
/// several types (the listing and the docs would silently leave it out, and a worker would
/// run one of them at random), or no task at all (the answer would be empty, not wrong).
pub(crate) fn require_sound(registry: &Registry) -> Result<(), CliError> {
    let conflicts: Vec<String> = registry.conflicts().map(ToString::to_string).collect();
    if !conflicts.is_empty() {
        return Err(fail(format!(
            "{}
  = help: every task needs a name of its own in this binary: rename one with \
             `#[task(name = \"...\")]`",
            conflicts.join("\nerror: ")
        )));
    }
    if registry.entries().len() == 0 {
        return Err(fail(NO_TASKS));
    }
    Ok(())
}

/// The task `name` names (any case), or an error that suggests a name or lists them.
pub(crate) fn lookup(registry: &Registry, name: &str) -> Result<&'static TaskEntry, CliError> {
    registry.get(name).map_err(|error| {
        let names = registry.names();
        let suggested = matches!(
            error,
            LookupError::Unknown {
                did_you_mean: Some(_),
                ..
            }
        );
        if names.is_empty() {
            fail(format!("{error} ({NO_TASKS})"))
        } else if suggested {
            fail(error.to_string())
        } else {
            fail(format!("{error}; registered tasks: {}", names.join(", ")))
        }
    })
}

/// Whether `entry` has task data in `release` (every task does when no release is chosen).
pub(crate) fn in_release(entry: &TaskEntry, release: Option<&str>) -> bool {
    release.is_none_or(|release| entry.form(release).is_ok())
}
