//! The exit codes of the command (see the [module docs](super)), in one place: the constants
//! the subcommands return and the text `--help` shows.

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

/// The exit codes as `--help` lists them after each subcommand's options.
pub(crate) const HELP: &str = "\
Exit codes:
  0    success: ok, yes, the task succeeded, docs up to date
  1    invalid data, no, the task failed or erred, docs out of date,
       compat: a breaking change without a new version
  2    usage error: bad arguments, unknown task, unreadable or malformed file
  3    worker: a token file readable by group or others, a working directory
       it cannot create
  130  run: the task was aborted (SIGINT or SIGTERM); nothing is reported";
