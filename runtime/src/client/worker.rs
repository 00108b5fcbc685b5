//! The worker's loop: register once, keep a WebSocket open, take work when told, run it on its
//! own thread, report it until the report is delivered.
//!
//! One thread owns the connection and the schedule; each work request runs on a thread of its
//! own, which also delivers the completion, retrying with backoff while the server is
//! unreachable or answers 5xx. Until that thread ends no new work is taken, so a finished
//! result is never lost by asking for more. SIGINT/SIGTERM set the shutdown handle, which is
//! also the running task's abort handle: its process group is stopped and nothing is
//! reported.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::api::{Api, ApiError};
use super::artifacts::ArtifactClient;
use super::config::{Token, WorkerConfig};
use super::debug_log::{self, DebugLog};
use super::task_server::TaskServer;
use super::websocket::{self, Connection, Notice, Read};
use super::work_request::{Completion, WorkRequest, execute, prepare};
use crate::execution::{AbortHandle, ProcessRunner, TaskContext};
use crate::registry::Registry;

/// The timings of the loop; the defaults are Debian's worker's.
#[derive(Debug, Clone)]
pub(crate) struct Timings {
    /// How long one WebSocket read waits: how soon a finished task or a signal is noticed.
    pub poll: Duration,
    /// A ping every so often.
    pub ping_interval: Duration,
    /// The connection is dropped when no pong comes within this.
    pub pong_timeout: Duration,
    /// A reconnection waits a random time in this range (milliseconds).
    pub reconnect_ms: (u64, u64),
    /// The first wait before retrying a completion; doubled up to `retry_max`.
    pub retry_first: Duration,
    /// The longest wait between completion attempts.
    pub retry_max: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            poll: Duration::from_millis(20),
            ping_interval: Duration::from_secs(60),
            pong_timeout: Duration::from_secs(30),
            reconnect_ms: (1000, 6000),
            retry_first: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
        }
    }
}

/// What the worker needs besides its configuration.
pub(crate) struct Worker {
    /// The configuration directory's content.
    pub config: WorkerConfig,
    /// The tasks this worker runs.
    pub registry: &'static Registry,
    /// The dynamic metadata, computed when the server asks.
    pub metadata: Box<dyn Fn() -> Map<String, Value> + Send>,
    /// Set by SIGINT/SIGTERM: stop the task, report nothing, return.
    pub shutdown: AbortHandle,
    /// Each work request works in a fresh directory under this one, removed afterwards.
    pub work_root: PathBuf,
    /// Seconds between SIGTERM and SIGKILL when a task's command is stopped.
    pub grace_period: Duration,
    /// The loop's timings.
    pub timings: Timings,
}

/// The work request running, on its own thread.
struct Running {
    id: i64,
    thread: JoinHandle<()>,
}

