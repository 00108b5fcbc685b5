//! Lookup objects: a query over a collection's items, with matchers on their name and data,
//! and the rule that each field is matched once.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use taskdef::Rules;
use taskdef::pointer::child;

use super::Dialect;
use super::multiple::{FilterSeed, LookupFilter};
use super::single::LookupSingle;

/// What kind of collection item a lookup object selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum ChildType {
    /// Bare data items.
    Bare,
    /// Artifacts.
    #[default]
    Artifact,
    /// Artifacts, or promises of artifacts that a pending work request will produce.
    ArtifactOrPromise,
    /// Collections.
    Collection,
    /// Any item.
    Any,
}

/// How a matcher compares: the suffix of a matcher key (`name__startswith`), `exact` if none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum MatcherKind {
    /// Equal to the value (no suffix; an explicit `__exact` suffix is refused).
    Exact,
    /// Contains the value.
    Contains,
    /// Ends with the value.
    Endswith,
    /// One of the values (Debusine 0.16; not in 0.11).
    In,
    /// Starts with the value.
    Startswith,
}

impl MatcherKind {
    /// The kinds that may be written as a key suffix in Debusine 0.16 (`exact` is written with
    /// no suffix; 0.11 has no `in`).
    pub const SUFFIXES: [MatcherKind; 4] = [
        MatcherKind::Contains,
        MatcherKind::Endswith,
        MatcherKind::In,
        MatcherKind::Startswith,
    ];

    /// The wire spelling: `exact`, `contains`, `endswith`, `in`, `startswith`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MatcherKind::Exact => "exact",
            MatcherKind::Contains => "contains",
            MatcherKind::Endswith => "endswith",
            MatcherKind::In => "in",
            MatcherKind::Startswith => "startswith",
        }
    }

    fn from_suffix(suffix: &str, dialect: Dialect) -> Option<MatcherKind> {
        MatcherKind::SUFFIXES
            .into_iter()
            .filter(|kind| dialect.has(*kind))
            .find(|kind| kind.as_str() == suffix)
    }
}

/// One matcher of a lookup object, in the server's normalised form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matcher {
    /// How to compare.
    pub kind: MatcherKind,
    /// What to compare with: any JSON value, as in Debusine.
    pub value: Value,
}

impl<'de> Deserialize<'de> for Matcher {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        MatcherSeed(Dialect::V016).deserialize(deserializer)
    }
}

/// Reads a matcher in a release's dialect: 0.11 has no `in`, and reads a missing `value` as
/// null (pydantic 1 does so for a field typed `Any`).
#[derive(Clone, Copy)]
struct MatcherSeed(Dialect);

