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
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/debusine/server");

/// Which Debian suite's Debusine a server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suite {
    /// Debian 13's 0.11.3.
    Trixie,
    /// Debian unstable's 0.16.2.
    Sid,
}

impl Suite {
    /// The server's state directory: from the environment, else a fixed one under /tmp (short,
    /// reachable by the postgres user).
    fn state_dir(self) -> String {
        let (variable, default) = match self {
            Suite::Trixie => ("TASKDEF_DEBUSINE_STATE_DIR", "/tmp/taskdef-debusine"),
            Suite::Sid => (
                "TASKDEF_DEBUSINE_SID_STATE_DIR",
                "/tmp/taskdef-debusine-sid",
            ),
        };
        std::env::var(variable).unwrap_or_else(|_| default.into())
    }

    /// `DEBUSINE_SUITE` for the script.
    fn name(self) -> &'static str {
        match self {
            Suite::Trixie => "trixie",
            Suite::Sid => "sid",
        }
    }
}

struct Server {
    suite: Suite,
    state: String,
    version: String,
    /// One scenario at a time on this server.
    lock: Mutex<()>,
}

/// Starts the server of `suite` once per run (the script's `start` is idempotent).
fn server(suite: Suite) -> &'static Server {
    static TRIXIE: OnceLock<Server> = OnceLock::new();
    static SID: OnceLock<Server> = OnceLock::new();
    let cell = match suite {
        Suite::Trixie => &TRIXIE,
        Suite::Sid => &SID,
    };
    cell.get_or_init(|| {
        let state = suite.state_dir();
        let output = Command::new(SCRIPT)
            .args(["start", &state])
            .env("DEBUSINE_SUITE", suite.name())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {SCRIPT}: {error}"));
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
            panic!(
                "the Debusine server of {suite} did not start: `DEBUSINE_SUITE={suite} {SCRIPT} \
                 start {state}` failed ({}); it needs root on Debian and reach to Debian's \
                 mirrors and PyPI{}. Its last lines:\n{}",
                output.status,
                match suite {
                    Suite::Trixie => "",
                    Suite::Sid => ", and Python 3.12 or later (python3, or one under ~/.pyenv)",
                },
                tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
                suite = suite.name(),
            );
        }
        let env = fs::read_to_string(Path::new(&state).join("env")).unwrap();
        let version = env
            .lines()
            .find_map(|line| line.strip_prefix("DEBUSINE_VERSION="))
            .unwrap_or_default()
            .trim_matches('\'')
            .to_owned();
        let server = Server {
            suite,
            state,
            version,
            lock: Mutex::new(()),
        };
        // Work left pending or running by an interrupted earlier run would go to the first
        // scenario's worker before that scenario's own work.
        server.script(&["admin", "shell", "-c", ABORT_LEFTOVERS]);
        server
    })
}

/// Marks every pending or running work request aborted (Django shell, both versions' models).
const ABORT_LEFTOVERS: &str = "from debusine.db.models import WorkRequest; \
     WorkRequest.objects.filter(status__in=('pending', 'running')).update(status='aborted')";

