//! The one retry policy of every HTTP call the client and the worker make.
//!
//! - **What is retried**: a failure that may go away by itself ([`Transient`]): the server
//!   could not be reached or the connection broke, or it answered 5xx, 408 or 429. Anything
//!   else (4xx, a reply that is not what the endpoint documents) is final.
//! - **What never is**: a call that would do its work twice: the creation of an artifact
//!   (`POST /artifact/`: a second one creates a second artifact). Such calls do not go through
//!   [`Backoff::run`].
//! - **How**: waits growing from `first` by doubling up to `max`, each drawn at random in its
//!   upper half (so that many workers that lost the server together do not come back
//!   together), for at most `attempts` attempts, or until the work is done or the worker
//!   stops, for the calls whose result must not be lost.
//!
//! | call | policy |
//! |---|---|
//! | artifact GET, file download, file upload (`PUT` with `Content-Range`, resumed), relation | [`Backoff::CALL`] |
//! | completion (`PUT .../completed/`) | [`Backoff::COMPLETION`]: until delivered or stopped |
//! | registration | [`Backoff::REGISTRATION`]: until registered or stopped |
//! | `get-next-for-worker` | [`Backoff::NEXT`], scheduled by the loop (which keeps pinging) |
//! | dynamic metadata | not retried: the server asks again (every hour, and on each connection) |
//! | artifact creation | never |

use std::time::Duration;

use super::api::ApiError;
use super::wake::Shutdown;

/// A failure that may go away if the same call is made later.
pub(crate) trait Transient {
    /// Whether it may.
    fn is_transient(&self) -> bool;
}

impl Transient for ApiError {
    fn is_transient(&self) -> bool {
        ApiError::is_transient(self)
    }
}

/// A backoff: how long to wait between attempts, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The first wait (before jitter).
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Attempts, the first included; `None`: until done or stopped.
    pub attempts: Option<u32>,
}

impl Backoff {
    /// An API call made for a task (artifacts): five attempts over about a minute.
    pub(crate) const CALL: Backoff = Backoff {
        first: Duration::from_secs(1),
        max: Duration::from_secs(30),
        attempts: Some(5),
    };
    /// A work request's completion: until delivered or the worker stops (a result is never
    /// given up while the server may come back).
    pub(crate) const COMPLETION: Backoff = Backoff {
        first: Duration::from_secs(1),
        max: Duration::from_secs(60),
        attempts: None,
    };
    /// Registration: until registered or the worker stops.
    pub(crate) const REGISTRATION: Backoff = Backoff {
        first: Duration::from_secs(1),
        max: Duration::from_secs(60),
        attempts: None,
    };
    /// Asking for the next work request after a transient failure: until it is answered.
    pub(crate) const NEXT: Backoff = Backoff {
        first: Duration::from_secs(5),
        max: Duration::from_secs(300),
        attempts: None,
    };

