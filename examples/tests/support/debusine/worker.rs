//! `taskdef worker` processes of the end-to-end tests, each with its own configuration
//! directory and log, joined to a real server.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::fakes::fake_tools;
use super::server::Server;

/// A `taskdef worker` process with its own configuration directory and log.
pub struct Worker {
    pub dir: PathBuf,
    child: Option<Child>,
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