impl<'de> DeserializeSeed<'de> for MatcherSeed {
    type Value = Matcher;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Matcher, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MatcherSeed {
    type Value = Matcher;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a matcher (`kind` and `value`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Matcher, A::Error> {
        let (mut kind, mut value) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "kind" => {
                    let name: String = map.next_value()?;
                    let found = [MatcherKind::Exact]
                        .into_iter()
                        .chain(MatcherKind::SUFFIXES)
                        .filter(|kind| self.0.has(*kind))
                        .find(|kind| kind.as_str() == name);
                    kind = Some(found.ok_or_else(|| {
                        de::Error::custom(format_args!(
                            "unknown matcher kind `{name}` (Debusine {} has {})",
                            self.0.release(),
                            self.0.kind_names()
                        ))
                    })?);
                }
                "value" => value = Some(map.next_value()?),
                _ => return Err(de::Error::unknown_field(&key, &["kind", "value"])),
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("kind"))?;
        let value = match (value, self.0) {
            (Some(value), _) => value,
            (None, Dialect::V011) => Value::Null,
            (None, Dialect::V016) => return Err(de::Error::missing_field("value")),
        };
        Ok(Matcher { kind, value })
    }
}

/// A lookup object: a query over the items of a collection.
///
/// On the wire, matchers are keys: `name`, `name__K`, `data__FIELD`, `data__FIELD__K` (K is
/// `contains`, `endswith`, `startswith`, or in Debusine 0.16 `in`; no suffix means exact) and
/// `lookup__NAME` (a single or multiple lookup). The server re-sends lookups in a normalised
/// form, `name_matcher`, `data_matchers` and `lookup_filters`, which is accepted too; this type
/// always serializes to it. As in Debusine, a key wins over the normalised form's entry for the
/// same target, and of two entries of a list for one target the last wins; two keys for one
/// target conflict.
///
/// Two lookup objects are equal when they look up the same thing, however they were written.
#[derive(Debug, Clone, Serialize)]
pub struct LookupDict {
    /// The collection to look in.
    pub collection: LookupSingle,
    /// What kind of item to select.
    pub child_type: ChildType,
    /// The category the items must have.
    pub category: Option<String>,
    /// The matcher on the item's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_matcher: Option<Matcher>,
    /// The matchers on the item's data, as `[field, matcher]` pairs, one per field, by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_matchers: Vec<(String, Matcher)>,
    /// Filters by other lookups, as `[name, lookup]` pairs, one per name, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lookup_filters: Vec<(String, LookupFilter)>,
    /// Whether the server fails the lookup when it finds nothing (Debusine 0.16).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub error_on_empty: bool,
    /// Where each lookup filter was written, relative to this object (for error pointers).
    #[serde(skip)]
    filter_pointers: Vec<FilterAt>,
    /// Keys that target the same thing, each group sorted (reported by `validate`).
    #[serde(skip)]
    conflicts: Vec<Vec<String>>,
}

impl PartialEq for LookupDict {
    fn eq(&self, other: &Self) -> bool {
        (
            &self.collection,
            self.child_type,
            &self.category,
            &self.name_matcher,
            &self.data_matchers,
            &self.lookup_filters,
            self.error_on_empty,
        ) == (
            &other.collection,
            other.child_type,
            &other.category,
            &other.name_matcher,
            &other.data_matchers,
            &other.lookup_filters,
            other.error_on_empty,
        )
    }
}

/// A field or filter name of words joined by single `_`: the common spelling (Debusine splits
/// a matcher key at each `__`, from the left, so a name is anything without `__`).
const NAME_COMMON: &str = "[^_]+(?:_[^_]+)*";

/// A name at the end of a key that is not [`NAME_COMMON`]: empty, or with a `_` at its start
/// or end.
const NAME_OTHER_LAST: &str = "(?:|_(?:[^_]+(?:_[^_]+)*_?)?|[^_]+(?:_[^_]+)*_)";

/// A name before a `__K` suffix that is not [`NAME_COMMON`]: empty, or with a `_` at its
/// start (one at its end would join the suffix's `__`).
const NAME_OTHER_BEFORE_SUFFIX: &str = "(?:|_[^_]+(?:_[^_]+)*)";

/// Any name before a `__K` suffix.
const NAME_BEFORE_SUFFIX: &str = "[^_]*(?:_[^_]+)*";

impl LookupDict {
    /// A lookup of every artifact in `collection`, with no matcher.
    pub fn new(collection: impl Into<LookupSingle>) -> Self {
        LookupDict {
            collection: collection.into(),
            child_type: ChildType::Artifact,
            category: None,
            name_matcher: None,
            data_matchers: Vec::new(),
            lookup_filters: Vec::new(),
            error_on_empty: false,
            filter_pointers: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    /// Whether [`LookupDict::check`] has anything to look at (so that its pointer need not be
    /// built otherwise).
    pub(super) fn has_rules_to_check(&self) -> bool {
        !self.conflicts.is_empty()
            || self
                .lookup_filters
                .iter()
                .any(|(_, filter)| matches!(filter, LookupFilter::Multiple(_)))
    }

    /// Debusine's rules on the matcher keys: no two keys on one target; nested lookups too.
    /// Described for the docs in [`RULE_MATCHERS`].
    pub(crate) fn check(&self, pointer: &str, rules: &mut Rules) {
        for group in &self.conflicts {
            let quoted: Vec<String> = group.iter().map(|key| format!("'{key}'")).collect();
            rules.fail(
                pointer,
                format!("Conflicting matchers: [{}]", quoted.join(", ")),
            );
        }
        for ((_, filter), at) in self.lookup_filters.iter().zip(&self.filter_pointers) {
            if let LookupFilter::Multiple(multiple) = filter {
                let pointer = match at {
                    FilterAt::List(index) => format!("{pointer}/lookup_filters/{index}/1"),
                    FilterAt::Object(name) => child(&child(pointer, "lookup_filters"), name),
                    FilterAt::Key(key) => child(pointer, key),
                };
                multiple.check(&pointer, rules);
            }
        }
    }
}

/// Reads a lookup object entry by entry, straight from the deserializer, in a release's
/// dialect.
#[derive(Clone, Copy)]
pub(super) struct DictVisitor(pub(super) Dialect);

impl<'de> Visitor<'de> for DictVisitor {
    type Value = LookupDict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a lookup object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LookupDict, A::Error> {
        let dialect = self.0;
        let mut entries = DictEntries::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "collection" => entries.collection = Some(map.next_value()?),
                "child_type" => entries.child_type = map.next_value()?,
                "category" => entries.category = map.next_value()?,
                "error_on_empty" if dialect == Dialect::V016 => {
                    entries.error_on_empty = map.next_value()?;
                }
                "name_matcher" => {
                    entries.name_matcher = map.next_value_seed(OptionSeed(MatcherSeed(dialect)))?;
                }
                "data_matchers" => {
                    entries.data_list = map.next_value_seed(PairsSeed(MatcherSeed(dialect)))?;
                }
                "lookup_filters" => {
                    entries.filter_list = map.next_value_seed(PairsSeed(FilterSeed(dialect)))?;
                }
                _ => match parse_matcher_key(&key, dialect) {
                    Some(MatcherKey::Name(kind)) => {
                        let value = map.next_value()?;
                        entries.name_keys.push((key, Matcher { kind, value }));
                    }
                    Some(MatcherKey::Data(field, kind)) => {
                        let field = field.to_owned();
                        let value = map.next_value()?;
                        entries
                            .data_keys
                            .push((key, field, Matcher { kind, value }));
                    }
                    Some(MatcherKey::Lookup(name)) => {
                        let name = name.to_owned();
                        let filter = map.next_value_seed(FilterSeed(dialect))?;
                        entries.filter_keys.push((key, name, filter));
                    }
                    None if ["name", "data", "lookup"]
                        .iter()
                        .any(|prefix| key.starts_with(prefix)) =>
                    {
                        return Err(de::Error::custom(format_args!(
                            "Unrecognized matcher: {key}"
                        )));
                    }
                    None => {
                        return Err(de::Error::custom(format_args!("unknown field `{key}`")));
                    }
                },
            }
        }
        entries.into_dict().map_err(de::Error::custom)
    }
}

/// Where a lookup filter was written in its lookup object: the pointer is built only if a rule
/// needs it.
#[derive(Debug, Clone)]
enum FilterAt {
    /// Item `N` of the `lookup_filters` list.
    List(usize),
    /// Key `NAME` of a `lookup_filters` object.
    Object(String),
    /// A `lookup__NAME` key.
    Key(String),
}

/// Reads `null` (as `None`) or a value with a seed: a nullable matcher.
struct OptionSeed<S>(S);

impl<'de, S: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for OptionSeed<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for OptionSeed<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a matcher")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// The normalised form's list of `[name, value]` pairs, each value read with a seed; or, as
/// Debusine reads it (`dict(...)`), an object of them, which must not be empty. Each pair says
/// where it was written.
struct PairsSeed<S>(S);

/// A pair of the normalised form, with where it was written.
type Pair<T> = (String, T, FilterAt);

impl<'de, S: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for PairsSeed<S> {
    type Value = Vec<Pair<S::Value>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for PairsSeed<S> {
    type Value = Vec<Pair<S::Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of [name, value] pairs, or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some((name, value)) = seq.next_element_seed(PairSeed(self.0))? {
            pairs.push((name, value, FilterAt::List(pairs.len())));
        }
        Ok(pairs)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.0)?;
            pairs.push((name.clone(), value, FilterAt::Object(name)));
        }
        if pairs.is_empty() {
            // Debusine takes an object for a list only when it has entries.
            return Err(de::Error::invalid_length(
                0,
                &"a list, or an object with entries",
            ));
        }
        Ok(pairs)
    }
}

