//! YAML parsed again into a tree of span-aware nodes.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::source::Located;
use crate::types::Position;

pub(super) fn locate(text: &str, tokens: &[String]) -> Option<Located> {
    let root: Spanned<Node> = serde_saphyr::from_str(text).ok()?;
    let mut node = &root;
    let mut key = None;
    for token in tokens {
        match &node.value {
            Node::Map(entries) => {
                let (found_key, value) = entries
                    .iter()
                    .rev()
                    .find(|(name, _)| name.value.0.as_deref() == Some(token.as_str()))?;
                key = Some(position(found_key)?);
                node = value;
            }
            Node::Seq(items) => {
                if token.len() > 1 && token.starts_with('0') {
                    return None;
                }
                node = items.get(token.parse::<usize>().ok()?)?;
                key = None;
            }
            Node::Scalar => return None,
        }
    }
    Some(Located {
        value: position(node)?,
        key,
    })
}

pub(super) fn syntax_error_position(text: &str) -> Option<Position> {
    let error = serde_saphyr::from_str::<serde_json::Value>(text).err()?;
    let location = error.location()?;
    to_position(location)
}

fn position<T>(spanned: &Spanned<T>) -> Option<Position> {
    to_position(spanned.referenced)
}

fn to_position(location: serde_saphyr::Location) -> Option<Position> {
    let line = usize::try_from(location.line()).ok()?;
    let column = usize::try_from(location.column()).ok()?;
    (line > 0 && column > 0).then_some(Position { line, column })
}

/// A YAML node, keeping only its structure and the spans of its children.
enum Node {
    Scalar,
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<Key>, Spanned<Node>)>),
}

/// A mapping key, as text when it is a scalar.
struct Key(Option<String>);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

macro_rules! scalar_visits {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method<E: de::Error>(self, _value: $ty) -> Result<Self::Value, E> {
            Ok(Node::Scalar)
        })*
    };
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    scalar_visits!(
        visit_bool: bool, visit_i64: i64, visit_i128: i128, visit_u64: u64, visit_u128: u128,
        visit_f64: f64, visit_str: &str, visit_bytes: &[u8],
    );

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Key, E> {
        Ok(Key(Some(value.to_owned())))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Key, E> {
        Ok(Key(Some(value.to_string())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Key, E> {
        Ok(Key(Some(value.to_string())))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Key, E> {
        Ok(Key(Some(value.to_string())))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Key, E> {
        Ok(Key(Some(value.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        Ok(Key(Some("null".to_owned())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Key, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Key(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Key(None))
    }
}