    /// The wait before attempt `attempt + 1` (after `attempt` failed, counting from 1): the
    /// doubled wait capped at `max`, drawn in its upper half.
    pub(crate) fn wait(&self, attempt: u32) -> Duration {
        let doubled = self
            .first
            .checked_mul(1u32 << attempt.saturating_sub(1).min(20))
            .unwrap_or(self.max)
            .min(self.max);
        let half = doubled / 2;
        let span = u64::try_from((doubled - half).as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(random_below(span.saturating_add(1)))
    }

    /// Makes `call` until it succeeds, fails for good, the attempts are spent, or `shutdown`
    /// (when given) stops during a wait: `Ok(None)` then. Each retry is logged as `what`.
    pub(crate) fn run<T, E: Transient + std::fmt::Display>(
        &self,
        shutdown: Option<&Shutdown>,
        what: &str,
        mut call: impl FnMut() -> Result<T, E>,
    ) -> Result<Option<T>, E> {
        let mut attempt = 1u32;
        loop {
            match call() {
                Ok(value) => return Ok(Some(value)),
                Err(error)
                    if error.is_transient()
                        && self.attempts.is_none_or(|attempts| attempt < attempts) =>
                {
                    let wait = self.wait(attempt);
                    tracing::warn!(
                        attempt,
                        "cannot {what}: {error}; retrying in {:.1} s",
                        wait.as_secs_f64()
                    );
                    let slept = match shutdown {
                        Some(shutdown) => shutdown.sleep(wait),
                        None => {
                            std::thread::sleep(wait);
                            true
                        }
                    };
                    if !slept {
                        return Ok(None);
                    }
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// A random number below `bound` (0 when `bound` is 0, or without randomness).
pub(crate) fn random_below(bound: u64) -> u64 {
    if bound == 0 {
        return 0;
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map(|()| u64::from_le_bytes(bytes) % bound)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::wake::Wakeup;
    use crate::execution::AbortHandle;
    use std::cell::Cell;

    fn status(status: u16) -> ApiError {
        ApiError::Status {
            method: "PUT",
            url: "u".into(),
            status,
            detail: String::new(),
        }
    }

    const QUICK: Backoff = Backoff {
        first: Duration::from_millis(1),
        max: Duration::from_millis(4),
        attempts: Some(4),
    };

    #[test]
    fn transient_failures_are_retried_until_the_attempts_are_spent() {
        let calls = Cell::new(0);
        let outcome: Result<Option<()>, ApiError> = QUICK.run(None, "test", || {
            calls.set(calls.get() + 1);
            Err(status(503))
        });
        assert_eq!(outcome.unwrap_err().status(), Some(503));
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn a_success_after_failures_is_returned() {
        let calls = Cell::new(0);
        let outcome = QUICK.run(None, "test", || {
            calls.set(calls.get() + 1);
            if calls.get() < 3 {
                Err(ApiError::Transport {
                    method: "GET",
                    url: "u".into(),
                    reason: "refused".into(),
                })
            } else {
                Ok(calls.get())
            }
        });
        assert_eq!(outcome.unwrap(), Some(3));
    }

    #[test]
    fn final_failures_are_never_retried() {
        for code in [400, 401, 403, 404, 405, 409] {
            let calls = Cell::new(0);
            let outcome: Result<Option<()>, ApiError> = QUICK.run(None, "test", || {
                calls.set(calls.get() + 1);
                Err(status(code))
            });
            assert!(outcome.is_err());
            assert_eq!(calls.get(), 1, "HTTP {code} was retried");
        }
        let reply = ApiError::Reply {
            method: "GET",
            url: "u".into(),
            reason: "not JSON".into(),
        };
        assert!(!reply.is_transient());
        for code in [500, 502, 503, 504, 408, 429] {
            assert!(status(code).is_transient(), "{code}");
        }
    }

    #[test]
    fn an_unbounded_retry_ends_when_the_worker_stops() {
        let wakeup = Wakeup::new().unwrap();
        let shutdown = Shutdown::new(AbortHandle::new(), wakeup.waker());
        let calls = Cell::new(0);
        let forever = Backoff {
            attempts: None,
            first: Duration::from_secs(3600),
            ..QUICK
        };
        let outcome: Result<Option<()>, ApiError> = forever.run(Some(&shutdown), "test", || {
            calls.set(calls.get() + 1);
            // Stopped while the call is made: the hour-long wait after it must not happen.
            shutdown.stop();
            Err(status(502))
        });
        assert!(matches!(outcome, Ok(None)));
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn waits_double_up_to_the_limit_in_their_upper_half() {
        let backoff = Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(60),
            attempts: None,
        };
        for (attempt, full) in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (40, 60)] {
            let full = Duration::from_secs(full);
            let waits: Vec<Duration> = (0..50).map(|_| backoff.wait(attempt)).collect();
            assert!(
                waits.iter().all(|wait| *wait >= full / 2 && *wait <= full),
                "attempt {attempt}: {waits:?}"
            );
        }
        let waits: Vec<Duration> = (0..50).map(|_| backoff.wait(7)).collect();
        assert!(waits.iter().any(|wait| *wait != waits[0]), "no jitter");
    }

    #[test]
    fn an_artifact_creation_is_never_retried_and_other_artifact_calls_are() {
        use crate::client::api::Api;
        use crate::client::artifacts::ArtifactClient;
        use crate::client::test_server::serve;
        use crate::execution::NewArtifact;

        // The creation answered 503: one request, the error returned.
        let (url, requests) = serve(vec![(503, String::new()), (503, String::new())]);
        let client = ArtifactClient::new(Api::new(&url, None).unwrap());
        let artifact = NewArtifact::new("debusine:test", serde_json::json!({}));
        let error = client.upload(&artifact, None, None).unwrap_err();
        assert!(error.to_string().contains("503"), "{error}");
        let received: Vec<_> = requests.try_iter().collect();
        assert_eq!(received.len(), 1, "{received:?}");
        assert_eq!(received[0].line, "POST /api/1.0/artifact/ HTTP/1.1");

        // A relation (idempotent: an existing one is not an error) is retried.
        let (url, requests) = serve(vec![(502, String::new()), (201, "{}".to_owned())]);
        let client = ArtifactClient::new(Api::new(&url, None).unwrap()).with_retry(QUICK);
        client
            .relate(1, 2, crate::execution::RelationType::RelatesTo)
            .unwrap();
        assert_eq!(requests.try_iter().count(), 2);
    }
}