/// One `[name, value]` pair: a list of exactly two items, the first a string.
struct PairSeed<S>(S);

impl<'de, S: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for PairSeed<S> {
    type Value = (String, S::Value);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for PairSeed<S> {
    type Value = (String, S::Value);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a [name, value] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let name: String = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let value = seq
            .next_element_seed(self.0)?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok((name, value))
    }
}

/// The entries of a lookup object, as read.
#[derive(Default)]
struct DictEntries {
    collection: Option<LookupSingle>,
    child_type: ChildType,
    category: Option<String>,
    error_on_empty: bool,
    name_matcher: Option<Matcher>,
    data_list: Vec<Pair<Matcher>>,
    filter_list: Vec<Pair<LookupFilter>>,
    /// `name`, `name__K` keys and their matchers.
    name_keys: Vec<(String, Matcher)>,
    /// `data__FIELD[__K]` keys, their fields and matchers.
    data_keys: Vec<(String, String, Matcher)>,
    /// `lookup__NAME` keys, their names and filters.
    filter_keys: Vec<(String, String, LookupFilter)>,
}

/// [`LookupDict::check`]'s rule, in words for the docs pages of the tasks that take lookups.
///
/// The words are those published before the rule learnt that a key and the normalised form's
/// entry for one target do not conflict (the key wins): the rule is looser since, which `compat`
/// cannot see in a reworded rule (it counts one as new, hence breaking). The lookup object's
/// schema description says how the two forms combine.
pub(crate) const RULE_MATCHERS: &str = "A lookup object matches each field once: at most one \
     of `name`, `name__contains`, ... and at most one matcher per `data` field.";

