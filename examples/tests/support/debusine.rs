//! Real Debusine servers and `taskdef worker` processes for the end-to-end tests: each server is
//! started by `tests/debusine/server` once per test binary, on its own state directory (reused
//! when it is up): Debian stable's (trixie, 0.11.3; `TASKDEF_DEBUSINE_STATE_DIR`) and sid's
//! (0.16.2; `TASKDEF_DEBUSINE_SID_STATE_DIR`). Without a server the tests fail, naming the
//! script: they never skip.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/debusine/server");

/// Which Debian suite's Debusine a server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// Debian 13's 0.11.3.
    Trixie,
    /// Debian unstable's 0.16.2.
    Sid,
}

impl Suite {
    /// The server's state directory: from the environment, else a fixed one under /tmp (short,
    /// reachable by the postgres user).
    pub fn state_dir(self) -> String {
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
    pub fn name(self) -> &'static str {
        match self {
            Suite::Trixie => "trixie",
            Suite::Sid => "sid",
        }
    }
}

pub struct Server {
    pub suite: Suite,
    pub state: String,
    pub version: String,
    /// One scenario at a time on this server.
    lock: Mutex<()>,
}

/// Debian stable's server, started once per run.
pub fn server() -> &'static Server {
    server_of(Suite::Trixie)
}

/// One scenario at a time on Debian stable's server; a failed one does not stop the others.
pub fn serial() -> MutexGuard<'static, ()> {
    server().serial()
}

/// The server of `suite`, started once per run (the script's `start` is idempotent).
pub fn server_of(suite: Suite) -> &'static Server {
    static TRIXIE: OnceLock<Server> = OnceLock::new();
    static SID: OnceLock<Server> = OnceLock::new();
    let cell = match suite {
        Suite::Trixie => &TRIXIE,
        Suite::Sid => &SID,
    };
    cell.get_or_init(|| {
        let server = started(suite);
        // Work left pending or running by an interrupted earlier run would go to the first
        // scenario's worker before that scenario's own work.
        server.script(&["admin", "shell", "-c", ABORT_LEFTOVERS]);
        server
    })
}

/// The server of `suite` started by the script (or found up), without touching its work
/// requests: for a test that only needs the server's environment (its Python, its packages).
pub fn started(suite: Suite) -> Server {
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
    Server {
        suite,
        state,
        version,
        lock: Mutex::new(()),
    }
}

/// Marks every pending or running work request aborted (Django shell, both versions' models).
const ABORT_LEFTOVERS: &str = "from debusine.db.models import WorkRequest; \
     WorkRequest.objects.filter(status__in=('pending', 'running')).update(status='aborted')";

impl Server {
    /// One scenario at a time on this server; a failed one does not stop the others.
    pub fn serial(&self) -> MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Debusine 0.11 (trixie), whose noop takes a boolean result and whose admin commands
    /// have older names.
    pub fn is_0_11(&self) -> bool {
        self.version.starts_with("0.11")
    }

