//! `taskdef run` with test-local tasks: Ctrl-C stops a real process tree, errors and panics
//! become `execute-failed`.
//!
//! The tasks below exist only in this test binary, so it is its own `taskdef`: run with
//! `TASKDEF_TEST_AS_CLI=1`, `main` is the command line; otherwise it runs the tests, each
//! spawning this binary as `taskdef run ...`. (`harness = false`: libtest would run the command
//! on a thread of its own, where the signal mask of `run` would not cover the whole process.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{CommandLine, Execute, Task, TaskContext, TaskError};

// The catalogue is linked too, as in the real binary.
use taskdef_examples as _;

/// Runs a shell script in the work directory and succeeds if it exits with 0.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Shell {
    /// The script, for `sh -c`.
    pub script: String,
}

impl Execute for Shell {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let status = ctx.run(&CommandLine::new("sh").arg("-c").arg(&self.script))?;
        Ok(status.success())
    }
}

/// Fails with an error.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Fails {}

impl Execute for Fails {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Err(TaskError::MissingFiles(vec![PathBuf::from("result.deb")]))
    }
}

/// Panics.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Panics {}

impl Execute for Panics {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        panic!("the task fell over")
    }
}

/// What the server found for a `findsenvironment` task.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindsEnvironmentDynamicData {
    /// The environment.
    pub environment_id: u64,
}

/// Succeeds when its dynamic data names environment 7; fails without dynamic data.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = FindsEnvironmentDynamicData)]
pub struct FindsEnvironment {}

impl Execute for FindsEnvironment {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(Self::dynamic_data(ctx).is_some_and(|data| data.environment_id == 7))
    }
}

const AS_CLI: &str = "TASKDEF_TEST_AS_CLI";

fn main() -> ExitCode {
    if std::env::var_os(AS_CLI).is_some() {
        return taskdef::cli::main();
    }
    let tests: [(&str, fn()); 10] = [
        (
            "sigint_kills_a_process_tree_that_ignores_sigterm",
            sigint_kills_a_process_tree_that_ignores_sigterm,
        ),
        (
            "sigterm_stops_a_command_without_waiting_for_the_grace_period",
            sigterm_stops_a_command_without_waiting_for_the_grace_period,
        ),
        (
            "a_finished_command_succeeds_or_fails",
            a_finished_command_succeeds_or_fails,
        ),
        (
            "an_execute_error_is_execute_failed",
            an_execute_error_is_execute_failed,
        ),
        ("a_panic_is_execute_failed", a_panic_is_execute_failed),
        (
            "the_work_request_of_a_test_task_runs",
            the_work_request_of_a_test_task_runs,
        ),
        (
            "a_work_request_hands_the_task_its_dynamic_data",
            a_work_request_hands_the_task_its_dynamic_data,
        ),
        (
            "dynamic_data_missing_a_required_id_is_configure_failed",
            dynamic_data_missing_a_required_id_is_configure_failed,
        ),
        (
            "noop_takes_what_debusine_sends_it",
            noop_takes_what_debusine_sends_it,
        ),
        (
            "the_release_chooses_the_form_of_the_task_data",
            the_release_chooses_the_form_of_the_task_data,
        ),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let mut passed = 0;
    let mut failed = Vec::new();
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let outcome = std::panic::catch_unwind(test);
        println!(
            "test {name} ... {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        match outcome {
            Ok(()) => passed += 1,
            Err(_) => failed.push(name),
        }
    }
    let verdict = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {passed} passed; {} failed",
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskdef-cli-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn taskdef(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.env(AS_CLI, "1").args(args);
    command
}

fn spawn(args: &[&str], stdin: Option<&str>) -> Child {
    let mut child = taskdef(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).unwrap();
    }
    drop(pipe);
    child
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    spawn(args, stdin).wait_with_output().unwrap()
}