impl DictEntries {
    fn into_dict(self) -> Result<LookupDict, &'static str> {
        let collection = self.collection.ok_or("missing field `collection`")?;
        // Debusine's `normalize_matchers`: the lists read as maps (the last entry of a name
        // wins), the keys over them, then sorted by name.
        // Conflicts in the order of their targets, as Debusine sorts them: each data field's,
        // then the name's.
        let mut by_field: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
        for (key, field, _) in &self.data_keys {
            by_field.entry(field).or_default().push(key);
        }
        let mut conflicts: Vec<Vec<String>> = by_field
            .into_values()
            .filter(|keys| keys.len() > 1)
            .map(|keys| sorted(keys.into_iter()))
            .collect();
        let mut name_matcher = self.name_matcher;
        match self.name_keys.len() {
            0 => {}
            1 => name_matcher = self.name_keys.into_iter().next().map(|(_, m)| m),
            _ => conflicts.push(sorted(self.name_keys.iter().map(|(key, _)| key))),
        }
        let mut data: BTreeMap<String, Matcher> = BTreeMap::new();
        for (field, matcher, _) in self.data_list {
            data.insert(field, matcher);
        }
        for (_, field, matcher) in self.data_keys {
            data.insert(field, matcher);
        }
        let mut filters: BTreeMap<String, (LookupFilter, FilterAt)> = BTreeMap::new();
        for (name, filter, at) in self.filter_list {
            filters.insert(name, (filter, at));
        }
        for (key, name, filter) in self.filter_keys {
            filters.insert(name, (filter, FilterAt::Key(key)));
        }
        let mut filter_pointers = Vec::with_capacity(filters.len());
        let lookup_filters = filters
            .into_iter()
            .map(|(name, (filter, at))| {
                filter_pointers.push(at);
                (name, filter)
            })
            .collect();
        Ok(LookupDict {
            collection,
            child_type: self.child_type,
            category: self.category,
            name_matcher,
            data_matchers: data.into_iter().collect(),
            lookup_filters,
            error_on_empty: self.error_on_empty,
            filter_pointers,
            conflicts,
        })
    }
}

