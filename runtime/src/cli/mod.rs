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

#[cfg(feature = "worker")]
mod artifact;
mod compat;
mod diagnostics;
mod run;
#[cfg(feature = "worker")]
mod worker;

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::configure::TaskInput;
use crate::locate::{SourceFormat, locate_positions};
use crate::metadata::{
    NameFilter, TaggedTask, WorkerMetadata, keys, provided_tags, system_metadata,
};
use crate::registry::{LookupError, Registry, TaskEntry};
use crate::types::WorkerType;

/// The exit codes of the command (see the [module docs](self)).
pub mod exit {
    /// Success: `ok`, `yes`, the task succeeded.
    pub const SUCCESS: u8 = 0;
    /// A negative answer: invalid data, `no`, the task failed, docs out of date.
    pub const NEGATIVE: u8 = 1;
    /// Bad arguments, unknown task name, unreadable or malformed input file; a binary with no
    /// task or with a name claimed twice (`list`, `docs`, `run`).
    pub const USAGE: u8 = 2;
    /// `worker`, as Debian's worker: a token file that group or others can read, a working
    /// directory it cannot create.
    pub const TOKEN_PERMISSIONS: u8 = 3;
    /// `run`: the task was aborted by a signal.
    pub const ABORTED: u8 = 130;
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success: ok, yes, the task succeeded, docs up to date
  1    invalid data, no, the task failed or erred, docs out of date,
       compat: a breaking change without a new version
  2    usage error: bad arguments, unknown task, unreadable or malformed file
  3    worker: a token file readable by group or others, a working directory
       it cannot create
  130  run: the task was aborted (SIGINT or SIGTERM); nothing is reported";

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
#[command(name = "taskdef", version, after_help = EXIT_CODES_HELP)]
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

/// The release a command reads task data in: the one asked for, or the newest the tasks name;
/// `None` when no task names a release (every task then has one form).
fn chosen_release(registry: &Registry, asked: Option<String>) -> Result<Option<String>, CliError> {
    let releases = registry.releases();
    let Some(asked) = asked else {
        return Ok(releases.first().map(|&newest| newest.to_owned()));
    };
    let known = releases
        .iter()
        .any(|&release| crate::task::release_names(release, &asked));
    if releases.is_empty() || known {
        return Ok(Some(asked));
    }
    Err(fail(format!(
        "no task names release `{asked}`; the releases are {}",
        releases.join(", ")
    )))
}

/// Configures `entry` from `input` in `release` (its own form when `None`).
fn configure_in(
    entry: &TaskEntry,
    release: Option<&str>,
    input: TaskInput<'_>,
) -> Result<Box<dyn crate::task::DynTask>, crate::types::TaskConfigError> {
    match release {
        Some(release) => entry.configure_in(release, input),
        None => entry.configure(input),
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the registered tasks: name, kind, version and one-line description.
    #[command(after_help = EXIT_CODES_HELP)]
    List {
        /// Print a JSON array of {name, kind, version, version_key, description}.
        #[arg(long)]
        json: bool,
    },
    /// Print a task's JSON Schema (draft 2020-12), keys sorted.
    #[command(after_help = EXIT_CODES_HELP)]
    Schema {
        /// The task's name (any case).
        name: String,
    },
    /// Generate Markdown docs for every task, or check that a directory has them up to date.
    ///
    /// Writes README.md (the index), <task>.md, <task>.schema.json,
    /// <task>.dynamic-data.schema.json and <task>.changes.json (its history) per task. When
    /// tasks name releases of their engine, each release gets a directory, <release>/, with its
    /// own README.md and those files for each task with data in that release, and README.md is
    /// the index of the releases (a table task × release). With --check, nothing is written:
    /// the files that are missing, changed or extra (*.md, *.schema.json, *.changes.json not
    /// generated, here or in a release directory) are listed and the exit code is 1.
    #[command(after_help = EXIT_CODES_HELP)]
    Docs(DocsArgs),
    /// Check task data against a task's schema and rules.
    ///
    /// Prints `ok`, or every error with its line and column, the JSON pointer of the value
    /// and the reason, and exits with 1.
    ///
    /// With --json, prints a JSON array instead (empty when the data is valid), one object per
    /// violation: {"pointer", "kind", "message", "line", "column", "schema_path"}, `line` and
    /// `column` null where the text gives none. The kinds: syntax, unknown_key, missing_key,
    /// type, enum, pattern, range, schema, deserialize, rule, release.
    #[command(after_help = EXIT_CODES_HELP)]
    Validate {
        /// The task's name (any case).
        name: String,
        /// The task data: JSON or YAML; `-` reads standard input.
        file: PathBuf,
        #[command(flatten)]
        format: FormatArg,
        /// Print the violations as a JSON array, for programs.
        #[arg(long)]
        json: bool,
    },
    /// Print this machine's worker metadata as Debusine would receive it.
    ///
    /// System keys (`system:*`, `executor:*:available`) and every registered task's version
    /// key and probes, as one JSON object with sorted keys.
    #[command(after_help = EXIT_CODES_HELP)]
    Metadata {
        /// The worker type to report (`system:worker_type`).
        #[arg(long, value_enum, default_value_t = WorkerTypeArg::External)]
        worker_type: WorkerTypeArg,
    },
    /// Say whether a worker with the given metadata can run a task with the given data.
    ///
    /// Prints `yes`, or `no: <the check that failed>` and exits with 1. The checks run in the
    /// scheduler's order: tasks_allowlist / tasks_denylist, worker type, version, host
    /// architecture, then the task's own.
    #[command(name = "can-run", after_help = EXIT_CODES_HELP)]
    CanRun {
        /// The task's name (any case).
        name: String,
        /// The task data: JSON or YAML; `-` reads standard input.
        file: PathBuf,
        /// The worker's metadata: a JSON or YAML object (see the `metadata` command).
        #[arg(long, value_name = "METADATA")]
        worker: PathBuf,
        #[command(flatten)]
        format: FormatArg,
    },
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
    #[command(after_help = EXIT_CODES_HELP)]
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
    #[command(after_help = EXIT_CODES_HELP)]
    Compat(compat::CompatArgs),
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct DocsArgs {
    /// Write the docs into this directory (created if needed; stale *.md and *.schema.json
    /// files in it are removed).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Check the docs in this directory instead of writing them.
    #[arg(long, value_name = "DIR")]
    check: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
struct FormatArg {
    /// The syntax of the task data. Default: by extension (.json; .yaml, .yml), else by
    /// content (JSON if it starts with `{` or `[`).
    #[arg(long, value_enum)]
    format: Option<FormatChoice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatChoice {
    Json,
    Yaml,
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

/// What stops a command before it can answer: reported on stderr, exit code 2.
#[derive(Debug)]
enum CliError {
    /// Writing the output failed.
    Io(io::Error),
    /// Anything else, explained.
    Message(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io(error) => write!(f, "cannot write the output: {error}"),
            CliError::Message(message) => f.write_str(message),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(error: io::Error) -> Self {
        CliError::Io(error)
    }
}

fn fail(message: impl Into<String>) -> CliError {
    CliError::Message(message.into())
}

type CliResult = Result<u8, CliError>;

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
            Command::List { json } => {
                require_sound(registry)?;
                list(registry, json, release)
            }
            Command::Schema { name } => {
                let entry = lookup(registry, &name)?;
                let schema = match release {
                    Some(release) => entry
                        .form(release)
                        .map_err(|error| fail(error.to_string()))?
                        .schema(),
                    None => entry.schema(),
                };
                out(&format!("{}\n", crate::docs::pretty(schema)))
            }
            Command::Docs(args) => {
                require_sound(registry)?;
                docs(registry, args, program)
            }
            Command::Validate {
                name,
                file,
                format,
                json,
            } => validate(registry, &name, &file, format, release, json),
            Command::Metadata { worker_type } => {
                let metadata = worker_metadata(registry, worker_type.into());
                out(&format!(
                    "{}\n",
                    crate::docs::pretty(&Value::Object(metadata))
                ))
            }
            Command::CanRun {
                name,
                file,
                worker,
                format,
            } => can_run(registry, &name, &file, &worker, format, release),
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

/// Writes `text` to standard output; exit code 0.
fn out(text: &str) -> CliResult {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(exit::SUCCESS)
}

/// Why a binary with no tasks answers nothing, and how to mend it.
const NO_TASKS: &str =
    "no task is linked into this binary: name the crate of tasks with `use my_tasks as _;`";

/// Refuses a registry that `list`, `docs` and `run` cannot answer for: a name claimed by
/// several types (the listing and the docs would silently leave it out, and a worker would
/// run one of them at random), or no task at all (the answer would be empty, not wrong).
fn require_sound(registry: &Registry) -> Result<(), CliError> {
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

fn lookup(registry: &Registry, name: &str) -> Result<&'static TaskEntry, CliError> {
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
fn in_release(entry: &TaskEntry, release: Option<&str>) -> bool {
    release.is_none_or(|release| entry.form(release).is_ok())
}

fn list(registry: &Registry, json: bool, release: Option<&str>) -> CliResult {
    if json {
        let entries: Vec<Value> = registry
            .entries()
            .filter(|entry| in_release(entry, release))
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
    let entries: Vec<&TaskEntry> = registry
        .entries()
        .filter(|entry| in_release(entry, release))
        .collect();
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

fn docs(registry: &Registry, args: DocsArgs, program: &str) -> CliResult {
    if let Some(problem) = registry
        .releases()
        .into_iter()
        .find_map(crate::docs::release_name_problem)
    {
        return Err(fail(problem));
    }
    let mut files = crate::docs::generate(registry);
    let dir = args.check.as_ref().or(args.out.as_ref());
    compat::add_history(
        registry,
        dir.map_or(Path::new("."), PathBuf::as_path),
        &mut files,
    )?;
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
    for name in removed {
        text.push_str(&format!("removed {}\n", dir.join(name).display()));
    }
    out(&text)
}

/// Task data read from a file or standard input.
struct InputText {
    /// The name to show: the path, or `<stdin>`.
    display: String,
    text: String,
    format: SourceFormat,
}

impl InputText {
    fn task_input(&self) -> TaskInput<'_> {
        match self.format {
            SourceFormat::Json => TaskInput::Json(&self.text),
            SourceFormat::Yaml => TaskInput::Yaml(&self.text),
        }
    }

    /// Parses the text as a JSON value (for files that are not task data).
    fn value(&self) -> Result<Value, CliError> {
        // The same strict reading as task data: no repeated keys, YAML 1.2, bounded.
        let parsed = match self.format {
            SourceFormat::Json => crate::parse::parse_json(self.text.as_bytes()),
            SourceFormat::Yaml => crate::parse::parse_yaml(&self.text),
        }
        .map_err(|error| error.to_string());
        parsed.map_err(|error| {
            fail(format!(
                "`{}` is not valid {}: {error}",
                self.display,
                self.format.as_str().to_uppercase()
            ))
        })
    }
}

fn read_input(path: &Path, format: Option<FormatChoice>) -> Result<InputText, CliError> {
    let stdin = path.as_os_str() == "-";
    let display = if stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    // Read at most one byte past the limit, so a huge input costs no more memory than that.
    let limit = crate::parse::MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    let read = if stdin {
        io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|error| fail(format!("cannot read `{display}`: {error}")))?;
    if bytes.len() as u64 == limit {
        return Err(fail(format!(
            "`{display}` is larger than the limit of {} bytes for task data",
            crate::parse::MAX_INPUT_BYTES
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|error| fail(format!("`{display}` is not UTF-8 text: {error}")))?;
    let format = match format {
        Some(FormatChoice::Json) => SourceFormat::Json,
        Some(FormatChoice::Yaml) => SourceFormat::Yaml,
        None => (!stdin)
            .then(|| SourceFormat::from_path(path))
            .flatten()
            .unwrap_or_else(|| SourceFormat::sniff(&text)),
    };
    Ok(InputText {
        display,
        text,
        format,
    })
}

fn validate(
    registry: &Registry,
    name: &str,
    file: &Path,
    format: FormatArg,
    release: Option<&str>,
    json: bool,
) -> CliResult {
    let entry = lookup(registry, name)?;
    let input = read_input(file, format.format)?;
    match configure_in(entry, release, input.task_input()) {
        Ok(_) if json => out("[]\n"),
        Ok(_) => out("ok\n"),
        Err(mut error) => {
            locate_positions(&mut error, &input.text, input.format);
            if json {
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
fn violations_json(error: &crate::types::TaskConfigError) -> Value {
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

fn worker_metadata(registry: &Registry, worker_type: WorkerType) -> serde_json::Map<String, Value> {
    let mut metadata = system_metadata(worker_type);
    metadata.extend(registry.analyze_worker_all_tasks());
    let tasks = registry
        .entries()
        .filter(|entry| entry.kind.worker_type() == Some(worker_type))
        .map(|entry| TaggedTask {
            kind: entry.kind,
            name: entry.name,
            version: entry.version,
        });
    let tags = provided_tags(&metadata, tasks);
    metadata.insert(keys::PROVIDED_TAGS.into(), tags.into());
    metadata
}

fn can_run(
    registry: &Registry,
    name: &str,
    file: &Path,
    worker: &Path,
    format: FormatArg,
    release: Option<&str>,
) -> CliResult {
    let entry = lookup(registry, name)?;
    let worker_input = read_input(worker, None)?;
    let worker_value = worker_input.value()?;
    let metadata = WorkerMetadata::from_value(worker_value).ok_or_else(|| {
        fail(format!(
            "`{}` is not worker metadata: expected a JSON object",
            worker_input.display
        ))
    })?;
    let input = read_input(file, format.format)?;
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
            assert_eq!(refusal(empty, args), NO_TASKS, "{args:?}");
        }
        assert!(!std::path::Path::new(dir).exists(), "nothing written");
    }
}
