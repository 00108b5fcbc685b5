//! schemars' integer formats (`uint8`, `int64`, ...) and the bounds of the Rust types they name.

use serde_json::Value;

pub(super) fn bound_integer_formats(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let range = object
                .get("format")
                .and_then(Value::as_str)
                .and_then(integer_format_range);
            if let Some((low, high)) = range {
                tighten(object, "minimum", low, |existing, bound| existing >= bound);
                tighten(object, "maximum", high, |existing, bound| existing <= bound);
            }
            object.values_mut().for_each(bound_integer_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integer_formats),
        _ => {}
    }
}

/// Keeps an existing bound when it is already as tight; otherwise sets the format's.
fn tighten(
    object: &mut serde_json::Map<String, Value>,
    keyword: &str,
    bound: Value,
    tighter: fn(f64, f64) -> bool,
) {
    let keep = object
        .get(keyword)
        .and_then(Value::as_f64)
        .zip(bound.as_f64())
        .is_some_and(|(existing, bound)| tighter(existing, bound));
    if !keep {
        object.insert(keyword.to_owned(), bound);
    }
}

fn integer_format_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0.into(), u8::MAX.into()),
        "uint16" => (0.into(), u16::MAX.into()),
        "uint32" => (0.into(), u32::MAX.into()),
        "uint64" => (0.into(), u64::MAX.into()),
        _ => return None,
    })
}
