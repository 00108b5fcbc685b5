//! Execution: `execute`, the logging runner, the one-way abort, server access and commands.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use taskdef::{
    AbortHandle, CommandLine, CommandRunner, CommandStatus, DynTask, ProcessRunner, Registry,
    ServerClient, Task, TaskContext, TaskError, execute_logging_errors,
};
use taskdef_tests::{TestBuildTask, TestNoop};

fn context(name: &str) -> TaskContext {
    TaskContext::new(name, std::env::temp_dir())
}

fn failing(how: &str) -> Box<dyn DynTask> {
    Registry::global()
        .configure("testfailing", serde_json::json!({ "how": how }))
        .unwrap()
}

/// Captures what `tracing` logs while `f` runs.
fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let result = tracing::subscriber::with_default(subscriber, f);
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (result, logs)
}

#[test]
fn execute_returns_the_task_result() {
    let ok = TestNoop::configure("{}").unwrap();
    let ctx = context("testnoop");
    assert!(taskdef::Execute::execute(&ok, &ctx).unwrap());
    let failed = TestNoop::configure(r#"{"result": false}"#).unwrap();
    assert_eq!(
        execute_logging_errors(&failed, &ctx).unwrap(),
        taskdef::Outcome::Failure
    );
}

#[test]
fn the_logging_runner_logs_errors_with_the_task_name_and_returns_them() {
    let task = failing("missing-files");
    let (result, logs) =
        capture_logs(|| execute_logging_errors(task.as_ref(), &context("testfailing")));
    let error = result.unwrap_err();
    assert!(matches!(&error, TaskError::MissingFiles(paths) if paths.len() == 2));
    assert_eq!(error.to_string(), "missing files: out/a.deb, out/b.changes");
    assert!(logs.contains("ERROR"), "{logs}");
    assert!(logs.contains("Exception in Task testfailing"), "{logs}");
    assert!(logs.contains("missing files: out/a.deb"), "{logs}");
}

#[test]
fn the_logging_runner_turns_a_panic_into_an_error() {
    let task = failing("panic");
    let (result, logs) =
        capture_logs(|| execute_logging_errors(task.as_ref(), &context("testfailing")));
    let error = result.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the task panicked: the task data asked for a panic"
    );
    assert!(logs.contains("Exception in Task testfailing"), "{logs}");
}

#[test]
fn abort_is_one_way_and_shared_between_threads() {
    let handle = AbortHandle::new();
    assert!(!handle.is_aborted());
    let remote = handle.clone();
    std::thread::spawn(move || remote.abort()).join().unwrap();
    assert!(handle.is_aborted());
    handle.abort();
    assert!(handle.is_aborted(), "aborting twice changes nothing");

    let ctx = context("testnoop").with_abort(handle);
    assert!(ctx.is_aborted());
    assert!(matches!(ctx.check_aborted(), Err(TaskError::Aborted)));
    assert!(
        matches!(ctx.run(&CommandLine::new("true")), Err(TaskError::Aborted)),
        "an aborted context starts no command"
    );
}

#[test]
fn a_task_that_needs_the_server_says_so() {
    let task = failing("needs-server");
    let error = task.execute(&context("testfailing")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "task `testfailing` needs server access, but none was configured"
    );

    #[derive(Debug)]
    struct FakeServer;
    impl ServerClient for FakeServer {
        fn request(
            &self,
            _: &str,
            _: &str,
            _: Option<&serde_json::Value>,
        ) -> Result<serde_json::Value, TaskError> {
            Ok(serde_json::Value::Null)
        }
    }
    let ctx = context("testfailing").with_server(Arc::new(FakeServer));
    assert!(task.execute(&ctx).unwrap());
}

#[test]
fn a_missing_tool_is_a_clear_error() {
    let error = failing("missing-tool")
        .execute(&context("testfailing"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "`taskdef-no-such-tool` is not installed or not on PATH"
    );
}

#[test]
fn commands_go_through_the_context_runner_in_the_work_dir() {
    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<CommandLine>>);
    impl CommandRunner for Recorder {
        fn run(&self, command: &CommandLine, _: &AbortHandle) -> Result<CommandStatus, TaskError> {
            self.0.lock().unwrap().push(command.clone());
            Ok(CommandStatus::exited(0))
        }
    }
    let recorder = Arc::new(Recorder::default());
    let ctx = TaskContext::new("testbuild", "/srv/work").with_runner(recorder.clone());
    let task = TestBuildTask::configure(r#"{"host_architecture": "; rm -rf /"}"#).unwrap();
    assert!(taskdef::Execute::execute(&task, &ctx).unwrap());
    let commands = recorder.0.lock().unwrap();
    assert_eq!(
        *commands,
        [CommandLine::new("true")
            .arg("; rm -rf /")
            .current_dir("/srv/work")]
    );
    assert_eq!(commands[0].to_string(), "true '; rm -rf /'");
}

#[test]
fn real_commands_report_their_exit_status() {
    let ctx = context("t");
    assert!(ctx.run(&CommandLine::new("true")).unwrap().success());
    let status = ctx
        .run(&CommandLine::new("sh").args(["-c", "exit 3"]))
        .unwrap();
    assert_eq!(status, CommandStatus::exited(3));
}

/// Whether any process is still in process group `pgid` (zombies included).
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        std::fs::read_to_string(entry.path().join("stat")).is_ok_and(|stat| {
            // Fields after the command name (which ends with ')'): state ppid pgrp ...
            let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
            rest.split_whitespace().nth(2) == Some(&pgid.to_string())
        })
    })
}

#[test]
fn abort_from_another_thread_kills_the_whole_process_group() {
    let abort = AbortHandle::new();
    let pid_file = std::env::temp_dir().join(format!("taskdef-abort-{}", std::process::id()));
    let script = format!(
        "echo $$ > {}; trap '' TERM; sleep 60 & sleep 60; wait",
        pid_file.display()
    );
    let runner = ProcessRunner {
        grace_period: Duration::from_millis(300),
        poll_interval: Duration::from_millis(10),
        ..ProcessRunner::default()
    };
    let remote = abort.clone();
    let started = Instant::now();
    let aborter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        remote.abort();
    });
    let result = runner.run(&CommandLine::new("sh").args(["-c", &script]), &abort);
    aborter.join().unwrap();
    assert!(matches!(result, Err(TaskError::Aborted)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let pgid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::fs::remove_file(&pid_file).unwrap();
    // SIGKILL is asynchronous for the grandchildren, which init reaps: allow a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while group_alive(pgid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!group_alive(pgid), "a process of group {pgid} survived");
}
