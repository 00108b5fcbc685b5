//! SIGINT and SIGTERM turned into an abort, for commands that run tasks.

use nix::sys::signal::{SigSet, Signal};

use crate::execution::AbortHandle;

/// Blocks SIGINT and SIGTERM in this thread (and so in every thread started after it) and
/// starts a thread that takes them with `sigwait` and sets `abort`.
///
/// Call it before any other thread starts. Child processes do not inherit the mask: the
/// standard library resets it when it spawns.
// Used by `taskdef run` only (feature `cli`); an embedded worker stops on signals through
// `stop_on_signals`.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) fn abort_on_signals(abort: &AbortHandle, what: &'static str) -> Result<(), String> {
    let abort = abort.clone();
    let flag = abort.clone();
    on_signals(move || flag.is_aborted(), move || abort.abort(), what)
}

/// [`abort_on_signals`] for the worker: a signal stops `shutdown` (which wakes its loop and
/// its sleepers as well as setting the abort flag).
#[cfg(feature = "worker")]
pub(crate) fn stop_on_signals(
    shutdown: &super::wake::Shutdown,
    what: &'static str,
) -> Result<(), String> {
    let shutdown = shutdown.clone();
    let flag = shutdown.clone();
    on_signals(move || flag.is_stopped(), move || shutdown.stop(), what)
}

/// Blocks SIGINT and SIGTERM and starts the thread that calls `stop` on each (`stopped` says
/// whether it already has).
fn on_signals(
    stopped: impl Fn() -> bool + Send + 'static,
    stop: impl Fn() + Send + 'static,
    what: &'static str,
) -> Result<(), String> {
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    signals
        .thread_block()
        .map_err(|error| format!("cannot block SIGINT and SIGTERM: {error}"))?;
    std::thread::Builder::new()
        .name("taskdef-signals".to_owned())
        .spawn(move || {
            while let Ok(signal) = signals.wait() {
                if stopped() {
                    tracing::warn!(%signal, "already aborting");
                } else {
                    tracing::warn!(%signal, "aborting {what}");
                    stop();
                }
            }
        })
        .map_err(|error| format!("cannot start the signal thread: {error}"))?;
    Ok(())
}
