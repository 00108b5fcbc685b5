//! What the type of a task's dynamic data must implement.

use std::fmt;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

/// Every bound of [`Task::DynamicData`](super::Task::DynamicData) in one trait, implemented for
/// every type that has them all: `serde::Deserialize` (the data is read into it),
/// `schemars::JsonSchema` (it is validated against its schema, published beside the task's),
/// and `Debug + Send + Sync + 'static` (a running task's context holds it).
///
/// The derive writes the type where `dynamic_data = Type` names it, so that a missing trait is
/// reported there, once, by name. (rustc names the missing trait itself for the bound of an
/// associated type, so a `diagnostic::on_unimplemented` here would never be shown.)
pub trait DynamicDataBounds:
    DeserializeOwned + JsonSchema + fmt::Debug + Send + Sync + 'static
{
}
impl<T: DeserializeOwned + JsonSchema + fmt::Debug + Send + Sync + 'static> DynamicDataBounds
    for T
{
}
