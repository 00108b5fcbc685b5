//! The worker's loop: register once, keep a WebSocket open, take work when told, run it on its
//! own thread, report it until the report is delivered.
//!
//! One thread owns the connection and the schedule. It sleeps in `poll` on two descriptors:
//! the WebSocket, and the reading end of a [`Wakeup`] that the signal thread and the job
//! thread write to; its only timer is the next ping (or pong deadline, or reconnection). So an
//! idle worker wakes for the server's messages and pings, a signal, or its own ping a minute,
//! and reacts to each at once.
//!
//! Each work request runs on a thread of its own, which also delivers the completion, retrying
//! while the server is unreachable or answers 5xx, then runs the after-work-request hooks.
//! Until that thread ends no new work is taken, so a finished result is never lost by asking
//! for more. Its live log (Debusine 0.16) goes to the loop through the [`Outbox`], which the
//! loop sends over the socket. SIGINT/SIGTERM stop the [`Shutdown`], whose flag is also the
//! running task's abort handle: its process group is stopped and nothing is reported.
//!
//! The server's release is learnt from the first difference seen: `debusine-version` in
//! `config.ini`, else how `get-next-for-worker` answers (405 to GET: 0.16); every work request
//! is configured, reported and logged for that release, and the log says which it is.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use serde_json::{Map, Value};

use super::api::Api;
use super::artifacts::ArtifactClient;
use super::config::{Token, WorkerConfig};
use super::debug_log::{self, DebugLog};
use super::live_log::{LiveLog, Outbox};
use super::retry::Backoff;
use super::runner::WorkerRunner;
use super::task_server::TaskServer;
use super::wake::{Shutdown, Waker, Wakeup};
use super::websocket::{self, Connection, Notice, Read};
use super::work_request::{Completion, Phases, Release, WorkRequest, execute_measured, prepare_in};
use crate::execution::TaskContext;
use crate::registry::Registry;

/// The timings of the loop; the defaults are Debian's worker's.
#[derive(Debug, Clone)]
pub(crate) struct Timings {
    /// A ping every so often.
    pub ping_interval: Duration,
    /// The connection is dropped when no pong comes within this.
    pub pong_timeout: Duration,
    /// A reconnection waits a random time in this range (milliseconds).
    pub reconnect_ms: (u64, u64),
    /// How long work waits after `connected` for the server's metadata request, which Debusine
    /// sends at once (0.16 assigns work by the metadata's tags).
    pub metadata_grace: Duration,
    /// How the completion is retried.
    pub completion_retry: Backoff,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            ping_interval: Duration::from_secs(60),
            pong_timeout: Duration::from_secs(30),
            reconnect_ms: (1000, 6000),
            metadata_grace: Duration::from_secs(1),
            completion_retry: Backoff::COMPLETION,
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
    /// Stopped by SIGINT/SIGTERM: stop the task, report nothing, return.
    pub shutdown: Shutdown,
    /// What wakes the loop; the [`Shutdown`] and the jobs write to it.
    pub wakeup: Wakeup,
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
    /// Set (and the loop woken) when the thread is about to end.
    done: Arc<AtomicBool>,
}

/// What asking for work gave.
enum Taken {
    /// A work request, running.
    Started(Running),
    /// Nothing to run, or nothing that can run.
    Nothing,
    /// The server could not answer: ask again later.
    Retry,
}

/// The connection's state.
struct Link {
    connection: Connection,
    last_ping: Instant,
    pong_due: Option<Instant>,
    /// Until when work waits for the metadata request after `connected`.
    metadata_due: Option<Instant>,
}

/// What one wait saw.
#[derive(Debug, Default)]
struct Woken {
    socket_readable: bool,
    socket_writable: bool,
}

