//! Debusine's lookups: how task data names artifacts and collection items, one module a kind.
//!
//! - [`LookupSingle`] (`single`): an integer (an artifact or collection id) or a string
//!   (`"debian/match:codename=bookworm"`, `"123@artifacts"`, ...).
//! - [`LookupDict`] (`dict`): a query over a collection's items, with matchers on their name and
//!   data.
//! - [`LookupMultiple`] (`multiple`): a list of single lookups and lookup objects, or one lookup
//!   object alone.
//!
//! The server resolves lookups; a worker only passes them on. The catalogue checks their shape,
//! which is all Debusine checks when it configures a task.

mod dict;
mod multiple;
mod single;

pub(crate) use dict::RULE_MATCHERS;
pub use dict::{ChildType, LookupDict, Matcher, MatcherKind};
pub use multiple::{LookupFilter, LookupItem, LookupMultiple};
pub use single::LookupSingle;

/// The default of every task's `task_configuration`.
pub const DEFAULT_TASK_CONFIGURATION: &str = "default@debusine:task-configuration";

/// `Some("default@debusine:task-configuration")`: the default of `task_configuration`.
pub fn default_task_configuration() -> Option<LookupSingle> {
    Some(LookupSingle::Path(DEFAULT_TASK_CONFIGURATION.to_owned()))
}
