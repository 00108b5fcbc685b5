//! JSON Schemas as schemars generates them: the root schema of a type, and what schemars'
//! keywords mean. Works on schema JSON only; nothing here knows about tasks.
//!
//! [`read`] is the one reader of a schema's shape (references, `allOf`, alternatives, nullable
//! forms, which keywords annotate): everything above that reads a schema reads it through it.

mod formats;
mod generate;
pub(crate) mod read;

pub(crate) use formats::is_number_format;
#[cfg(feature = "docs")]
pub(crate) use formats::restates_bounds;
pub(crate) use generate::{SchemaFunctions, root_schema};