impl Worker {
    /// Runs until shutdown. An error is returned only when the worker cannot start: no token
    /// and the server refuses registration.
    pub(crate) fn run(self) -> Result<(), String> {
        let api = Api::new(&self.config.api_url, None)?;
        let Some(token) = self.token(&api)? else {
            return Ok(());
        };
        let api = api.with_token(token.clone());
        let url = websocket::url_for(&self.config.api_url);
        let timings = self.timings.clone();

        let mut connection: Option<Connection> = None;
        let mut next_connect = Instant::now();
        let mut last_ping = Instant::now();
        let mut pong_due: Option<Instant> = None;
        let mut running: Option<Running> = None;
        let mut want_work = false;
        // Whether the last message was `connected`. Work is taken only after the next read,
        // so that the metadata the server asks for right after it is sent first: Debusine 0.16
        // assigns work by the tags in it, and does not schedule again when it arrives.
        let mut just_connected = false;

        loop {
            if self.shutdown.is_aborted() {
                if let Some(task) = running.take() {
                    tracing::warn!(work_request = task.id, "stopping the running task");
                    let _ = task.thread.join();
                }
                if let Some(connection) = connection.take() {
                    connection.close();
                }
                tracing::info!("stopped");
                return Ok(());
            }
            if running
                .as_ref()
                .is_some_and(|task| task.thread.is_finished())
            {
                if let Some(task) = running.take() {
                    let _ = task.thread.join();
                }
                // The server may have assigned more while this one ran.
                want_work = true;
            }
            if want_work && running.is_none() && !just_connected {
                want_work = false;
                running = self.take_work(&api);
            }

            let Some(open) = connection.as_mut() else {
                if Instant::now() >= next_connect {
                    match Connection::open(&url, &token, timings.poll) {
                        Ok(new) => {
                            tracing::info!(url = %url, "connected");
                            connection = Some(new);
                            last_ping = Instant::now();
                            pong_due = None;
                        }
                        Err(error) => {
                            let delay = reconnect_delay(&timings);
                            tracing::warn!(
                                "cannot connect: {error}; retrying in {:.1} s",
                                delay.as_secs_f64()
                            );
                            next_connect = Instant::now() + delay;
                        }
                    }
                } else {
                    std::thread::sleep(timings.poll);
                }
                continue;
            };

            let mut lost: Option<String> = None;
            let read = open.read();
            just_connected = matches!(read, Ok(Read::Notice(Notice::Connected)));
            match read {
                Ok(Read::Notice(notice)) => match notice {
                    Notice::Connected => {
                        tracing::debug!("the server confirmed the connection");
                        want_work = true;
                    }
                    Notice::RequestDynamicMetadata => self.send_metadata(&api),
                    Notice::WorkRequestAvailable => match &running {
                        Some(task) => tracing::debug!(
                            work_request = task.id,
                            "work is available; taking it once this one is reported"
                        ),
                        None => want_work = true,
                    },
                    Notice::Refused { kind, reason, code } => {
                        tracing::error!(
                            "the server refused this worker ({kind}, {code}): {reason}; an \
                             admin must enable its token (`debusine-admin worker enable`); \
                             retrying"
                        );
                        lost = Some(format!("{kind} ({code})"));
                    }
                    Notice::Other(text) => tracing::debug!(message = %text, "ignored message"),
                },
                Ok(Read::Pong) => pong_due = None,
                Ok(Read::Nothing) => {}
                Err(error) => lost = Some(error),
            }
            if lost.is_none() {
                if pong_due.is_some_and(|due| Instant::now() >= due) {
                    lost = Some(format!(
                        "no pong within {} s",
                        timings.pong_timeout.as_secs()
                    ));
                } else if last_ping.elapsed() >= timings.ping_interval {
                    last_ping = Instant::now();
                    match open.ping() {
                        Ok(()) => pong_due = Some(Instant::now() + timings.pong_timeout),
                        Err(error) => lost = Some(error),
                    }
                }
            }
            if let Some(reason) = lost {
                just_connected = false;
                if let Some(old) = connection.take() {
                    old.close();
                }
                let delay = reconnect_delay(&timings);
                tracing::warn!(
                    "connection lost: {reason}; reconnecting in {:.1} s",
                    delay.as_secs_f64()
                );
                next_connect = Instant::now() + delay;
            }
        }
    }

