//! Task data before it is parsed.

use std::borrow::Cow;

use serde_json::Value;

use crate::parse::{parse_json, parse_yaml};
use crate::types::TaskConfigError;

/// Task data before it is parsed: JSON text, JSON bytes, YAML text, or an already parsed value.
#[derive(Debug, Clone)]
pub enum TaskInput<'a> {
    /// JSON text (see [`crate::parse`] for the rules).
    Json(&'a str),
    /// JSON as bytes (must be UTF-8).
    JsonBytes(&'a [u8]),
    /// YAML text (YAML 1.2: `no` and `on` are strings; see [`crate::parse`]).
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
