//! Running Debusine's work requests: the part shared by `taskdef run --work-request` (feature
//! `cli`) and `taskdef worker`, and the Debusine API client with the worker's loop
//! (feature `worker`).
//!
//! Layers, lowest first: [`work_request`] (a work request checked, configured, executed and
//! turned into a completion, with Debusine's error codes and runtime statistics) and
//! [`signals`]; then, with `worker`: [`config`] (the worker's configuration directory),
//! [`api`] (HTTP calls over one core), [`artifacts`] (the artifact client: files down and up,
//! relations), [`debug_log`] (a work request's debug-log artifact), [`live_log`] (its live
//! log, Debusine 0.16), [`runner`] (how its commands run), [`task_server`] (the server as a
//! running task sees it), [`websocket`] (the notification channel), [`retry`] (the retry policy of every call), [`wake`] (waking the loop
//! from other threads), [`worker`] (the loop) and [`embed`] (the loop for a program that embeds
//! it, without the command line).

pub(crate) mod signals;
pub(crate) mod work_request;

#[cfg(feature = "worker")]
pub(crate) mod api;
#[cfg(feature = "worker")]
pub(crate) mod artifacts;
#[cfg(feature = "worker")]
pub(crate) mod clock;
#[cfg(feature = "worker")]
pub(crate) mod config;
#[cfg(feature = "worker")]
pub(crate) mod debug_log;
#[cfg(feature = "worker")]
pub(crate) mod embed;
#[cfg(feature = "worker")]
pub(crate) mod live_log;
#[cfg(feature = "worker")]
pub(crate) mod retry;
#[cfg(feature = "worker")]
pub(crate) mod runner;
#[cfg(feature = "worker")]
pub(crate) mod task_server;
#[cfg(all(test, feature = "worker"))]
#[path = "../../../examples/tests/support/http.rs"]
mod test_server;
#[cfg(feature = "worker")]
pub(crate) mod wake;
#[cfg(feature = "worker")]
pub(crate) mod websocket;
#[cfg(feature = "worker")]
pub(crate) mod worker;
