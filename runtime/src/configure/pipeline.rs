//! Schema, then serde: the fast path first, the general path when it declines.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use super::compiled::CompiledSchema;
use super::fast::{Guide, ReadTask};
use super::input::TaskInput;
use crate::parse::MAX_INPUT_BYTES;
use crate::types::{TaskConfigError, Violation, ViolationKind};

/// Schema, then serde: the pipeline behind `Task::configure`, without the task's own rules.
///
/// Valid JSON usually takes the fast path ([`fast_only`]): one typed pass checked against the
/// schema on the way. Anything else takes the general path ([`general_only`]), which decides.
///
/// JSON text goes straight to the fast path: only a caller of `T::configure` compiles this (the
/// derive and the registry go through the type-erased [`read_with`]), so it can afford to skip
/// the type-erased plumbing, which costs a noticeable part of the time of a small payload.
pub(crate) fn deserialize_fast_first<T: DeserializeOwned>(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
) -> Result<T, TaskConfigError> {
    match (compiled.guide(), fast_text_borrowed(&input)) {
        (Some(guide), Some(text)) => match guide.deserialize_checked::<T>(text) {
            Some(value) => Ok(value),
            // The fast path has had its go: not twice.
            None => read_typed::<T>(compiled, input, Paths::GeneralOnly),
        },
        _ => read_typed::<T>(compiled, input, Paths::Both),
    }
}

/// The input as JSON text, when it is text already.
fn fast_text_borrowed<'a>(input: &TaskInput<'a>) -> Option<&'a str> {
    match *input {
        TaskInput::Json(text) if text.len() <= MAX_INPUT_BYTES => Some(text),
        TaskInput::JsonBytes(bytes) if bytes.len() <= MAX_INPUT_BYTES => {
            std::str::from_utf8(bytes).ok()
        }
        _ => None,
    }
}

/// The fast path alone: the value if the input is JSON that is valid for the schema and was
/// checked in one typed pass, `None` if it could not tell.
pub(crate) fn fast_only<T: DeserializeOwned>(
    compiled: &CompiledSchema,
    input: &TaskInput<'_>,
) -> Option<T> {
    let input = match *input {
        TaskInput::Json(text) => TaskInput::Json(text),
        TaskInput::JsonBytes(bytes) => TaskInput::JsonBytes(bytes),
        TaskInput::Value(ref value) => TaskInput::Value(Cow::Borrowed(value)),
        TaskInput::Yaml(_) => return None,
    };
    read_typed::<T>(compiled, input, Paths::FastOnly).ok()
}

/// The general path alone: parse, check every schema keyword, deserialize. The authority on
/// what is valid, and the path that explains what is not.
///
/// The value is read from the validated value written back as text, through the same
/// deserializer as the fast path (checks off): one instantiation of each task's `Deserialize`
/// serves both paths, which keeps the code generated per task small.
pub(crate) fn general_only<T: DeserializeOwned>(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
) -> Result<T, TaskConfigError> {
    read_typed::<T>(compiled, input, Paths::GeneralOnly)
}

/// Which of the two paths [`read_with`] may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paths {
    /// The fast path, then the general path if it declines.
    Both,
    /// The fast path only: an error if it declines.
    FastOnly,
    /// The general path only.
    GeneralOnly,
}

/// Reads `T` by the given paths: generic only in the closure that deserializes `T` from a
/// walk; everything else is [`read_with`], compiled once.
fn read_typed<T: DeserializeOwned>(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
    paths: Paths,
) -> Result<T, TaskConfigError> {
    let mut value = None;
    read_with(compiled, input, paths, &mut |walk| {
        value = Some(T::deserialize(walk.root())?);
        Ok(())
    })?;
    value.ok_or_else(nothing_read)
}

/// `read_with` returned `Ok` but its reader kept nothing: it returns `Ok` only once the reader
/// has succeeded, so this is a bug, reported rather than panicking.
pub(crate) fn nothing_read() -> TaskConfigError {
    deserialize_error(String::new(), "no value was read".to_owned())
}

/// The fast path, then (unless `paths` excludes it) the general path; `read` deserializes the
/// task's struct from the walk each path provides.
pub(crate) fn read_with(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
    paths: Paths,
    read: &mut ReadTask<'_>,
) -> Result<(), TaskConfigError> {
    if paths != Paths::GeneralOnly {
        if let Some(guide) = compiled.guide()
            && fast_text(&input).is_some_and(|text| guide.read_checked(&text, read))
        {
            return Ok(());
        }
        if paths == Paths::FastOnly {
            return Err(deserialize_error(
                String::new(),
                "left to the general path".to_owned(),
            ));
        }
    }
    let text = validated_text(compiled, input)?;
    Guide::read_unchecked(&text, read)
        .map_err(|(pointer, message)| deserialize_error(pointer, message))
}

/// The JSON text the fast path reads, if it reads this input: a `Value` through text, so that
/// each task's `Deserialize` is compiled for one deserializer.
fn fast_text<'a>(input: &TaskInput<'a>) -> Option<Cow<'a, str>> {
    match *input {
        TaskInput::Value(ref value) => serde_json::to_string(value).ok().map(Cow::Owned),
        _ => fast_text_borrowed(input).map(Cow::Borrowed),
    }
}

/// The general path up to serde: parsed, validated, written back as compact text.
fn validated_text(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
) -> Result<String, TaskConfigError> {
    let value = input.into_value()?;
    let violations = compiled.violations(&value);
    if !violations.is_empty() {
        return Err(TaskConfigError::from_violations(violations));
    }
    serde_json::to_string(&value)
        .map_err(|error| deserialize_error(String::new(), error.to_string()))
}

/// The error of a value the schema accepts and serde refuses.
fn deserialize_error(pointer: String, message: String) -> TaskConfigError {
    TaskConfigError::from_violations(vec![Violation::new(
        ViolationKind::Deserialize,
        pointer,
        message,
    )])
}
