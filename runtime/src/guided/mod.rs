//! The fast path of `configure`: typed deserialization guided by the task's schema.
//!
//! `configure`'s general path parses the text into a `serde_json::Value`, validates it, then
//! deserializes the struct from it. Most task data is valid, and for valid data that is three
//! passes where one would do. Here the struct is deserialized straight from the text, through a
//! wrapper that walks the compiled schema alongside and checks, on each value as it passes, the
//! keywords that serde does not enforce itself (types of custom impls, ranges, lengths, patterns,
//! formats, enums, unique items, required and unknown keys).
//!
//! The fast path only ever says "valid, and here is the struct". At the first doubt it gives up:
//! a value that breaks a keyword, a keyword it does not implement, an ambiguous `anyOf` branch, a
//! serde error. `configure` then runs the general path, which is the authority on both the
//! verdict and the explanation; so the two cannot disagree on what is accepted, and a
//! differential test checks it.
//!
//! Patterns and formats are checked by the same `jsonschema` validator as the general path (one
//! small validator per string subschema), so regular-expression dialects cannot differ.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use jsonschema::{Draft, Validator};
use serde_json::Value;

pub(crate) use walk::{Error as WalkError, Walk};

/// Deserializes a task's struct from a walk (and keeps it): the one piece of `configure`
/// compiled for each task, everything around it is compiled once.
pub(crate) type ReadTask<'r> = dyn FnMut(&mut Walk<'_, '_>) -> Result<(), walk::Error> + 'r;

mod json;
mod walk;

type NodeId = u32;

/// JSON types as bits, for `type` checks.
mod json_type {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 1 << 1;
    /// A number with no fractional part (also satisfies `NUMBER`).
    pub const INTEGER: u8 = 1 << 2;
    pub const NUMBER: u8 = 1 << 3;
    pub const STRING: u8 = 1 << 4;
    pub const ARRAY: u8 = 1 << 5;
    pub const OBJECT: u8 = 1 << 6;
    pub const ANY: u8 = 0x7f;
}

/// Keywords that only annotate: no effect on validity.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// schemars' numeric formats: unknown to the validator, which ignores them.
const IGNORED_FORMATS: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "int128", "uint", "uint8", "uint16", "uint32",
    "uint64", "uint128", "float", "double",
];

/// One subschema, reduced to what the walk checks.
#[derive(Default)]
struct Node {
    /// A keyword the walk does not implement: give up on reaching this node.
    unsupported: bool,
    types: u8,
    /// `enum`, or `const` as a one-item list.
    allowed: Option<Vec<Value>>,
    minimum: Option<Bound>,
    maximum: Option<Bound>,
    /// Pattern, format and length keywords, checked by the general validator.
    string_check: Option<Validator>,
    /// `prefixItems`: the nodes of the first items, in order.
    prefix_items: Vec<NodeId>,
    items: Option<NodeId>,
    /// `items: false`: nothing beyond `prefix_items`.
    no_more_items: bool,
    min_items: Option<usize>,
    max_items: Option<usize>,
    unique_items: bool,
    properties: Vec<(Box<str>, NodeId)>,
    /// Bit i set: `properties[i]` also matches a `patternProperties` pattern (found once, when
    /// compiling, so that a property's key runs no regular expression).
    patterned_properties: u64,
    /// Bit i set: `properties[i]` is required.
    required: u64,
    additional: Additional,
    pattern_properties: Vec<(Validator, NodeId)>,
    min_properties: Option<usize>,
    max_properties: Option<usize>,
    /// `anyOf` (false) or `oneOf` (true) branches.
    choice: Option<(Vec<NodeId>, bool)>,
    /// Scalar JSON types valid here whatever the value (no enum, bound or pattern applies): a
    /// scalar of one of them needs no further check.
    trivially_valid: u8,
}

#[derive(Clone, Copy)]
struct Bound {
    value: BoundValue,
    exclusive: bool,
}

/// Integer bounds are kept exact: `int64`'s limits are beyond f64's precision.
#[derive(Clone, Copy)]
enum BoundValue {
    Integer(i128),
    Float(f64),
}

