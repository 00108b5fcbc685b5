//! SIGINT and SIGTERM turned into an abort, for commands that run tasks.

use nix::sys::signal::{SigSet, Signal};

use crate::execution::AbortHandle;

/// Blocks SIGINT and SIGTERM in this thread (and so in every thread started after it) and
/// starts a thread that takes them with `sigwait` and sets `abort`.
///
/// Call it before any other thread starts. Child processes do not inherit the mask: the
/// standard library resets it when it spawns.
pub(crate) fn abort_on_signals(abort: &AbortHandle, what: &'static str) -> Result<(), String> {
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    signals
        .thread_block()
        .map_err(|error| format!("cannot block SIGINT and SIGTERM: {error}"))?;
    let abort = abort.clone();
    std::thread::Builder::new()
        .name("taskdef-signals".to_owned())
        .spawn(move || {
            while let Ok(signal) = signals.wait() {
                if abort.is_aborted() {
                    tracing::warn!(%signal, "already aborting");
                } else {
                    tracing::warn!(%signal, "aborting {what}");
                    abort.abort();
                }
            }
        })
        .map_err(|error| format!("cannot start the signal thread: {error}"))?;
    Ok(())
}
