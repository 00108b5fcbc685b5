//! The `taskdef` command line, for any binary that links tasks in (feature `cli`).
//!
//! ```no_run
//! // src/bin/taskdef.rs of a crate of tasks (or of a binary that depends on several):
//! use my_tasks as _; // link the tasks in, or they are not registered
//!
//! fn main() -> std::process::ExitCode {
//!     taskdef::cli::main()
//! }
//! # mod my_tasks {}
//! ```
//!
//! Subcommands: `list`, `schema`, `docs`, `validate`, `metadata`, `can-run`, `run`, `compat`,
//! and with the feature `worker`, `worker` and `artifact`; each has `--help`. `--release R`
//! (alias `--debusine R`) before or after the subcommand chooses the release of the engine whose
//! task data is read.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success: `ok`, `yes`, the task succeeded, docs up to date |
//! | 1 | a negative answer: invalid data, `no`, the task failed or erred, docs out of date, a breaking change without a new version |
//! | 2 | usage error: bad arguments, unknown task name, unreadable or malformed file; for `list`, `docs` and `run`, a binary with no task or with a name claimed by two tasks |
//! | 3 | `worker` only, as Debian's `debusine-worker`: a token file readable by its group or by others, a working directory it cannot create |
//! | 130 | `run` only: the task was aborted by SIGINT or SIGTERM (it reports nothing) |
//!
//! Results go to standard output; diagnostics and logs to standard error.
//!
//! # Layout
//!
//! One module per subcommand, each with its arguments and what it does (`list`, `schema`,
//! `docs`, `validate`, `metadata`, `can_run`, `run`, `compat`, `worker`, `artifact`), over
//! three shared ones: `tasks` finds the task and release a command names, `input` reads task
//! data, `answer` is what a command returns; `exit` holds the codes above.

mod answer;
#[cfg(feature = "worker")]
mod artifact;
mod can_run;
mod compat;
mod diagnostics;
mod docs;
pub mod exit;
mod input;
mod list;
mod metadata;
mod run;
mod schema;
mod tasks;
mod validate;
#[cfg(feature = "worker")]
mod worker;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::registry::Registry;
use answer::{CliError, CliResult, fail};
use tasks::{chosen_release, require_sound};

/// Runs the command with the process's arguments and the tasks linked into the binary.
pub fn main() -> ExitCode {
    main_from(std::env::args_os())
}

/// Runs the command with `args` (the first is the program name) and the tasks linked into the
/// binary.
pub fn main_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    main_with(Registry::global(), args)
}

/// Runs the command with `args` (the first is the program name) over `registry` instead of
/// every task linked into the binary: for a binary that serves some of its tasks only, and for
/// tests that need registries of their own.
pub fn main_with<I, T>(registry: &'static Registry, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let program = program_name(args.first());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = error.print();
            return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
        }
    };
    let code = match cli.execute(registry, &program) {
        Ok(code) => code,
        Err(CliError::Io(error)) if error.kind() == io::ErrorKind::BrokenPipe => exit::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: {error}");
            exit::USAGE
        }
    };
    ExitCode::from(code)
}

/// The name the binary was run as (the file name of `argv[0]`), for the commands that messages
/// suggest: a crate of tasks names its binary as it likes. `taskdef` if there is none.
fn program_name(arg0: Option<&OsString>) -> String {
    arg0.map(Path::new)
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "taskdef".to_owned())
}

