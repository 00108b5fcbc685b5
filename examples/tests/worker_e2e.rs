//! `taskdef worker` against real Debusine servers, started from Debian's packages by
//! `tests/debusine/server` (once per run, each on a fixed state directory; reused when it is
//! already up): Debian stable's (trixie, 0.11.3) and sid's (0.16.2). Every scenario runs against
//! both. Without a server these tests fail, naming the script: they never skip.
//!
//! The scenarios run one at a time on each server (one worker connected at a time, so that the
//! server gives every work request to the worker under test); the two servers work in parallel.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "support/debusine.rs"]
mod debusine;
use debusine::{Server, Suite, Worker, alive, live_log, mmdebstrap, server_of};
use serde_json::Value;
use taskdef::Registry;
use taskdef_examples as _;

/// The release the worker must find the server to be, as its log names it.
fn release_of(server: &Server) -> &'static str {
    if server.is_0_11() { "0.11" } else { "0.16" }
}

/// Runs each scenario against both servers: `name::trixie` and `name::sid`.
macro_rules! on_both_servers {
    ($($(#[$meta:meta])* fn $name:ident($server:ident: &Server) $body:block)*) => {$(
        $(#[$meta])*
        mod $name {
            use super::*;

            fn scenario($server: &Server) $body

            #[test]
            fn trixie() {
                let started = server_of(Suite::Trixie);
                let _serial = started.serial();
                scenario(started);
            }

            #[test]
            fn sid() {
                let started = server_of(Suite::Sid);
                let _serial = started.serial();
                scenario(started);
            }
        }
    )*};
}

on_both_servers! {
fn noop_results_and_duplicate_notices_with_an_activation_token(server: &Server) {
    let mut worker = Worker::configure(server, "activated", true);
    let activation = fs::read_to_string(worker.dir.join("activation-token")).unwrap();
    worker.start(2);
    worker.wait_metadata(0);

    // Registration: a fresh 64-hex token, mode 0600, enabled at once by the activation token.
    let token = worker.token();
    assert_eq!(token.len(), 64, "{token}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    let mode = fs::metadata(worker.dir.join("token"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let success = server.create("noop", server.noop(true));
    let failure = server.create("noop", server.noop(false));
    // Several at once: the server sends a notice for each, and some twice.
    let burst: Vec<u64> = (0..4).map(|_| server.create("noop", "{}")).collect();
    assert_eq!(server.completed(success)["result"], "success");
    assert_eq!(server.completed(failure)["result"], "failure");
    for id in &burst {
        assert_eq!(server.completed(*id)["result"], "success");
    }
    for id in burst.iter().chain([&success, &failure]) {
        assert_eq!(
            worker.executions_of(*id),
            1,
            "work request {id} ran {} times:\n{}",
            worker.executions_of(*id),
            worker.log()
        );
    }
    assert!(
        worker.log().contains("sent the dynamic metadata"),
        "{}",
        worker.log()
    );
    let status = worker.stop();
    assert!(status.success(), "{status}");
    worker.assert_no_secret_in_log(&[&token, activation.trim()]);
}

fn data_the_server_accepts_and_the_model_refuses_is_configure_failed(server: &Server) {
    let mut worker = Worker::connected(server, "configure", 2);
    let refused: &[&str] = if server.is_0_11() {
        // Debusine 0.11.3's pydantic model takes the string "true" for noop's boolean result;
        // the taskdef model is strict.
        &[r#"{"result": "true"}"#]
    } else {
        // Debusine 0.16.2's noop: the catalogue's 0.16 form takes what its model takes (its
        // result names and executor fields; `conformance_models` holds the two to the same
        // verdicts), so there is no such data left for noop on this server.
        &[]
    };
    for data in refused {
        let id = server.create("noop", data);
        let done = server.completed(id);
        assert_eq!(done["result"], "error", "{data}: {done:#}");
        let log = worker.log();
        let line = log
            .lines()
            .find(|line| {
                line.contains(&format!("work_request{{id={id}}}"))
                    && line.contains("configure-failed")
            })
            .unwrap_or_else(|| panic!("no configure-failed for {id} ({data}):\n{log}"));
        let pointer = if data.contains("backend") {
            "/backend"
        } else {
            "/result"
        };
        assert!(line.contains(pointer), "{line}");
        // The release whose models refused the data is named.
        let release = format!("Debusine {}'s task data", release_of(server));
        assert!(line.contains(&release), "{line}");
    }
    if refused.is_empty() {
        // Nothing to refuse: the same 0.16 data in its own spelling completes as asked (and the
        // worker, having asked for work, knows its server).
        let id = server.create("noop", r#"{"result": "failure", "backend": "unshare"}"#);
        assert_eq!(server.completed(id)["result"], "failure", "{}", worker.log());
    }
    // The release was learnt from the server, and said.
    let learnt = format!("the server is Debusine {}", release_of(server));
    assert!(worker.log().contains(&learnt), "{}", worker.log());
    worker.stop();
}

fn a_configured_release_is_used_from_the_start(server: &Server) {
    let mut worker = Worker::configure(server, "configured", true);
    let ini = worker.dir.join("config.ini");
    let config = fs::read_to_string(&ini).unwrap();
    fs::write(
        &ini,
        config.replace("[General]\n", &format!("[General]\ndebusine-version = {}\n", server.version)),
    )
    .unwrap();
    worker.start(2);
    worker.wait_metadata(0);
    let id = server.create("noop", server.noop(true));
    assert_eq!(server.completed(id)["result"], "success");
    let log = worker.log();
    let said = format!(
        "the server is Debusine {} (debusine-version in config.ini)",
        release_of(server)
    );
    assert!(log.contains(&said), "{log}");
    // Configured right: nothing learnt differs.
    assert!(!log.contains("as debusine-version says"), "{log}");
    worker.stop();
}

fn commands_get_the_configured_environment_and_hooks_run_after_each_request(server: &Server) {
    let mut worker = Worker::configure(server, "environment", true);
    // A hook under the configuration directory, run by run-parts after each work request.
    let hooks = worker.dir.join("hooks/after-work-request.d");
    fs::create_dir_all(&hooks).unwrap();
    let ran = worker.dir.join("hook-ran");
    fs::write(
        hooks.join("50-mark"),
        format!("#!/bin/sh\necho done >> '{}'\n", ran.display()),
    )
    .unwrap();
    fs::set_permissions(hooks.join("50-mark"), fs::Permissions::from_mode(0o755)).unwrap();
    // The tool fails after it ran, so that the task uploads nothing (the catalogue's
    // mmdebstrap writes 0.11's system tarball data, which 0.16 refuses).
    fs::write(worker.dir.join("fake-fails"), "").unwrap();
    worker.start(1);
    worker.wait_metadata(0);
    let id = server.create("mmdebstrap", &mmdebstrap());
    let done = server.completed(id);
    assert_eq!(done["result"], "failure", "{done:#}");
    // The fake tool found FAKE_PIDS, which only [Environment] gives it.
    let pids = fs::read_to_string(worker.dir.join("pids")).unwrap();
    assert_eq!(pids.split_whitespace().count(), 2, "{pids}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ran.exists() {
        assert!(Instant::now() < deadline, "the hook did not run:\n{}", worker.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(fs::read_to_string(&ran).unwrap(), "done\n");
    worker.stop();
}

fn a_worker_registered_without_activation_waits_for_an_admin_and_survives_disable(server: &Server) {
    let mut worker = Worker::configure(server, "admin-enabled", false);
    worker.start(2);
    worker.wait_log("registered", Duration::from_secs(30));
    worker.wait_log("refused this worker", Duration::from_secs(30));
    let token = worker.token();
    let name = server.worker_name(&token);

    let waiting = server.create("noop", "{}");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(server.work_request(waiting)["status"], "pending");

    server.manage_worker("enable", &name);
    // Its first metadata comes once it is enabled; Debusine 0.16 assigns work by it but does not
    // schedule when it arrives: a new work request is the next scheduling event.
    worker.wait_metadata(0);
    let next = server.create("noop", "{}");
    assert_eq!(server.completed(waiting)["result"], "success");
    assert_eq!(server.completed(next)["result"], "success");

    // Disabled while connected: the server closes the socket; the worker keeps its token and
    // retries until it is enabled again.
    server.manage_worker("disable", &name);
    std::thread::sleep(Duration::from_secs(2));
    let later = server.create("noop", "{}");
    std::thread::sleep(Duration::from_secs(3));
    assert_ne!(server.work_request(later)["status"], "completed");
    server.manage_worker("enable", &name);
    assert_eq!(server.completed(later)["result"], "success");
    assert_eq!(worker.token(), token, "the worker registered again");
    worker.stop();
    worker.assert_no_secret_in_log(&[&token]);
}

fn the_worker_reconnects_after_the_web_process_restarts(server: &Server) {
    let mut worker = Worker::connected(server, "restart", 2);
    let before = server.create("noop", "{}");
    assert_eq!(server.completed(before)["result"], "success");

    server.script(&["stop-http"]);
    worker.wait_log("connection lost", Duration::from_secs(30));
    server.script(&["start-http"]);
    let after = server.create("noop", "{}");
    assert_eq!(server.completed(after)["result"], "success");
    worker.stop();
}

fn a_result_is_delivered_once_the_completion_endpoint_is_back(server: &Server) {
    let mut worker = Worker::connected(server, "completion", 8);
    // The tool fails, so that the task has nothing to upload while the API is away (an
    // artifact does not wait for the server as the completion does).
    std::fs::write(worker.dir.join("fake-fails"), "").unwrap();
    let id = server.create("mmdebstrap", &mmdebstrap());
    server.wait_status(id, "running", Duration::from_secs(30));
    worker.wait_log("running", Duration::from_secs(30));
    // The task is running: take the API away until it has finished.
    server.script(&["stop-http"]);
    worker.wait_log("cannot report the result", Duration::from_secs(30));
    server.script(&["start-http"]);
    let done = server.completed(id);
    assert_eq!(done["result"], "failure", "{done:#}");
    assert_eq!(worker.executions_of(id), 1);
    worker.stop();
}

fn sigterm_during_a_long_task_stops_its_processes_and_reports_nothing(server: &Server) {
    let mut worker = Worker::connected(server, "sigterm", 600);
    let id = server.create("mmdebstrap", &mmdebstrap());
    server.wait_status(id, "running", Duration::from_secs(30));
    let pids_file = worker.dir.join("pids");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !pids_file.exists() {
        assert!(
            Instant::now() < deadline,
            "the task did not start:\n{}",
            worker.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut pids = String::new();
    fs::File::open(&pids_file)
        .unwrap()
        .read_to_string(&mut pids)
        .unwrap();
    let pids: Vec<&str> = pids.split_whitespace().collect();
    assert_eq!(pids.len(), 2, "{pids:?}");
    assert!(pids.iter().all(|pid| alive(pid)));

    let status = worker.stop();
    assert!(status.success(), "{status}:\n{}", worker.log());
    for pid in &pids {
        assert!(!alive(pid), "process {pid} survived the worker");
    }
    assert!(
        worker.log().contains("nothing is reported"),
        "{}",
        worker.log()
    );
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(server.work_request(id)["status"], "running");
}
}

/// The server of Debian unstable (0.16), one scenario at a time.
fn sid() -> (&'static Server, std::sync::MutexGuard<'static, ()>) {
    let server = server_of(Suite::Sid);
    (server, server.serial())
}

#[test]
fn noop_completes_with_each_result_name_on_0_16() {
    let (server, _serial) = sid();
    let mut worker = Worker::connected(server, "results", 2);
    for name in [
        "success",
        "failure",
        "error",
        "skipped",
        "temporary failure",
    ] {
        let data = format!(r#"{{"result": "{name}"}}"#);
        let id = server.create("noop", &data);
        let done = server.completed(id);
        let value: Value = serde_json::from_str(&data).unwrap();
        // The catalogue's noop takes every name in its 0.16 form, and the server gets that very
        // result back.
        assert!(
            Registry::global()
                .configure_in("noop", "0.16", &value)
                .is_ok(),
            "{data}"
        );
        assert_eq!(done["result"], name, "{done:#}\n{}", worker.log());
    }
    worker.stop();
}

#[test]
fn the_live_log_of_a_running_task_is_readable_from_the_0_16_server() {
    let (server, _serial) = sid();
    let mut worker = Worker::connected(server, "live-log", 20);
    let id = server.create("mmdebstrap", &mmdebstrap());
    server.wait_status(id, "running", Duration::from_secs(30));
    // The fake tool said it runs, then sleeps 20 s: what it said is on the server meanwhile.
    let frames = live_log(server, id, "fake mmdebstrap", Duration::from_secs(15));
    assert_eq!(
        server.work_request(id)["status"],
        "running",
        "the task ended before its log was read"
    );
    assert_eq!(
        frames.first().map(|frame| &frame["type"]),
        Some(&"connected".into()),
        "{frames:?}"
    );
    let output = frames
        .iter()
        .find(|frame| {
            frame["data"]
                .as_str()
                .is_some_and(|data| data.contains("fake mmdebstrap"))
        })
        .unwrap_or_else(|| {
            panic!(
                "the command's output is not in the live log: {frames:?}\n{}",
                worker.log()
            )
        });
    assert_eq!(output["type"], "log_data");
    assert_eq!(output["stream"], "stdout");
    assert!(
        output["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with("+00:00")),
        "{output}"
    );
    // The stages come first, on the internal stream.
    assert!(
        frames
            .iter()
            .any(|frame| frame["stream"] == "internal" && frame["data"] == "Running\n"),
        "{frames:?}"
    );
    let status = worker.stop();
    assert!(status.success(), "{status}");
}
