//! JSON Schemas as schemars generates them: the root schema of a type, and what schemars'
//! keywords mean. Works on schema JSON only; nothing here knows about tasks.

mod formats;
mod generate;
mod shape;

pub(crate) use formats::is_number_format;
#[cfg(feature = "docs")]
pub(crate) use formats::restates_bounds;
pub(crate) use generate::{SchemaFunctions, root_schema};
pub(crate) use shape::{ANNOTATIONS, alias_of, alternatives, resolve};
#[cfg(feature = "docs")]
pub(crate) use shape::{const_choices, is_null_schema, ref_name, strip_null, unwrap_all_of};