/// Task definitions: list them, publish their schemas and docs, check task data, and run tasks
/// as a worker would.
#[derive(Debug, Parser)]
#[command(name = "taskdef", version, after_help = exit::HELP)]
struct Cli {
    /// The release of the engine whose task data to read (`0.16`, `0.11`, or a longer version
    /// such as `0.16.2`): each task's form of that release. Default: the newest release a
    /// task names. Tasks that name no release take the data of every release.
    #[arg(
        long,
        global = true,
        value_name = "RELEASE",
        visible_alias = "debusine"
    )]
    release: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the registered tasks: name, kind, version and one-line description.
    #[command(after_help = exit::HELP)]
    List(list::ListArgs),
    /// Print a task's JSON Schema (draft 2020-12), keys sorted.
    #[command(after_help = exit::HELP)]
    Schema(schema::SchemaArgs),
    /// Generate Markdown docs for every task, or check that a directory has them up to date.
    ///
    /// Writes README.md (the index), <task>.md, <task>.schema.json,
    /// <task>.dynamic-data.schema.json and <task>.changes.json (its history) per task. When
    /// tasks name releases of their engine, each release gets a directory, <release>/, with its
    /// own README.md and those files for each task with data in that release, and README.md is
    /// the index of the releases (a table task × release). With --check, nothing is written:
    /// the files that are missing, changed or extra (*.md, *.schema.json, *.changes.json not
    /// generated, here or in a release directory) are listed and the exit code is 1.
    #[command(after_help = exit::HELP)]
    Docs(docs::DocsArgs),
    /// Check task data against a task's schema and rules.
    ///
    /// Prints `ok`, or every error with its line and column, the JSON pointer of the value
    /// and the reason, and exits with 1.
    ///
    /// With --json, prints a JSON array instead (empty when the data is valid), one object per
    /// violation: {"pointer", "kind", "message", "line", "column", "schema_path"}, `line` and
    /// `column` null where the text gives none. The kinds: syntax, unknown_key, missing_key,
    /// type, enum, pattern, range, schema, deserialize, rule, release.
    #[command(after_help = exit::HELP)]
    Validate(validate::ValidateArgs),
    /// Print this machine's worker metadata as Debusine would receive it.
    ///
    /// System keys (`system:*`, `executor:*:available`) and every registered task's version
    /// key and probes, as one JSON object with sorted keys.
    #[command(after_help = exit::HELP)]
    Metadata(metadata::MetadataArgs),
    /// Say whether a worker with the given metadata can run a task with the given data.
    ///
    /// Prints `yes`, or `no: <the check that failed>` and exits with 1. The checks run in the
    /// scheduler's order: tasks_allowlist / tasks_denylist, worker type, version, host
    /// architecture, then the task's own.
    #[command(name = "can-run", after_help = exit::HELP)]
    CanRun(can_run::CanRunArgs),
    /// Configure and run a task here, as Debusine's default external worker would.
    ///
    /// Logs go to standard error; the completion payload Debusine's worker would send,
    /// `{"result": "success" | "failure" | "error", "output_data": {"errors": [...]}}`, goes
    /// to standard output. Error codes: wrong-task-type, setup-failed (unknown task name),
    /// configure-failed, execute-failed.
    ///
    /// SIGINT (Ctrl-C) or SIGTERM aborts the task: its running command's process group gets
    /// SIGTERM, then SIGKILL after the grace period. An aborted task reports nothing and the
    /// exit code is 130.
    #[command(after_help = exit::HELP)]
    Run(run::RunArgs),
    /// Serve this binary's tasks to a Debusine server as an external worker, until SIGINT or
    /// SIGTERM.
    ///
    /// Reads the configuration of Debian's debusine-worker: config.ini ([General] api-url,
    /// log-file, log-level), token, activation-token. Registers when there is no token file.
    /// Exit codes: 0 after SIGINT/SIGTERM (a running task is stopped and not reported), 2 for
    /// a configuration the worker cannot use, 3 when a token file is readable by group or
    /// others.
    #[cfg(feature = "worker")]
    Worker(worker::WorkerArgs),
    /// Download, upload or relate artifacts on the Debusine server of a worker configuration,
    /// through the worker's own artifact client.
    ///
    /// Reads config.ini's api-url and the token file of --config-dir. A worker's token may
    /// create artifacts only with --work-request; otherwise use a user's token. Prints JSON;
    /// exit code 1 when the server or a file refused the operation.
    #[cfg(feature = "worker")]
    Artifact(artifact::ArtifactArgs),
    /// Compare the tasks with earlier published schemas: what changed, and whether old task
    /// data stays valid with the same meaning.
    ///
    /// One line per change: compatible, breaking, or undecidable (counted as breaking), with
    /// the JSON pointer in the task data (under /dynamic_task_data for the dynamic data) and
    /// the old and new schema. Exits with 1 when a task
    /// has a breaking change and kept its version: bump `#[task(version = N)]` or make the
    /// change compatible.
    ///
    /// Release by release when the tasks name releases (only --release's, if given): each with
    /// OLD's directory of that release; a release OLD does not have is new (nothing compared).
    /// An OLD that names no release (written before releases) is read as each task's oldest
    /// release form.
    #[command(after_help = exit::HELP)]
    Compat(compat::CompatArgs),
}

