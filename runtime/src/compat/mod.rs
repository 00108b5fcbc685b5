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
//!
//! A task with one form of data per release of its engine is compared form by form, each with
//! the old publication's form of the same release (`taskdef compat` does the pairing). A
//! publication that names no release, written before the task named any, is read as the data of
//! the task's **oldest** release form: when an author first names releases, the struct they had
//! becomes an older release's form and the new engine's data the task's own. A release the old
//! publication does not have is new: nothing to compare, nothing blocking.

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
