//! Collecting cross-field rule violations, each at its JSON pointer (built with
//! `taskdef::pointer`).

use taskdef::TaskConfigError;

/// The violations found by a task's `validate` hook, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    error: Option<TaskConfigError>,
}

impl Rules {
    /// A collector with nothing found yet.
    pub(crate) fn new() -> Self {
        Rules::default()
    }

    /// Records a broken rule at `pointer` with Debusine's `message`.
    pub(crate) fn fail(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let violation = TaskConfigError::rule(pointer, message);
        match &mut self.error {
            Some(error) => error.merge(violation),
            None => self.error = Some(violation),
        }
    }

    /// `Ok` when nothing was found, otherwise every violation.
    pub(crate) fn finish(self) -> Result<(), TaskConfigError> {
        self.error.map_or(Ok(()), Err)
    }
}
