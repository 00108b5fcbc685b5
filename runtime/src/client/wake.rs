//! Waking the worker loop from another thread: a socket pair whose reading end the loop polls
//! together with the WebSocket, and whose writing end the signal thread and the job thread
//! write one byte to. An idle loop sleeps in `poll` until the server, a signal, the job or the
//! next ping wakes it; it never polls on a short timer.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::execution::AbortHandle;

/// The loop's end: what it polls and drains.
#[derive(Debug)]
pub(crate) struct Wakeup {
    reader: UnixStream,
    writer: Arc<UnixStream>,
}

/// Another thread's end: [`wake`](Waker::wake) makes the loop's `poll` return.
#[derive(Debug, Clone)]
pub(crate) struct Waker {
    writer: Arc<UnixStream>,
}

impl Wakeup {
    /// A fresh pair; neither end blocks.
    pub(crate) fn new() -> io::Result<Self> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        Ok(Wakeup {
            reader,
            writer: Arc::new(writer),
        })
    }

    /// A handle for another thread.
    pub(crate) fn waker(&self) -> Waker {
        Waker {
            writer: Arc::clone(&self.writer),
        }
    }

    /// The end to poll for reading.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.reader.as_fd()
    }

    /// Reads every pending wake-up, so that the next `poll` sleeps again.
    pub(crate) fn drain(&self) {
        let mut buffer = [0u8; 64];
        loop {
            match (&self.reader).read(&mut buffer) {
                Ok(0) => return,
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                // WouldBlock: nothing left.
                Err(_) => return,
            }
        }
    }
}

impl Waker {
    /// Wakes the loop. A full socket means a wake-up is already pending: nothing is lost.
    pub(crate) fn wake(&self) {
        loop {
            match (&*self.writer).write(&[1]) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                _ => return,
            }
        }
    }
}

/// The worker's shutdown: the abort flag every part watches (the running task's commands
/// included), a wake-up of the loop, and of any thread sleeping before a retry.
#[derive(Debug, Clone)]
pub(crate) struct Shutdown {
    abort: AbortHandle,
    waker: Waker,
    sleepers: Arc<(Mutex<()>, Condvar)>,
}

impl Shutdown {
    /// A shutdown setting `abort` and waking the loop through `waker`.
    pub(crate) fn new(abort: AbortHandle, waker: Waker) -> Self {
        Shutdown {
            abort,
            waker,
            sleepers: Arc::default(),
        }
    }

    /// Stops the worker: sets the flag, wakes the loop and every sleeper.
    pub(crate) fn stop(&self) {
        self.abort.abort();
        let (lock, condvar) = &*self.sleepers;
        drop(lock.lock().unwrap_or_else(PoisonError::into_inner));
        condvar.notify_all();
        self.waker.wake();
    }

    /// Whether [`stop`](Shutdown::stop) was called (or the flag set).
    pub(crate) fn is_stopped(&self) -> bool {
        self.abort.is_aborted()
    }

    /// The flag, for the running task.
    pub(crate) fn abort_handle(&self) -> &AbortHandle {
        &self.abort
    }

    /// Sleeps `total` unless stopped first; false when stopped.
    pub(crate) fn sleep(&self, total: Duration) -> bool {
        let deadline = Instant::now() + total;
        let (lock, condvar) = &*self.sleepers;
        let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.abort.is_aborted() {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            guard = condvar
                .wait_timeout(guard, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

    fn readable(wakeup: &Wakeup) -> bool {
        let mut fds = [PollFd::new(wakeup.fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::ZERO).unwrap() == 1
    }

    #[test]
    fn a_wake_makes_the_reading_end_readable_until_drained() {
        let wakeup = Wakeup::new().unwrap();
        assert!(!readable(&wakeup));
        let waker = wakeup.waker();
        std::thread::spawn(move || waker.wake()).join().unwrap();
        assert!(readable(&wakeup));
        wakeup.drain();
        assert!(!readable(&wakeup));
    }

    #[test]
    fn many_wakes_never_block_the_waker() {
        let wakeup = Wakeup::new().unwrap();
        let waker = wakeup.waker();
        // Far more than the socket buffer holds: the waker must return each time.
        for _ in 0..100_000 {
            waker.wake();
        }
        assert!(readable(&wakeup));
        wakeup.drain();
        assert!(!readable(&wakeup));
    }

    #[test]
    fn a_stop_ends_a_sleep_on_another_thread_and_wakes_the_loop() {
        let wakeup = Wakeup::new().unwrap();
        let shutdown = Shutdown::new(AbortHandle::new(), wakeup.waker());
        assert!(shutdown.sleep(Duration::ZERO));
        let sleeper = {
            let shutdown = shutdown.clone();
            std::thread::spawn(move || shutdown.sleep(Duration::from_secs(3600)))
        };
        shutdown.stop();
        // Joined at all: the hour-long sleep ended on the stop.
        assert!(!sleeper.join().unwrap());
        assert!(shutdown.is_stopped() && shutdown.abort_handle().is_aborted());
        assert!(readable(&wakeup));
        assert!(!shutdown.sleep(Duration::from_secs(3600)));
    }
}
