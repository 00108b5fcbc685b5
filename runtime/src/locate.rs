//! Where a JSON pointer's value sits in the text it was parsed from, for diagnostics with line
//! and column.
//!
//! [`TaskConfigError`] violations carry a JSON pointer; [`locate_positions`] fills in their
//! [`Position`] from the JSON or YAML text the data came from. JSON is scanned directly (strings
//! and escapes included); YAML is parsed again with `serde-saphyr`'s span-aware values.
//!
//! A violation points at the value its pointer names, except:
//! - a missing required property points at the object that lacks it;
//! - an unknown property points at its key;
//! - a pointer that cannot be followed points at the nearest ancestor that can.
//!
//! ```
//! use taskdef::locate::{SourceFormat, locate};
//!
//! let text = "{\n  \"input\": {\"source\": 4}\n}";
//! let found = locate(text, SourceFormat::Json, "/input/source").unwrap();
//! assert_eq!((found.value.line, found.value.column), (2, 23));
//! let key = found.key.unwrap();
//! assert_eq!((key.line, key.column), (2, 13));
//! ```

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::configure::{Position, TaskConfigError, Violation, ViolationKind};

/// The syntax of a task-data text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// JSON.
    Json,
    /// YAML (1.2).
    Yaml,
}

impl SourceFormat {
    /// By extension: `.json` is JSON, `.yaml` and `.yml` are YAML, anything else is unknown.
    pub fn from_path(path: &Path) -> Option<SourceFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(SourceFormat::Json),
            "yaml" | "yml" => Some(SourceFormat::Yaml),
            _ => None,
        }
    }

    /// By content: JSON if the first significant character opens an object or array, else YAML.
    ///
    /// (A YAML flow mapping such as `{a: 1}` is therefore read as JSON; name the format
    /// explicitly for such text.)
    pub fn sniff(text: &str) -> SourceFormat {
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('{' | '[') => SourceFormat::Json,
            _ => SourceFormat::Yaml,
        }
    }

    /// `json` or `yaml`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Json => "json",
            SourceFormat::Yaml => "yaml",
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a pointer's value is, and the key that leads to it when its parent is an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The first character of the value.
    pub value: Position,
    /// The first character of the key (its opening quote in JSON), if the parent is an object.
    pub key: Option<Position>,
}

/// Finds the value at `pointer` (RFC 6901; `""` is the whole document) in `text`.
///
/// `None` if the text does not parse or the pointer leads nowhere. Where an object repeats a
/// key, the last one counts, as it does for the parsers.
pub fn locate(text: &str, format: SourceFormat, pointer: &str) -> Option<Located> {
    let tokens = parse_pointer(pointer)?;
    match format {
        SourceFormat::Json => json::locate(text, &tokens),
        SourceFormat::Yaml => yaml::locate(text, &tokens),
    }
}

/// Fills in the [`Position`] of every violation of `error` that lacks one, from the text the
/// task data was parsed from (see the [module docs](self) for where each kind points).
///
/// A violation that cannot be placed keeps `None`. The error's message is rebuilt so that it
/// shows the positions; a prefix added with
/// [`add_parent_message`](TaskConfigError::add_parent_message) is kept.
pub fn locate_positions(error: &mut TaskConfigError, text: &str, format: SourceFormat) {
    for violation in error.violations_mut() {
        if violation.position.is_none() {
            violation.position = position_of(violation, text, format);
        }
    }
}

