//! Reading task data text: JSON and YAML into a `serde_json::Value`, with limits and strict rules.
//!
//! The rules are a public promise, so they are written on [`TaskInput`](crate::TaskInput).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::types::{Position, TaskConfigError, Violation, ViolationKind};

pub(crate) mod json;

/// The largest task data accepted as text, in bytes (8 MiB; Debusine's task data is a few KiB).
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Parses JSON task data.
pub fn parse_json(bytes: &[u8]) -> Result<Value, TaskConfigError> {
    check_size(bytes.len())?;
    let bytes = bytes.strip_prefix(BYTE_ORDER_MARK).unwrap_or(bytes);
    serde_json::from_slice::<StrictValue>(bytes)
        .map(|strict| strict.0)
        .map_err(|error| {
            let position = (error.line() > 0).then(|| Position {
                line: error.line(),
                // serde_json reports column 0 when the error is at a line break.
                column: error.column().max(1),
            });
            syntax_error(
                format!("invalid JSON: {}", strip_position(&error.to_string())),
                position,
            )
        })
}

/// Parses YAML task data (one document).
pub fn parse_yaml(text: &str) -> Result<Value, TaskConfigError> {
    check_size(text.len())?;
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.reject_unsupported_tags = true;
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<StrictValue>(text, options)
        .map(|strict| strict.0)
        .map_err(|error| {
            let position = error.location().map(|location| Position {
                line: location.line() as usize,
                column: location.column() as usize,
            });
            syntax_error(format!("invalid YAML: {error}"), position)
        })
}

fn check_size(len: usize) -> Result<(), TaskConfigError> {
    if len > MAX_INPUT_BYTES {
        return Err(syntax_error(
            format!("task data is {len} bytes, more than the limit of {MAX_INPUT_BYTES} bytes"),
            None,
        ));
    }
    Ok(())
}

fn syntax_error(message: String, position: Option<Position>) -> TaskConfigError {
    let mut violation = Violation::new(ViolationKind::Syntax, "", message);
    violation.position = position;
    TaskConfigError::from_violations(vec![violation])
}

/// serde_json appends " at line L column C"; the position is kept separately.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |index| &message[..index])
}

/// `value` as an integer, if it is one that `i64` or `u64` holds exactly.
fn exact_integer(value: f64) -> Option<Value> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
    if value.fract() != 0.0 || !value.is_finite() {
        return None;
    }
    if (-TWO_POW_63..TWO_POW_63).contains(&value) {
        Some(Value::from(value as i64))
    } else if (0.0..TWO_POW_64).contains(&value) {
        Some(Value::from(value as u64))
    } else {
        None
    }
}

/// A JSON value read with duplicate keys refused.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Bool(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<StrictValue, E> {
        Ok(StrictValue(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<StrictValue, E> {
        Ok(StrictValue(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<StrictValue, E> {
        if let Some(integer) = exact_integer(value) {
            return Ok(StrictValue(integer));
        }
        serde_json::Number::from_f64(value)
            .map(|number| StrictValue(Value::Number(number)))
            .ok_or_else(|| E::custom(format_args!("{value} is not a JSON number")))
    }

    fn visit_str<E>(self, value: &str) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(value)))
    }

    fn visit_none<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }

    fn visit_unit<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }

    fn visit_some<D: de::Deserializer<'de>>(self, inner: D) -> Result<StrictValue, D::Error> {
        StrictValue::deserialize(inner)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictValue, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key `{key}` appears twice in one object"
                )));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(StrictValue(Value::Object(object)))
    }
}
