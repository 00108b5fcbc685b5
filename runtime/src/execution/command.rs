//! External commands: argument vectors (never shell strings) and a runner that can stop them.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Write};
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
/// stays free for results, or to the command log when there is one.
#[derive(Debug, Clone)]
pub struct ProcessRunner {
    /// Time between SIGTERM and SIGKILL.
    pub grace_period: Duration,
    /// How often the abort flag is checked while a command runs.
    pub poll_interval: Duration,
    /// The file each command's output is appended to, framed as Debian's worker frames it in
    /// `cmd-output.log` (the command, its output, how it ended, the files in its directory),
    /// for the work request's debug logs. `None`: output goes to standard error.
    pub output_log: Option<PathBuf>,
}

impl Default for ProcessRunner {
    fn default() -> Self {
        ProcessRunner {
            grace_period: Duration::from_secs(5),
            poll_interval: Duration::from_millis(20),
            output_log: None,
        }
    }
}

impl CommandRunner for ProcessRunner {
    fn run(&self, command: &CommandLine, abort: &AbortHandle) -> Result<CommandStatus, TaskError> {
        let Some(path) = &self.output_log else {
            return self.run_with(command, abort, stderr_stdio, stderr_stdio);
        };
        let mut log = CommandLog::open(path, command).map_err(|e| command_error(command, e))?;
        let outcome = self.run_with(command, abort, || log.stdio(), || log.stdio());
        log.close(command, &outcome);
        outcome
    }
}

/// The command log of Debian's worker (`RunCommandTask.run_cmd`): per command, `cmd: ...`, the
/// output, `aborted:` and `returncode:`, the files in the working directory, a separator.
struct CommandLog {
    file: std::fs::File,
}

impl CommandLog {
    const SEPARATOR: &'static str = "--------------------";

    fn open(path: &Path, command: &CommandLine) -> io::Result<Self> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(file, "cmd: {command}")?;
        writeln!(file, "output (contains stdout and stderr):")?;
        Ok(CommandLog { file })
    }

    fn stdio(&self) -> Stdio {
        self.file
            .try_clone()
            .map_or_else(|_| Stdio::null(), Stdio::from)
    }

    /// The end of the command's entry; a failure to write it loses only log lines.
    fn close(&mut self, command: &CommandLine, outcome: &Result<CommandStatus, TaskError>) {
        let returncode = match outcome {
            Ok(CommandStatus {
                code: Some(code), ..
            }) => code.to_string(),
            Ok(CommandStatus {
                signal: Some(signal),
                ..
            }) => format!("-{signal}"),
            _ => "None".to_owned(),
        };
        let aborted = if matches!(outcome, Err(TaskError::Aborted)) {
            "True"
        } else {
            "False"
        };
        let mut files = Vec::new();
        if let Some(dir) = &command.cwd {
            list_files(dir, dir, &mut files);
        }
        files.sort();
        let text = format!(
            "\naborted: {aborted}\nreturncode: {returncode}\n\nFiles in working directory:\n{}\n{}\n",
            files.join("\n"),
            Self::SEPARATOR
        );
        if let Err(error) = self.file.write_all(text.as_bytes()) {
            tracing::warn!("cannot write the command log: {error}");
        }
    }
}

/// Every path under `dir`, relative to `root` (symbolic links not followed).
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_string_lossy().into_owned());
        }
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            list_files(root, &path, out);
        }
    }
}

impl ProcessRunner {
    fn run_with(
        &self,
        command: &CommandLine,
        abort: &AbortHandle,
        stdout: impl FnOnce() -> Stdio,
        stderr: impl FnOnce() -> Stdio,
    ) -> Result<CommandStatus, TaskError> {
        let mut child = self.spawn(command, stdout(), stderr())?;
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

    fn spawn(
        &self,
        command: &CommandLine,
        stdout: Stdio,
        stderr: Stdio,
    ) -> Result<Child, TaskError> {
        // A command whose output is its report writes it to its own file.
        let stdout = match &command.stdout {
            Some(path) => Stdio::from(std::fs::File::create(path).map_err(|error| {
                TaskError::other(format!(
                    "{}: cannot write the output of {}: {error}",
                    path.display(),
                    command.program_name()
                ))
            })?),
            None => stdout,
        };
        let mut process = Command::new(&command.program);
        process
            .args(&command.args)
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_command_is_logged_as_debian_logs_it() {
        let dir = std::env::temp_dir().join(format!("taskdef-cmd-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("work")).unwrap();
        let log = dir.join("cmd-output.log");
        let runner = ProcessRunner {
            output_log: Some(log.clone()),
            ..ProcessRunner::default()
        };
        let abort = AbortHandle::new();
        let first = CommandLine::new("sh")
            .args(["-c", "echo out; echo err >&2; touch made"])
            .current_dir(dir.join("work"));
        assert!(runner.run(&first, &abort).unwrap().success());
        let second = CommandLine::new("sh")
            .args(["-c", "exit 3"])
            .current_dir(dir.join("work"));
        assert_eq!(runner.run(&second, &abort).unwrap().code, Some(3));
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            text,
            "cmd: sh -c 'echo out; echo err >&2; touch made'\n\
             output (contains stdout and stderr):\n\
             out\nerr\n\
             \naborted: False\nreturncode: 0\n\n\
             Files in working directory:\nmade\n--------------------\n\
             cmd: sh -c 'exit 3'\n\
             output (contains stdout and stderr):\n\
             \naborted: False\nreturncode: 3\n\n\
             Files in working directory:\nmade\n--------------------\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
