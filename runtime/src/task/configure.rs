//! The two paths of `Task::configure` one at a time, for tests and benchmarks that hold one
//! to the other.

use super::traits::Task;
use crate::configure::{TaskInput, fast_only, general_only};
use crate::types::TaskConfigError;

/// The fast path alone, without the task's `validate`: the struct if the input is JSON that is
/// valid for the schema and was checked in one typed pass, `None` if it could not tell.
///
/// Public so that tests and benchmarks can hold it to the general path.
pub fn fast_path<T: Task>(input: &TaskInput<'_>) -> Option<T> {
    fast_only::<T>(T::__compiled(), input)
}

/// The general path alone, without the task's `validate`: parse, check every schema keyword,
/// deserialize. The authority on what is valid, and the path that explains what is not.
pub fn general_path<T: Task>(input: TaskInput<'_>) -> Result<T, TaskConfigError> {
    general_only::<T>(T::__compiled(), input)
}
