//! A task's schema compiled once: the validator of the general path and the guide of the fast path.

use std::fmt;

use jsonschema::{Draft, Validator};
use schemars::JsonSchema;
use serde_json::Value;

use super::fast::Guide;
use super::violations::violations_of;
use crate::schema::{SchemaFunctions, root_schema};
use crate::types::Violation;

/// A task's schema and its compiled validator, built once per task type.
pub struct CompiledSchema {
    schema: Value,
    validator: Validator,
    /// The schema compiled for the fast path; `None` when the fast path cannot handle it.
    guide: Option<Guide>,
}

impl CompiledSchema {
    /// Generates `T`'s schema (draft 2020-12) and compiles its validator.
    ///
    /// Formats are asserted (`date-time`, `email`, ...); formats the validator does not know,
    /// such as schemars' `uint32`, are ignored, since the type already bounds them.
    pub fn new<T: JsonSchema>() -> CompiledSchema {
        // Generic only as far as it must be: this is compiled again for each task.
        let functions = SchemaFunctions {
            name: T::schema_name,
            id: T::schema_id,
            schema: T::json_schema,
        };
        CompiledSchema::compile(root_schema(functions), std::any::type_name::<T>())
    }

    fn compile(schema: Value, type_name: &str) -> CompiledSchema {
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&schema)
            .unwrap_or_else(|error| {
                // Only reachable if schemars emits an invalid schema: a bug, not bad input.
                panic!("the generated schema of `{type_name}` does not compile: {error}")
            });
        let guide = Guide::new(&schema);
        CompiledSchema {
            schema,
            validator,
            guide,
        }
    }

    /// The guide of the fast path; `None` when the fast path cannot handle this schema.
    pub(crate) fn guide(&self) -> Option<&Guide> {
        self.guide.as_ref()
    }

    /// The schema as JSON.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Every schema violation of `instance`; empty when it is valid.
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(instance)
            .flat_map(|error| violations_of(&self.schema, &error))
            .collect()
    }
}

impl fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledSchema")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}
