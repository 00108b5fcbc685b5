//! Worker metadata: what a worker reports about itself, what a task adds to it, and the base
//! checks of whether a worker can run a task. Nothing here knows about task types; the check of
//! a configured task is in [`crate::task`].

mod check;
mod filter;
pub mod keys;
mod system;
mod tags;
mod task;
mod unmet;
mod worker;

pub use check::RunCheckFailure;
pub(crate) use check::check_base;
pub(crate) use filter::NameFilter;
pub use system::{program_on_path, system_metadata};
pub(crate) use tags::{TaggedTask, provided_tags};
pub use task::TaskMetadata;
pub(crate) use task::worker_metadata;
pub use unmet::Unmet;
pub use worker::{TaskKeys, WorkerMetadata};