/// Where one violation should point, per the rules in the module docs.
pub fn position_of(violation: &Violation, text: &str, format: SourceFormat) -> Option<Position> {
    if violation.kind == ViolationKind::Syntax {
        return match format {
            // serde_json's own position is set when the error is made.
            SourceFormat::Json => None,
            SourceFormat::Yaml => yaml::syntax_error_position(text),
        };
    }
    let schema_keyword = violation.schema_path.rsplit('/').next().unwrap_or("");
    if violation.kind == ViolationKind::Schema
        && matches!(
            schema_keyword,
            "additionalProperties" | "unevaluatedProperties"
        )
    {
        for name in unexpected_properties(&violation.message) {
            let pointer = format!("{}/{}", violation.pointer, escape_token(&name));
            if let Some(found) = locate(text, format, &pointer) {
                return Some(found.key.unwrap_or(found.value));
            }
        }
    }
    // Otherwise the value itself, or its nearest ancestor that can be found.
    let mut pointer = violation.pointer.as_str();
    loop {
        if let Some(found) = locate(text, format, pointer) {
            return Some(found.value);
        }
        pointer = &pointer[..pointer.rfind('/')?];
    }
}

/// The names in the validator's "Additional properties are not allowed ('a', 'b' were
/// unexpected)".
pub(crate) fn unexpected_properties(message: &str) -> Vec<String> {
    let Some(start) = message.find("('") else {
        return Vec::new();
    };
    let rest = &message[start + 1..];
    let end = rest
        .rfind("' were unexpected)")
        .or_else(|| rest.rfind("' was unexpected)"))
        .unwrap_or(rest.len());
    let list = &rest[..end];
    list.trim_start_matches('\'')
        .split("', '")
        .map(str::to_owned)
        .collect()
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The reference tokens of a JSON pointer; `None` if it is not one.
fn parse_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Line and column (1-based; columns count characters) of a byte offset.
fn position_at(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

mod json {
    //! A scanner over JSON text that follows a pointer without building the document.

    use super::{Located, position_at};

    pub(super) fn locate(text: &str, tokens: &[String]) -> Option<Located> {
        let mut scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        };
        if scanner.bytes.starts_with("\u{feff}".as_bytes()) {
            scanner.pos = 3;
        }
        let (value, key) = scanner.find(tokens)?;
        Some(Located {
            value: position_at(text, value),
            key: key.map(|key| position_at(text, key)),
        })
    }

    struct Scanner<'t> {
        text: &'t str,
        bytes: &'t [u8],
        pos: usize,
    }

    impl Scanner<'_> {
        /// Follows `tokens` from the current position: the value's offset, and its key's.
        fn find(&mut self, tokens: &[String]) -> Option<(usize, Option<usize>)> {
            let mut key = None;
            for token in tokens {
                self.skip_ws();
                match self.peek()? {
                    b'{' => key = Some(self.enter_member(token)?),
                    b'[' => {
                        self.enter_element(token)?;
                        key = None;
                    }
                    _ => return None,
                }
            }
            self.skip_ws();
            self.peek()?;
            Some((self.pos, key))
        }

        /// In an object: moves to the value of the last member called `name`; its key's offset.
        fn enter_member(&mut self, name: &str) -> Option<usize> {
            self.pos += 1;
            let mut found = None;
            loop {
                self.skip_ws();
                match self.peek()? {
                    b'}' => break,
                    b',' => {
                        self.pos += 1;
                        continue;
                    }
                    b'"' => {}
                    _ => return None,
                }
                let key_start = self.pos;
                let key = self.read_string()?;
                self.skip_ws();
                if self.peek()? != b':' {
                    return None;
                }
                self.pos += 1;
                self.skip_ws();
                if key == name {
                    found = Some((key_start, self.pos));
                }
                self.skip_value()?;
            }
            let (key_start, value_start) = found?;
            self.pos = value_start;
            Some(key_start)
        }

        /// In an array: moves to the element at `index`.
        fn enter_element(&mut self, index: &str) -> Option<()> {
            if index.len() > 1 && index.starts_with('0') {
                return None;
            }
            let index: usize = index.parse().ok()?;
            self.pos += 1;
            let mut current = 0;
            loop {
                self.skip_ws();
                match self.peek()? {
                    b']' => return None,
                    b',' => {
                        self.pos += 1;
                        continue;
                    }
                    _ => {}
                }
                if current == index {
                    return Some(());
                }
                self.skip_value()?;
                current += 1;
            }
        }

        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.pos).copied()
        }

        fn skip_ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
        }

        fn skip_value(&mut self) -> Option<()> {
            self.skip_ws();
            match self.peek()? {
                b'"' => self.read_string().map(drop),
                open @ (b'{' | b'[') => {
                    let close = if open == b'{' { b'}' } else { b']' };
                    self.pos += 1;
                    loop {
                        self.skip_ws();
                        match self.peek()? {
                            byte if byte == close => {
                                self.pos += 1;
                                return Some(());
                            }
                            b',' | b':' => self.pos += 1,
                            _ => self.skip_value()?,
                        }
                    }
                }
                _ => {
                    // A number or a literal: up to the next delimiter.
                    let start = self.pos;
                    while let Some(byte) = self.peek() {
                        if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                            break;
                        }
                        self.pos += 1;
                    }
                    (self.pos > start).then_some(())
                }
            }
        }

        /// Reads a string starting at its opening quote, decoding escapes.
        fn read_string(&mut self) -> Option<String> {
            self.pos += 1;
            let mut out = String::new();
            loop {
                let start = self.pos;
                while let Some(byte) = self.peek() {
                    if byte == b'"' || byte == b'\\' {
                        break;
                    }
                    self.pos += 1;
                }
                out.push_str(self.text.get(start..self.pos)?);
                match self.peek()? {
                    b'"' => {
                        self.pos += 1;
                        return Some(out);
                    }
                    _ => {
                        self.pos += 1;
                        let escape = self.peek()?;
                        self.pos += 1;
                        match escape {
                            b'"' => out.push('"'),
                            b'\\' => out.push('\\'),
                            b'/' => out.push('/'),
                            b'b' => out.push('\u{8}'),
                            b'f' => out.push('\u{c}'),
                            b'n' => out.push('\n'),
                            b'r' => out.push('\r'),
                            b't' => out.push('\t'),
                            b'u' => out.push(self.read_unicode_escape()?),
                            _ => return None,
                        }
                    }
                }
            }
        }

        /// After `\u`: four hex digits, and a low surrogate's escape if they are a high one.
        fn read_unicode_escape(&mut self) -> Option<char> {
            let first = self.read_hex4()?;
            if (0xD800..0xDC00).contains(&first) {
                if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                    self.pos += 2;
                    let second = self.read_hex4()?;
                    if (0xDC00..0xE000).contains(&second) {
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        return char::from_u32(code);
                    }
                }
                return Some(char::REPLACEMENT_CHARACTER);
            }
            Some(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER))
        }

        fn read_hex4(&mut self) -> Option<u32> {
            let digits = self.text.get(self.pos..self.pos + 4)?;
            let value = u32::from_str_radix(digits, 16).ok()?;
            self.pos += 4;
            Some(value)
        }
    }
}

