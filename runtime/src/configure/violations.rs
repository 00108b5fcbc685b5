//! A validator error as violations: its structured kind read into a [`ViolationKind`] with its
//! data, its pointer moved to the key for an unknown key, its message reworded where the
//! validator's own is unhelpful.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::messages::{declared_message, explain_alternatives};
use crate::types::pointer;
use crate::types::{Violation, ViolationKind};

/// The violations one validator error stands for: one per unknown key, otherwise one.
pub(super) fn violations_of(schema: &Value, error: &ValidationError<'_>) -> Vec<Violation> {
    let schema_path = error.schema_path().as_str().to_owned();
    let pointer = error.instance_path().as_str().to_owned();
    let instance = error.instance();
    let declared = declared_message(schema, &schema_path, instance);
    let violation = |kind, pointer, message: String| Violation {
        kind,
        pointer,
        schema_path: schema_path.clone(),
        message: declared.clone().unwrap_or(message),
        position: None,
    };
    let kind = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            return unexpected
                .iter()
                .map(|name| {
                    violation(
                        ViolationKind::UnknownKey { name: name.clone() },
                        pointer::child(&pointer, name),
                        format!("Additional properties are not allowed ('{name}' was unexpected)"),
                    )
                })
                .collect();
        }
        ValidationErrorKind::Required { property } => ViolationKind::MissingKey {
            name: match property {
                Value::String(name) => name.clone(),
                other => other.to_string(),
            },
        },
        ValidationErrorKind::Type { kind } => ViolationKind::Type {
            expected: match kind {
                TypeKind::Single(single) => vec![single.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|each| each.to_string()).collect(),
            },
        },
        ValidationErrorKind::Enum { options } => ViolationKind::Enum {
            allowed: options.as_array().cloned().unwrap_or_default(),
        },
        ValidationErrorKind::Constant { expected_value } => ViolationKind::Enum {
            allowed: vec![Value::clone(expected_value)],
        },
        ValidationErrorKind::Pattern { pattern } => ViolationKind::Pattern {
            pattern: pattern.clone(),
        },
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => ViolationKind::Range {
            keyword: error.kind().keyword().to_owned(),
            limit: limit.clone(),
        },
        ValidationErrorKind::MinLength { limit }
        | ValidationErrorKind::MaxLength { limit }
        | ValidationErrorKind::MinItems { limit }
        | ValidationErrorKind::MaxItems { limit }
        | ValidationErrorKind::MinProperties { limit }
        | ValidationErrorKind::MaxProperties { limit } => ViolationKind::Range {
            keyword: error.kind().keyword().to_owned(),
            limit: Value::from(*limit),
        },
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            if let Some((kind, message)) = explain_alternatives(schema, &schema_path, instance) {
                return vec![violation(kind, pointer, message)];
            }
            ViolationKind::Schema {
                keyword: error.kind().keyword().to_owned(),
            }
        }
        other => ViolationKind::Schema {
            keyword: other.keyword().to_owned(),
        },
    };
    vec![violation(kind, pointer, error.to_string())]
}