fn payload(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Waits for the script to write its process id (its process group's id) into `pgid`.
fn wait_for_pgid(dir: &Path) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(dir.join("pgid"))
            && text.ends_with('\n')
        {
            return text.trim().parse().unwrap();
        }
        assert!(Instant::now() < deadline, "the script never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every process (zombies included) in process group `pgid`, from /proc.
fn group_members(pgid: i32) -> Vec<String> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
        let Some(after) = stat.rfind(')').map(|index| &stat[index + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.get(2).and_then(|pgrp| pgrp.parse::<i32>().ok()) == Some(pgid) {
            members.push(stat.trim().to_owned());
        }
    }
    members
}

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Starts `taskdef run shell` on `script` in `dir`; the script first records its process group.
/// Returns the command and that group.
fn run_shell(dir: &Path, script: &str, grace_period: &str) -> (Child, i32) {
    let data = serde_json::json!({
        "script": format!("echo $$ > pgid.tmp; mv pgid.tmp pgid; {script}")
    })
    .to_string();
    let dir_arg = dir.to_str().unwrap();
    let child = spawn(
        &[
            "run",
            "shell",
            "-",
            "--work-dir",
            dir_arg,
            "--grace-period",
            grace_period,
        ],
        Some(&data),
    );
    let pgid = wait_for_pgid(dir);
    (child, pgid)
}

fn sigint_kills_a_process_tree_that_ignores_sigterm() {
    let dir = work_dir("sigint");
    // Records its process group, then ignores SIGTERM in itself and its children.
    let (child, pgid) = run_shell(&dir, "trap '' TERM; sleep 60 & sleep 60 & wait", "1");
    // Let the sleeps start.
    std::thread::sleep(Duration::from_millis(300));
    assert!(group_members(pgid).len() >= 3, "{:?}", group_members(pgid));
    let started = Instant::now();
    kill(child.id(), "INT");
    let output = child.wait_with_output().unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "an aborted task reports nothing");
    assert!(stderr.contains("aborting the task"), "{stderr}");
    // SIGTERM was ignored, so it took the grace period and SIGKILL.
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    // Nothing of the group is left, not even a zombie.
    assert_eq!(group_members(pgid), Vec::<String>::new());
    let probe = Command::new("kill")
        .args(["-0", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!probe.success(), "kill -0 -{pgid} found the group");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn sigterm_stops_a_command_without_waiting_for_the_grace_period() {
    let dir = work_dir("sigterm");
    let (child, pgid) = run_shell(&dir, "sleep 60 & sleep 60", "60");
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    kill(child.id(), "TERM");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(output.stdout.is_empty());
    // The children got SIGTERM (the signal mask of `run` is not inherited) and died at once.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(group_members(pgid), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn a_finished_command_succeeds_or_fails() {
    let dir = work_dir("finished");
    let dir_arg = dir.to_str().unwrap();
    let ok = run(
        &["run", "shell", "-", "--work-dir", dir_arg],
        Some(r#"{"script": "echo hello > out.txt"}"#),
    );
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(payload(&ok), serde_json::json!({"result": "success"}));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.txt")).unwrap(),
        "hello\n"
    );
    let failed = run(
        &["run", "shell", "-", "--work-dir", dir_arg],
        Some(r#"{"script": "exit 3"}"#),
    );
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(payload(&failed), serde_json::json!({"result": "failure"}));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn an_execute_error_is_execute_failed() {
    let output = run(&["run", "fails", "-"], Some("{}"));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        payload(&output),
        serde_json::json!({
            "result": "error",
            "output_data": {"errors": [{"message": "missing files: result.deb", "code": "execute-failed"}]}
        })
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Exception in Task fails"), "{stderr}");
}

fn a_panic_is_execute_failed() {
    let output = run(&["run", "panics", "-"], Some("{}"));
    assert_eq!(output.status.code(), Some(1));
    let payload = payload(&output);
    assert_eq!(payload["result"], "error");
    let error = &payload["output_data"]["errors"][0];
    assert_eq!(error["code"], "execute-failed");
    assert_eq!(error["message"], "the task panicked: the task fell over");
}

fn the_work_request_of_a_test_task_runs() {
    let dir = work_dir("work-request");
    let request = dir.join("request.json");
    std::fs::write(
        &request,
        serde_json::json!({
            "id": 7, "task_type": "Worker", "task_name": "Fails", "task_data": {},
            "dynamic_task_data": null, "priority_base": 0, "workspace": "System"
        })
        .to_string(),
    )
    .unwrap();
    let output = run(&["run", "--work-request", request.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        payload(&output)["output_data"]["errors"][0]["code"],
        "execute-failed"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `taskdef run --work-request` on a work request for `task_name`.
fn run_work_request(name: &str, task_name: &str, dynamic_task_data: serde_json::Value) -> Output {
    let dir = work_dir(name);
    let request = dir.join("request.json");
    std::fs::write(
        &request,
        serde_json::json!({
            "id": 8, "task_type": "Worker", "task_name": task_name, "task_data": {},
            "dynamic_task_data": dynamic_task_data, "priority_base": 0, "workspace": "System"
        })
        .to_string(),
    )
    .unwrap();
    let output = run(&["run", "--work-request", request.to_str().unwrap()], None);
    std::fs::remove_dir_all(&dir).unwrap();
    output
}

fn a_work_request_hands_the_task_its_dynamic_data() {
    let found = run_work_request(
        "dynamic-found",
        "findsenvironment",
        serde_json::json!({"environment_id": 7}),
    );
    assert_eq!(payload(&found), serde_json::json!({"result": "success"}));
    assert_eq!(found.status.code(), Some(0));
    let other = run_work_request(
        "dynamic-other",
        "findsenvironment",
        serde_json::json!({"environment_id": 8}),
    );
    assert_eq!(payload(&other), serde_json::json!({"result": "failure"}));
    // `null` is no dynamic data, as in Debusine.
    let none = run_work_request("dynamic-null", "findsenvironment", serde_json::Value::Null);
    assert_eq!(payload(&none), serde_json::json!({"result": "failure"}));
}

fn dynamic_data_missing_a_required_id_is_configure_failed() {
    let output = run_work_request(
        "dynamic-missing",
        "findsenvironment",
        serde_json::json!({"environment": 7}),
    );
    assert_eq!(output.status.code(), Some(1));
    let reply = payload(&output);
    let error = &reply["output_data"]["errors"][0];
    assert_eq!(reply["result"], "error");
    assert_eq!(error["code"], "configure-failed");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("/dynamic_task_data: \"environment_id\" is a required property")
            && message.contains("/dynamic_task_data/environment:"),
        "{message}"
    );
    let wrong = run_work_request(
        "dynamic-wrong",
        "findsenvironment",
        serde_json::json!({"environment_id": "7"}),
    );
    let message = payload(&wrong)["output_data"]["errors"][0]["message"].clone();
    assert!(
        message
            .as_str()
            .is_some_and(|text| text.contains(": /dynamic_task_data/environment_id: ")),
        "{message}"
    );
}

fn noop_takes_what_debusine_sends_it() {
    // Debusine's scheduler sends `{}` for noop: its `BaseDynamicTaskData()` with nothing set;
    // 0.16's statistics keys and `task_input_fields` (the work request is read as 0.16's).
    let output = run_work_request("dynamic-noop", "noop", serde_json::json!({}));
    assert_eq!(payload(&output), serde_json::json!({"result": "success"}));
    let output = run_work_request(
        "dynamic-noop-stats",
        "noop",
        serde_json::json!({"subject": null, "task_input_fields": {}}),
    );
    assert_eq!(payload(&output), serde_json::json!({"result": "success"}));
}

fn the_release_chooses_the_form_of_the_task_data() {
    // Debusine 0.11's noop takes a boolean result, 0.16's a result name: each only in its release.
    let dir = work_dir("release-forms");
    let file = dir.join("noop.json");
    std::fs::write(&file, r#"{"result": true}"#).unwrap();
    let file = file.to_str().unwrap();
    let old = run(&["run", "--debusine", "0.11", "noop", file], None);
    assert_eq!(payload(&old), serde_json::json!({"result": "success"}));
    let new = payload(&run(&["run", "noop", file], None));
    assert_eq!(new["result"], "error", "{new}");
    assert_eq!(
        new["output_data"]["errors"][0]["code"], "configure-failed",
        "{new}"
    );
    let named = payload(&run(&["run", "--release", "0.16", "noop", file], None));
    assert_eq!(named, new);
    let request = dir.join("request.json");
    std::fs::write(
        &request,
        r#"{"id": 1, "task_type": "Worker", "task_name": "noop", "task_data": {"result": true}, "workspace": "System"}"#,
    )
    .unwrap();
    let request = request.to_str().unwrap();
    let old = payload(&run(
        &["run", "--debusine", "0.11.3", "--work-request", request],
        None,
    ));
    assert_eq!(old, serde_json::json!({"result": "success"}));
    let new = payload(&run(&["run", "--work-request", request], None));
    let message = new["output_data"]["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("0.16"), "the release is named: {new}");
}
