//! The real Debusine servers of the end-to-end tests, started through `tests/debusine/server`
//! once per test binary, and calls to them (work requests, the API, live logs, workers'
//! administration).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
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
