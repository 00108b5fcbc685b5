//! Where a JSON pointer's value sits in the text it was parsed from, for diagnostics with line
//! and column.
//!
//! [`TaskConfigError`] violations carry a JSON pointer; [`locate_positions`] fills in their
//! [`Position`] from the JSON or YAML text the data came from. JSON is scanned directly (strings
//! and escapes included); YAML is parsed again with `serde-saphyr`'s span-aware values.
//!
//! A violation points at the value its pointer names, except:
//! - a missing required property points at the object that lacks it;
//! - an unknown property ([`ViolationKind::UnknownKey`]) points at its key;
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

mod json;
mod source;
mod yaml;

pub use source::{Located, SourceFormat};

use crate::types::{Position, TaskConfigError, Violation, ViolationKind, pointer};

/// Finds the value at `pointer` (RFC 6901; `""` is the whole document) in `text`.
///
/// `None` if the text does not parse or the pointer leads nowhere. Where an object repeats a
/// key, the last one counts, as it does for the parsers.
pub fn locate(text: &str, format: SourceFormat, pointer: &str) -> Option<Located> {
    let tokens = pointer::tokens(pointer)?;
    match format {
        SourceFormat::Json => json::locate(text, &tokens),
        SourceFormat::Yaml => yaml::locate(text, &tokens),
    }
}

/// Fills in the [`Position`] of every violation of `error` that lacks one, from the text the
/// task data was parsed from (see the [module docs](self) for where each kind points).
///
/// A violation that cannot be placed keeps `None`. The error's message is left as it was made,
/// prefixes added with [`add_parent_message`](TaskConfigError::add_parent_message) included;
/// each violation's `Display` shows its position.
pub fn locate_positions(error: &mut TaskConfigError, text: &str, format: SourceFormat) {
    for violation in error.violations_mut() {
        if violation.position.is_none() {
            violation.position = position_of(violation, text, format);
        }
    }
}

/// Where one violation should point, per the rules in the module docs.
fn position_of(violation: &Violation, text: &str, format: SourceFormat) -> Option<Position> {
    if violation.kind == ViolationKind::Syntax {
        return match format {
            // serde_json's own position is set when the error is made.
            SourceFormat::Json => None,
            SourceFormat::Yaml => yaml::syntax_error_position(text),
        };
    }
    if let ViolationKind::UnknownKey { .. } = violation.kind {
        // The pointer names the key itself.
        if let Some(found) = locate(text, format, &violation.pointer) {
            return Some(found.key.unwrap_or(found.value));
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
    fn positions_fill_in_and_keep_the_parent_message() {
        let text = "{\n  \"a\": {\"b\": 1, \"extra\": 2}\n}";
        let mut error = TaskConfigError::from_violations(vec![
            Violation {
                kind: ViolationKind::UnknownKey {
                    name: "extra".into(),
                },
                pointer: "/a/extra".into(),
                schema_path: "/properties/a/additionalProperties".into(),
                message: "Additional properties are not allowed ('extra' was unexpected)".into(),
                position: None,
            },
            Violation {
                kind: ViolationKind::MissingKey { name: "c".into() },
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
        assert!(
            error
                .message()
                .starts_with("task noop: /a/extra: Additional")
        );
    }

    /// The locator decodes `\u` escapes by the rule the fast path's reader and `serde_json`
    /// follow: a surrogate pair is one character, a lone surrogate (or a malformed escape) is
    /// not JSON.
    #[test]
    fn escapes_in_keys_are_read_as_serde_json_reads_them() {
        let pair = r#"{"\ud83d\ude00": 1}"#;
        let key: serde_json::Value = serde_json::from_str(pair).unwrap();
        assert!(key.get("\u{1f600}").is_some());
        assert!(locate(pair, SourceFormat::Json, "/\u{1f600}").is_some());
        for text in [
            r#"{"\ud800": 1}"#,
            r#"{"\udc00": 1}"#,
            r#"{"\ud800\u0041": 1}"#,
            r#"{"\u+041": 1}"#,
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text}"
            );
            for key in ["\u{fffd}", "A", "\u{fffd}A"] {
                let pointer = pointer::child("", key);
                assert_eq!(
                    locate(text, SourceFormat::Json, &pointer),
                    None,
                    "{text} {key}"
                );
            }
        }
    }
}
