//! What a finished task reports: Debusine's `WorkRequestResults`.
//!
//! Up to Debusine 0.12 a task said only whether it succeeded (a `bool`); 0.16 gives every work
//! request one of these results, and the scheduler treats them differently: a `temporary
//! failure` may be retried, a `skipped` one is not an error. [`Execute::execute`] keeps the
//! `bool`, which converts into [`Outcome::Success`] or [`Outcome::Failure`];
//! [`Execute::execute_outcome`] returns any of them.
//!
//! [`Execute::execute`]: crate::Execute::execute
//! [`Execute::execute_outcome`]: crate::Execute::execute_outcome

use std::fmt;
use std::str::FromStr;

/// The result of a finished work request, as Debusine 0.16 names it (`WorkRequestResults`).
///
/// An error of the task itself is a [`TaskError`](crate::TaskError), reported as
/// [`Outcome::Error`] by whoever runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// `success`: the task did its work and found nothing wrong.
    Success,
    /// `failure`: the task ran, and what it checked failed (a build that did not build).
    Failure,
    /// `error`: the task could not do its work (bad input, a tool missing, a crash).
    Error,
    /// `skipped`: there was nothing to do.
    Skipped,
    /// `temporary failure`: the task could not run this time, but may on a retry (an aborted
    /// `autopkgtest`, a tool saying so with its exit code).
    TemporaryFailure,
    /// `""`: no result. Debusine's value for a work request not finished; its `noop` can be
    /// asked to report it.
    NoResult,
}

impl Outcome {
    /// Every outcome, in Debusine's order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Success,
        Outcome::Failure,
        Outcome::Error,
        Outcome::Skipped,
        Outcome::TemporaryFailure,
        Outcome::NoResult,
    ];

    /// Debusine's name: `success`, `failure`, `error`, `skipped`, `temporary failure`, `""`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Error => "error",
            Outcome::Skipped => "skipped",
            Outcome::TemporaryFailure => "temporary failure",
            Outcome::NoResult => "",
        }
    }

    /// Whether this is [`Outcome::Success`]: what a `bool` of Debusine 0.11's API says.
    pub const fn is_success(self) -> bool {
        matches!(self, Outcome::Success)
    }
}

impl From<bool> for Outcome {
    /// `true` is success, `false` failure: the `bool` of [`Execute::execute`](crate::Execute::execute).
    fn from(success: bool) -> Outcome {
        if success {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`Outcome::ALL`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a work request result; expected one of \"success\", \"failure\", \"error\", \"skipped\", \"temporary failure\", \"\""
)]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    /// Debusine's name, exactly as [`Outcome::as_str`] writes it.
    fn from_str(name: &str) -> Result<Outcome, UnknownOutcome> {
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == name)
            .ok_or_else(|| UnknownOutcome(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn names_read_back() {
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse::<Outcome>(), Ok(outcome));
        }
        let error = "temporary_failure".parse::<Outcome>().unwrap_err();
        assert!(error.to_string().contains("`temporary_failure`"), "{error}");
        assert_eq!("".parse::<Outcome>(), Ok(Outcome::NoResult));
        assert_eq!("Success".parse::<Outcome>().unwrap_err().0, "Success");
    }

    #[test]
    fn a_bool_is_success_or_failure() {
        assert_eq!(Outcome::from(true), Outcome::Success);
        assert_eq!(Outcome::from(false), Outcome::Failure);
        assert!(Outcome::Success.is_success());
        assert!(!Outcome::TemporaryFailure.is_success());
    }
}
