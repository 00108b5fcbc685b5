//! How `taskdef worker` runs a task's commands, as Debian's 0.16 worker runs them
//! (`RunCommandTask.run_cmd` in `tasks/_task.py`):
//!
//! - in a minimal environment: `PATH`, the configuration's `[Environment]` section, the
//!   command's own variables, and `TMPDIR`, a fresh directory (mode 0755) inside the work
//!   request's directory, removed when the command ends;
//! - in its own process group, stopped with SIGTERM then SIGKILL when the work request is
//!   aborted, and the group killed when the command ends, so that nothing it started survives;
//! - its output read through pipes as it comes: appended to the debug logs' `cmd-output.log`
//!   in Debian's framing (or written to the command's own output file), and sent to the live
//!   log in chunks of at most 64 KiB at least once a second, the streams kept in the order the
//!   output came;
//! - its start and end noted for the phases of the runtime statistics.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, PipeReader, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::live_log::LiveLog;
use super::work_request::Phases;
use crate::execution::{AbortHandle, CommandLine, CommandRunner, CommandStatus, TaskError};

/// The largest chunk of output sent at once (Debian's `LOG_CHUNK_MAX_BYTES`).
const CHUNK_MAX_BYTES: usize = 64 * 1024;

/// Output waits at most this long before it is sent (Debian's `LOG_CHUNK_MAX_SECONDS`).
const CHUNK_MAX_AGE: Duration = Duration::from_secs(1);

/// The line that ends each command's entry in `cmd-output.log`.
const SEPARATOR: &str = "--------------------";

/// The worker's command runner.
#[derive(Debug)]
pub(crate) struct WorkerRunner {
    /// Time between SIGTERM and SIGKILL.
    pub grace_period: Duration,
    /// How often the abort flag is checked while a command runs.
    pub poll_interval: Duration,
    /// The work request's directory: each command's `TMPDIR` is made inside.
    pub work_dir: PathBuf,
    /// `PATH` for the commands (the worker's own).
    pub path: Option<OsString>,
    /// The configuration's `[Environment]`, names in upper case.
    pub environment: Vec<(String, String)>,
    /// The debug logs' `cmd-output.log`; `None`: the output goes to standard error.
    pub output_log: Option<PathBuf>,
    /// Where the output goes as it comes (Debusine 0.16).
    pub live: Option<LiveLog>,
    /// Where the commands' start and end are noted.
    pub phases: Option<Arc<Phases>>,
    /// How many commands ran, for unique `TMPDIR` names.
    pub counter: AtomicU64,
}

impl WorkerRunner {
    /// A runner for the work request working in `work_dir`, with the worker's `PATH` and
    /// nothing else yet.
    pub(crate) fn new(work_dir: &Path) -> Self {
        WorkerRunner {
            grace_period: Duration::from_secs(5),
            poll_interval: Duration::from_millis(20),
            work_dir: work_dir.to_owned(),
            path: std::env::var_os("PATH"),
            environment: Vec::new(),
            output_log: None,
            live: None,
            phases: None,
            counter: AtomicU64::new(0),
        }
    }