impl Cli {
    /// Runs the command; `program` is the binary's name, for the commands messages suggest.
    fn execute(self, registry: &'static Registry, program: &str) -> CliResult {
        let asked = self.release.is_some();
        let release = chosen_release(registry, self.release)?;
        self.command
            .execute(registry, program, release.as_deref(), asked)
    }
}

impl Command {
    /// Runs the command in `release` (`asked`: named by `--release`, not the default);
    /// `program` is the binary's name, for the commands messages suggest.
    fn execute(
        self,
        registry: &'static Registry,
        program: &str,
        release: Option<&str>,
        asked: bool,
    ) -> CliResult {
        match self {
            Command::Docs(_) if asked => Err(fail(
                "`docs` writes the pages of every release, each release in a directory of its \
                 own: leave out --release",
            )),
            // Every release unless one is asked for.
            Command::Compat(args) => compat::compat(registry, args, release.filter(|_| asked)),
            Command::List(args) => {
                require_sound(registry)?;
                list::list(registry, args, release)
            }
            Command::Schema(args) => schema::schema(registry, args, release),
            Command::Docs(args) => {
                require_sound(registry)?;
                docs::docs(registry, args, program)
            }
            Command::Validate(args) => validate::validate(registry, args, release),
            Command::Metadata(args) => metadata::metadata(registry, args),
            Command::CanRun(args) => can_run::can_run(registry, args, release),
            Command::Run(args) => {
                require_sound(registry)?;
                run::run(registry, args, release)
            }
            #[cfg(feature = "worker")]
            Command::Worker(args) => {
                require_sound(registry)?;
                worker::worker(registry, args)
            }
            #[cfg(feature = "worker")]
            Command::Artifact(args) => artifact::artifact(args),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// The message `args` fail with on `registry`.
    fn refusal(registry: &'static Registry, args: &[&str]) -> String {
        let cli =
            Cli::try_parse_from(std::iter::once("taskdef").chain(args.iter().copied())).unwrap();
        match cli.execute(registry, "taskdef") {
            Err(CliError::Message(message)) => message,
            other => panic!("{args:?} should fail, got {other:?}"),
        }
    }

    #[test]
    fn the_program_is_named_as_it_was_run() {
        let name = |arg0: &str| program_name(Some(&OsString::from(arg0)));
        assert_eq!(name("/usr/bin/debusine-tasks"), "debusine-tasks");
        assert_eq!(name("./mytasks"), "mytasks");
        assert_eq!(name("taskdef"), "taskdef");
        assert_eq!(name(""), "taskdef");
        assert_eq!(program_name(None), "taskdef");
    }

    #[test]
    fn a_binary_without_tasks_refuses_list_docs_and_run() {
        // `'static`, as the registry of a process is.
        let empty: &'static Registry = Box::leak(Box::new(Registry::from_entries([])));
        let dir = std::env::temp_dir().join(format!("taskdef-no-tasks-{}", std::process::id()));
        let dir = dir.to_str().unwrap();
        for args in [
            &["list"][..],
            &["list", "--json"],
            &["docs", "--out", dir],
            &["docs", "--check", dir],
            &["run", "noop", "-"],
        ] {
            assert_eq!(refusal(empty, args), tasks::NO_TASKS, "{args:?}");
        }
        assert!(!std::path::Path::new(dir).exists(), "nothing written");
    }
}
