//! Scalars as the walk reads them: JSON numbers kept as `serde_json` keeps them, and their
//! fingerprints for `uniqueItems` and repeated keys.

use serde_json::Value;

use super::node::{BoundValue, json_type};

/// A scalar as the walk sees it.
#[derive(Clone, Copy)]
pub(super) enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(&'a str),
}

pub(super) use crate::parse::json::Number;

impl Number {
    pub(super) fn as_f64(self) -> f64 {
        match self {
            Number::Signed(n) => n as f64,
            Number::Unsigned(n) => n as f64,
            Number::Float(n) => n,
        }
    }

    pub(super) fn is_integral(self) -> bool {
        match self {
            Number::Float(n) => n.fract() == 0.0,
            _ => true,
        }
    }

    /// Whether comparisons in f64 are exact.
    pub(super) fn is_exact(self) -> bool {
        self.as_f64().abs() < 2f64.powi(53)
    }

    /// Compares with a bound; `None` where the comparison would not be exact.
    pub(super) fn compare(self, bound: BoundValue) -> Option<std::cmp::Ordering> {
        match (self, bound) {
            (Number::Signed(n), BoundValue::Integer(b)) => Some(i128::from(n).cmp(&b)),
            (Number::Unsigned(n), BoundValue::Integer(b)) => Some(i128::from(n).cmp(&b)),
            (number, bound) => {
                let bound = match bound {
                    BoundValue::Integer(b) => b as f64,
                    BoundValue::Float(b) => b,
                };
                if !number.is_exact() || bound.abs() >= 2f64.powi(53) {
                    return None;
                }
                number.as_f64().partial_cmp(&bound)
            }
        }
    }
}

impl Scalar<'_> {
    pub(super) fn json_type(self) -> u8 {
        match self {
            Scalar::Null => json_type::NULL,
            Scalar::Bool(_) => json_type::BOOLEAN,
            Scalar::Number(n) if n.is_integral() => json_type::INTEGER,
            Scalar::Number(_) => json_type::NUMBER,
            Scalar::Str(_) => json_type::STRING,
        }
    }

    pub(super) fn equals(self, value: &Value) -> Option<bool> {
        Some(match (self, value) {
            (Scalar::Null, Value::Null) => true,
            (Scalar::Bool(a), Value::Bool(b)) => a == *b,
            (Scalar::Str(a), Value::String(b)) => a == b,
            (Scalar::Number(a), Value::Number(b)) => {
                if !a.is_exact() {
                    return None;
                }
                a.as_f64() == b.as_f64()?
            }
            // Other types never equal: a scalar is not an array or object, `1` is not `"1"`.
            _ => false,
        })
    }

    /// Equal JSON values give equal fingerprints (`1` and `1.0` included).
    ///
    /// FNV-1a: cheap, and a collision only sends the input to the general path.
    pub(super) fn fingerprint(self) -> u64 {
        fn fnv(tag: u8, bytes: &[u8]) -> u64 {
            let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ u64::from(tag);
            for &byte in bytes {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            hash
        }
        match self {
            Scalar::Null => fnv(0, &[]),
            Scalar::Bool(b) => fnv(1, &[u8::from(b)]),
            Scalar::Number(n) => {
                let value = n.as_f64();
                let value = if value == 0.0 { 0.0 } else { value };
                fnv(2, &value.to_bits().to_le_bytes())
            }
            Scalar::Str(s) => fnv(3, s.as_bytes()),
        }
    }
}