    /// A fresh `TMPDIR` inside the work directory, mode 0755 (tasks may put root containers
    /// there).
    fn temporary_directory(&self) -> io::Result<PathBuf> {
        fs::create_dir_all(&self.work_dir)?;
        loop {
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            let dir = self.work_dir.join(format!("tmp-{n}"));
            match fs::create_dir(&dir) {
                Ok(()) => {
                    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
                    return Ok(dir);
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// The command's whole environment.
    fn environment(&self, command: &CommandLine, tmpdir: &Path) -> Vec<(OsString, OsString)> {
        let mut env: Vec<(OsString, OsString)> = Vec::new();
        if let Some(path) = &self.path {
            env.push(("PATH".into(), path.clone()));
        }
        env.extend(
            self.environment
                .iter()
                .map(|(key, value)| (key.into(), value.into())),
        );
        env.extend(command.env.iter().cloned());
        env.push(("TMPDIR".into(), tmpdir.as_os_str().to_owned()));
        env
    }

    fn open_log(&self) -> io::Result<Option<File>> {
        self.output_log
            .as_ref()
            .map(|path| OpenOptions::new().create(true).append(true).open(path))
            .transpose()
    }
}

/// A sink for a stream's bytes: a file, or this process's standard error.
fn sink(file: Option<&File>) -> io::Result<Box<dyn Write + Send>> {
    Ok(match file {
        Some(file) => Box::new(file.try_clone()?),
        None => Box::new(io::stderr()),
    })
}

impl CommandRunner for WorkerRunner {
    fn run(&self, command: &CommandLine, abort: &AbortHandle) -> Result<CommandStatus, TaskError> {
        let fail = |error: io::Error| TaskError::Command {
            program: command.program_name(),
            source: error,
        };
        if let Some(phases) = &self.phases {
            phases.command_started();
        }
        let mut log = self.open_log().map_err(fail)?;
        let captured = command.stdout.as_deref();
        if let Some(log) = &mut log {
            let what = if captured.is_some() {
                "output (contains stderr only, stdout was captured):"
            } else {
                "output (contains stdout and stderr):"
            };
            // A failure to write loses only log lines.
            let _ = write!(log, "cmd: {command}\n{what}\n");
        }
        let tmpdir = self.temporary_directory().map_err(fail)?;
        let outcome = self.run_in(command, abort, log.as_ref(), &tmpdir);
        if let Err(error) = fs::remove_dir_all(&tmpdir) {
            tracing::warn!("cannot remove `{}`: {error}", tmpdir.display());
        }
        if let Some(log) = &mut log {
            write_result(log, command, &outcome);
        }
        if let Some(live) = &self.live {
            live.end(match &outcome {
                Ok(status) | Err((_, Some(status))) => exit_code(status),
                Err((_, None)) => -1,
            });
        }
        if let Some(phases) = &self.phases {
            phases.command_ended();
        }
        outcome.map_err(|(error, _)| error)
    }
}

/// `returncode` as Python's `subprocess` gives it: the exit code, or minus the signal.
fn exit_code(status: &CommandStatus) -> i64 {
    match (status.code, status.signal) {
        (Some(code), _) => i64::from(code),
        (None, Some(signal)) => -i64::from(signal),
        (None, None) => -1,
    }
}

/// What a run gave: the status, or an error and the status of the stopped process if it had
/// one (an aborted command).
type RunOutcome = Result<CommandStatus, (TaskError, Option<CommandStatus>)>;

impl WorkerRunner {
    fn run_in(
        &self,
        command: &CommandLine,
        abort: &AbortHandle,
        log: Option<&File>,
        tmpdir: &Path,
    ) -> RunOutcome {
        let fail = |error: io::Error| {
            (
                TaskError::Command {
                    program: command.program_name(),
                    source: error,
                },
                None,
            )
        };
        let shared = Arc::new(Mutex::new(Vec::<Buffer>::new()));
        let mut pumps = Vec::new();
        let mut process = Command::new(&command.program);
        process
            .args(&command.args)
            .env_clear()
            .envs(self.environment(command, tmpdir))
            .stdin(Stdio::null())
            .process_group(0);
        if let Some(dir) = &command.cwd {
            process.current_dir(dir);
        }
        match &command.stdout {
            Some(path) => {
                let file = File::create(path).map_err(|error| {
                    (
                        TaskError::other(format!(
                            "{}: cannot write the output of {}: {error}",
                            path.display(),
                            command.program_name()
                        )),
                        None,
                    )
                })?;
                let (out_reader, out_writer) = io::pipe().map_err(fail)?;
                let (err_reader, err_writer) = io::pipe().map_err(fail)?;
                process.stdout(out_writer).stderr(err_writer);
                pumps.push((
                    out_reader,
                    Box::new(file) as Box<dyn Write + Send>,
                    "stdout",
                ));
                pumps.push((err_reader, sink(log).map_err(fail)?, "stderr"));
            }
            None => {
                let (reader, writer) = io::pipe().map_err(fail)?;
                let writer2 = writer.try_clone().map_err(fail)?;
                process.stdout(writer).stderr(writer2);
                pumps.push((reader, sink(log).map_err(fail)?, "stdout"));
            }
        }
        let spawned = process.spawn();
        // Our ends of the pipes' writing sides go with the `Command`: the pumps see the end of
        // the output when the command's processes have closed theirs.
        drop(process);
        let mut child = spawned.map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => (
                TaskError::ToolMissing {
                    program: command.program_name(),
                },
                None,
            ),
            _ => fail(error),
        })?;
        let threads: Vec<JoinHandle<()>> = pumps
            .into_iter()
            .map(|(reader, out, label)| {
                let shared = Arc::clone(&shared);
                let live = self.live.clone();
                std::thread::spawn(move || pump(reader, out, label, &shared, live.as_ref()))
            })
            .collect();
        let outcome = self.wait(&mut child, abort, command);
        for thread in threads {
            let _ = thread.join();
        }
        outcome
    }

    fn wait(&self, child: &mut Child, abort: &AbortHandle, command: &CommandLine) -> RunOutcome {
        let group = Pid::from_raw(child.id() as i32);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    // Whatever the command left running in its group goes with it.
                    let _ = killpg(group, Signal::SIGKILL);
                    return Ok(CommandStatus {
                        code: status.code(),
                        signal: status.signal(),
                    });
                }
                Ok(None) => {}
                Err(error) => {
                    let _ = killpg(group, Signal::SIGKILL);
                    let _ = child.wait();
                    return Err((
                        TaskError::Command {
                            program: command.program_name(),
                            source: error,
                        },
                        None,
                    ));
                }
            }
            if abort.is_aborted() {
                let status = self.stop_group(child, group);
                return Err((TaskError::Aborted, status));
            }
            std::thread::sleep(self.poll_interval);
        }
    }

    /// SIGTERM to the group, SIGKILL after the grace period, then reap the child.
    fn stop_group(&self, child: &mut Child, group: Pid) -> Option<CommandStatus> {
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + self.grace_period;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(self.poll_interval);
        }
        let _ = killpg(group, Signal::SIGKILL);
        child.wait().ok().map(|status| CommandStatus {
            code: status.code(),
            signal: status.signal(),
        })
    }
}

