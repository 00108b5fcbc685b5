//! Release forms: one task, the data of several releases of the engine that sends it.
//!
//! An engine may change a task's data without changing the task's version: every one of
//! Debusine's worker tasks kept `TASK_VERSION = 1` from 0.11 to 0.16 while keys were renamed,
//! split and added. The version key cannot tell a worker which data it will get, so the release
//! of the engine must be said beside the data.
//!
//! A task keeps one struct, the one [`Execute`](crate::Execute) is written against, and names
//! the release whose data it is: `#[task(version = 1, release = "0.16")]`. Each older release
//! whose data differs has a struct of its own, its *release form*, and a conversion into the
//! task's struct that the compiler checks (`From`, or `TryFrom` with `Error =
//! TaskConfigError` for rules of that release alone): `older(release = "0.11", data = Sbuild011)`.
//! The same goes for the dynamic data (`dynamic_data = ...` in `older(...)`). This is
//! Kubernetes' served versions with conversion, checked at compile time instead of by a webhook.
//!
//! The semantics, which [`select`] implements:
//! - A task that names no release has one form, used for every release: nothing changes for it.
//! - A task that names releases has one form per release; each form has its own JSON Schema,
//!   docs page and compatibility history.
//! - Configuring in release `R` reads the data with `R`'s form (its schema, then serde), converts
//!   it into the task's struct, then runs the task's own rules ([`Execute::validate`]), so that
//!   `execute` always sees a value that satisfies them. `R` is found by name (`"0.16"`), or as the
//!   longest release that is a dotted prefix of it (`"0.16.2"` is `"0.16"`).
//! - A release the task has no form for is refused with one [`ViolationKind::Release`]
//!   violation that names the releases it has: never a silent guess.
//!
//! [`Execute::validate`]: crate::Execute::validate

use std::any::Any;
use std::convert::Infallible;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::dyn_task::DynTask;
use crate::configure::{
    CompiledSchema, Paths, TaskInput, Walk, WalkError, nothing_read, read_with,
};
use crate::execution::AnyDynamicData;
use crate::types::release_names;
use crate::types::{TaskConfigError, Violation, ViolationKind};

/// What a read of one form produces: the value, converted, or why the conversion refused it.
type Converted<T> = Option<Result<T, TaskConfigError>>;

/// Reads a form's struct from a walk and converts it into the task, boxed.
type ReadTask = fn(&mut Walk<'_, '_>, &mut Converted<Box<dyn DynTask>>) -> Result<(), WalkError>;

/// Reads a form's dynamic data from a walk and converts it into the task's.
type ReadDynamicData =
    fn(&mut Walk<'_, '_>, &mut Converted<AnyDynamicData>) -> Result<(), WalkError>;

/// One release's form of a task's data and dynamic data: the struct that release's data is read
/// into, its JSON Schema, and the conversion into the task's own struct.
///
/// The derive writes one per release (`Task::release_forms`), the task's own first; a task that
/// names no release has a single form whose [`release`](ReleaseForm::release) is `None`, used
/// for every release. How a release finds its form: [`Task::configure_in`](crate::Task::configure_in).
pub struct ReleaseForm {
    pub(super) release: Option<&'static str>,
    pub(super) data: DataForm,
    pub(super) dynamic_data: DynamicDataForm,
}

/// How one release's task data is read: its type, schema and reader. Written by the derive.
#[doc(hidden)]
pub struct DataForm {
    type_name: fn() -> &'static str,
    compiled: fn() -> &'static CompiledSchema,
    read: ReadTask,
}

impl DataForm {
    /// Data `F`, checked against the schema `compiled` gives, converted into the task `T`.
    pub const fn of<T: DynTask, F: DeserializeOwned + IntoTaskData<T>>(
        compiled: fn() -> &'static CompiledSchema,
    ) -> DataForm {
        DataForm {
            type_name: std::any::type_name::<F>,
            compiled,
            read: read_converted::<F, T>,
        }
    }
}

/// How one release's dynamic data is read: its type, schema and reader. Written by the derive.
#[doc(hidden)]
pub struct DynamicDataForm {
    type_name: fn() -> &'static str,
    compiled: fn() -> &'static CompiledSchema,
    read: ReadDynamicData,
}

impl DynamicDataForm {
    /// Dynamic data `D`, checked against the schema `compiled` gives, converted into `E`, the
    /// task's dynamic data.
    pub const fn of<E: Any + Send + Sync, D: DeserializeOwned + IntoTaskData<E>>(
        compiled: fn() -> &'static CompiledSchema,
    ) -> DynamicDataForm {
        DynamicDataForm {
            type_name: std::any::type_name::<D>,
            compiled,
            read: read_dynamic_converted::<D, E>,
        }
    }
}

impl ReleaseForm {
    /// An older release's form.
    #[doc(hidden)]
    pub const fn older(
        release: &'static str,
        data: DataForm,
        dynamic_data: DynamicDataForm,
    ) -> ReleaseForm {
        ReleaseForm {
            release: Some(release),
            data,
            dynamic_data,
        }
    }