#[derive(Default, Clone, Copy)]
enum Additional {
    #[default]
    Allowed,
    Forbidden,
    Schema(NodeId),
}

/// A task schema compiled for the guided walk.
pub(crate) struct Guide {
    nodes: Vec<Node>,
}

impl fmt::Debug for Guide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guide")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

const ROOT: NodeId = 0;
/// A node that accepts anything (boolean schema `true`).
const ANYTHING: NodeId = 1;
/// A node that accepts nothing (boolean schema `false`).
const NOTHING: NodeId = 2;

impl Guide {
    /// Compiles `schema`; `None` if its root uses a keyword the walk does not implement, in which
    /// case every input takes the general path.
    pub(crate) fn new(schema: &Value) -> Option<Guide> {
        let mut compiler = Compiler {
            root: schema,
            nodes: Vec::new(),
            refs: HashMap::new(),
        };
        compiler.nodes.push(Node::default());
        compiler.nodes.push(Node {
            types: json_type::ANY,
            ..Node::default()
        });
        compiler.nodes.push(Node {
            types: 0,
            ..Node::default()
        });
        compiler.fill(ROOT, schema, 0);
        let mut guide = Guide {
            nodes: compiler.nodes,
        };
        let mut memo = vec![None; guide.nodes.len()];
        for id in 0..guide.nodes.len() {
            let mask = trivially_valid(&guide, id as NodeId, &mut memo);
            guide.nodes[id].trivially_valid = mask;
        }
        (!guide.nodes[ROOT as usize].unsupported).then_some(guide)
    }

    /// Deserializes `T` from JSON text, if the text is valid for the schema.
    pub(crate) fn deserialize_checked<'de, T: serde::Deserialize<'de>>(
        &self,
        text: &'de str,
    ) -> Option<T> {
        let mut walk = Walk::new(text, self, true);
        let value = T::deserialize(walk.root()).ok()?;
        walk.end().ok()?;
        Some(value)
    }

    /// Reads a task's struct from JSON text with `read`, if the text is valid for the schema.
    pub(crate) fn read_checked(&self, text: &str, read: &mut ReadTask<'_>) -> bool {
        let mut walk = Walk::new(text, self, true);
        read(&mut walk).is_ok() && walk.end().is_ok()
    }

    /// Reads a task's struct with `read` from JSON text already validated, without checking:
    /// the general path's last step. On failure, gives the JSON pointer of the value serde
    /// refused and its message.
    pub(crate) fn read_unchecked(
        text: &str,
        read: &mut ReadTask<'_>,
    ) -> Result<(), (String, String)> {
        let mut walk = Walk::new(text, Guide::pass_through(), false);
        read(&mut walk)
            .and_then(|()| walk.end())
            .map_err(|error| walk.failure(error))
    }

    /// The guide of a walk that does not check: never consulted, its fixed nodes keep every id
    /// in range.
    fn pass_through() -> &'static Guide {
        static PASS_THROUGH: std::sync::OnceLock<Guide> = std::sync::OnceLock::new();
        PASS_THROUGH.get_or_init(|| Guide {
            nodes: (0..=NOTHING).map(|_| Node::default()).collect(),
        })
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
}

struct Compiler<'s> {
    root: &'s Value,
    nodes: Vec<Node>,
    refs: HashMap<&'s str, NodeId>,
}

impl<'s> Compiler<'s> {
    fn add(&mut self, schema: &'s Value, depth: usize) -> NodeId {
        match schema {
            Value::Bool(true) => return ANYTHING,
            Value::Bool(false) => return NOTHING,
            _ => {}
        }
        // A `$ref` with annotations beside it (or an `allOf` of one, as schemars writes a
        // reference with a default) is the referenced schema itself.
        if let Some(target) = alias_of(schema) {
            if let Some(&id) = self.refs.get(target) {
                return id;
            }
            let id = self.push();
            self.refs.insert(target, id);
            match target
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
            {
                Some(resolved) => self.fill(id, resolved, depth + 1),
                None => self.nodes[id as usize].unsupported = true,
            }
            return id;
        }
        let id = self.push();
        self.fill(id, schema, depth + 1);
        id
    }

