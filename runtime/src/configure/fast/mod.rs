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
//!
//! # Compile time: what each task costs
//!
//! Every task's `Deserialize` is instantiated with this module's deserializer, in the task's
//! crate, once per visitor and seed. Whatever that generic code calls is compiled again for
//! every one of them, so the code here keeps to these rules. A change that breaks one shows in
//! `bench/compile-time` (see BENCHMARKS.md), not in a test: run it before and after.
//!
//! - [ ] Generic methods (`Deserializer`, `SeqAccess`, `MapAccess`, `EnumAccess`,
//!   `VariantAccess` in `walk.rs`) only hand a token to the visitor. Reading, schema checks and
//!   bookkeeping are plain methods of `Walk`, `SeqWalk` and `MapWalk`, compiled once here.
//! - [ ] Nothing that needs dropping lives in a generic method's frame: no drop glue per
//!   visitor.
//! - [ ] `match` rather than `Option`/`Result` combinators (`map`, `and_then`, `is_ok`, ...)
//!   in generic code: each combinator is one more function per visitor (see `then_read!`, and
//!   the `clippy::redundant_pattern_matching` allowance in `walk.rs`).
//! - [ ] Errors found after a visitor returned are deferred to [`Walk::end`], so that no generic
//!   code handles them.
//! - [ ] One `EnumAccess` for unit and data variants, so each enum's visitor is compiled once.
//! - [ ] The JSON reader (`parse::json`, shared with the locator) is not generic at all.
//! - [ ] One instantiation of each task's `Deserialize` serves both paths: the general path
//!   reads its validated value back through this deserializer with checks off, not through
//!   `serde_json::Value`.
//! - [ ] Outside this module: per task, only the closure that deserializes the struct
//!   ([`ReadTask`]) and the registry entry's reader are generic; the pipeline around them
//!   (`configure::pipeline::read_with`), schema generation (`schema::root_schema`, through a
//!   stand-in type) and compilation (`__private::compiled`, through a function pointer) are
//!   compiled once.

mod check;
mod compile;
mod node;
mod scalar;
mod unique;
mod walk;

use serde_json::Value;

pub(crate) use node::Guide;
pub(crate) use walk::{Error as WalkError, Walk};

/// Deserializes a task's struct from a walk (and keeps it): the one piece of `configure`
/// compiled for each task, everything around it is compiled once.
pub(crate) type ReadTask<'r> = dyn FnMut(&mut Walk<'_, '_>) -> Result<(), WalkError> + 'r;

impl Guide {
    /// Compiles `schema`; `None` if its root uses a keyword the walk does not implement, in which
    /// case every input takes the general path.
    pub(crate) fn new(schema: &Value) -> Option<Guide> {
        compile::compile(schema)
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
}

#[cfg(test)]
mod tests {
    use super::node::{Guide, ROOT, json_type};
    use super::scalar::{Number, Scalar};
    use super::unique::SeenStack;

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