/// The end of a command's entry in `cmd-output.log`, as Debian writes it: whether it was
/// aborted, its return code, the files of its working directory, a separator, and the
/// captured output when it had its own output file.
fn write_result(log: &mut File, command: &CommandLine, outcome: &RunOutcome) {
    let (aborted, status) = match outcome {
        Ok(status) => (false, Some(*status)),
        Err((TaskError::Aborted, status)) => (true, *status),
        Err((_, status)) => (false, *status),
    };
    let returncode = status.map_or("None".to_owned(), |status| exit_code(&status).to_string());
    let mut files = Vec::new();
    if let Some(dir) = &command.cwd {
        list_files(dir, dir, &mut files);
    }
    files.sort();
    let aborted = if aborted { "True" } else { "False" };
    let mut text = format!(
        "\naborted: {aborted}\nreturncode: {returncode}\n\nFiles in working directory:\n{}\n{SEPARATOR}\n",
        files.join("\n")
    );
    if let Some(path) = &command.stdout {
        let captured = fs::read(path).unwrap_or_default();
        text.push_str(&String::from_utf8_lossy(&captured));
        text.push_str(&format!("\n{SEPARATOR}\n"));
    }
    if let Err(error) = log.write_all(text.as_bytes()) {
        tracing::warn!("cannot write the command log: {error}");
    }
}

/// Every path under `dir`, relative to `root` (symbolic links not followed).
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
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

/// One stream's output not sent to the live log yet.
#[derive(Debug)]
struct Buffer {
    label: &'static str,
    data: Vec<u8>,
    since: Instant,
}

/// Sends `buffer` to the live log and empties it.
fn flush(buffer: &mut Buffer, live: Option<&LiveLog>) {
    buffer.since = Instant::now();
    if buffer.data.is_empty() {
        return;
    }
    if let Some(live) = live {
        live.data(&String::from_utf8_lossy(&buffer.data), buffer.label);
    }
    buffer.data.clear();
}