fn sorted<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut keys: Vec<String> = keys.cloned().collect();
    keys.sort();
    keys
}

/// A matcher key as written on the wire.
enum MatcherKey<'a> {
    Name(MatcherKind),
    Data(&'a str, MatcherKind),
    Lookup(&'a str),
}

/// Parses `name`, `name__K`, `data__FIELD`, `data__FIELD__K`, `lookup__NAME` as Debusine does
/// (split at each `__`; a field or name may be anything without `__`, even empty); `None`
/// otherwise.
fn parse_matcher_key(key: &str, dialect: Dialect) -> Option<MatcherKey<'_>> {
    let parts: Vec<&str> = key.split("__").collect();
    match parts.as_slice() {
        ["name"] => Some(MatcherKey::Name(MatcherKind::Exact)),
        ["name", suffix] => MatcherKind::from_suffix(suffix, dialect).map(MatcherKey::Name),
        ["data", field] => Some(MatcherKey::Data(field, MatcherKind::Exact)),
        ["data", field, suffix] => {
            MatcherKind::from_suffix(suffix, dialect).map(|kind| MatcherKey::Data(field, kind))
        }
        ["lookup", name] => Some(MatcherKey::Lookup(name)),
        _ => None,
    }
}

impl<'de> Deserialize<'de> for LookupDict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DictVisitor(Dialect::V016))
    }
}

impl JsonSchema for LookupDict {
    fn schema_name() -> Cow<'static, str> {
        "LookupDict".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        dict_schema(generator, Dialect::V016)
    }
}

impl JsonSchema for Matcher {
    fn schema_name() -> Cow<'static, str> {
        "Matcher".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        matcher_schema(generator, Dialect::V016)
    }
}

/// The schemas of Debusine 0.11's lookups, under the names of 0.16's (a release's schema has
/// one or the other).
pub(super) struct Schema011<T>(PhantomData<T>);

impl JsonSchema for Schema011<LookupDict> {
    fn schema_name() -> Cow<'static, str> {
        "LookupDict".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "taskdef_examples::lookup::LookupDict@0.11".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        dict_schema(generator, Dialect::V011)
    }
}

impl JsonSchema for Schema011<Matcher> {
    fn schema_name() -> Cow<'static, str> {
        "Matcher".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "taskdef_examples::lookup::Matcher@0.11".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        matcher_schema(generator, Dialect::V011)
    }
}