    /// The worker's token: the `token` file's, or a fresh one registered now (with the
    /// activation token when there is one) and written to `token`. `None` on shutdown.
    fn token(&self, api: &Api) -> Result<Option<Token>, String> {
        if let Some(token) = &self.config.token {
            return Ok(Some(token.clone()));
        }
        let fqdn = fqdn();
        loop {
            if self.shutdown.is_aborted() {
                return Ok(None);
            }
            let token = Token::generate().map_err(|error| error.to_string())?;
            match api.register(&token, self.config.activation_token.as_ref(), &fqdn) {
                Ok(()) => {
                    self.config
                        .write_token(&token)
                        .map_err(|error| error.to_string())?;
                    tracing::info!(
                        fqdn = %fqdn,
                        activation = self.config.activation_token.is_some(),
                        "registered; the token is in {}",
                        self.config.dir.join("token").display()
                    );
                    return Ok(Some(token));
                }
                Err(error) if error.is_transient() => {
                    let delay = reconnect_delay(&self.timings);
                    tracing::warn!(
                        "cannot register: {error}; retrying in {:.1} s",
                        delay.as_secs_f64()
                    );
                    self.sleep(delay);
                }
                Err(error) => {
                    return Err(format!(
                        "the server refused registration: {error}{}",
                        if self.config.activation_token.is_some() {
                            " (is the activation token expired or used?)"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
    }

    fn send_metadata(&self, api: &Api) {
        let metadata = (self.metadata)();
        match api.put_dynamic_metadata(&metadata) {
            Ok(()) => tracing::info!(keys = metadata.len(), "sent the dynamic metadata"),
            Err(error) => tracing::warn!("cannot send the dynamic metadata: {error}"),
        }
    }

    /// Asks for the next work request and starts it on its own thread.
    fn take_work(&self, api: &Api) -> Option<Running> {
        let (request, raw) = match api.next_work_request() {
            Ok(Some(found)) => found,
            Ok(None) => {
                tracing::debug!("no work request for this worker");
                return None;
            }
            Err(error) => {
                if error.status() == Some(403) {
                    tracing::error!(
                        "the server refused the token: {error}; an admin must enable this worker"
                    );
                } else {
                    tracing::warn!("cannot get the next work request: {error}");
                }
                return None;
            }
        };
        let Some(id) = request.id else {
            tracing::error!(task = %request.task_name, "the server sent a work request without an id");
            return None;
        };
        tracing::info!(
            work_request = id,
            task_type = %request.task_type,
            task_name = %request.task_name,
            "taking the work request"
        );
        let job = Job {
            id,
            request,
            api: work_request_api(api, &raw),
            registry: self.registry,
            shutdown: self.shutdown.clone(),
            work_dir: self.work_root.join(format!("taskdef-work-request-{id}")),
            grace_period: self.grace_period,
            timings: self.timings.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("work-request-{id}"))
            .spawn(move || job.run());
        match spawned {
            Ok(thread) => Some(Running { id, thread }),
            Err(error) => {
                tracing::error!(work_request = id, "cannot start a thread: {error}");
                None
            }
        }
    }

    fn sleep(&self, total: Duration) {
        sleep_unless(&self.shutdown, total, self.timings.poll);
    }
}

/// One work request, run and reported on its own thread.
struct Job {
    id: i64,
    request: WorkRequest,
    api: Api,
    registry: &'static Registry,
    shutdown: AbortHandle,
    work_dir: PathBuf,
    grace_period: Duration,
    timings: Timings,
}

impl Job {
    /// A fresh debug-log directory beside the work directory; without one (it cannot be
    /// created) the task runs and is reported without debug logs.
    fn debug_log(&self) -> Option<Arc<DebugLog>> {
        let mut dir = self.work_dir.clone().into_os_string();
        dir.push("-debug-logs");
        match DebugLog::create(Path::new(&dir)) {
            Ok(log) => Some(Arc::new(log)),
            Err(error) => {
                tracing::warn!(
                    "cannot create the debug-log directory `{}`: {error}; no debug logs",
                    Path::new(&dir).display()
                );
                None
            }
        }
    }

    fn run(self) {
        let span = tracing::info_span!("work_request", id = self.id);
        let _entered = span.enter();
        let completion = match prepare(self.registry, &self.request) {
            Err(error) => {
                tracing::error!(code = error.code.as_str(), "{}", error.message);
                Completion::error(error)
            }
            Ok(prepared) => {
                if let Err(error) = std::fs::create_dir_all(&self.work_dir) {
                    tracing::warn!(
                        "cannot create `{}`: {error}; the task works there anyway",
                        self.work_dir.display()
                    );
                }
                let debug_log = self.debug_log();
                let runner = ProcessRunner {
                    grace_period: self.grace_period,
                    output_log: debug_log.as_ref().map(|log| log.command_log()),
                    ..ProcessRunner::default()
                };
                let artifacts = ArtifactClient::new(self.api.clone());
                let workspace = self.request.workspace.clone();
                let server = TaskServer::new(
                    artifacts.clone(),
                    workspace.clone(),
                    self.id,
                    debug_log.clone(),
                );
                let ctx = TaskContext::new(prepared.entry.name, &self.work_dir)
                    .with_abort(self.shutdown.clone())
                    .with_runner(Arc::new(runner))
                    .with_server(Arc::new(server));
                if let Some(log) = &debug_log {
                    log.stage("Running");
                }
                let completion = execute(&prepared, &ctx);
                if let Err(error) = std::fs::remove_dir_all(&self.work_dir)
                    && error.kind() != std::io::ErrorKind::NotFound
                {
                    tracing::warn!("cannot remove `{}`: {error}", self.work_dir.display());
                }
                if let (Some(log), Some(completion)) = (&debug_log, &completion) {
                    debug_log::finish(log, &artifacts, workspace.as_deref(), self.id, completion);
                }
                match completion {
                    Some(completion) => completion,
                    None => return,
                }
            }
        };
        self.deliver(&completion);
    }

    /// Sends the completion until the server takes it, or refuses it for good, or shutdown.
    fn deliver(&self, completion: &Completion) {
        let payload = completion.payload();
        let mut wait = self.timings.retry_first;
        let mut attempt = 1u32;
        loop {
            match self.api.complete(self.id, &payload) {
                Ok(()) => {
                    tracing::info!(result = completion.result(), "reported");
                    return;
                }
                Err(error) if error.is_transient() => {
                    tracing::warn!(
                        attempt,
                        "cannot report the result ({}): {error}; retrying in {} s",
                        completion.result(),
                        wait.as_secs()
                    );
                }
                Err(error) => {
                    log_refused_completion(&error, completion);
                    return;
                }
            }
            if !sleep_unless(&self.shutdown, wait, self.timings.poll) {
                tracing::warn!(
                    result = completion.result(),
                    "stopping with the result undelivered: the server will run the work again"
                );
                return;
            }
            wait = (wait * 2).min(self.timings.retry_max);
            attempt += 1;
        }
    }
}

/// The client for the calls a work request makes (its completion, its artifacts): newer servers
/// (0.16) send a token for the work request alone, and accept its completion only with that
/// token; older ones send none, and take the worker's.
fn work_request_api(api: &Api, raw: &Value) -> Api {
    match raw.get("token").and_then(Value::as_str) {
        Some(token) if !token.is_empty() => api.with_token(Token::new(token)),
        _ => api.clone(),
    }
}

fn log_refused_completion(error: &ApiError, completion: &Completion) {
    tracing::error!(
        result = completion.result(),
        "the server refused the result: {error}"
    );
}

/// Sleeps `total` in steps of `step` unless `abort` is set first; false when it was.
fn sleep_unless(abort: &AbortHandle, total: Duration, step: Duration) -> bool {
    let deadline = Instant::now() + total;
    while Instant::now() < deadline {
        if abort.is_aborted() {
            return false;
        }
        std::thread::sleep(step.min(deadline.saturating_duration_since(Instant::now())));
    }
    !abort.is_aborted()
}

/// A random delay in `timings.reconnect_ms`, so that many workers do not reconnect at once.
fn reconnect_delay(timings: &Timings) -> Duration {
    let (low, high) = timings.reconnect_ms;
    let mut bytes = [0u8; 8];
    let random = getrandom::fill(&mut bytes)
        .map(|()| u64::from_le_bytes(bytes))
        .unwrap_or(0);
    Duration::from_millis(low + random % (high.saturating_sub(low) + 1))
}

/// This host's name, as registered: the kernel's host name.
fn fqdn() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|name| name.into_string().ok())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A work request as Debusine 0.11.3 sends it from get-next-for-worker, with the task
    /// type and name changed to what the server itself cannot be made to send.
    fn recorded(task_type: &str, task_name: &str) -> WorkRequest {
        let text = format!(
            r#"{{"id": 42, "url": "/debusine/System/work-request/42/", "task_name": "{task_name}",
            "created_at": "2026-11-30T15:25:13.400000Z", "created_by": 1, "aborted_by": null,
            "started_at": null, "completed_at": null, "duration": null, "worker": 2,
            "task_type": "{task_type}", "task_data": {{"result": true}},
            "dynamic_task_data": {{}}, "priority_base": 0, "priority_adjustment": 0,
            "workflow_data": {{}}, "event_reactions": {{}}, "status": "pending", "result": "",
            "artifacts": [], "scope": "debusine", "workspace": "System"}}"#
        );
        serde_json::from_str(&text).unwrap()
    }

    /// A one-connection-per-request HTTP server answering with `statuses` in turn (empty
    /// bodies); returns its API URL and the requests received.
    fn stub_server(
        statuses: Vec<u16>,
    ) -> (
        String,
        std::sync::mpsc::Receiver<crate::client::test_server::Received>,
    ) {
        crate::client::test_server::serve(
            statuses.into_iter().map(|s| (s, String::new())).collect(),
        )
    }

    fn job(url: &str, request: WorkRequest) -> Job {
        let registry: &'static Registry = Box::leak(Box::new(Registry::from_entries([])));
        Job {
            id: 42,
            request,
            api: Api::new(url, Some(Token::new("t0k3n"))).unwrap(),
            registry,
            shutdown: AbortHandle::new(),
            work_dir: std::env::temp_dir(),
            grace_period: Duration::from_secs(1),
            timings: Timings {
                retry_first: Duration::from_millis(10),
                ..Timings::default()
            },
        }
    }

    #[test]
    fn a_work_request_of_another_type_is_reported_as_wrong_task_type_until_delivered() {
        let (url, requests) = stub_server(vec![503, 502, 200]);
        job(&url, recorded("Server", "noop")).run();
        let received: Vec<_> = requests.try_iter().collect();
        assert_eq!(received.len(), 3, "{received:?}");
        for request in &received {
            assert_eq!(
                request.line,
                "PUT /api/1.0/work-request/42/completed/ HTTP/1.1"
            );
            assert_eq!(request.token, "t0k3n");
            let body: Value = serde_json::from_str(&request.body).unwrap();
            assert_eq!(body["result"], "error");
            assert_eq!(body["output_data"]["errors"][0]["code"], "wrong-task-type");
        }
    }

    #[test]
    fn an_unknown_task_is_reported_as_setup_failed_and_a_refusal_is_not_retried() {
        let (url, requests) = stub_server(vec![400]);
        job(&url, recorded("Worker", "nosuchtask")).run();
        let received: Vec<_> = requests.try_iter().collect();
        assert_eq!(received.len(), 1, "{received:?}");
        let body: Value = serde_json::from_str(&received[0].body).unwrap();
        assert_eq!(body["output_data"]["errors"][0]["code"], "setup-failed");
        assert!(
            body["output_data"]["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("nosuchtask")
        );
    }

    #[test]
    fn a_work_request_with_its_own_token_is_completed_with_it_else_with_the_workers() {
        // Debusine 0.16 sends `token` in the work request and refuses (403) a completion
        // carrying the worker's token; 0.11 sends none.
        let (url, requests) = stub_server(vec![200, 200]);
        let worker_api = Api::new(&url, Some(Token::new("t0k3n"))).unwrap();
        for raw in [
            serde_json::json!({"id": 42, "token": "w0rk-r3qu3st"}),
            serde_json::json!({"id": 42, "token": null}),
        ] {
            let mut job = job(&url, recorded("Worker", "noop"));
            job.api = work_request_api(&worker_api, &raw);
            job.run();
        }
        let tokens: Vec<String> = requests.try_iter().map(|received| received.token).collect();
        assert_eq!(tokens, ["w0rk-r3qu3st", "t0k3n"]);
    }

    #[test]
    fn reconnection_delays_stay_in_range_and_vary() {
        let timings = Timings::default();
        let delays: Vec<Duration> = (0..50).map(|_| reconnect_delay(&timings)).collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= Duration::from_secs(1) && *d <= Duration::from_secs(6))
        );
        assert!(delays.iter().any(|d| *d != delays[0]));
    }

    #[test]
    fn a_sleep_ends_early_on_abort() {
        let abort = AbortHandle::new();
        abort.abort();
        let start = Instant::now();
        assert!(!sleep_unless(
            &abort,
            Duration::from_secs(5),
            Duration::from_millis(10)
        ));
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
