//! schemars' formats for Rust's number types (`uint8`, `int64`, `double`, ...): which they are,
//! and the bounds of the integer types they name. Known here only.

use serde_json::Value;

/// schemars' formats for Rust's number types. The validator does not know them and ignores
/// them: the type's bounds, which the schema carries, say what they mean.
const NUMBER_FORMATS: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "int128", "uint", "uint8", "uint16", "uint32",
    "uint64", "uint128", "float", "double",
];

/// Whether `format` is one of schemars' formats for a Rust number type.
pub(crate) fn is_number_format(format: &str) -> bool {
    NUMBER_FORMATS.contains(&format)
}

/// Whether `format` says nothing the schema's bounds do not: an integer format whose bounds the
/// schema carries (schemars writes `minimum: 0` for unsigned types, [`bound_integer_formats`]
/// the rest).
#[cfg(feature = "docs")]
pub(crate) fn restates_bounds(format: &str) -> bool {
    integer_format_range(format).is_some() || format == "uint"
}

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
