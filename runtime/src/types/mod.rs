//! The plain types at the bottom of the crate: what is wrong with task data and where (JSON
//! pointers), and the kinds of tasks and workers. Nothing here imports from the rest of the crate.

mod kind;
pub mod pointer;
mod release;
mod rules;
mod secret;
mod violation;

pub use kind::{TaskKind, WorkerType};
pub use release::compare_releases;
pub(crate) use release::names as release_names;
pub use rules::Rules;
pub use secret::{REDACTED, Secret};
pub use violation::{Position, TaskConfigError, Violation, ViolationKind};