impl Worker {
    /// Runs until shutdown. An error is returned only when the worker cannot start: no token
    /// and the server refuses registration.
    pub(crate) fn run(self) -> Result<(), String> {
        let api = Api::with_timeout(&self.config.api_url, None, self.config.http_timeout)?;
        let Some(token) = self.token(&api)? else {
            return Ok(());
        };
        let api = api.with_token(token.clone());
        let url = websocket::url_for(&self.config.api_url);
        let timings = self.timings.clone();
        let mut outbox = Outbox::new(self.wakeup.waker());

        let mut release = self.configured_release();
        let mut link: Option<Link> = None;
        let mut next_connect = Instant::now();
        let mut running: Option<Running> = None;
        let mut want_work = false;
        // After a transient failure of get-next-for-worker: when to ask again, and how many
        // attempts failed.
        let mut ask_again: Option<(Instant, u32)> = None;

        loop {
            self.wakeup.drain();
            outbox.collect();
            if self.shutdown.is_stopped() {
                if let Some(task) = running.take() {
                    tracing::warn!(work_request = task.id, "stopping the running task");
                    let _ = task.thread.join();
                }
                if let Some(link) = link.take() {
                    link.connection.close();
                }
                tracing::info!("stopped");
                return Ok(());
            }
            if running
                .as_ref()
                .is_some_and(|task| task.done.load(Ordering::SeqCst) || task.thread.is_finished())
            {
                if let Some(task) = running.take() {
                    let _ = task.thread.join();
                }
                // The server may have assigned more while this one ran.
                want_work = true;
            }
            // The wait for the metadata request after `connected` ends when it is due (and the
            // timer goes, so that a worker with work waiting does not spin on it).
            if let Some(open) = link.as_mut()
                && open.metadata_due.is_some_and(|due| Instant::now() >= due)
            {
                open.metadata_due = None;
            }
            let waiting_for_metadata = link
                .as_ref()
                .is_some_and(|link| link.metadata_due.is_some());
            let retry_due = ask_again.is_none_or(|(at, _)| Instant::now() >= at);
            if want_work && running.is_none() && !waiting_for_metadata && retry_due {
                want_work = false;
                match self.take_work(&api, &mut release, &outbox) {
                    Taken::Started(task) => {
                        ask_again = None;
                        running = Some(task);
                    }
                    Taken::Nothing => ask_again = None,
                    Taken::Retry => {
                        let failed = ask_again.map_or(1, |(_, failed)| failed + 1);
                        let wait = Backoff::NEXT.wait(failed);
                        tracing::info!("asking for work again in {:.1} s", wait.as_secs_f64());
                        ask_again = Some((Instant::now() + wait, failed));
                        want_work = true;
                    }
                }
            }

            if link.is_none() && Instant::now() >= next_connect {
                match Connection::open(&url, &token) {
                    Ok(connection) => {
                        tracing::info!(url = %url, "connected");
                        link = Some(Link {
                            connection,
                            last_ping: Instant::now(),
                            pong_due: None,
                            metadata_due: None,
                        });
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
            }

            let mut lost: Option<String> = None;
            if let Some(open) = link.as_mut()
                && release.is_some_and(Release::streams_logs)
                && !outbox.is_empty()
                && let Err(error) = outbox.send_with(|frame| open.connection.send_text(frame))
            {
                lost = Some(error);
            }

            let woken = if lost.is_none() {
                let retry_at = ask_again
                    .filter(|(at, _)| want_work && running.is_none() && *at > Instant::now())
                    .map(|(at, _)| at);
                self.wait(link.as_ref(), next_connect, want_work, retry_at)
            } else {
                Woken::default()
            };

            if let Some(open) = link.as_mut()
                && lost.is_none()
            {
                if woken.socket_readable {
                    match self.read_all(open, &api, &running, &mut want_work) {
                        Ok(()) => {}
                        Err(error) => lost = Some(error),
                    }
                }
                if lost.is_none()
                    && (woken.socket_writable || open.connection.wants_write())
                    && let Err(error) = open.connection.flush()
                {
                    lost = Some(error);
                }
                if lost.is_none() {
                    if open.pong_due.is_some_and(|due| Instant::now() >= due) {
                        lost = Some(format!(
                            "no pong within {} s",
                            timings.pong_timeout.as_secs()
                        ));
                    } else if open.last_ping.elapsed() >= timings.ping_interval {
                        open.last_ping = Instant::now();
                        match open.connection.ping() {
                            Ok(()) => open.pong_due = Some(Instant::now() + timings.pong_timeout),
                            Err(error) => lost = Some(error),
                        }
                    }
                }
            }
            if let Some(reason) = lost {
                if let Some(old) = link.take() {
                    old.connection.close();
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

    /// The release `debusine-version` names, if it does (logged).
    fn configured_release(&self) -> Option<Release> {
        let version = self.config.debusine_version.as_deref()?;
        match Release::parse(version) {
            Some(release) => {
                tracing::info!(
                    release = %release,
                    "the server is Debusine {release} (debusine-version in config.ini)"
                );
                Some(release)
            }
            None => {
                tracing::warn!(
                    "debusine-version `{version}` in config.ini is not a Debusine version \
                     (such as 0.16.2); the release is learnt from the server"
                );
                None
            }
        }
    }

    /// Sleeps until the socket has something, another thread wakes the loop, or the next
    /// timer (ping, pong deadline, reconnection, the end of the metadata grace) is due.
    fn wait(
        &self,
        link: Option<&Link>,
        next_connect: Instant,
        want_work: bool,
        retry_at: Option<Instant>,
    ) -> Woken {
        let now = Instant::now();
        let mut deadline = match link {
            Some(link) => {
                let mut deadline = link.last_ping + self.timings.ping_interval;
                if let Some(due) = link.pong_due {
                    deadline = deadline.min(due);
                }
                if want_work && let Some(due) = link.metadata_due {
                    deadline = deadline.min(due);
                }
                deadline
            }
            None => next_connect,
        };
        if let Some(at) = retry_at {
            deadline = deadline.min(at);
        }
        let timeout = deadline.saturating_duration_since(now);
        // Rounded up, so that the timer is due when poll returns.
        let millis = timeout.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut fds = vec![PollFd::new(self.wakeup.fd(), PollFlags::POLLIN)];
        if let Some(link) = link {
            let mut events = PollFlags::POLLIN;
            if link.connection.wants_write() {
                events |= PollFlags::POLLOUT;
            }
            fds.push(PollFd::new(link.connection.fd(), events));
        }
        match poll(&mut fds, timeout) {
            Ok(_) => {}
            // EINTR: look again. Anything else cannot happen with valid descriptors; the loop
            // reads the socket, whose error then drops the connection.
            Err(error) => {
                tracing::debug!(%error, "poll");
                return Woken {
                    socket_readable: link.is_some(),
                    socket_writable: false,
                };
            }
        }
        let Some(socket) = fds.get(1).and_then(PollFd::revents) else {
            return Woken::default();
        };
        Woken {
            socket_readable: socket
                .intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR),
            socket_writable: socket.contains(PollFlags::POLLOUT),
        }
    }

    /// Reads and acts on every message that has arrived.
    fn read_all(
        &self,
        link: &mut Link,
        api: &Api,
        running: &Option<Running>,
        want_work: &mut bool,
    ) -> Result<(), String> {
        loop {
            let read = link.connection.read()?;
            if !matches!(read, Read::Drained | Read::Nothing) {
                // Any message after `connected` (the metadata request first) ends the wait.
                link.metadata_due = None;
            }
            match read {
                Read::Drained => return Ok(()),
                Read::Nothing => {}
                Read::Pong => link.pong_due = None,
                Read::Notice(Notice::Connected) => {
                    tracing::debug!("the server confirmed the connection");
                    *want_work = true;
                    // Work is taken once the server has asked for the metadata and got it:
                    // Debusine 0.16 assigns work by the tags in it, and does not schedule again
                    // when it arrives.
                    link.metadata_due = Some(Instant::now() + self.timings.metadata_grace);
                }
                Read::Notice(Notice::RequestDynamicMetadata) => self.send_metadata(api),
                Read::Notice(Notice::WorkRequestAvailable) => match running {
                    Some(task) => tracing::debug!(
                        work_request = task.id,
                        "work is available; taking it once this one is reported"
                    ),
                    None => *want_work = true,
                },
                Read::Notice(Notice::Refused { kind, reason, code }) => {
                    tracing::error!(
                        "the server refused this worker ({kind}, {code}): {reason}; an admin \
                         must enable its token (`debusine-admin worker enable`); retrying"
                    );
                    return Err(format!("{kind} ({code})"));
                }
                Read::Notice(Notice::Other(text)) => {
                    tracing::debug!(message = %text, "ignored message");
                }
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
        let token = Token::generate().map_err(|error| error.to_string())?;
        let registered = Backoff::REGISTRATION.run(Some(&self.shutdown), "register", || {
            api.register(&token, self.config.activation_token.as_ref(), &fqdn)
        });
        match registered {
            Ok(Some(())) => {
                self.config
                    .write_token(&token)
                    .map_err(|error| error.to_string())?;
                tracing::info!(
                    fqdn = %fqdn,
                    activation = self.config.activation_token.is_some(),
                    "registered; the token is in {}",
                    self.config.dir.join("token").display()
                );
                Ok(Some(token))
            }
            Ok(None) => Ok(None),
            Err(error) => Err(format!(
                "the server refused registration: {error}{}",
                if self.config.activation_token.is_some() {
                    " (is the activation token expired or used?)"
                } else {
                    ""
                }
            )),
        }
    }

    fn send_metadata(&self, api: &Api) {
        let metadata = (self.metadata)();
        match api.put_dynamic_metadata(&metadata) {
            Ok(()) => tracing::info!(keys = metadata.len(), "sent the dynamic metadata"),
            Err(error) => tracing::warn!("cannot send the dynamic metadata: {error}"),
        }
    }

    /// Asks for the next work request and starts it on its own thread; learns the server's
    /// release from the answer when it is not known yet.
    fn take_work(&self, api: &Api, release: &mut Option<Release>, outbox: &Outbox) -> Taken {
        let found = match api.next_work_request(*release) {
            Ok((found, learnt)) => {
                if *release != Some(learnt) {
                    let how = if learnt.takes_next_by_post() {
                        "get-next-for-worker answered GET with 405 and took POST"
                    } else {
                        "get-next-for-worker took GET"
                    };
                    match release {
                        Some(configured) => tracing::warn!(
                            release = %learnt,
                            "the server is Debusine {learnt}, not {configured} as \
                             debusine-version says ({how})"
                        ),
                        None => tracing::info!(
                            release = %learnt,
                            "the server is Debusine {learnt} ({how})"
                        ),
                    }
                    *release = Some(learnt);
                }
                found
            }
            Err(error) => {
                if error.status() == Some(403) {
                    tracing::error!(
                        "the server refused the token: {error}; an admin must enable this worker"
                    );
                } else {
                    tracing::warn!("cannot get the next work request: {error}");
                }
                return if error.is_transient() {
                    Taken::Retry
                } else {
                    Taken::Nothing
                };
            }
        };
        let Some(release) = *release else {
            return Taken::Nothing;
        };
        let Some((request, raw)) = found else {
            tracing::debug!("no work request for this worker");
            return Taken::Nothing;
        };
        let Some(id) = request.id else {
            tracing::error!(task = %request.task_name, "the server sent a work request without an id");
            return Taken::Nothing;
        };
        let done = Arc::new(AtomicBool::new(false));
        tracing::info!(
            work_request = id,
            task_type = %request.task_type,
            task_name = %request.task_name,
            release = %release,
            "taking the work request"
        );
        let job = Job {
            id,
            request,
            release,
            api: work_request_api(api, &raw),
            registry: self.registry,
            shutdown: self.shutdown.clone(),
            work_dir: self.work_root.join(format!("taskdef-work-request-{id}")),
            grace_period: self.grace_period,
            environment: self.config.environment.clone(),
            live: release.streams_logs().then(|| LiveLog::new(id, outbox)),
            hooks: self.config.dir.join(HOOKS),
            retry: self.timings.completion_retry,
            waker: self.wakeup.waker(),
            done: Arc::clone(&done),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("work-request-{id}"))
            .spawn(move || job.run());
        match spawned {
            Ok(thread) => Taken::Started(Running { id, thread, done }),
            Err(error) => {
                tracing::error!(work_request = id, "cannot start a thread: {error}");
                Taken::Nothing
            }
        }
    }
}

/// The hooks run after each work request, under the configuration directory (Debian's
/// `/etc/debusine/worker/hooks/after-work-request.d`).
pub(crate) const HOOKS: &str = "hooks/after-work-request.d";

/// Marks the job done and wakes the loop when the job thread ends, however it ends.
struct WakeOnDrop(Waker, Arc<AtomicBool>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.1.store(true, Ordering::SeqCst);
        self.0.wake();
    }
}

/// One work request, run and reported on its own thread.
struct Job {
    id: i64,
    request: WorkRequest,
    release: Release,
    api: Api,
    registry: &'static Registry,
    shutdown: Shutdown,
    work_dir: PathBuf,
    grace_period: Duration,
    environment: Vec<(String, String)>,
    live: Option<LiveLog>,
    hooks: PathBuf,
    retry: Backoff,
    waker: Waker,
    done: Arc<AtomicBool>,
}

impl Job {
    /// A fresh debug-log directory beside the work directory; without one (it cannot be
    /// created) the task runs and is reported without debug logs.
    fn debug_log(&self) -> Option<Arc<DebugLog>> {
        let mut dir = self.work_dir.clone().into_os_string();
        dir.push("-debug-logs");
        match DebugLog::create(Path::new(&dir)) {
            Ok(log) => Some(Arc::new(log.with_live(self.live.clone()))),
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
        let _wake = WakeOnDrop(self.waker.clone(), Arc::clone(&self.done));
        let span = tracing::info_span!("work_request", id = self.id);
        let _entered = span.enter();
        let completion = match prepare_in(self.registry, &self.request, Some(self.release)) {
            Err(error) => {
                tracing::error!(
                    code = error.code.as_str(),
                    release = %self.release,
                    "{}",
                    error.message
                );
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
                let phases = Arc::new(Phases::default());
                let mut runner = WorkerRunner::new(&self.work_dir);
                runner.grace_period = self.grace_period;
                runner.environment = self.environment.clone();
                runner.output_log = debug_log.as_ref().map(|log| log.command_log());
                runner.live = self.live.clone();
                runner.phases = Some(Arc::clone(&phases));
                let artifacts =
                    ArtifactClient::new(self.api.clone()).with_shutdown(self.shutdown.clone());
                let workspace = self.request.workspace.clone();
                let server = TaskServer::new(
                    artifacts.clone(),
                    workspace.clone(),
                    self.id,
                    debug_log.clone(),
                );
                let ctx = TaskContext::new(prepared.entry.name, &self.work_dir)
                    .with_abort(self.shutdown.abort_handle().clone())
                    .with_runner(Arc::new(runner))
                    .with_server(Arc::new(server));
                if let Some(log) = &debug_log {
                    log.stage("Running");
                }
                let completion = execute_measured(&prepared, &ctx, Some(&phases));
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
        run_hooks(&self.hooks);
    }

    /// Sends the completion until the server takes it, or refuses it for good, or shutdown.
    fn deliver(&self, completion: &Completion) {
        let payload = completion.payload_in(self.release);
        let result = completion.outcome.result_in(self.release);
        let what = format!("report the result ({result})");
        match self.retry.run(Some(&self.shutdown), &what, || {
            self.api.complete(self.id, &payload)
        }) {
            Ok(Some(())) => tracing::info!(result, "reported"),
            Ok(None) => tracing::warn!(
                result,
                "stopping with the result undelivered: the server will run the work again"
            ),
            Err(error) => tracing::error!(result, "the server refused the result: {error}"),
        }
    }
}

/// Runs the after-work-request hooks in `dir` with `run-parts`, as Debian's worker does: not
/// at all when the directory is missing or empty; a failure is logged with its output.
pub(crate) fn run_hooks(dir: &Path) {
    let has_hooks = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if !has_hooks {
        tracing::debug!("no hooks in `{}`, skipping them", dir.display());
        return;
    }
    match std::process::Command::new("run-parts")
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .output()
    {
        Ok(output) if output.status.success() => {
            tracing::debug!("ran the hooks in `{}`", dir.display());
        }
        Ok(output) => tracing::warn!(
            "hooks failed to execute in `{}` ({}).\nstdout:\n{}\nstderr:\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => tracing::warn!("cannot run run-parts on `{}`: {error}", dir.display()),
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

/// A random delay in `timings.reconnect_ms`, so that many workers do not reconnect at once.
fn reconnect_delay(timings: &Timings) -> Duration {
    let (low, high) = timings.reconnect_ms;
    Duration::from_millis(low + super::retry::random_below(high.saturating_sub(low) + 1))
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
    use crate::execution::AbortHandle;

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
        let wakeup = Box::leak(Box::new(Wakeup::new().unwrap()));
        Job {
            id: 42,
            request,
            release: Release::V0_16,
            api: Api::new(url, Some(Token::new("t0k3n"))).unwrap(),
            registry,
            shutdown: Shutdown::new(AbortHandle::new(), wakeup.waker()),
            work_dir: std::env::temp_dir(),
            grace_period: Duration::from_secs(1),
            environment: Vec::new(),
            live: None,
            hooks: std::env::temp_dir().join("taskdef-no-hooks-here"),
            retry: Backoff {
                first: Duration::from_millis(10),
                max: Duration::from_millis(20),
                attempts: None,
            },
            waker: wakeup.waker(),
            done: Arc::default(),
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
    fn the_job_marks_itself_done_and_wakes_the_loop() {
        let (url, _requests) = stub_server(vec![200]);
        let job = job(&url, recorded("Worker", "nosuchtask"));
        let done = Arc::clone(&job.done);
        let wakeup = Wakeup::new().unwrap();
        let job = Job {
            waker: wakeup.waker(),
            ..job
        };
        job.run();
        assert!(done.load(Ordering::SeqCst));
        let mut fds = [PollFd::new(wakeup.fd(), PollFlags::POLLIN)];
        assert_eq!(poll(&mut fds, PollTimeout::ZERO).unwrap(), 1);
    }

    #[test]
    fn after_work_request_hooks_run_after_the_report() {
        let dir = std::env::temp_dir().join(format!("taskdef-hooks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let hooks = dir.join(HOOKS);
        std::fs::create_dir_all(&hooks).unwrap();
        let marker = dir.join("ran");
        let script = hooks.join("10-mark");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho hook >> '{}'\n", marker.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (url, requests) = stub_server(vec![200]);
        let job = Job {
            hooks: hooks.clone(),
            ..job(&url, recorded("Worker", "nosuchtask"))
        };
        job.run();
        assert_eq!(requests.try_iter().count(), 1);
        assert_eq!(std::fs::read_to_string(&marker).unwrap(), "hook\n");
        // A failing hook is logged, not fatal; an empty directory runs nothing.
        std::fs::write(&script, "#!/bin/sh\nexit 1\n").unwrap();
        run_hooks(&hooks);
        std::fs::remove_file(&script).unwrap();
        run_hooks(&hooks);
        assert_eq!(std::fs::read_to_string(&marker).unwrap(), "hook\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_error_completion_to_0_11_keeps_its_code_and_names_no_new_field() {
        let (url, requests) = stub_server(vec![200]);
        let job = Job {
            release: Release::V0_11,
            ..job(&url, recorded("Worker", "nosuchtask"))
        };
        job.run();
        let received: Vec<_> = requests.try_iter().collect();
        let body: Value = serde_json::from_str(&received[0].body).unwrap();
        assert_eq!(body["result"], "error");
        assert_eq!(body["output_data"]["errors"][0]["code"], "setup-failed");
    }
}
