//! Multiple lookups: a list of single lookups and lookup objects, or one lookup object alone.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use taskdef::Rules;
use taskdef::pointer::child;

use super::Dialect;
use super::dict::{DictVisitor, LookupDict, Schema011, subschema};
use super::single::{LookupSingle, SingleVisitor};

/// One item of a multiple lookup: a single lookup or a lookup object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LookupItem {
    /// A single lookup.
    Single(LookupSingle),
    /// A lookup object.
    Dict(LookupDict),
}

/// A lookup of several artifacts: a list of single lookups and lookup objects, or one lookup
/// object alone (the same as a one-item list). An empty list is a valid, empty lookup.
///
/// Equality compares the lookups only: a lookup object alone equals a list holding it.
#[derive(Debug, Clone, Default)]
pub struct LookupMultiple {
    /// The lookups, in order.
    pub items: Vec<LookupItem>,
    /// Whether the data held one lookup object rather than a list (for error pointers).
    alone: bool,
}

impl LookupMultiple {
    /// A list of lookups.
    pub fn new(items: Vec<LookupItem>) -> Self {
        LookupMultiple {
            items,
            alone: false,
        }
    }

    /// Whether there is no lookup at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether any of its lookup objects has rules to check (so that a caller need not build
    /// the pointer otherwise).
    pub(crate) fn has_rules_to_check(&self) -> bool {
        self.items
            .iter()
            .any(|item| matches!(item, LookupItem::Dict(dict) if dict.has_rules_to_check()))
    }

    /// Checks each lookup object's rules; `pointer` is where this lookup is in the task data.
    pub(crate) fn check(&self, pointer: &str, rules: &mut Rules) {
        for (index, item) in self.items.iter().enumerate() {
            if let LookupItem::Dict(dict) = item
                && dict.has_rules_to_check()
            {
                let at = if self.alone {
                    pointer.to_owned()
                } else {
                    child(pointer, index)
                };
                dict.check(&at, rules);
            }
        }
    }
}

impl PartialEq for LookupMultiple {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl Serialize for LookupMultiple {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LookupMultiple {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_multiple(deserializer, Dialect::V016)
    }
}

/// Reads a multiple lookup in `dialect`.
fn read_multiple<'de, D: Deserializer<'de>>(
    deserializer: D,
    dialect: Dialect,
) -> Result<LookupMultiple, D::Error> {
    {
        let lookup = deserializer.deserialize_any(LookupVisitor {
            single: false,
            expecting: "a lookup of multiple collection items: a dictionary or a list",
            dialect,
        })?;
        match lookup {
            LookupFilter::Multiple(multiple) => Ok(multiple),
            // Not produced when `single` is false.
            LookupFilter::Single(_) => Err(de::Error::custom(
                "Lookup of multiple collection items must be a dictionary or a list",
            )),
        }
    }
}

/// A lookup filter's value: another lookup, single or multiple.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LookupFilter {
    /// A single lookup.
    Single(LookupSingle),
    /// A multiple lookup.
    Multiple(LookupMultiple),
}

impl<'de> Deserialize<'de> for LookupFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::DeserializeSeed::deserialize(FilterSeed(Dialect::V016), deserializer)
    }
}

/// Reads a lookup filter's value in a release's dialect.
#[derive(Clone, Copy)]
pub(super) struct FilterSeed(pub(super) Dialect);

impl<'de> de::DeserializeSeed<'de> for FilterSeed {
    type Value = LookupFilter;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<LookupFilter, D::Error> {
        deserializer.deserialize_any(LookupVisitor {
            single: true,
            expecting: "a single lookup (an integer or a string) or a multiple lookup",
            dialect: self.0,
        })
    }
}

impl JsonSchema for LookupFilter {
    fn schema_name() -> Cow<'static, str> {
        "LookupFilter".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        filter_schema(generator, Dialect::V016)
    }
}

impl JsonSchema for Schema011<LookupFilter> {
    fn schema_name() -> Cow<'static, str> {
        "LookupFilter".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "taskdef_examples::lookup::LookupFilter@0.11".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        filter_schema(generator, Dialect::V011)
    }
}

