//! Schema evolution: which changes between two published versions of a task's JSON Schema keep
//! the task data that was valid before valid, with the same meaning.
//!
//! The comparison works on the schemas alone (`serde_json::Value`, as schemars 1 writes them),
//! so it needs nothing else of this crate: [`compare`] walks two schemas side by side and
//! returns every [`Change`] with its [`Class`]; [`compare_tasks`] does it for two sets of
//! published tasks and adds new, removed and re-kinded tasks. What cannot be decided from the
//! schemas (a changed `pattern`, an unknown keyword) is [`Class::Undecidable`] and counts as
//! breaking.
//!
//! A task whose data may be read differently must get a new version: [`TaskReport::blocks`]
//! says when a breaking change kept the old one.

mod change;
mod classify;
pub mod history;
mod tasks;

pub use change::{Change, Class, What};
pub use classify::compare;
pub use tasks::{
    DYNAMIC_DATA_POINTER, PublishedTask, TaskEvent, TaskReport, changes_between, compare_tasks,
};

#[cfg(test)]
mod tests;
