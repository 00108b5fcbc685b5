//! Single lookups: an integer id or a string lookup.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// A lookup of one artifact or collection: an integer id or a string lookup.
///
/// Neither null, nor an object, nor a boolean, nor a float is a single lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum LookupSingle {
    /// An artifact or collection id.
    Id(i64),
    /// A string lookup, such as `debian/match:codename=bookworm` or `123@artifacts`.
    Path(String),
}

impl fmt::Display for LookupSingle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupSingle::Id(id) => write!(f, "{id}"),
            LookupSingle::Path(path) => f.write_str(path),
        }
    }
}

impl From<i64> for LookupSingle {
    fn from(id: i64) -> Self {
        LookupSingle::Id(id)
    }
}

impl From<&str> for LookupSingle {
    fn from(path: &str) -> Self {
        LookupSingle::Path(path.to_owned())
    }
}

impl<'de> Deserialize<'de> for LookupSingle {
    /// Strict: only JSON integers and strings. serde's `untagged` would try each variant in turn
    /// and report a vague error; this visitor names what it got.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SingleVisitor)
    }
}

/// Reads a single lookup: a JSON integer or string, nothing else.
pub(super) struct SingleVisitor;

impl Visitor<'_> for SingleVisitor {
    type Value = LookupSingle;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single lookup (an integer or a string)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LookupSingle, E> {
        Ok(LookupSingle::Id(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LookupSingle, E> {
        i64::try_from(v)
            .map(LookupSingle::Id)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LookupSingle, E> {
        Ok(LookupSingle::Path(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<LookupSingle, E> {
        Ok(LookupSingle::Path(v))
    }
}

impl JsonSchema for LookupSingle {
    fn schema_name() -> Cow<'static, str> {
        "LookupSingle".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A lookup of one artifact or collection: an integer id, or a string such as `debian/match:codename=bookworm` or `123@artifacts`.",
            "anyOf": [{"type": "integer", "format": "int64"}, {"type": "string"}]
        })
    }
}