/// Copies `reader` (a command's stream `label`) into `out` as it comes, and into the live log
/// in chunks; another stream's pending output is sent before this one's, to keep their order.
fn pump(
    mut reader: PipeReader,
    mut out: Box<dyn Write + Send>,
    label: &'static str,
    shared: &Mutex<Vec<Buffer>>,
    live: Option<&LiveLog>,
) {
    let index = {
        let mut buffers = shared.lock().unwrap_or_else(PoisonError::into_inner);
        buffers.push(Buffer {
            label,
            data: Vec::new(),
            since: Instant::now(),
        });
        buffers.len() - 1
    };
    let mut chunk = vec![0u8; CHUNK_MAX_BYTES];
    loop {
        if live.is_some() {
            let since = shared.lock().unwrap_or_else(PoisonError::into_inner)[index].since;
            let remaining = CHUNK_MAX_AGE.saturating_sub(since.elapsed());
            let timeout = PollTimeout::try_from(remaining).unwrap_or(PollTimeout::MAX);
            let mut fds = [PollFd::new(reader.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) => {
                    let mut buffers = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    flush(&mut buffers[index], live);
                    continue;
                }
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => break,
            }
        }
        let read = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        if let Err(error) = out.write_all(&chunk[..read]) {
            tracing::debug!("cannot write a command's output: {error}");
        }
        if live.is_some() {
            let mut buffers = shared.lock().unwrap_or_else(PoisonError::into_inner);
            for (other, buffer) in buffers.iter_mut().enumerate() {
                if other != index && !buffer.data.is_empty() {
                    flush(buffer, live);
                }
            }
            let buffer = &mut buffers[index];
            buffer.data.extend_from_slice(&chunk[..read]);
            if buffer.data.len() >= CHUNK_MAX_BYTES || buffer.since.elapsed() >= CHUNK_MAX_AGE {
                flush(buffer, live);
            }
        }
    }
    let mut buffers = shared.lock().unwrap_or_else(PoisonError::into_inner);
    flush(&mut buffers[index], live);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::live_log::Outbox;
    use crate::client::wake::Wakeup;
    use serde_json::Value;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("taskdef-runner-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("work")).unwrap();
        dir
    }

    fn frames(outbox: &mut Outbox) -> Vec<Value> {
        outbox.collect();
        let mut frames = Vec::new();
        outbox
            .send_with(|frame| {
                frames.push(serde_json::from_str(&frame).unwrap());
                Ok(())
            })
            .unwrap();
        frames
    }

    #[test]
    fn commands_get_path_the_configured_environment_and_their_own_tmpdir_only() {
        let dir = scratch("env");
        let work = dir.join("work");
        let mut runner = WorkerRunner::new(&work);
        runner.environment = vec![("PROXY_FOR_TASKS".into(), "http://proxy:3128".into())];
        runner.output_log = Some(dir.join("cmd-output.log"));
        let command = CommandLine::new("sh")
            .args(["-c", "env | sort > env.txt; test -d \"$TMPDIR\""])
            .env("OWN", "1")
            .current_dir(&work);
        let status = runner.run(&command, &AbortHandle::new()).unwrap();
        assert!(status.success());
        let env = fs::read_to_string(work.join("env.txt")).unwrap();
        let names: Vec<&str> = env
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name))
            .filter(|name| !["PWD", "SHLVL", "_"].contains(name))
            .collect();
        assert_eq!(names, ["OWN", "PATH", "PROXY_FOR_TASKS", "TMPDIR"], "{env}");
        let tmpdir = env
            .lines()
            .find_map(|line| line.strip_prefix("TMPDIR="))
            .unwrap();
        assert!(Path::new(tmpdir).starts_with(&work), "{tmpdir}");
        assert!(
            !Path::new(tmpdir).exists(),
            "TMPDIR is removed after the command"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn output_goes_to_the_log_in_debians_framing_and_to_the_live_log_with_its_end() {
        let dir = scratch("live");
        let work = dir.join("work");
        let wakeup = Wakeup::new().unwrap();
        let mut outbox = Outbox::new(wakeup.waker());
        let phases = Arc::new(Phases::default());
        let mut runner = WorkerRunner::new(&work);
        runner.output_log = Some(dir.join("cmd-output.log"));
        runner.live = Some(LiveLog::new(5, &outbox));
        runner.phases = Some(Arc::clone(&phases));
        let first = CommandLine::new("sh")
            .args(["-c", "echo out; echo err >&2; touch made; exit 3"])
            .current_dir(&work);
        assert_eq!(
            runner.run(&first, &AbortHandle::new()).unwrap().code,
            Some(3)
        );
        let captured = CommandLine::new("sh")
            .args(["-c", "echo report; echo warning >&2"])
            .stdout_to(dir.join("report.txt"))
            .current_dir(&work);
        assert!(
            runner
                .run(&captured, &AbortHandle::new())
                .unwrap()
                .success()
        );
        let text = fs::read_to_string(dir.join("cmd-output.log")).unwrap();
        assert_eq!(
            text,
            "cmd: sh -c 'echo out; echo err >&2; touch made; exit 3'\n\
             output (contains stdout and stderr):\n\
             out\nerr\n\
             \naborted: False\nreturncode: 3\n\n\
             Files in working directory:\nmade\n--------------------\n\
             cmd: sh -c 'echo report; echo warning >&2' > "
                .to_owned()
                + &format!("{}", dir.join("report.txt").display())
                + "\noutput (contains stderr only, stdout was captured):\n\
             warning\n\
             \naborted: False\nreturncode: 0\n\n\
             Files in working directory:\nmade\n--------------------\n\
             report\n\n--------------------\n"
        );
        assert_eq!(
            fs::read_to_string(dir.join("report.txt")).unwrap(),
            "report\n"
        );
        let frames = frames(&mut outbox);
        let text: Vec<(String, String)> = frames
            .iter()
            .map(|frame| {
                (
                    frame["type"].as_str().unwrap().to_owned(),
                    frame
                        .get("data")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .unwrap_or_else(|| frame["exit_code"].to_string()),
                )
            })
            .collect();
        let data: String = text
            .iter()
            .take_while(|(kind, _)| kind == "log_data")
            .map(|(_, data)| data.as_str())
            .collect();
        assert_eq!(data, "out\nerr\n");
        assert!(
            text.contains(&("log_data_end".to_owned(), "3".to_owned())),
            "{text:?}"
        );
        assert_eq!(
            text.last().unwrap(),
            &("log_data_end".to_owned(), "0".to_owned())
        );
        let streams: Vec<&str> = frames
            .iter()
            .filter(|frame| frame["type"] == "log_data")
            .map(|frame| frame["stream"].as_str().unwrap())
            .collect();
        assert!(streams.contains(&"stderr"), "{streams:?}");
        assert!(phases.any_command());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn output_is_sent_while_the_command_runs() {
        let dir = scratch("running");
        let work = dir.join("work");
        let wakeup = Wakeup::new().unwrap();
        let mut outbox = Outbox::new(wakeup.waker());
        let mut runner = WorkerRunner::new(&work);
        runner.live = Some(LiveLog::new(6, &outbox));
        runner.output_log = Some(dir.join("cmd-output.log"));
        let gate = dir.join("gate");
        // The command waits for the gate, which the test opens only once the first line has
        // reached the live log: the line went out while the command ran.
        let command = CommandLine::new("sh")
            .args([
                "-c",
                &format!(
                    "echo first; while [ ! -e '{}' ]; do sleep 0.05; done; echo second",
                    gate.display()
                ),
            ])
            .current_dir(&work);
        let runner = Arc::new(runner);
        let thread = {
            let runner = Arc::clone(&runner);
            std::thread::spawn(move || runner.run(&command, &AbortHandle::new()))
        };
        let mut seen = Vec::new();
        while !seen.iter().any(|frame: &Value| frame["data"] == "first\n") {
            let mut fds = [PollFd::new(wakeup.fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::NONE).unwrap();
            wakeup.drain();
            seen.extend(frames(&mut outbox));
        }
        fs::write(&gate, "").unwrap();
        assert!(thread.join().unwrap().unwrap().success());
        let rest = frames(&mut outbox);
        assert!(
            rest.iter().any(|frame| frame["data"] == "second\n"),
            "{rest:?}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_aborted_command_ends_its_live_log_and_reports_aborted() {
        let dir = scratch("abort");
        let work = dir.join("work");
        let wakeup = Wakeup::new().unwrap();
        let mut outbox = Outbox::new(wakeup.waker());
        let mut runner = WorkerRunner::new(&work);
        runner.live = Some(LiveLog::new(7, &outbox));
        runner.output_log = Some(dir.join("cmd-output.log"));
        runner.grace_period = Duration::from_millis(100);
        let abort = AbortHandle::new();
        abort.abort();
        let command = CommandLine::new("sleep").arg("30").current_dir(&work);
        assert!(matches!(
            runner.run(&command, &abort),
            Err(TaskError::Aborted)
        ));
        let text = fs::read_to_string(dir.join("cmd-output.log")).unwrap();
        assert!(text.contains("aborted: True\nreturncode: -15"), "{text}");
        let frames = frames(&mut outbox);
        assert_eq!(frames.last().unwrap()["exit_code"], -15);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_program_is_a_missing_tool() {
        let dir = scratch("missing");
        let runner = WorkerRunner::new(&dir.join("work"));
        let command = CommandLine::new("taskdef-no-such-program");
        assert!(matches!(
            runner.run(&command, &AbortHandle::new()),
            Err(TaskError::ToolMissing { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