mod yaml {
    //! YAML parsed again into a tree of span-aware nodes.

    use super::*;

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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, format: SourceFormat, pointer: &str) -> Option<(usize, usize)> {
        locate(text, format, pointer).map(|found| (found.value.line, found.value.column))
    }

    fn key_at(text: &str, format: SourceFormat, pointer: &str) -> Option<(usize, usize)> {
        locate(text, format, pointer)
            .and_then(|found| found.key)
            .map(|key| (key.line, key.column))
    }

    const JSON: &str = r#"{
  "a\"b": {"x": [1, {"y": "v"}]},
  "tricky": "}]{[\",",
  "debug_level": 4,
  "é": "ü", "after": true,
  "a/b~c": null,
  "dup": 1, "dup": 2
}"#;

    #[test]
    fn json_values_and_keys() {
        use SourceFormat::Json;
        assert_eq!(at(JSON, Json, ""), Some((1, 1)));
        assert_eq!(at(JSON, Json, "/a\"b"), Some((2, 11)));
        assert_eq!(at(JSON, Json, "/a\"b/x/1/y"), Some((2, 27)));
        assert_eq!(key_at(JSON, Json, "/a\"b/x/1/y"), Some((2, 22)));
        assert_eq!(at(JSON, Json, "/debug_level"), Some((4, 18)));
        assert_eq!(key_at(JSON, Json, "/debug_level"), Some((4, 3)));
        // Columns count characters, not bytes.
        assert_eq!(at(JSON, Json, "/after"), Some((5, 22)));
        assert_eq!(at(JSON, Json, "/a~1b~0c"), Some((6, 12)));
        assert_eq!(at(JSON, Json, "/dup"), Some((7, 20)));
        assert_eq!(at(JSON, Json, "/a\"b/x/2"), None);
        assert_eq!(at(JSON, Json, "/missing"), None);
        assert_eq!(at(JSON, Json, "/debug_level/0"), None);
        assert_eq!(at(JSON, Json, "no-slash"), None);
    }

    #[test]
    fn json_escapes_in_keys() {
        let text = r#"{"\u00e9\ud83d\ude00": 1, "t\tab": 2}"#;
        assert_eq!(at(text, SourceFormat::Json, "/é😀"), Some((1, 24)));
        assert_eq!(at(text, SourceFormat::Json, "/t\tab"), Some((1, 36)));
    }

    const YAML: &str = "\
debug_level: 4
input:
  source_artifact: 12
  items:
    - one
    - {k: v}
