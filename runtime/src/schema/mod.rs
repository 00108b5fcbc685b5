//! JSON Schemas as schemars generates them: the root schema of a type, and what schemars'
//! keywords mean. Works on schema JSON only; nothing here knows about tasks.

mod formats;
mod generate;

pub use generate::schema_for;
pub(crate) use generate::{SchemaFunctions, root_schema};