/// Runs each scenario against both servers: `name::trixie` and `name::sid`.
macro_rules! on_both_servers {
    ($($(#[$meta:meta])* fn $name:ident($server:ident: &Server) $body:block)*) => {$(
        $(#[$meta])*
        mod $name {
            use super::*;

            fn scenario($server: &Server) $body

            #[test]
            fn trixie() {
                let started = server(Suite::Trixie);
                let _serial = started.serial();
                scenario(started);
            }

            #[test]
            fn sid() {
                let started = server(Suite::Sid);
                let _serial = started.serial();
                scenario(started);
            }
        }
    )*};
}

impl Server {
    /// One scenario at a time; a failed one does not stop the others.
    fn serial(&self) -> MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Debusine 0.11 (trixie), whose noop takes a boolean result and whose admin commands
    /// have older names.
    fn is_0_11(&self) -> bool {
        self.version.starts_with("0.11")
    }

    /// noop's task data for a result, in this server's spelling.
    fn noop(&self, success: bool) -> &'static str {
        match (self.is_0_11(), success) {
            (true, true) => r#"{"result": true}"#,
            (true, false) => r#"{"result": false}"#,
            (false, true) => r#"{"result": "success"}"#,
            (false, false) => r#"{"result": "failure"}"#,
        }
    }

    fn script(&self, args: &[&str]) -> String {
        self.try_script(args)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    fn try_script(&self, args: &[&str]) -> Result<String, String> {
        let mut command = Command::new(SCRIPT);
        command.env_remove("DEBUSINE_SUITE");
        command.arg(args[0]).arg(&self.state).args(&args[1..]);
        let output = command.stdin(Stdio::null()).output().unwrap();
        if output.status.success() {
            Ok(String::from_utf8(output.stdout).unwrap())
        } else {
            Err(format!(
                "`{SCRIPT} {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn create(&self, task: &str, data: &str) -> u64 {
        let id = self.script(&["create-work-request", task, data]);
        id.trim()
            .parse()
            .unwrap_or_else(|_| panic!("not an id: {id}"))
    }

    /// The work request as the server has it. A read only, so tried up to three times: the
    /// script's own HTTP call (curl into a temporary file) is not what is under test.
    fn work_request(&self, id: u64) -> Value {
        let args = ["work-request", &id.to_string()];
        let mut last = String::new();
        for _ in 0..3 {
            match self.try_script(&args) {
                Ok(text) => return serde_json::from_str(&text).unwrap(),
                Err(error) => last = error,
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        panic!("{last}")
    }

    /// Waits until the work request reaches `status`; its JSON.
    fn wait_status(&self, id: u64, status: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let request = self.work_request(id);
            if request["status"] == status {
                return request;
            }
            assert!(
                Instant::now() < deadline,
                "work request {id} is not {status} after {timeout:?}: {request:#}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn completed(&self, id: u64) -> Value {
        self.wait_status(id, "completed", Duration::from_secs(60))
    }

    fn activation_token(&self, fqdn: &str) -> String {
        self.script(&["activation-token", fqdn]).trim().to_owned()
    }

    /// Enables or disables the worker `name`.
    fn manage_worker(&self, action: &str, name: &str) {
        if self.is_0_11() {
            self.script(&["admin", "manage_worker", action, name]);
        } else {
            self.script(&["admin", "worker", action, name]);
        }
    }

    /// The name of the worker whose token hashes to `token`'s sha256.
    fn worker_name(&self, token: &str) -> String {
        let hash = sha256(token);
        let listing = if self.is_0_11() {
            self.script(&["admin", "list_workers", "--yaml"])
        } else {
            self.script(&["admin", "worker", "list", "--yaml"])
        };
        // `- connected: ...\n  hash: H\n  name: N`: the entry holding our hash.
        let entry = listing
            .split("\n- ")
            .find(|entry| entry.contains(&hash))
            .unwrap_or_else(|| panic!("no worker with token hash {hash} in:\n{listing}"));
        entry
            .lines()
            .find_map(|line| line.trim().trim_start_matches("- ").strip_prefix("name: "))
            .unwrap()
            .trim()
            .to_owned()
    }
}

fn sha256(text: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap()[..64].to_owned()
}

/// A `taskdef worker` process with its own configuration directory and log.
struct Worker {
    dir: PathBuf,
    child: Option<Child>,
}

/// A fake `mmdebstrap` on PATH: it writes its pid and its child's into `pids`, then waits for
/// the child, a `sleep` of FAKE_SECONDS; the catalogue's mmdebstrap task runs it.
fn fake_tools(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("mmdebstrap");
    fs::write(
        &script,
        "#!/bin/sh\nsleep \"${FAKE_SECONDS:-2}\" &\necho \"$$ $!\" >> \"$FAKE_PIDS\"\nwait\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// mmdebstrap task data for this machine's architecture (the scheduler checks it against the
/// worker's `system:architectures`).
fn mmdebstrap() -> String {
    let output = Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .expect("dpkg runs (the server script needs Debian)");
    let architecture = String::from_utf8(output.stdout).unwrap();
    format!(
        r#"{{"bootstrap_options":{{"architecture":"{}"}},"bootstrap_repositories":[{{"mirror":"http://deb.debian.org/debian","suite":"bookworm","components":["main"]}}]}}"#,
        architecture.trim()
    )
}

impl Worker {
    /// A configuration directory for `name`, with an activation token when `activation`.
    fn configure(server: &Server, name: &str, activation: bool) -> Worker {
        let name = format!("{name}-{}", server.suite.name());
        let dir = std::env::temp_dir().join(format!("taskdef-e2e-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let env = fs::read_to_string(Path::new(&server.state).join("env")).unwrap();
        let api = env
            .lines()
            .find_map(|line| line.strip_prefix("DEBUSINE_API_URL="))
            .unwrap();
        fs::write(
            dir.join("config.ini"),
            format!("[General]\napi-url = {api}\nlog-level = DEBUG\n"),
        )
        .unwrap();
        if activation {
            let token = server.activation_token(&format!("{name}.e2e.example"));
            fs::write(dir.join("activation-token"), token).unwrap();
            fs::set_permissions(
                dir.join("activation-token"),
                fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        fake_tools(&dir);
        Worker { dir, child: None }
    }

    /// Configured, started (the fake tool sleeping `fake_seconds`), connected, and its metadata
    /// sent: Debusine 0.16 assigns work by the tags in it, and schedules again on events (a
    /// work request created or completed, a worker connected), not when metadata arrives.
    fn connected(server: &Server, name: &str, fake_seconds: u32) -> Worker {
        let mut worker = Worker::configure(server, name, true);
        worker.start(fake_seconds);
        worker.wait_metadata(0);
        worker
    }

    /// Waits until the worker has sent its metadata more than `before` times.
    fn wait_metadata(&self, before: usize) {
        let sent = || self.log().matches("sent the dynamic metadata").count();
        let deadline = Instant::now() + Duration::from_secs(30);
        while sent() <= before {
            assert!(
                Instant::now() < deadline,
                "the worker did not send its metadata within 30 s; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn start(&mut self, fake_seconds: u32) {
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_taskdef"))
            .args(["worker", "--config-dir"])
            .arg(&self.dir)
            .args(["--grace-period", "1", "--work-dir"])
            .arg(self.dir.join("work"))
            .env("PATH", path)
            .env("FAKE_SECONDS", fake_seconds.to_string())
            .env("FAKE_PIDS", self.dir.join("pids"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("worker.log")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn token(&self) -> String {
        fs::read_to_string(self.dir.join("token")).unwrap()
    }

    /// Waits until the log has `text`.
    fn wait_log(&self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.log().contains(text) {
            assert!(
                Instant::now() < deadline,
                "the worker did not log `{text}` within {timeout:?}; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, and the exit status once it exits.
    fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the worker is running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "the worker did not exit within 20 s of SIGTERM:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The log must never show a secret.
    fn assert_no_secret_in_log(&self, secrets: &[&str]) {
        let log = self.log();
        for secret in secrets {
            assert!(!secret.is_empty());
            assert!(!log.contains(secret), "a token appears in the log:\n{log}");
        }
    }

    fn executions_of(&self, id: u64) -> usize {
        self.log()
            .lines()
            .filter(|line| {
                line.contains(&format!("work_request{{id={id}}}")) && line.contains("executing")
            })
            .count()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("worker files kept in {}", self.dir.display());
        }
    }
}

/// Whether the process exists and is not a zombie.
fn alive(pid: &str) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
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
        // Debusine 0.16.2's noop has results a taskdef task cannot report, and the executor
        // fields of its newer base model, which the 0.12 model does not know.
        &[r#"{"result": "skipped"}"#, r#"{"backend": "unshare"}"#]
    };
    for data in refused {
        let id = server.create("noop", data);
        let done = server.completed(id);
        assert_eq!(done["result"], "error", "{data}: {done:#}");
        let log = worker.log();
        let line = log
            .lines()
            .find(|line| line.contains(&format!("work_request{{id={id}}}")) && line.contains("configure-failed"))
            .unwrap_or_else(|| panic!("no configure-failed for {id} ({data}):\n{log}"));
        assert!(line.contains(if data.contains("backend") { "/backend" } else { "/result" }), "{line}");
    }
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
    let id = server.create("mmdebstrap", &mmdebstrap());
    server.wait_status(id, "running", Duration::from_secs(30));
    worker.wait_log("running", Duration::from_secs(30));
    // The task is running: take the API away until it has finished.
    server.script(&["stop-http"]);
    worker.wait_log("cannot report the result", Duration::from_secs(30));
    server.script(&["start-http"]);
    let done = server.completed(id);
    assert_eq!(done["result"], "success", "{done:#}");
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
