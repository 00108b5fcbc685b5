//! Turning task data (JSON, YAML or a `Value`) into a typed value, with every error reported.
//!
//! [`TaskInput`] is the data, [`CompiledSchema`] the schema compiled once per task type, and
//! `pipeline` the two paths: the fast path (`fast`) reads the struct from the text in one
//! checked pass; the general path parses, validates and explains. Nothing here knows about the
//! task traits: it reads any `DeserializeOwned` type against a compiled schema.

mod compiled;
mod fast;
mod input;
mod messages;
mod pipeline;
mod violations;

pub use compiled::CompiledSchema;
pub(crate) use fast::{Walk, WalkError};
pub use input::TaskInput;
pub(crate) use pipeline::{
    Paths, deserialize_fast_first, fast_only, general_only, nothing_read, read_with,
};
