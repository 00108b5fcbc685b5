//! The compiled schema the walk follows: one [`Node`] per subschema, in a [`Guide`].

use std::fmt;

use jsonschema::Validator;
use serde_json::Value;

pub(super) type NodeId = u32;

/// JSON types as bits, for `type` checks.
pub(super) mod json_type {
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

/// One subschema, reduced to what the walk checks.
#[derive(Default)]
pub(super) struct Node {
    /// A keyword the walk does not implement: give up on reaching this node.
    pub(super) unsupported: bool,
    pub(super) types: u8,
    /// `enum`, or `const` as a one-item list.
    pub(super) allowed: Option<Vec<Value>>,
    pub(super) minimum: Option<Bound>,
    pub(super) maximum: Option<Bound>,
    /// Pattern, format and length keywords, checked by the general validator.
    pub(super) string_check: Option<Validator>,
    /// `prefixItems`: the nodes of the first items, in order.
    pub(super) prefix_items: Vec<NodeId>,
    pub(super) items: Option<NodeId>,
    /// `items: false`: nothing beyond `prefix_items`.
    pub(super) no_more_items: bool,
    pub(super) min_items: Option<usize>,
    pub(super) max_items: Option<usize>,
    pub(super) unique_items: bool,
    pub(super) properties: Vec<(Box<str>, NodeId)>,
    /// Bit i set: `properties[i]` also matches a `patternProperties` pattern (found once, when
    /// compiling, so that a property's key runs no regular expression).
    pub(super) patterned_properties: u64,
    /// Bit i set: `properties[i]` is required.
    pub(super) required: u64,
    pub(super) additional: Additional,
    pub(super) pattern_properties: Vec<(Validator, NodeId)>,
    pub(super) min_properties: Option<usize>,
    pub(super) max_properties: Option<usize>,
    /// `anyOf` (false) or `oneOf` (true) branches.
    pub(super) choice: Option<(Vec<NodeId>, bool)>,
    /// Scalar JSON types valid here whatever the value (no enum, bound or pattern applies): a
    /// scalar of one of them needs no further check.
    pub(super) trivially_valid: u8,
}

#[derive(Clone, Copy)]
pub(super) struct Bound {
    pub(super) value: BoundValue,
    pub(super) exclusive: bool,
}

/// Integer bounds are kept exact: `int64`'s limits are beyond f64's precision.
#[derive(Clone, Copy)]
pub(super) enum BoundValue {
    Integer(i128),
    Float(f64),
}

#[derive(Default, Clone, Copy)]
pub(super) enum Additional {
    #[default]
    Allowed,
    Forbidden,
    Schema(NodeId),
}

/// A task schema compiled for the guided walk.
pub(crate) struct Guide {
    pub(super) nodes: Vec<Node>,
}

impl fmt::Debug for Guide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guide")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

pub(super) const ROOT: NodeId = 0;
/// A node that accepts anything (boolean schema `true`).
pub(super) const ANYTHING: NodeId = 1;
/// A node that accepts nothing (boolean schema `false`).
pub(super) const NOTHING: NodeId = 2;

impl Guide {
    /// The guide of a walk that does not check: never consulted, its fixed nodes keep every id
    /// in range.
    pub(super) fn pass_through() -> &'static Guide {
        static PASS_THROUGH: std::sync::OnceLock<Guide> = std::sync::OnceLock::new();
        PASS_THROUGH.get_or_init(|| Guide {
            nodes: (0..=NOTHING).map(|_| Node::default()).collect(),
        })
    }

    /// The node with this id.
    pub(super) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
}