    /// The release this form is the data of; `None` for a task whose data is the same in every
    /// release.
    pub fn release(&self) -> Option<&'static str> {
        self.release
    }

    /// The Rust path of the form's struct (`my_tasks::debusine_0_11::Sbuild`).
    pub fn type_name(&self) -> &'static str {
        (self.data.type_name)()
    }

    /// The Rust type of the form's dynamic data.
    pub fn dynamic_data_type_name(&self) -> &'static str {
        (self.dynamic_data.type_name)()
    }

    /// The form's JSON Schema (draft 2020-12).
    pub fn schema(&self) -> &'static Value {
        (self.data.compiled)().schema()
    }

    /// The JSON Schema of the form's dynamic data.
    pub fn dynamic_data_schema(&self) -> &'static Value {
        (self.dynamic_data.compiled)().schema()
    }

    /// Validates `data` against this form, converts it into the task, then runs the task's
    /// own rules.
    pub fn configure<'a>(
        &self,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<Box<dyn DynTask>, TaskConfigError> {
        configure_boxed(self, data.into())
    }

    /// Validates dynamic data against this form's schema and converts it into the task's.
    pub fn configure_dynamic_data<'a>(
        &self,
        data: impl Into<TaskInput<'a>>,
    ) -> Result<AnyDynamicData, TaskConfigError> {
        let mut read = None;
        let form = &self.dynamic_data;
        read_with((form.compiled)(), data.into(), Paths::Both, &mut |walk| {
            (form.read)(walk, &mut read)
        })?;
        read.ok_or_else(nothing_read)?
    }
}

impl std::fmt::Debug for ReleaseForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReleaseForm")
            .field("release", &self.release)
            .field("type_name", &self.type_name())
            .finish_non_exhaustive()
    }
}

/// The task-data type of an older release converts into the task's (or its dynamic data into
/// the task's dynamic data): implemented for every type with `TryInto<T>` whose error is a
/// [`TaskConfigError`] or cannot happen, so `impl From<Old> for New` is enough.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is named as an older release's form of `{T}` but does not convert into it",
    label = "no conversion from `{Self}` into `{T}`",
    note = "add `impl From<{Self}> for {T}`, or `impl TryFrom<{Self}> for {T}` with `type Error = taskdef::TaskConfigError` for a rule of that release alone"
)]
pub trait IntoTaskData<T> {
    /// The conversion.
    fn into_task_data(self) -> Result<T, TaskConfigError>;
}

impl<T, F> IntoTaskData<T> for F
where
    F: TryInto<T>,
    F::Error: Into<TaskConfigError>,
{
    fn into_task_data(self) -> Result<T, TaskConfigError> {
        self.try_into().map_err(Into::into)
    }
}

impl From<Infallible> for TaskConfigError {
    fn from(never: Infallible) -> TaskConfigError {
        match never {}
    }
}

/// Reads `F` and converts it into the task `T`.
fn read_converted<F: DeserializeOwned + IntoTaskData<T>, T: DynTask>(
    walk: &mut Walk<'_, '_>,
    out: &mut Converted<Box<dyn DynTask>>,
) -> Result<(), WalkError> {
    let form = F::deserialize(walk.root())?;
    *out = Some(
        form.into_task_data()
            .map(|task| Box::new(task) as Box<dyn DynTask>),
    );
    Ok(())
}

/// Reads dynamic data `D` and converts it into `E`, the task's.
fn read_dynamic_converted<D, E>(
    walk: &mut Walk<'_, '_>,
    out: &mut Converted<AnyDynamicData>,
) -> Result<(), WalkError>
where
    D: DeserializeOwned + IntoTaskData<E>,
    E: Any + Send + Sync,
{
    let form = D::deserialize(walk.root())?;
    *out = Some(form.into_task_data().map(AnyDynamicData::new));
    Ok(())
}

/// A form's schema and reader, then the task's own rules.
fn configure_boxed(
    form: &ReleaseForm,
    input: TaskInput<'_>,
) -> Result<Box<dyn DynTask>, TaskConfigError> {
    let mut task = None;
    let data = &form.data;
    read_with((data.compiled)(), input, Paths::Both, &mut |walk| {
        (data.read)(walk, &mut task)
    })?;
    let task = task.ok_or_else(nothing_read)??;
    task.validate()?;
    Ok(task)
}

/// The form of `forms` (a task's, own first) for `release`: see the [module](self) docs.
///
/// `task` names the task in the error.
pub(crate) fn select<'f>(
    task: &str,
    forms: &'f [ReleaseForm],
    release: &str,
) -> Result<&'f ReleaseForm, TaskConfigError> {
    if let [only] = forms
        && only.release.is_none()
    {
        return Ok(only);
    }
    let found = forms
        .iter()
        .filter(|form| {
            form.release
                .is_some_and(|name| release_names(name, release))
        })
        .max_by_key(|form| form.release.map_or(0, str::len));
    found.ok_or_else(|| unknown_release(task, forms, release))
}

fn unknown_release(task: &str, forms: &[ReleaseForm], release: &str) -> TaskConfigError {
    let known: Vec<&str> = forms.iter().filter_map(|form| form.release).collect();
    let message = format!(
        "{task} has no task data for release {release}; it has the data of {}",
        known.join(", ")
    );
    let violation = Violation::new(
        ViolationKind::Release {
            release: release.to_owned(),
            known: known.iter().map(|&name| name.to_owned()).collect(),
        },
        "",
        message.clone(),
    );
    let mut error = TaskConfigError::from_violations(vec![violation]);
    error.add_parent_message(&format!("release {release}"));
    error
}

/// Converts a configured task back into its type, for `Task::configure_in`.
pub(crate) fn downcast_task<T: Any>(task: Box<dyn DynTask>) -> Result<T, TaskConfigError> {
    let any: Box<dyn Any + Send + Sync> = task;
    any.downcast::<T>()
        .map(|task| *task)
        .map_err(|_| type_mismatch(std::any::type_name::<T>()))
}

/// The error for a form whose conversion produced another type than the task's: the derive
/// writes forms of the task's own type only, so this is a registry built by hand gone wrong.
pub(crate) fn type_mismatch(type_name: &str) -> TaskConfigError {
    TaskConfigError::from_violations(vec![Violation::new(
        ViolationKind::Deserialize,
        "",
        format!("the release form did not produce a `{type_name}`"),
    )])
}