    /// noop's task data for a result, in this server's spelling.
    pub fn noop(&self, success: bool) -> &'static str {
        match (self.is_0_11(), success) {
            (true, true) => r#"{"result": true}"#,
            (true, false) => r#"{"result": false}"#,
            (false, true) => r#"{"result": "success"}"#,
            (false, false) => r#"{"result": "failure"}"#,
        }
    }

    /// A value of the server's `env` file (`DEBUSINE_API_URL`, `DEBUSINE_USER_TOKEN`, ...).
    pub fn env(&self, key: &str) -> String {
        let env = fs::read_to_string(Path::new(&self.state).join("env")).unwrap();
        let prefix = format!("{key}=");
        env.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {key} in the server's env file"))
            .trim_matches('\'')
            .to_owned()
    }

    /// `tests/debusine/server python STATE_DIR ARGS...`: the release's own Python, with its
    /// extracted packages on the path; stdin, stdout and stderr for the caller to set.
    pub fn python(&self, args: &[&str]) -> Command {
        let mut command = Command::new(SCRIPT);
        command.env_remove("DEBUSINE_SUITE");
        command.arg("python").arg(&self.state).args(args);
        command
    }

    pub fn script(&self, args: &[&str]) -> String {
        self.try_script(args)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    pub fn try_script(&self, args: &[&str]) -> Result<String, String> {
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

    pub fn create(&self, task: &str, data: &str) -> u64 {
        let id = self.script(&["create-work-request", task, data]);
        id.trim()
            .parse()
            .unwrap_or_else(|_| panic!("not an id: {id}"))
    }

    /// The work request as the server has it. A read only, so tried up to three times: the
    /// script's own HTTP call (curl into a temporary file) is not what is under test.
    pub fn work_request(&self, id: u64) -> Value {
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
    pub fn wait_status(&self, id: u64, status: &str, timeout: Duration) -> Value {
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

    pub fn completed(&self, id: u64) -> Value {
        self.wait_status(id, "completed", Duration::from_secs(60))
    }

    pub fn activation_token(&self, fqdn: &str) -> String {
        self.script(&["activation-token", fqdn]).trim().to_owned()
    }

    /// Enables or disables the worker `name`.
    pub fn manage_worker(&self, action: &str, name: &str) {
        if self.is_0_11() {
            self.script(&["admin", "manage_worker", action, name]);
            return;
        }
        self.script(&["admin", "worker", action, name]);
        if action != "enable" {
            return;
        }
        // Debusine 0.16's WebSocket middleware reads the token on every connection attempt and
        // then saves all of it (`token.asave()`, to set `last_seen_at`): an attempt that read it
        // before `enable` committed writes `enabled: false` back, and the enable is lost (seen
        // in CI). A refused worker retries every 1-6 s, so this race is real for an admin too:
        // enable again until it holds.
        for _ in 0..5 {
            std::thread::sleep(Duration::from_secs(2));
            if self.worker_entry(name).contains("enabled: true") {
                return;
            }
            self.script(&["admin", "worker", "enable", name]);
        }
        panic!(
            "worker {name} does not stay enabled:\n{}",
            self.worker_entry(name)
        );
    }

    /// The workers as `debusine-admin` lists them, in YAML.
    fn worker_listing(&self) -> String {
        if self.is_0_11() {
            self.script(&["admin", "list_workers", "--yaml"])
        } else {
            self.script(&["admin", "worker", "list", "--yaml"])
        }
    }

    /// The listing's entry (`connected: ...\n  enabled: ...\n  hash: ...\n  name: N`) of the
    /// worker named `name`.
    fn worker_entry(&self, name: &str) -> String {
        let listing = self.worker_listing();
        listing
            .split("\n- ")
            .find(|entry| {
                entry
                    .lines()
                    .any(|line| line.trim() == format!("name: {name}"))
            })
            .unwrap_or_else(|| panic!("no worker named {name} in:\n{listing}"))
            .to_owned()
    }

    /// The name of the worker whose token hashes to `token`'s sha256.
    pub fn worker_name(&self, token: &str) -> String {
        let hash = sha256(token);
        let listing = self.worker_listing();
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

/// The sha256 of `text`, in hexadecimal.
pub fn sha256(text: &str) -> String {
    taskdef::paths::sha256_hex(text.as_bytes())
}

/// The sha256 of the file at `path`, in hexadecimal.
pub fn sha256_of(path: &Path) -> String {
    taskdef::paths::hash_file(path)
        .unwrap_or_else(|error| panic!("hashing {}: {error}", path.display()))
        .1
}

/// The live log of running work request `id` as a browser reads it from the server
/// (`/api/ws/1.0/work-request/<id>/logs/`, Debusine 0.16), read until a frame's data contains
/// `until`, the server closes the stream, or `timeout`: the frames, `connected` first. Read by
/// the server's own Python (aiohttp, a dependency of Debian's worker, is in its venv).
pub fn live_log(server: &Server, id: u64, until: &str, timeout: Duration) -> Vec<Value> {
    const READER: &str = r#"
import asyncio, json, sys
import aiohttp

async def main(url, until, timeout):
    frames = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            try:
                async with asyncio.timeout(timeout):
                    async for message in ws:
                        if message.type != aiohttp.WSMsgType.TEXT:
                            break
                        frame = json.loads(message.data)
                        frames.append(frame)
                        if until in frame.get("data", ""):
                            break
            except TimeoutError:
                pass
    print(json.dumps(frames))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"#;
    let url = format!(
        "{}/ws/1.0/work-request/{id}/logs/",
        server.env("DEBUSINE_API_URL").replacen("http", "ws", 1)
    );
    let python = Path::new(&server.state).join("venv/bin/python");
    let output = Command::new(&python)
        .args([
            "-c",
            READER,
            &url,
            until,
            &timeout.as_secs_f64().to_string(),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    assert!(
        output.status.success(),
        "reading the live log of {id} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `METHOD /api/PATH` as the test user, through the server script; the JSON reply.
pub fn api(server: &Server, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string);
    let mut args = vec!["api", method, path];
    if let Some(body) = &body {
        args.push(body);
    }
    serde_json::from_str(&server.script(&args)).unwrap()
}

/// mmdebstrap task data for this machine's architecture (the scheduler checks it against the
/// worker's `system:architectures`).
pub fn mmdebstrap() -> String {
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

/// A `taskdef worker` process with its own configuration directory and log.
pub struct Worker {
    pub dir: PathBuf,
    child: Option<Child>,
}

/// A fake `mmdebstrap` on PATH: it says `fake mmdebstrap <pid> running` on its standard output,
/// writes its pid and its child's into `pids`, then waits for
/// the child, a `sleep` of FAKE_SECONDS; the catalogue's mmdebstrap task runs it. Then it exits
/// with 1 if the file `fake-fails` is beside `pids`, else it leaves in its directory (the
/// task's work directory) what the task's hooks copy out of a new system, and the tarball,
/// which the task uploads.
pub fn fake_tools(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("mmdebstrap");
    fs::write(
        &script,
        "#!/bin/sh\necho \"fake mmdebstrap $$ running\"\nsleep \"${FAKE_SECONDS:-2}\" &\n\
         echo \"$$ $!\" >> \"$FAKE_PIDS\"\nwait\n\
         [ -e \"$(dirname \"$FAKE_PIDS\")/fake-fails\" ] && exit 1\n\
         printf 'ID=debian\\nVERSION_CODENAME=bookworm\\n' > os-release\n\
         mkdir -p var_lib_dpkg/dpkg\n\
         printf 'Package: base-files\\nStatus: install ok installed\\nVersion: 12.4\\n' \
         > var_lib_dpkg/dpkg/status\n\
         echo 0 > test-sbin-init\n\
         echo \"fake system $$\" > system.tar.xz\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

impl Worker {
    /// A configuration directory for `name`, with an activation token when `activation`.
    pub fn configure(server: &Server, name: &str, activation: bool) -> Worker {
        let name = format!("{name}-{}", server.suite.name());
        let dir = std::env::temp_dir().join(format!("taskdef-e2e-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let api = server.env("DEBUSINE_API_URL");
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
    pub fn connected(server: &Server, name: &str, fake_seconds: u32) -> Worker {
        let mut worker = Worker::configure(server, name, true);
        worker.start(fake_seconds);
        worker.wait_metadata(0);
        worker
    }

    /// Waits until the worker has sent its metadata more than `before` times.
    pub fn wait_metadata(&self, before: usize) {
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

    /// Starts the worker. Its tasks' commands get only PATH and the configuration's
    /// `[Environment]` (as Debian's worker gives them), so the fake tools' settings go there.
    pub fn start(&mut self, fake_seconds: u32) {
        let ini = self.dir.join("config.ini");
        let config = fs::read_to_string(&ini).unwrap();
        let general = config.split("[Environment]").next().unwrap_or_default();
        fs::write(
            &ini,
            format!(
                "{general}[Environment]\nFAKE_SECONDS = {fake_seconds}\nfake_pids = {}\n",
                self.dir.join("pids").display()
            ),
        )
        .unwrap();
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
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("worker.log")
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn token(&self) -> String {
        fs::read_to_string(self.dir.join("token")).unwrap()
    }

    /// Waits until the log has `text`.
    pub fn wait_log(&self, text: &str, timeout: Duration) {
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
    pub fn stop(&mut self) -> std::process::ExitStatus {
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
    pub fn assert_no_secret_in_log(&self, secrets: &[&str]) {
        let log = self.log();
        for secret in secrets {
            assert!(!secret.is_empty());
            assert!(!log.contains(secret), "a token appears in the log:\n{log}");
        }
    }

    pub fn executions_of(&self, id: u64) -> usize {
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
pub fn alive(pid: &str) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}