impl JsonSchema for Schema011<MatcherKind> {
    fn schema_name() -> Cow<'static, str> {
        "MatcherKind".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "taskdef_examples::lookup::MatcherKind@0.11".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = MatcherKind::json_schema(generator);
        if let Some(Value::Array(kinds)) = schema.get_mut("enum") {
            kinds.retain(|kind| kind != MatcherKind::In.as_str());
        }
        if let Some(Value::String(text)) = schema.get_mut("description") {
            *text = text
                .lines()
                .filter(|line| !line.starts_with("- `in`"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        schema
    }
}

/// The subschema of `T` in `dialect`: `T`'s own in 0.16, [`Schema011`]'s in 0.11.
pub(super) fn subschema<T: JsonSchema>(generator: &mut SchemaGenerator, dialect: Dialect) -> Schema
where
    Schema011<T>: JsonSchema,
{
    match dialect {
        Dialect::V016 => generator.subschema_for::<T>(),
        Dialect::V011 => generator.subschema_for::<Schema011<T>>(),
    }
}

fn matcher_schema(generator: &mut SchemaGenerator, dialect: Dialect) -> Schema {
    let kind = subschema::<MatcherKind>(generator, dialect);
    let required: &[&str] = match dialect {
        Dialect::V016 => &["kind", "value"],
        // pydantic 1 reads a missing `value` (typed `Any`) as null.
        Dialect::V011 => &["kind"],
    };
    json_schema!({
        "description": "One matcher of a lookup object, in the server's normalised form: how to compare, and what with (any value).",
        "type": "object",
        "properties": {"kind": kind, "value": true},
        "required": required,
        "additionalProperties": false
    })
}

fn dict_schema(generator: &mut SchemaGenerator, dialect: Dialect) -> Schema {
    let single = generator.subschema_for::<LookupSingle>();
    let child_type = generator.subschema_for::<ChildType>();
    let matcher = subschema::<Matcher>(generator, dialect);
    let filter = subschema::<LookupFilter>(generator, dialect);
    let kinds: Vec<&str> = MatcherKind::SUFFIXES
        .into_iter()
        .filter(|kind| dialect.has(*kind))
        .map(MatcherKind::as_str)
        .collect();
    let pairs = |value: &Schema| {
        json!({
            "anyOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "prefixItems": [{"type": "string"}, value],
                        "items": false,
                        "minItems": 2
                    }
                },
                {"type": "object", "minProperties": 1, "additionalProperties": value}
            ]
        })
    };
    // The key patterns, disjoint (a key matches one at most, which keeps the fast path): the
    // common spellings first, as earlier schemas wrote them; then the other names Debusine
    // takes (empty, or with a `_` at an end); then 0.16's `in` suffix.
    let suffix = "__(?:contains|endswith|startswith)";
    let mut patterns = serde_json::Map::new();
    let filter_value: Value = filter.clone().into();
    patterns.insert(format!("^name(?:{suffix})?$"), json!(true));
    patterns.insert(format!("^data__{NAME_COMMON}(?:{suffix})?$"), json!(true));
    patterns.insert(format!("^data__{NAME_OTHER_LAST}$"), json!(true));
    patterns.insert(
        format!("^data__{NAME_OTHER_BEFORE_SUFFIX}{suffix}$"),
        json!(true),
    );
    patterns.insert(format!("^lookup__{NAME_COMMON}$"), filter_value.clone());
    patterns.insert(format!("^lookup__{NAME_OTHER_LAST}$"), filter_value);
    if dialect.has(MatcherKind::In) {
        patterns.insert("^name__in$".to_owned(), json!(true));
        patterns.insert(format!("^data__{NAME_BEFORE_SUFFIX}__in$"), json!(true));
    }
    let mut schema = json_schema!({
        "description": format!("A lookup object: a query over the items of a collection. Matchers are keys: `name`, `name__K`, `data__FIELD`, `data__FIELD__K` (K is {}; no suffix means exact) and `lookup__NAME`; two keys on one target conflict. The server's normalised form (`name_matcher`, `data_matchers`, `lookup_filters`) is accepted too; a key wins over its entry for the same target.", kinds.iter().map(|kind| format!("`{kind}`")).collect::<Vec<_>>().join(", ")),
        "type": "object",
        "properties": {
            "collection": single,
            "child_type": {"allOf": [child_type], "default": "artifact"},
            "category": {"type": ["string", "null"], "default": null},
            "name_matcher": {"anyOf": [matcher, {"type": "null"}]},
            "data_matchers": pairs(&matcher),
            "lookup_filters": pairs(&filter)
        },
        "patternProperties": patterns,
        "required": ["collection"],
        "additionalProperties": false
    });
    if dialect == Dialect::V016
        && let Some(Value::Object(properties)) = schema.get_mut("properties")
    {
        properties.insert(
            "error_on_empty".into(),
            json!({
                "description": "Whether the server fails the lookup when it finds nothing (Debusine 0.16).",
                "type": "boolean",
                "default": false
            }),
        );
    }
    schema
}
