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
//!
//! Debusine 0.16 added `in` matchers and `error_on_empty` to lookup objects; 0.11 has neither,
//! and takes a matcher without a `value`. The types here read 0.16's lookups;
//! [`LookupMultiple011`] reads a multiple lookup as 0.11 does (its schema too), for the 0.11
//! forms of the tasks ([`crate::debusine_0_11`]), and converts into [`LookupMultiple`].

mod dict;
mod multiple;
mod single;

pub(crate) use dict::RULE_MATCHERS;
pub use dict::{ChildType, LookupDict, Matcher, MatcherKind};
pub use multiple::{LookupFilter, LookupItem, LookupMultiple, LookupMultiple011};
pub use single::LookupSingle;

/// Which release's lookups a reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// Debusine 0.11: no `in` matchers, no `error_on_empty`; a matcher's `value` may be missing.
    V011,
    /// Debusine 0.16.
    V016,
}

impl Dialect {
    /// The release, as messages name it.
    fn release(self) -> &'static str {
        match self {
            Dialect::V011 => "0.11",
            Dialect::V016 => "0.16",
        }
    }

    /// Whether the release has matchers of `kind`.
    fn has(self, kind: MatcherKind) -> bool {
        self == Dialect::V016 || kind != MatcherKind::In
    }

    /// The release's matcher kinds, for messages.
    fn kind_names(self) -> &'static str {
        match self {
            Dialect::V011 => "`exact`, `contains`, `endswith`, `startswith`",
            Dialect::V016 => "`exact`, `contains`, `endswith`, `in`, `startswith`",
        }
    }
}

/// The default of every task's `task_configuration`.
pub const DEFAULT_TASK_CONFIGURATION: &str = "default@debusine:task-configuration";

/// `Some("default@debusine:task-configuration")`: the default of `task_configuration`.
pub fn default_task_configuration() -> Option<LookupSingle> {
    Some(LookupSingle::Path(DEFAULT_TASK_CONFIGURATION.to_owned()))
}