    fn push(&mut self) -> NodeId {
        self.nodes.push(Node::default());
        (self.nodes.len() - 1) as NodeId
    }

    fn fill(&mut self, id: NodeId, schema: &'s Value, depth: usize) {
        let node = self.compile(schema, depth);
        self.nodes[id as usize] = node;
    }

    fn compile(&mut self, schema: &'s Value, depth: usize) -> Node {
        let mut node = Node {
            types: json_type::ANY,
            ..Node::default()
        };
        let Some(object) = schema.as_object() else {
            node.unsupported = schema != &Value::Bool(true);
            return node;
        };
        if depth > 64 || alias_of(schema).is_some() {
            // Deep or self-referencing aliases: leave them to the general path.
            node.unsupported = true;
            return node;
        }
        let mut string_keywords = serde_json::Map::new();
        for (keyword, value) in object {
            let understood = match keyword.as_str() {
                k if ANNOTATIONS.contains(&k) => true,
                "type" => parse_types(value).map(|types| node.types = types).is_some(),
                "enum" => value
                    .as_array()
                    .map(|list| node.allowed = Some(list.clone()))
                    .is_some(),
                "const" => {
                    node.allowed = Some(vec![value.clone()]);
                    true
                }
                "minimum" | "exclusiveMinimum" => bound(value, keyword == "exclusiveMinimum")
                    .map(|b| node.minimum = Some(b))
                    .is_some(),
                "maximum" | "exclusiveMaximum" => bound(value, keyword == "exclusiveMaximum")
                    .map(|b| node.maximum = Some(b))
                    .is_some(),
                "format" if value.as_str().is_some_and(|f| IGNORED_FORMATS.contains(&f)) => true,
                "pattern" | "format" | "minLength" | "maxLength" => {
                    string_keywords.insert(keyword.clone(), value.clone());
                    true
                }
                "items" if value == &Value::Bool(false) => {
                    node.no_more_items = true;
                    true
                }
                "items" => {
                    node.items = Some(self.add(value, depth));
                    true
                }
                "prefixItems" => match value.as_array() {
                    Some(items) => {
                        node.prefix_items =
                            items.iter().map(|item| self.add(item, depth)).collect();
                        true
                    }
                    None => false,
                },
                "minItems" => size(value).map(|n| node.min_items = Some(n)).is_some(),
                "maxItems" => size(value).map(|n| node.max_items = Some(n)).is_some(),
                "uniqueItems" => value
                    .as_bool()
                    .map(|unique| node.unique_items = unique)
                    .is_some(),
                "properties" => self.properties(&mut node, value, depth),
                "required" => true, // read after `properties`, below
                "additionalProperties" => {
                    node.additional = match value {
                        Value::Bool(false) => Additional::Forbidden,
                        Value::Bool(true) => Additional::Allowed,
                        schema => Additional::Schema(self.add(schema, depth)),
                    };
                    true
                }
                "patternProperties" => self.pattern_properties(&mut node, value, depth),
                "minProperties" => size(value).map(|n| node.min_properties = Some(n)).is_some(),
                "maxProperties" => size(value).map(|n| node.max_properties = Some(n)).is_some(),
                "anyOf" | "oneOf" => match value.as_array() {
                    Some(branches) if !branches.is_empty() => {
                        let ids = branches.iter().map(|b| self.add(b, depth)).collect();
                        node.choice = Some((ids, keyword == "oneOf"));
                        true
                    }
                    _ => false,
                },
                // Anything else (`not`, `if`, `allOf` of several, `$ref` beside constraints,
                // `prefixItems`, `contains`, `dependentRequired`, ...) is left to the general path.
                _ => keyword.starts_with("x-"),
            };
            if !understood {
                node.unsupported = true;
            }
        }
        if let Some(required) = object.get("required") {
            node.required = match self.required_mask(&node, required) {
                Some(mask) => mask,
                None => {
                    node.unsupported = true;
                    0
                }
            };
        }
        for (index, (name, _)) in node.properties.iter().enumerate() {
            let name = Value::String(name.to_string());
            if node
                .pattern_properties
                .iter()
                .any(|(pattern, _)| pattern.is_valid(&name))
            {
                node.patterned_properties |= 1 << index;
            }
        }
        if !string_keywords.is_empty() {
            match string_validator(string_keywords) {
                Some(validator) => node.string_check = Some(validator),
                None => node.unsupported = true,
            }
        }
        if node.choice.is_some() && has_own_constraints(&node) {
            // A choice beside other constraints would need both walked at once.
            node.unsupported = true;
        }
        node
    }

