//! What is wrong with task data: violations and the error that carries them.

use std::fmt;

/// A line and column (both 1-based) in the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// What is wrong, with the data a program needs to act on it.
///
/// Each schema keyword that fails gives its own kind, carrying the keyword's data as the
/// validator found it (never read back from the message): a program can tell an unknown key
/// from a missing one and name it without parsing English. Kinds may be added.
///
/// Where each kind's [`Violation::pointer`] points:
/// - [`UnknownKey`](Self::UnknownKey): the key itself (`/input/extra`), one violation per key;
/// - [`MissingKey`](Self::MissingKey): the object that lacks the key (`""` for the top level),
///   since the key has no value to point at; the key is in `name`;
/// - every other kind: the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The text is not valid JSON or YAML.
    Syntax,
    /// A key the schema does not allow (`additionalProperties`/`unevaluatedProperties`).
    UnknownKey {
        /// The key, unescaped.
        name: String,
    },
    /// A required key is absent (`required`).
    MissingKey {
        /// The key, unescaped.
        name: String,
    },
    /// The value has the wrong JSON type (`type`).
    Type {
        /// The accepted JSON types (`"integer"`, `"null"`, ...).
        expected: Vec<String>,
    },
    /// The value is not one of the permitted values (`enum`, `const`, or a `oneOf`/`anyOf` of
    /// `const`s as schemars writes documented enums).
    Enum {
        /// The permitted values.
        allowed: Vec<serde_json::Value>,
    },
    /// The string does not match `pattern`.
    Pattern {
        /// The regular expression.
        pattern: String,
    },
    /// A number, length or count beyond its bound.
    Range {
        /// The keyword: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
        /// `minLength`, `maxLength`, `minItems`, `maxItems`, `minProperties`, `maxProperties`.
        keyword: String,
        /// The bound the value broke.
        limit: serde_json::Value,
    },
    /// Any other schema keyword (`format`, `anyOf`, `uniqueItems`, ...).
    Schema {
        /// The keyword that failed.
        keyword: String,
    },
    /// The data matched the schema but could not become the typed struct.
    Deserialize,
    /// A cross-field rule of the task (its `validate` hook).
    Rule,
    /// The task has no form for the release of the engine asked for (see
    /// `taskdef::ReleaseForm`): the data was not read.
    Release {
        /// The release asked for.
        release: String,
        /// The releases the task has forms for, its own first.
        known: Vec<String>,
    },
}

impl ViolationKind {
    /// The kind's stable name, for programs (`taskdef validate --json`): `syntax`,
    /// `unknown_key`, `missing_key`, `type`, `enum`, `pattern`, `range`, `schema`,
    /// `deserialize`, `rule`, `release`. Names are never reused for another meaning.
    pub fn name(&self) -> &'static str {
        match self {
            ViolationKind::Syntax => "syntax",
            ViolationKind::UnknownKey { .. } => "unknown_key",
            ViolationKind::MissingKey { .. } => "missing_key",
            ViolationKind::Type { .. } => "type",
            ViolationKind::Enum { .. } => "enum",
            ViolationKind::Pattern { .. } => "pattern",
            ViolationKind::Range { .. } => "range",
            ViolationKind::Schema { .. } => "schema",
            ViolationKind::Deserialize => "deserialize",
            ViolationKind::Rule => "rule",
            ViolationKind::Release { .. } => "release",
        }
    }

    /// Whether the task's JSON Schema found this (as opposed to the parser, serde or a rule).
    pub fn is_schema(&self) -> bool {
        !matches!(
            self,
            ViolationKind::Syntax
                | ViolationKind::Deserialize
                | ViolationKind::Rule
                | ViolationKind::Release { .. }
        )
    }
}

/// One thing wrong with task data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The stage that found it.
    pub kind: ViolationKind,
    /// JSON pointer to the offending value (`""` is the whole document).
    pub pointer: String,
    /// JSON pointer into the schema to the keyword that failed (empty if not a schema error).
    pub schema_path: String,
    /// What is wrong, in words.
    pub message: String,
    /// Where in the input text, when known.
    pub position: Option<Position>,
}

impl Violation {
    /// A violation at `pointer`, with no schema path or position.
    pub fn new(
        kind: ViolationKind,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            kind,
            pointer: pointer.into(),
            schema_path: String::new(),
            message: message.into(),
            position: None,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = if self.pointer.is_empty() {
            "(root)"
        } else {
            self.pointer.as_str()
        };
        write!(f, "{location}: {}", self.message)?;
        if let Some(Position { line, column }) = self.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

/// Invalid task data: every violation found, and an overall message.
///
/// `Display` gives the message then one violation per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskConfigError {
    message: String,
    violations: Vec<Violation>,
}

impl TaskConfigError {
    /// An error carrying these violations; the message summarises the first.
    pub fn from_violations(violations: Vec<Violation>) -> Self {
        let message = match violations.as_slice() {
            [] => "invalid task data".to_owned(),
            [only] => only.to_string(),
            [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
        };
        TaskConfigError {
            message,
            violations,
        }
    }

    /// A cross-field rule broken at `pointer` (use `""` for the whole document).
    ///
    /// `message` should be Debusine's wording for the same rule.
    pub fn rule(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        let violation = Violation::new(ViolationKind::Rule, pointer, message);
        TaskConfigError {
            message: violation.message.clone(),
            violations: vec![violation],
        }
    }

    /// Adds the violations of `other` to this error (for collecting several rules).
    pub fn merge(&mut self, other: TaskConfigError) {
        self.violations.extend(other.violations);
        *self = TaskConfigError::from_violations(std::mem::take(&mut self.violations));
    }

    /// The overall message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Every violation, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations, to complete them (e.g. with positions in the input text); the message
    /// is left as it is.
    pub fn violations_mut(&mut self) -> &mut [Violation] {
        &mut self.violations
    }

    /// The same error for a document found at `parent` (a JSON pointer, e.g.
    /// `/dynamic_task_data`) in a larger one: every pointer is prefixed with `parent`, and the
    /// message summarises the violations again, with their new pointers.
    ///
    /// ```
    /// use taskdef::TaskConfigError;
    ///
    /// let error = TaskConfigError::rule("/environment_id", "must be an artifact id");
    /// let nested = error.nested_under("/dynamic_task_data");
    /// assert_eq!(nested.violations()[0].pointer, "/dynamic_task_data/environment_id");
    /// assert_eq!(
    ///     nested.to_string(),
    ///     "/dynamic_task_data/environment_id: must be an artifact id"
    /// );
    /// ```
    pub fn nested_under(mut self, parent: &str) -> Self {
        for violation in &mut self.violations {
            violation.pointer.insert_str(0, parent);
        }
        TaskConfigError::from_violations(self.violations)
    }

    /// Prefixes the message with context, as Debusine's `add_parent_message`: `parent: message`.
    pub fn add_parent_message(&mut self, parent: &str) {
        self.message = format!("{parent}: {}", self.message);
    }
}

impl fmt::Display for TaskConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.violations.len() > 1 {
            for violation in &self.violations {
                write!(f, "\n  - {violation}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for TaskConfigError {}
