//! The one-way abort flag of a running task.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shareable, thread-safe flag: once aborted, a task stays aborted.
///
/// Clones share the flag, so one can be handed to a signal handler or another thread.
#[derive(Debug, Clone, Default)]
pub struct AbortHandle {
    aborted: Arc<AtomicBool>,
}

impl AbortHandle {
    /// A handle that is not aborted.
    pub fn new() -> Self {
        AbortHandle::default()
    }

    /// Marks the task aborted. There is no way back.
    pub fn abort(&self) {
        self.aborted.store(true, Ordering::SeqCst);
    }

    /// Whether [`abort`](AbortHandle::abort) was called on this handle or a clone.
    pub fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::SeqCst)
    }
}