    fn properties(&mut self, node: &mut Node, value: &'s Value, depth: usize) -> bool {
        let Some(properties) = value.as_object() else {
            return false;
        };
        if properties.len() > 64 {
            return false;
        }
        for (name, schema) in properties {
            let id = self.add(schema, depth);
            node.properties.push((name.as_str().into(), id));
        }
        true
    }

    fn pattern_properties(&mut self, node: &mut Node, value: &'s Value, depth: usize) -> bool {
        let Some(patterns) = value.as_object() else {
            return false;
        };
        for (pattern, schema) in patterns {
            let mut keywords = serde_json::Map::new();
            keywords.insert("pattern".into(), Value::String(pattern.clone()));
            let Some(validator) = string_validator(keywords) else {
                return false;
            };
            let id = self.add(schema, depth);
            node.pattern_properties.push((validator, id));
        }
        true
    }

    fn required_mask(&self, node: &Node, required: &Value) -> Option<u64> {
        let mut mask = 0;
        for name in required.as_array()? {
            let name = name.as_str()?;
            let index = node.properties.iter().position(|(p, _)| &**p == name)?;
            mask |= 1 << index;
        }
        Some(mask)
    }
}

fn alias_of(schema: &Value) -> Option<&str> {
    let object = schema.as_object()?;
    let only_annotations = |key: &str| ANNOTATIONS.contains(&key);
    if let Some(Value::String(target)) = object.get("$ref")
        && object.keys().all(|k| k == "$ref" || only_annotations(k))
    {
        return Some(target);
    }
    if let Some(Value::Array(all)) = object.get("allOf")
        && let [single] = all.as_slice()
        && object.keys().all(|k| k == "allOf" || only_annotations(k))
    {
        return single
            .as_object()
            .filter(|inner| inner.len() == 1)
            .and_then(|inner| inner.get("$ref")?.as_str());
    }
    None
}

fn has_own_constraints(node: &Node) -> bool {
    node.types != json_type::ANY
        || node.allowed.is_some()
        || node.minimum.is_some()
        || node.maximum.is_some()
        || node.string_check.is_some()
        || node.items.is_some()
        || !node.prefix_items.is_empty()
        || node.no_more_items
        || node.min_items.is_some()
        || node.max_items.is_some()
        || node.unique_items
        || !node.properties.is_empty()
        || !node.pattern_properties.is_empty()
        || !matches!(node.additional, Additional::Allowed)
        || node.min_properties.is_some()
        || node.max_properties.is_some()
}

fn parse_types(value: &Value) -> Option<u8> {
    let one = |name: &str| match name {
        "null" => Some(json_type::NULL),
        "boolean" => Some(json_type::BOOLEAN),
        "integer" => Some(json_type::INTEGER),
        "number" => Some(json_type::NUMBER | json_type::INTEGER),
        "string" => Some(json_type::STRING),
        "array" => Some(json_type::ARRAY),
        "object" => Some(json_type::OBJECT),
        _ => None,
    };
    match value {
        Value::String(name) => one(name),
        Value::Array(names) => names
            .iter()
            .try_fold(0, |types, name| Some(types | one(name.as_str()?)?)),
        _ => None,
    }
}

