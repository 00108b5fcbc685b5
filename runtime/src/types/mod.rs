//! The plain types at the bottom of the crate: what is wrong with task data and where (JSON
//! pointers), the kinds of tasks and workers, and the dynamic data every task receives. Nothing here imports from the rest of the crate.

mod dynamic_data;
mod kind;
pub mod pointer;
mod rules;
mod violation;

pub use dynamic_data::BaseDynamicData;
pub use kind::{TaskKind, WorkerType};
pub use rules::Rules;
pub use violation::{Position, TaskConfigError, Violation, ViolationKind};
