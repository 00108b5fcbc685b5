//! Collecting a task's cross-field rule violations, so that one `validate` reports them all.

use super::violation::TaskConfigError;

/// The rules a task's [`validate`](crate::Execute::validate) found broken, in the order found.
///
/// Record each broken rule with [`fail`](Rules::fail) at the JSON pointer of the value it is
/// about (build one with [`pointer::child`](crate::pointer::child)), then return
/// [`finish`](Rules::finish): the caller sees every broken rule at once, as it sees every
/// schema violation, instead of fixing them one run at a time.
///
/// To have a rule appear on the task's docs page, describe it in
/// [`Execute::RULES`](crate::Execute::RULES) too.
///
/// ```
/// use taskdef::{Rules, TaskConfigError, ViolationKind, pointer};
///
/// struct Build {
///     binnmu: Option<String>,
///     components: Vec<String>,
/// }
///
/// impl Build {
///     fn validate(&self) -> Result<(), TaskConfigError> {
///         let mut rules = Rules::new();
///         if self.components.is_empty() {
///             rules.fail("/components", "At least one component is required");
///         }
///         for (index, component) in self.components.iter().enumerate() {
///             if self.binnmu.is_some() && component == "all" {
///                 rules.fail(
///                     pointer::child("/components", index),
///                     "Cannot build architecture-independent packages in a binNMU",
///                 );
///             }
///         }
///         rules.finish()
///     }
/// }
///
/// let build = Build { binnmu: Some("+b1".into()), components: vec!["any".into(), "all".into()] };
/// let error = build.validate().unwrap_err();
/// let [violation] = error.violations() else { panic!("one rule broken") };
/// assert_eq!(violation.kind, ViolationKind::Rule);
/// assert_eq!(violation.pointer, "/components/1");
///
/// let build = Build { binnmu: None, components: vec!["any".into()] };
/// assert!(build.validate().is_ok());
/// ```
#[derive(Debug, Default)]
pub struct Rules {
    error: Option<TaskConfigError>,
}

impl Rules {
    /// A collector with nothing found yet.
    pub fn new() -> Self {
        Rules::default()
    }

    /// Records a broken rule at `pointer` (`""` for the whole document); `message` should be
    /// Debusine's wording for the same rule.
    pub fn fail(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let violation = TaskConfigError::rule(pointer, message);
        match &mut self.error {
            Some(error) => error.merge(violation),
            None => self.error = Some(violation),
        }
    }

    /// Whether no rule has been found broken yet (for rules that only apply if others hold).
    pub fn is_empty(&self) -> bool {
        self.error.is_none()
    }

    /// `Ok` when no rule was broken, otherwise an error with every violation, in order.
    pub fn finish(self) -> Result<(), TaskConfigError> {
        self.error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_violation_in_order() {
        let mut rules = Rules::new();
        assert!(rules.is_empty());
        rules.fail("/a", "first");
        rules.fail("", "second");
        assert!(!rules.is_empty());
        let error = rules.finish().unwrap_err();
        let found: Vec<(&str, &str)> = error
            .violations()
            .iter()
            .map(|violation| (violation.pointer.as_str(), violation.message.as_str()))
            .collect();
        assert_eq!(found, [("/a", "first"), ("", "second")]);
        assert_eq!(error.message(), "/a: first (and 1 more)");
        assert!(Rules::new().finish().is_ok());
    }
}