\"quoted key\": 'x'
";

    #[test]
    fn yaml_values_and_keys() {
        use SourceFormat::Yaml;
        assert_eq!(at(YAML, Yaml, "/debug_level"), Some((1, 14)));
        assert_eq!(key_at(YAML, Yaml, "/debug_level"), Some((1, 1)));
        assert_eq!(at(YAML, Yaml, "/input/source_artifact"), Some((3, 20)));
        assert_eq!(key_at(YAML, Yaml, "/input/source_artifact"), Some((3, 3)));
        assert_eq!(at(YAML, Yaml, "/input/items/1/k"), Some((6, 11)));
        assert_eq!(at(YAML, Yaml, "/quoted key"), Some((7, 15)));
        assert_eq!(at(YAML, Yaml, "/input/items/5"), None);
        assert!(at(YAML, Yaml, "").is_some());
        assert!(at(YAML, Yaml, "/input").is_some());
    }

    #[test]
    fn yaml_syntax_error_has_a_position() {
        let position = yaml::syntax_error_position("a: [1, 2\nb: c\n").unwrap();
        assert!(position.line >= 1);
    }

    #[test]
    fn unexpected_property_names() {
        assert_eq!(
            unexpected_properties("Additional properties are not allowed ('foo' was unexpected)"),
            ["foo"]
        );
        assert_eq!(
            unexpected_properties(
                "Additional properties are not allowed ('a', 'b' were unexpected)"
            ),
            ["a", "b"]
        );
    }

    #[test]
    fn positions_fill_in_and_keep_the_parent_message() {
        let text = "{\n  \"a\": {\"b\": 1, \"extra\": 2}\n}";
        let mut error = TaskConfigError::from_violations(vec![
            Violation {
                kind: ViolationKind::Schema,
                pointer: "/a".into(),
                schema_path: "/properties/a/additionalProperties".into(),
                message: "Additional properties are not allowed ('extra' was unexpected)".into(),
                position: None,
            },
            Violation {
                kind: ViolationKind::Schema,
                pointer: "/a".into(),
                schema_path: "/properties/a/required".into(),
                message: "\"c\" is a required property".into(),
                position: None,
            },
            Violation::new(ViolationKind::Rule, "/a/b/deeper", "broken rule"),
        ]);
        error.add_parent_message("task noop");
        locate_positions(&mut error, text, SourceFormat::Json);
        let positions: Vec<_> = error
            .violations()
            .iter()
            .map(|violation| violation.position.map(|p| (p.line, p.column)))
            .collect();
        assert_eq!(positions, [Some((2, 17)), Some((2, 8)), Some((2, 14))]);
        assert!(error.message().starts_with("task noop: /a: Additional"));
    }
}
