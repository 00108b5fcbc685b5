//! Task types: the [`Task`] and [`Execute`] traits, [`DynTask`] for a configured task of any
//! type, and what is done with one: configure it, check it against a worker, run it.

mod can_run;
mod configure;
mod dyn_task;
mod dynamic_data;
mod erased;
mod execute;
mod release;
mod traits;

pub use can_run::{can_run_on, check_can_run_on};
pub use configure::{fast_path, general_path};
pub use dyn_task::DynTask;
pub use dynamic_data::DynamicDataBounds;
pub use execute::execute_logging_errors;
pub(crate) use release::select as select_form;
pub use release::{DataForm, DynamicDataForm, IntoTaskData, ReleaseForm};
pub use traits::{Execute, Task};