fn filter_schema(generator: &mut SchemaGenerator, dialect: Dialect) -> Schema {
    let single = generator.subschema_for::<LookupSingle>();
    let multiple = match dialect {
        Dialect::V016 => generator.subschema_for::<LookupMultiple>(),
        Dialect::V011 => generator.subschema_for::<LookupMultiple011>(),
    };
    json_schema!({
        "description": "The value of a `lookup__NAME` filter: a single or a multiple lookup.",
        "anyOf": [single, multiple]
    })
}

/// Reads a lookup as it comes: an integer or a string is a single lookup (if `single`), a list
/// a multiple lookup, an object a multiple lookup of that object alone. Straight from the
/// deserializer, with no `Value` in between.
struct LookupVisitor {
    single: bool,
    expecting: &'static str,
    dialect: Dialect,
}

impl<'de> Visitor<'de> for LookupVisitor {
    type Value = LookupFilter;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LookupFilter, E> {
        match self.single {
            true => SingleVisitor.visit_i64(v).map(LookupFilter::Single),
            false => Err(E::invalid_type(de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LookupFilter, E> {
        match self.single {
            true => SingleVisitor.visit_u64(v).map(LookupFilter::Single),
            false => Err(E::invalid_type(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LookupFilter, E> {
        match self.single {
            true => SingleVisitor.visit_str(v).map(LookupFilter::Single),
            false => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LookupFilter, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element_seed(ItemSeed(self.dialect))? {
            items.push(item);
        }
        Ok(LookupFilter::Multiple(LookupMultiple::new(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LookupFilter, A::Error> {
        Ok(LookupFilter::Multiple(LookupMultiple {
            items: vec![LookupItem::Dict(DictVisitor(self.dialect).visit_map(map)?)],
            alone: true,
        }))
    }
}

/// One item of a multiple lookup: a single lookup or a lookup object.
#[derive(Clone, Copy)]
struct ItemSeed(Dialect);

impl<'de> de::DeserializeSeed<'de> for ItemSeed {
    type Value = LookupItem;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<LookupItem, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed {
    type Value = LookupItem;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single lookup (an integer or a string) or a lookup object")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LookupItem, E> {
        SingleVisitor.visit_i64(v).map(LookupItem::Single)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LookupItem, E> {
        SingleVisitor.visit_u64(v).map(LookupItem::Single)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LookupItem, E> {
        SingleVisitor.visit_str(v).map(LookupItem::Single)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LookupItem, A::Error> {
        DictVisitor(self.0).visit_map(map).map(LookupItem::Dict)
    }
}

impl JsonSchema for LookupMultiple {
    fn schema_name() -> Cow<'static, str> {
        "LookupMultiple".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        multiple_schema(generator, Dialect::V016)
    }
}

fn multiple_schema(generator: &mut SchemaGenerator, dialect: Dialect) -> Schema {
    let single = generator.subschema_for::<LookupSingle>();
    let dict = subschema::<LookupDict>(generator, dialect);
    json_schema!({
        "description": "A lookup of several artifacts: a list of single lookups and lookup objects, or one lookup object alone.",
        "anyOf": [
            {"type": "array", "items": {"anyOf": [single, dict]}},
            dict
        ]
    })
}

/// A multiple lookup as Debusine 0.11 reads it: no `in` matchers and no `error_on_empty` in
/// its lookup objects (nor in those of their filters), and a matcher's missing `value` read as
/// null. Its schema says so; it converts into [`LookupMultiple`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct LookupMultiple011(pub LookupMultiple);

impl From<LookupMultiple011> for LookupMultiple {
    fn from(old: LookupMultiple011) -> Self {
        old.0
    }
}

impl<'de> Deserialize<'de> for LookupMultiple011 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_multiple(deserializer, Dialect::V011).map(LookupMultiple011)
    }
}

impl JsonSchema for LookupMultiple011 {
    fn schema_name() -> Cow<'static, str> {
        "LookupMultiple".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "taskdef_examples::lookup::LookupMultiple@0.11".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        multiple_schema(generator, Dialect::V011)
    }
}