fn bound(value: &Value, exclusive: bool) -> Option<Bound> {
    let value = if let Some(integer) = value.as_i64() {
        BoundValue::Integer(integer.into())
    } else if let Some(integer) = value.as_u64() {
        BoundValue::Integer(integer.into())
    } else {
        // Large floats lose precision: leave such bounds to the general path.
        BoundValue::Float(value.as_f64().filter(|v| v.abs() < 2f64.powi(53))?)
    };
    Some(Bound { value, exclusive })
}

fn size(value: &Value) -> Option<usize> {
    usize::try_from(value.as_u64()?).ok()
}

fn string_validator(mut keywords: serde_json::Map<String, Value>) -> Option<Validator> {
    keywords.insert("type".into(), Value::String("string".into()));
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .build(&Value::Object(keywords))
        .ok()
}

/// A scalar as the walk sees it.
#[derive(Clone, Copy)]
enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(&'a str),
}

#[derive(Debug, Clone, Copy)]
enum Number {
    Signed(i64),
    Unsigned(u64),
    Float(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Signed(n) => n as f64,
            Number::Unsigned(n) => n as f64,
            Number::Float(n) => n,
        }
    }

    fn is_integral(self) -> bool {
        match self {
            Number::Float(n) => n.fract() == 0.0,
            _ => true,
        }
    }

    /// Whether comparisons in f64 are exact.
    fn is_exact(self) -> bool {
        self.as_f64().abs() < 2f64.powi(53)
    }

    /// Compares with a bound; `None` where the comparison would not be exact.
    fn compare(self, bound: BoundValue) -> Option<std::cmp::Ordering> {
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
    fn json_type(self) -> u8 {
        match self {
            Scalar::Null => json_type::NULL,
            Scalar::Bool(_) => json_type::BOOLEAN,
            Scalar::Number(n) if n.is_integral() => json_type::INTEGER,
            Scalar::Number(_) => json_type::NUMBER,
            Scalar::Str(_) => json_type::STRING,
        }
    }

    fn equals(self, value: &Value) -> Option<bool> {
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
    fn fingerprint(self) -> u64 {
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

/// Fingerprints of the keys and unique items seen in the open arrays and objects, innermost
/// last: one stack for the whole walk, so that a container needs no buffer of its own, and the
/// first few fingerprints need no allocation at all.
#[derive(Default)]
struct SeenStack {
    inline: [u64; 16],
    spilled: Vec<u64>,
    len: usize,
}

impl SeenStack {
    /// Where the next container's fingerprints start.
    fn top(&self) -> usize {
        self.len
    }

    /// Adds `fingerprint` to the container whose fingerprints start at `from`; `false` if it
    /// was already there.
    fn insert(&mut self, from: usize, fingerprint: u64) -> bool {
        let inline_len = self.len.min(self.inline.len());
        let in_inline = self.inline[from.min(inline_len)..inline_len].contains(&fingerprint);
        let spilled_from = from.saturating_sub(self.inline.len());
        if in_inline || self.spilled[spilled_from.min(self.spilled.len())..].contains(&fingerprint)
        {
            return false;
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = fingerprint;
        } else {
            self.spilled.push(fingerprint);
        }
        self.len += 1;
        true
    }

    /// Forgets the fingerprints of a closed container, which started at `from`.
    fn truncate(&mut self, from: usize) {
        self.len = from;
        self.spilled
            .truncate(from.saturating_sub(self.inline.len()));
    }
}

/// Whether `text` passes a string validator, without allocating a `Value` for each check: the
/// validators take a `&Value`, so one per thread is reused.
fn string_valid(validator: &Validator, text: &str) -> bool {
    thread_local! {
        static SCRATCH: RefCell<Value> = const { RefCell::new(Value::String(String::new())) };
    }
    SCRATCH.with(|scratch| {
        let mut value = scratch.borrow_mut();
        if let Value::String(buffer) = &mut *value {
            buffer.clear();
            buffer.push_str(text);
        }
        validator.is_valid(&value)
    })
}

/// The scalar types for which [`scalar_valid`] is `Ok(true)` whatever the value. `memo` holds
/// what is known; a node met again while it is being worked out (a recursive schema) counts as
/// having none, which only costs the full check.
fn trivially_valid(guide: &Guide, node: NodeId, memo: &mut Vec<Option<u8>>) -> u8 {
    const SCALARS: u8 = json_type::NULL
        | json_type::BOOLEAN
        | json_type::INTEGER
        | json_type::NUMBER
        | json_type::STRING;
    if let Some(known) = memo[node as usize] {
        return known;
    }
    memo[node as usize] = Some(0);
    let n = guide.node(node);
    let mut mask = n.types & SCALARS;
    if n.types & json_type::NUMBER != 0 {
        mask |= json_type::INTEGER;
    }
    if n.unsupported || n.allowed.is_some() {
        mask = 0;
    }
    if n.minimum.is_some() || n.maximum.is_some() {
        mask &= !(json_type::INTEGER | json_type::NUMBER);
    }
    if n.string_check.is_some() {
        mask &= !json_type::STRING;
    }
    if let Some((branches, one_of)) = &n.choice {
        let trivial: Vec<u8> = branches
            .iter()
            .map(|&branch| trivially_valid(guide, branch, memo))
            .collect();
        let by_branches = if *one_of {
            // Exactly one branch valid: one trivially so, and no other able to take the type.
            let mut exactly_one = 0;
            for bit in [
                json_type::NULL,
                json_type::BOOLEAN,
                json_type::INTEGER,
                json_type::NUMBER,
                json_type::STRING,
            ] {
                let trivially = trivial.iter().filter(|&&t| t & bit != 0).count();
                let possible = branches
                    .iter()
                    .filter(|&&branch| admits_scalar(guide, branch, bit))
                    .count();
                if trivially == 1 && possible == 1 {
                    exactly_one |= bit;
                }
            }
            exactly_one
        } else {
            trivial.iter().fold(0, |all, t| all | t)
        };
        mask &= by_branches;
    }
    memo[node as usize] = Some(mask);
    mask
}

/// Whether a scalar of type `bit` could be valid at `node` (its type allows it).
fn admits_scalar(guide: &Guide, node: NodeId, bit: u8) -> bool {
    let n = guide.node(node);
    let numeric = bit == json_type::INTEGER && n.types & json_type::NUMBER != 0;
    if n.types & bit == 0 && !numeric {
        return false;
    }
    match &n.choice {
        Some((branches, _)) => branches.iter().any(|&b| admits_scalar(guide, b, bit)),
        None => true,
    }
}

/// Whether `scalar` is valid at `node`: `Ok(false)` when invalid, `Err` when unsure.
fn scalar_valid(guide: &Guide, node: NodeId, scalar: Scalar<'_>) -> Result<bool, ()> {
    let n = guide.node(node);
    let found = scalar.json_type();
    if n.trivially_valid & found != 0 {
        return Ok(true);
    }
    if n.unsupported {
        return Err(());
    }
    let type_ok =
        n.types & found != 0 || (found == json_type::INTEGER && n.types & json_type::NUMBER != 0);
    if !type_ok {
        return Ok(false);
    }
    if let Some(allowed) = &n.allowed {
        let mut any = false;
        for value in allowed {
            any |= scalar.equals(value).ok_or(())?;
        }
        if !any {
            return Ok(false);
        }
    }
    if let Scalar::Number(number) = scalar {
        use std::cmp::Ordering::{Greater, Less};
        if let Some(min) = n.minimum {
            match number.compare(min.value).ok_or(())? {
                Less => return Ok(false),
                std::cmp::Ordering::Equal if min.exclusive => return Ok(false),
                _ => {}
            }
        }
        if let Some(max) = n.maximum {
            match number.compare(max.value).ok_or(())? {
                Greater => return Ok(false),
                std::cmp::Ordering::Equal if max.exclusive => return Ok(false),
                _ => {}
            }
        }
    }
    if let (Scalar::Str(text), Some(check)) = (scalar, &n.string_check)
        && !string_valid(check, text)
    {
        return Ok(false);
    }
    if let Some((branches, one_of)) = &n.choice {
        let mut matches = 0;
        for &branch in branches {
            matches += usize::from(scalar_valid(guide, branch, scalar)?);
        }
        return Ok(if *one_of { matches == 1 } else { matches >= 1 });
    }
    Ok(true)
}

/// The node a container of `found` type (array or object) is checked against at `node`,
/// following `anyOf`/`oneOf` when exactly one branch admits that type.
fn container_node(guide: &Guide, mut node: NodeId, found: u8) -> Result<NodeId, ()> {
    loop {
        let n = guide.node(node);
        if n.unsupported || n.types & found == 0 {
            return Err(());
        }
        let Some((branches, _)) = &n.choice else {
            return Ok(node);
        };
        let mut admitting = branches
            .iter()
            .copied()
            .filter(|&branch| admits(guide, branch, found));
        match (admitting.next(), admitting.next()) {
            // One branch: for `oneOf` the others fail on their type, so exactly one matches.
            (Some(branch), None) => node = branch,
            // None (invalid) or several (ambiguous): the general path decides.
            _ => return Err(()),
        }
    }
}

fn admits(guide: &Guide, node: NodeId, found: u8) -> bool {
    let n = guide.node(node);
    if n.types & found == 0 {
        return false;
    }
    match &n.choice {
        Some((branches, _)) => branches.iter().any(|&b| admits(guide, b, found)),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_finds_repeats_per_container_inline_and_spilled() {
        let mut seen = SeenStack::default();
        let outer = seen.top();
        for value in 0..20 {
            assert!(seen.insert(outer, value), "{value} is new");
        }
        for value in [0, 7, 15, 16, 19] {
            assert!(!seen.insert(outer, value), "{value} was seen");
        }
        // A nested container starts afresh, and its fingerprints go when it closes.
        let inner = seen.top();
        assert!(seen.insert(inner, 3), "3 is new in the inner container");
        assert!(!seen.insert(inner, 3));
        seen.truncate(inner);
        assert!(seen.insert(outer, 20));
        assert!(!seen.insert(outer, 3), "3 is still in the outer container");
        seen.truncate(outer);
        assert!(seen.insert(outer, 3));
    }

    #[test]
    fn equal_json_scalars_have_equal_fingerprints() {
        let int = Scalar::Number(Number::Unsigned(1)).fingerprint();
        assert_eq!(int, Scalar::Number(Number::Signed(1)).fingerprint());
        assert_eq!(int, Scalar::Number(Number::Float(1.0)).fingerprint());
        assert_eq!(
            Scalar::Number(Number::Float(-0.0)).fingerprint(),
            Scalar::Number(Number::Signed(0)).fingerprint()
        );
        assert_ne!(int, Scalar::Str("1").fingerprint());
        assert_ne!(Scalar::Bool(true).fingerprint(), int);
    }

    #[test]
    fn only_unconstrained_scalar_types_skip_the_check() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "flag": {"type": "boolean"},
                "count": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
                "word": {"enum": ["x"]},
                "either": {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 2}]},
                "number": {"type": "number"},
            }
        });
        let guide = Guide::new(&schema).unwrap();
        let mask = |name: &str| {
            let root = guide.node(ROOT);
            let (_, id) = root.properties.iter().find(|(p, _)| &**p == name).unwrap();
            guide.node(*id).trivially_valid
        };
        assert_eq!(mask("flag"), json_type::BOOLEAN);
        assert_eq!(
            mask("count"),
            json_type::NULL,
            "the integer branch has a bound"
        );
        assert_eq!(mask("word"), 0);
        assert_eq!(
            mask("either"),
            0,
            "two branches may take a string: oneOf needs the check"
        );
        assert_eq!(mask("number"), json_type::NUMBER | json_type::INTEGER);
    }

    #[test]
    fn a_schema_with_an_unsupported_root_keyword_has_no_guide() {
        let schema = serde_json::json!({"type": "object", "not": {"required": ["a"]}});
        assert!(Guide::new(&schema).is_none());
        let schema =
            serde_json::json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        assert!(Guide::new(&schema).is_some());
    }
}
