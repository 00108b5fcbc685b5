//! Debusine 0.16's live log of a running work request, sent over the worker's WebSocket as
//! Debian's 0.16 worker sends it (`tasks/log_sender.py`, `client/server_notifications.py`):
//!
//! - `{"type": "log_data", "work_request_id", "data", "stream", "timestamp"}`: each stage of the
//!   task as it begins (stream `internal`), and each command's output as it runs (stream
//!   `stdout` or `stderr`), in chunks of at most 64 KiB sent at least once a second;
//! - `{"type": "log_data_end", "work_request_id", "exit_code", "timestamp"}` when a command
//!   ends (`-1` when it has no exit code).
//!
//! The server keeps the frames in a Redis stream per work request, which a browser reads
//! while the work request runs. The job thread makes the frames and hands them to the loop,
//! which owns the socket; up to [`OUTBOX_LIMIT`] wait there while the socket is away (the
//! server drops nothing of a reconnected worker), then the queue is emptied and the loss
//! reported in the stream, as Debian's worker does. Servers before 0.16 get no frames.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::SystemTime;

use serde_json::json;

use super::clock::iso_utc;
use super::wake::Waker;

/// How many frames wait for the socket before they are dropped (Debian's
/// `OUTGOING_QUEUE_MAX_SIZE`).
pub(crate) const OUTBOX_LIMIT: usize = 1000;

/// The sending side, for the job thread.
#[derive(Debug, Clone)]
pub(crate) struct LiveLog {
    work_request: i64,
    sender: Sender<String>,
    waker: Waker,
}

impl LiveLog {
    /// A live log of `work_request`, its frames sent to `outbox`.
    pub(crate) fn new(work_request: i64, outbox: &Outbox) -> Self {
        LiveLog {
            work_request,
            sender: outbox.sender.clone(),
            waker: outbox.waker.clone(),
        }
    }

    fn push(&self, frame: serde_json::Value) {
        // The loop is gone only when the worker stops: the frame is of no use any more.
        if self.sender.send(frame.to_string()).is_ok() {
            self.waker.wake();
        }
    }

    /// Sends `data` of `stream` (`internal`, `stdout`, `stderr`); nothing when it is empty
    /// (the server refuses an empty `data`).
    pub(crate) fn data(&self, data: &str, stream: &str) {
        if data.is_empty() {
            return;
        }
        self.push(json!({
            "type": "log_data",
            "work_request_id": self.work_request,
            "data": data,
            "stream": stream,
            "timestamp": iso_utc(SystemTime::now()),
        }));
    }

    /// A stage of the task begins (`Running`, `Fetching input`, ...).
    pub(crate) fn stage(&self, message: &str) {
        self.data(&format!("{message}\n"), "internal");
    }

    /// A command ended with `exit_code` (`-1` when it has none).
    pub(crate) fn end(&self, exit_code: i64) {
        self.push(json!({
            "type": "log_data_end",
            "work_request_id": self.work_request,
            "exit_code": exit_code,
            "timestamp": iso_utc(SystemTime::now()),
        }));
    }
}

/// The loop's side: frames waiting for the socket.
#[derive(Debug)]
pub(crate) struct Outbox {
    sender: Sender<String>,
    receiver: Receiver<String>,
    waker: Waker,
    queue: VecDeque<String>,
    dropped: usize,
}

