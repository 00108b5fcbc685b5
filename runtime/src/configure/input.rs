//! Task data before it is parsed.

use std::borrow::Cow;

use serde_json::Value;

use crate::parse::{parse_json, parse_yaml};
use crate::types::TaskConfigError;

/// Task data before it is parsed: JSON text, JSON bytes, YAML text, or an already parsed value.
///
/// Text is parsed by these rules, chosen so that nothing is silently lost or reinterpreted:
/// - Input larger than [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES) is refused before parsing,
///   so memory stays bounded.
/// - A key repeated in one object is an error (serde_json alone would keep the last one).
/// - Numbers are values, not spellings: JSON Schema counts `1.0` as an integer, so an integral
///   number written with a fraction or an exponent (`1.0`, `1e2`, `-0`) reads as that integer,
///   and `configure` accepts it where the schema does. Integers beyond 64 bits stay floats.
/// - JSON: a leading UTF-8 byte order mark is ignored, as RFC 8259 allows; nesting deeper than
///   128 levels, `NaN`, `Infinity` and numbers beyond `f64` (`1e400`) are errors.
/// - YAML is read as YAML 1.2: only `true`/`false` (any case) are booleans, so `no` and `on` stay
///   strings; tags other than the core schema's are refused; one document per input; alias
///   expansion is bounded (serde-saphyr's budget), as is nesting (64 levels).
#[derive(Debug, Clone)]
pub enum TaskInput<'a> {
    /// JSON text.
    Json(&'a str),
    /// JSON as bytes (must be UTF-8).
    JsonBytes(&'a [u8]),
    /// YAML text (YAML 1.2: `no` and `on` are strings).
    Yaml(&'a str),
    /// A parsed JSON value.
    Value(Cow<'a, Value>),
}

impl<'a> TaskInput<'a> {
    /// YAML text to configure from.
    pub fn yaml(text: &'a str) -> TaskInput<'a> {
        TaskInput::Yaml(text)
    }

    /// Parses the input into a JSON value, reporting syntax errors with line and column.
    pub fn into_value(self) -> Result<Cow<'a, Value>, TaskConfigError> {
        match self {
            TaskInput::Value(value) => Ok(value),
            TaskInput::Json(text) => parse_json(text.as_bytes()).map(Cow::Owned),
            TaskInput::JsonBytes(bytes) => parse_json(bytes).map(Cow::Owned),
            TaskInput::Yaml(text) => parse_yaml(text).map(Cow::Owned),
        }
    }
}

impl<'a> From<&'a str> for TaskInput<'a> {
    fn from(text: &'a str) -> Self {
        TaskInput::Json(text)
    }
}

impl<'a> From<&'a String> for TaskInput<'a> {
    fn from(text: &'a String) -> Self {
        TaskInput::Json(text)
    }
}

impl<'a> From<&'a [u8]> for TaskInput<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        TaskInput::JsonBytes(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for TaskInput<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        TaskInput::JsonBytes(bytes)
    }
}

impl<'a> From<&'a Value> for TaskInput<'a> {
    fn from(value: &'a Value) -> Self {
        TaskInput::Value(Cow::Borrowed(value))
    }
}

impl From<Value> for TaskInput<'_> {
    fn from(value: Value) -> Self {
        TaskInput::Value(Cow::Owned(value))
    }
}
