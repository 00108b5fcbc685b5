//! A JSON Schema compiled into the nodes of a [`Guide`]: what each subschema asks of a value.

use std::collections::HashMap;

use jsonschema::{Draft, Validator};
use serde_json::Value;

use super::check::trivially_valid;
use super::node::{
    ANYTHING, Additional, Bound, BoundValue, Guide, NOTHING, Node, NodeId, ROOT, json_type,
};
use crate::schema::is_number_format;
use crate::schema::read::{alias_of, is_annotation, target};

/// Compiles `schema`; `None` if its root uses a keyword the walk does not implement, in which
/// case every input takes the general path.
pub(super) fn compile(schema: &Value) -> Option<Guide> {
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
        if let Some(reference) = alias_of(schema) {
            let key = reference.as_str().unwrap_or_default();
            if let Some(&id) = self.refs.get(key) {
                return id;
            }
            let id = self.push();
            self.refs.insert(key, id);
            match target(self.root, reference) {
                Ok(resolved) => self.fill(id, resolved, depth + 1),
                // A reference the reader cannot follow: the general path reports it.
                Err(_) => self.nodes[id as usize].unsupported = true,
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
                k if is_annotation(k) => true,
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
                "format" if value.as_str().is_some_and(is_number_format) => true,
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
                // `contains`, `dependentRequired`, ...) is left to the general path.
                _ => false,
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
