//! External commands: argument vectors (never shell strings) and a runner that can stop them.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::abort::AbortHandle;
use super::error::TaskError;

/// A command as an argument vector: the program, its arguments, extra environment, directory.
///
/// Values are passed to the program as they are; nothing is interpreted by a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The program, looked up on `PATH` if it has no `/`.
    pub program: OsString,
    /// The arguments, each one element of `argv`.
    pub args: Vec<OsString>,
    /// Environment variables added to the inherited environment.
    pub env: Vec<(OsString, OsString)>,
    /// The working directory; the task's work directory when `None`.
    pub cwd: Option<PathBuf>,
    /// A file that receives the standard output (created or truncated), for tools whose
    /// report is their output (blhc, lintian, debdiff); `None` sends it to standard error.
    pub stdout: Option<PathBuf>,
}

impl CommandLine {
    /// A command running `program` with no arguments.
    pub fn new(program: impl Into<OsString>) -> Self {
        CommandLine {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
            stdout: None,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds several arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets the working directory.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Writes the standard output into `path` (relative paths are taken from the working
    /// directory of the runner's process, so give an absolute one).
    pub fn stdout_to(mut self, path: impl AsRef<Path>) -> Self {
        self.stdout = Some(path.as_ref().to_owned());
        self
    }

    /// The program's name as text, for messages.
    pub fn program_name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }
}

impl fmt::Display for CommandLine {
    /// Shell-like quoting, for logs only: the command never goes through a shell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.program)?;
        for arg in &self.args {
            f.write_str(" ")?;
            write_quoted(f, arg)?;
        }
        if let Some(path) = &self.stdout {
            f.write_str(" > ")?;
            write_quoted(f, path.as_os_str())?;
        }
        Ok(())
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, word: &OsStr) -> fmt::Result {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        f.write_str(&word)
    } else {
        write!(f, "'{}'", word.replace('\'', r"'\''"))
    }
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandStatus {
    /// The exit code, or `None` if a signal ended it.
    pub code: Option<i32>,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
}

impl CommandStatus {
    /// An exit with `code`.
    pub fn exited(code: i32) -> Self {
        CommandStatus {
            code: Some(code),
            signal: None,
        }
    }

    /// Whether it exited with code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs commands for a task; the context's runner, replaceable in tests.
pub trait CommandRunner: fmt::Debug + Send + Sync {
    /// Runs `command` to completion, or until `abort` is set, then stops it and returns
    /// [`TaskError::Aborted`].
    fn run(&self, command: &CommandLine, abort: &AbortHandle) -> Result<CommandStatus, TaskError>;
}

/// Runs commands as real processes, each in its own process group.
///
/// On abort the whole group gets SIGTERM, then SIGKILL after the grace period, so no child or
/// grandchild survives. Output goes to this process's standard error, so that standard output
/// stays free for results.
#[derive(Debug, Clone)]
pub struct ProcessRunner {
    /// Time between SIGTERM and SIGKILL.
    pub grace_period: Duration,
    /// How often the abort flag is checked while a command runs.
    pub poll_interval: Duration,
}

impl Default for ProcessRunner {
    fn default() -> Self {
        ProcessRunner {
            grace_period: Duration::from_secs(5),
            poll_interval: Duration::from_millis(20),
        }
    }
}

impl CommandRunner for ProcessRunner {
    fn run(&self, command: &CommandLine, abort: &AbortHandle) -> Result<CommandStatus, TaskError> {
        let mut child = self.spawn(command)?;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| command_error(command, e))? {
                return Ok(CommandStatus {
                    code: status.code(),
                    signal: status.signal(),
                });
            }
            if abort.is_aborted() {
                self.stop_group(&mut child);
                return Err(TaskError::Aborted);
            }
            std::thread::sleep(self.poll_interval);
        }
    }
}

impl ProcessRunner {
    fn spawn(&self, command: &CommandLine) -> Result<Child, TaskError> {
        let stdout = match &command.stdout {
            Some(path) => Stdio::from(std::fs::File::create(path).map_err(|error| {
                TaskError::other(format!(
                    "{}: cannot write the output of {}: {error}",
                    path.display(),
                    command.program_name()
                ))
            })?),
            None => stderr_stdio(),
        };
        let mut process = Command::new(&command.program);
        process
            .args(&command.args)
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr_stdio())
            .process_group(0);
        if let Some(dir) = &command.cwd {
            process.current_dir(dir);
        }
        process.spawn().map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => TaskError::ToolMissing {
                program: command.program_name(),
            },
            _ => command_error(command, error),
        })
    }

    /// SIGTERM to the group, SIGKILL after the grace period, then reap the child.
    fn stop_group(&self, child: &mut Child) {
        let group = Pid::from_raw(child.id() as i32);
        // The group may already be gone; either way there is nothing left to signal.
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + self.grace_period;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(self.poll_interval);
        }
        // Grandchildren may outlive the leader: kill the whole group in any case.
        let _ = killpg(group, Signal::SIGKILL);
        let _ = child.wait();
    }
}

fn stderr_stdio() -> Stdio {
    use std::os::fd::AsFd;
    io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_or_else(|_| Stdio::inherit(), Stdio::from)
}

fn command_error(command: &CommandLine, source: io::Error) -> TaskError {
    TaskError::Command {
        program: command.program_name(),
        source,
    }
}
