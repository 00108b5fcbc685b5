//! Lookup objects: a query over a collection's items, with matchers on their name and data,
//! and the rule that each field is matched once.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use taskdef::Rules;
use taskdef::pointer::child;

use super::multiple::LookupFilter;
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
    /// Starts with the value.
    Startswith,
}

impl MatcherKind {
    /// The kinds that may be written as a key suffix (`exact` is written with no suffix).
    pub const SUFFIXES: [MatcherKind; 3] = [
        MatcherKind::Contains,
        MatcherKind::Endswith,
        MatcherKind::Startswith,
    ];

    /// The wire spelling: `exact`, `contains`, `endswith`, `startswith`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MatcherKind::Exact => "exact",
            MatcherKind::Contains => "contains",
            MatcherKind::Endswith => "endswith",
            MatcherKind::Startswith => "startswith",
        }
    }

    fn from_suffix(suffix: &str) -> Option<MatcherKind> {
        MatcherKind::SUFFIXES
            .into_iter()
            .find(|kind| kind.as_str() == suffix)
    }
}

/// One matcher of a lookup object, in the server's normalised form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// How to compare.
    pub kind: MatcherKind,
    /// What to compare with.
    pub value: Value,
}

/// A lookup object: a query over the items of a collection.
///
/// On the wire, matchers are keys: `name`, `name__K`, `data__FIELD`, `data__FIELD__K` (K is
/// `contains`, `endswith` or `startswith`; no suffix means exact) and `lookup__NAME` (a single or
/// multiple lookup). The server re-sends lookups in a normalised form, `name_matcher`,
/// `data_matchers` and `lookup_filters`, which is accepted too; this type always serializes to it.
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
    /// The matchers on the item's data, as `[field, matcher]` pairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_matchers: Vec<(String, Matcher)>,
    /// Filters by other lookups, as `[name, lookup]` pairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lookup_filters: Vec<(String, LookupFilter)>,
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
        ) == (
            &other.collection,
            other.child_type,
            &other.category,
            &other.name_matcher,
            &other.data_matchers,
            &other.lookup_filters,
        )
    }
}

/// The segment pattern of a field or filter name: no empty part and no `__` inside.
const SEGMENT: &str = "[^_]+(?:_[^_]+)*";

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
                    FilterAt::Key(key) => child(pointer, key),
                };
                multiple.check(&pointer, rules);
            }
        }
    }
}

/// Reads a lookup object entry by entry, straight from the deserializer.
///
/// Entries are kept as written and put in key order at the end, as if read from a sorted map:
/// `data_matchers` and `lookup_filters` come out in the order of their keys (`data__x` before
/// the `data_matchers` list, `lookup__x` before the `lookup_filters` list), and of several
/// name matchers the last key wins (they conflict anyway, and `validate` says so).
pub(super) struct DictVisitor;