impl Outbox {
    /// An empty outbox; a frame handed in wakes the loop through `waker`.
    pub(crate) fn new(waker: Waker) -> Self {
        let (sender, receiver) = channel();
        Outbox {
            sender,
            receiver,
            waker,
            queue: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Takes the frames handed in since the last call; past [`OUTBOX_LIMIT`] the queue is
    /// emptied and the loss counted.
    pub(crate) fn collect(&mut self) {
        for frame in self.receiver.try_iter() {
            if self.queue.len() >= OUTBOX_LIMIT {
                self.dropped += self.queue.len() + 1;
                self.queue.clear();
                tracing::warn!(
                    dropped = self.dropped,
                    "the live log is not going out fast enough: dropped its buffered frames"
                );
                continue;
            }
            self.queue.push_back(frame);
        }
    }

    /// Whether frames wait.
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Sends the waiting frames with `send`, first the notice of frames dropped; stops at the
    /// first error (the frame stays for the next connection).
    pub(crate) fn send_with(
        &mut self,
        mut send: impl FnMut(String) -> Result<(), String>,
    ) -> Result<(), String> {
        while let Some(frame) = self.queue.front() {
            if self.dropped > 0 {
                let notice = dropped_notice(frame, self.dropped);
                send(notice)?;
                self.dropped = 0;
            }
            send(frame.clone())?;
            self.queue.pop_front();
        }
        Ok(())
    }
}

/// Debian's notice of dropped frames, for the work request of `next`.
fn dropped_notice(next: &str, dropped: usize) -> String {
    let next: serde_json::Value = serde_json::from_str(next).unwrap_or_default();
    json!({
        "type": "log_data",
        "work_request_id": next.get("work_request_id"),
        "stream": "internal",
        "data": format!(
            "[worker] dropped {dropped} buffered log message(s): outgoing queue overflow\n"
        ),
        "timestamp": next.get("timestamp"),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::wake::Wakeup;
    use serde_json::Value;

    fn sent(outbox: &mut Outbox) -> Vec<Value> {
        let mut frames = Vec::new();
        outbox
            .send_with(|frame| {
                frames.push(serde_json::from_str(&frame).unwrap());
                Ok(())
            })
            .unwrap();
        frames
    }

    #[test]
    fn frames_are_debians_and_empty_data_is_not_sent() {
        let wakeup = Wakeup::new().unwrap();
        let mut outbox = Outbox::new(wakeup.waker());
        let log = LiveLog::new(7, &outbox);
        log.stage("Running");
        log.data("", "stdout");
        log.data("hello\n", "stdout");
        log.end(3);
        outbox.collect();
        let frames = sent(&mut outbox);
        assert_eq!(frames.len(), 3, "{frames:?}");
        assert_eq!(frames[0]["type"], "log_data");
        assert_eq!(frames[0]["stream"], "internal");
        assert_eq!(frames[0]["data"], "Running\n");
        assert_eq!(frames[0]["work_request_id"], 7);
        assert!(frames[0]["timestamp"].as_str().unwrap().ends_with("+00:00"));
        assert_eq!(frames[1]["data"], "hello\n");
        assert_eq!(frames[2]["type"], "log_data_end");
        assert_eq!(frames[2]["exit_code"], 3);
        assert!(outbox.is_empty());
    }

    #[test]
    fn an_overflow_drops_the_queue_and_says_so_once() {
        let wakeup = Wakeup::new().unwrap();
        let mut outbox = Outbox::new(wakeup.waker());
        let log = LiveLog::new(8, &outbox);
        for n in 0..OUTBOX_LIMIT + 5 {
            log.data(&format!("{n}\n"), "stdout");
        }
        outbox.collect();
        let frames = sent(&mut outbox);
        assert_eq!(
            frames.len(),
            5,
            "the notice and the 4 frames after the overflow"
        );
        assert_eq!(
            frames[0]["data"],
            format!(
                "[worker] dropped {} buffered log message(s): outgoing queue overflow\n",
                OUTBOX_LIMIT + 1
            )
        );
        assert_eq!(frames[0]["work_request_id"], 8);
        assert_eq!(frames[1]["data"], format!("{}\n", OUTBOX_LIMIT + 1));
    }

    #[test]
    fn a_frame_that_cannot_go_stays_for_the_next_connection() {
        let wakeup = Wakeup::new().unwrap();
        let mut outbox = Outbox::new(wakeup.waker());
        LiveLog::new(9, &outbox).data("x\n", "stdout");
        outbox.collect();
        assert!(outbox.send_with(|_| Err("gone".into())).is_err());
        assert!(!outbox.is_empty());
        assert_eq!(sent(&mut outbox).len(), 1);
    }
}