impl<'de> Visitor<'de> for DictVisitor {
    type Value = LookupDict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a lookup object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LookupDict, A::Error> {
        let mut entries = DictEntries::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "collection" => entries.collection = Some(map.next_value()?),
                "child_type" => entries.child_type = map.next_value()?,
                "category" => entries.category = map.next_value()?,
                "name_matcher" => {
                    let matcher = map.next_value()?;
                    entries.name(key, matcher);
                }
                "data_matchers" => {
                    let pairs: Vec<(String, Matcher)> = map.next_value()?;
                    for (field, matcher) in pairs {
                        entries.data.push(DataEntry {
                            key: None,
                            field,
                            matcher,
                        });
                    }
                }
                "lookup_filters" => {
                    let pairs: Vec<(String, LookupFilter)> = map.next_value()?;
                    for (index, (name, filter)) in pairs.into_iter().enumerate() {
                        entries
                            .filters
                            .push((None, name, filter, FilterAt::List(index)));
                    }
                }
                _ => match parse_matcher_key(&key) {
                    Some(MatcherKey::Name(kind)) => {
                        let value: String = map.next_value()?;
                        let value = Value::String(value);
                        entries.name(key, Some(Matcher { kind, value }));
                    }
                    Some(MatcherKey::Data(field, kind)) => {
                        let field = field.to_owned();
                        let value = map.next_value()?;
                        entries.data.push(DataEntry {
                            key: Some(key),
                            field,
                            matcher: Matcher { kind, value },
                        });
                    }
                    Some(MatcherKey::Lookup(name)) => {
                        let name = name.to_owned();
                        let filter = map.next_value()?;
                        let at = FilterAt::Key(key.clone());
                        entries.filters.push((Some(key), name, filter, at));
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
    /// A `lookup__NAME` key.
    Key(String),
}

/// A `data__FIELD` key's matcher (`key` set) or an item of the `data_matchers` list.
struct DataEntry {
    key: Option<String>,
    field: String,
    matcher: Matcher,
}

impl DataEntry {
    /// How the entry is named in a conflict.
    fn label(&self) -> String {
        match &self.key {
            Some(key) => key.clone(),
            None => format!("data_matchers: {}", self.field),
        }
    }
}

/// The entries of a lookup object, as read.
#[derive(Default)]
struct DictEntries {
    collection: Option<LookupSingle>,
    child_type: ChildType,
    category: Option<String>,
    /// The key of each name matcher; the matcher of the greatest key.
    name_keys: Vec<String>,
    name_matcher: Option<Matcher>,
    data: Vec<DataEntry>,
    /// `lookup__NAME` keys (`Some`) and `lookup_filters` items, with where each was written.
    filters: Vec<(Option<String>, String, LookupFilter, FilterAt)>,
}

/// [`LookupDict::check`]'s rule, in words for the docs pages of the tasks that take lookups.
pub(crate) const RULE_MATCHERS: &str = "A lookup object matches each field once: at most one \
     of `name`, `name__contains`, ... and at most one matcher per `data` field.";

impl DictEntries {
    fn name(&mut self, key: String, matcher: Option<Matcher>) {
        if self.name_keys.iter().all(|other| *other < key) {
            self.name_matcher = matcher;
        }
        self.name_keys.push(key);
    }

    fn into_dict(mut self) -> Result<LookupDict, &'static str> {
        let collection = self.collection.ok_or("missing field `collection`")?;
        // Key order; items of a list keep theirs (a stable sort), under the list's key.
        self.data.sort_by(|a, b| {
            sort_key(&a.key, "data_matchers").cmp(sort_key(&b.key, "data_matchers"))
        });
        self.filters
            .sort_by(|a, b| sort_key(&a.0, "lookup_filters").cmp(sort_key(&b.0, "lookup_filters")));
        let conflicts = conflicts(&self.data, self.name_keys);
        let mut filter_pointers = Vec::with_capacity(self.filters.len());
        let lookup_filters = self
            .filters
            .into_iter()
            .map(|(_, name, filter, pointer)| {
                filter_pointers.push(pointer);
                (name, filter)
            })
            .collect();
        Ok(LookupDict {
            collection,
            child_type: self.child_type,
            category: self.category,
            name_matcher: self.name_matcher,
            data_matchers: self
                .data
                .into_iter()
                .map(|entry| (entry.field, entry.matcher))
                .collect(),
            lookup_filters,
            filter_pointers,
            conflicts,
        })
    }
}

fn sort_key<'a>(key: &'a Option<String>, list: &'a str) -> &'a str {
    key.as_deref().unwrap_or(list)
}

/// Keys that target the same thing, each group sorted, the groups in the order of their
/// targets (`data__FIELD` by field, then `name`).
fn conflicts(data: &[DataEntry], mut name_keys: Vec<String>) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    if data.len() > 1 {
        let mut by_field: Vec<&DataEntry> = data.iter().collect();
        by_field.sort_by(|a, b| a.field.cmp(&b.field));
        for group in by_field.chunk_by(|a, b| a.field == b.field) {
            if group.len() > 1 {
                let mut labels: Vec<String> = group.iter().map(|entry| entry.label()).collect();
                labels.sort();
                groups.push(labels);
            }
        }
    }
    if name_keys.len() > 1 {
        name_keys.sort();
        groups.push(name_keys);
    }
    groups
}

/// A matcher key as written on the wire.
enum MatcherKey<'a> {
    Name(MatcherKind),
    Data(&'a str, MatcherKind),
    Lookup(&'a str),
}

/// Parses `name`, `name__K`, `data__FIELD`, `data__FIELD__K`, `lookup__NAME`; `None` otherwise.
fn parse_matcher_key(key: &str) -> Option<MatcherKey<'_>> {
    let parts: Vec<&str> = key.split("__").collect();
    let segment_ok =
        |part: &&str| !part.is_empty() && !part.starts_with('_') && !part.ends_with('_');
    match parts.as_slice() {
        ["name"] => Some(MatcherKey::Name(MatcherKind::Exact)),
        ["name", suffix] => MatcherKind::from_suffix(suffix).map(MatcherKey::Name),
        ["data", field] if segment_ok(field) => Some(MatcherKey::Data(field, MatcherKind::Exact)),
        ["data", field, suffix] if segment_ok(field) => {
            MatcherKind::from_suffix(suffix).map(|kind| MatcherKey::Data(field, kind))
        }
        ["lookup", name] if segment_ok(name) => Some(MatcherKey::Lookup(name)),
        _ => None,
    }
}

impl<'de> Deserialize<'de> for LookupDict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DictVisitor)
    }
}

impl JsonSchema for LookupDict {
    fn schema_name() -> Cow<'static, str> {
        "LookupDict".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let single = generator.subschema_for::<LookupSingle>();
        let child_type = generator.subschema_for::<ChildType>();
        let matcher = generator.subschema_for::<Matcher>();
        let filter = generator.subschema_for::<LookupFilter>();
        let suffixes = "(?:__(?:contains|endswith|startswith))?";
        json_schema!({
            "description": "A lookup object: a query over the items of a collection. Matchers are keys: `name`, `name__K`, `data__FIELD`, `data__FIELD__K` (K is `contains`, `endswith` or `startswith`; no suffix means exact) and `lookup__NAME`; two matchers on one target conflict. The server's normalised form (`name_matcher`, `data_matchers`, `lookup_filters`) is accepted too.",
            "type": "object",
            "properties": {
                "collection": single,
                "child_type": {"allOf": [child_type], "default": "artifact"},
                "category": {"type": ["string", "null"], "default": null},
                "name_matcher": matcher,
                "data_matchers": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "prefixItems": [{"type": "string"}, matcher],
                        "items": false,
                        "minItems": 2
                    }
                },
                "lookup_filters": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "prefixItems": [{"type": "string"}, filter],
                        "items": false,
                        "minItems": 2
                    }
                }
            },
            "patternProperties": {
                format!("^name{suffixes}$"): {"type": "string"},
                format!("^data__{SEGMENT}{suffixes}$"): true,
                format!("^lookup__{SEGMENT}$"): filter
            },
            "required": ["collection"],
            "additionalProperties": false
        })
    }
}
