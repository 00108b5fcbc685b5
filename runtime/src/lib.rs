//! taskdef: declare the tasks of a build farm as typed Rust structs.
//!
//! `#[derive(Task)]` on a task-data struct gives it a registered lowercase name, a version and
//! version key, a JSON Schema (draft 2020-12) and a [`Task::configure`] that turns JSON or YAML
//! into the struct, checking the schema and the task's own rules. The [`Execute`] trait holds
//! what the derive cannot know: cross-field rules, worker requirements and the work itself.
//!
//! The model is Debusine's `Task` class; see the README for the mapping.
//!
//! # The API
//!
//! Defining tasks:
//! - [`Task`] (the trait and its derive), [`Execute`], [`TaskKind`];
//! - [`ReleaseForm`]: one task, the data of several releases of the engine that sends it
//!   (`#[task(release = "0.16", older(release = "0.11", data = ...))]`), [`compare_releases`];
//! - [`Rules`]: every broken cross-field rule of [`Execute::validate`], each at its pointer;
//! - [`Secret`]: a field never printed (`writeOnly` in the schema, [`REDACTED`] in `Debug`).
//!
//! Configuring a task from its data:
//! - [`TaskInput`] (JSON text or bytes, YAML, a `Value`), [`MAX_INPUT_BYTES`];
//! - [`TaskConfigError`], made of [`Violation`]s, each with a [`ViolationKind`] and perhaps a
//!   [`Position`] in the text and a JSON pointer to the value ([`pointer`](mod@pointer) builds
//!   and reads them).
//!
//! Finding tasks by name:
//! - [`Registry`] (every task linked in), [`TaskEntry`], [`DynTask`] (a configured task of any
//!   type), [`LookupError`], [`ConfigureByNameError`], [`DuplicateTask`].
//!
//! Workers:
//! - [`WorkerMetadata`], [`WorkerType`], [`keys`] (Debusine's key names), [`system_metadata`],
//!   [`program_on_path`];
//! - [`TaskMetadata`] (a task's own keys, written), [`TaskKeys`] (read back), [`Unmet`],
//!   [`RunCheckFailure`], [`check_can_run_on`], [`can_run_on`];
//! - [`schedule`]: Debusine's scheduling pass over pending work requests and idle workers.
//!
//! Running a task:
//! - [`TaskContext`], [`TaskError`], [`AbortHandle`], [`ServerClient`],
//!   [`execute_logging_errors`], [`Outcome`] (how it ended, Debusine 0.16's results);
//! - dynamic data, what the server computes for a task when it assigns the work
//!   ([`Task::DynamicData`], `#[task(dynamic_data = Type)]`): [`BaseDynamicData`] (what every
//!   task receives), [`AnyDynamicData`] (typed through the registry);
//! - [`CommandLine`], [`CommandRunner`], [`CommandStatus`], [`ProcessRunner`];
//! - artifacts through the context: [`NewArtifact`], [`ArtifactFile`], [`FetchedArtifact`],
//!   [`RelationType`], [`ArtifactId`], [`RecordedArtifacts`], [`files_under`];
//! - [`paths`]: the checks of file names in artifacts and work directories, and (feature
//!   `worker`) the sha256 of files as Debusine keeps them.
//!
//! # Features
//!
//! - `cli`: the `taskdef` command line, `cli::main()`; enables `docs`, `locate` and `compat`.
//! - `docs`: Markdown pages generated from the registry (the `docs` module).
//! - `locate`: line and column of a violation in the text it came from (the `locate` module).
//! - `compat`: schema evolution, which changes between two published schemas of a task keep its
//!   old task data valid with the same meaning (the `compat` module).
//! - `worker`: join a Debusine server as an external worker: [`ExternalWorker`] for a program
//!   of its own, without the command line (and without clap); with `cli`, `taskdef worker`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The modules, bottom-up: each imports only from those before it in this list (checked by
// `tests/layers.rs`).
//
// 1. `types`: violations and errors, task and worker kinds. Plain data, no behaviour.
// 2. `schema`: JSON Schemas as schemars writes them, and `schema::read`, the one reader of a
//    schema's references, `allOf`, alternatives, nullable forms and annotation keywords, which
//    every module above reads schemas through.
// 3. `compat`: how two versions of a schema differ (behind its feature). Schema JSON only.
// 4. `parse`: JSON and YAML text into a `serde_json::Value`.
// 5. `configure`: task data into a typed value, against a compiled schema (fast and general path).
// 6. `metadata`, `execution`: what a task reads from and writes to its worker, and what it works
//    with when it runs. The task traits are written in these terms, so they come first.
// 7. `task`: the `Task` and `Execute` traits, and what is done with a task.
// 8. `registry`: every task linked in, by name.
// 9. `schedule`: assigning work requests to workers.
// 10. `locate`: for the command line, behind its feature.
// 11. `docs`: for the command line, behind its feature.
// 12. `client`: work requests run as a worker runs them, and (feature `worker`) the Debusine API
//     client, WebSocket and worker loop.
// 13. `cli`: the command line, `taskdef run` and `taskdef worker` included.
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
#[cfg(any(feature = "cli", feature = "worker"))]
mod client;
#[cfg(feature = "compat")]
#[cfg_attr(docsrs, doc(cfg(feature = "compat")))]
pub mod compat;
mod configure;
#[cfg(feature = "docs")]
#[cfg_attr(docsrs, doc(cfg(feature = "docs")))]
pub mod docs;
mod execution;
#[cfg(feature = "locate")]
#[cfg_attr(docsrs, doc(cfg(feature = "locate")))]
pub mod locate;
mod metadata;
mod parse;
mod registry;
pub mod schedule;
mod schema;
mod task;
#[cfg(test)]
#[path = "../../examples/tests/support/rng.rs"]
mod test_rng;
mod types;

#[cfg(feature = "worker")]
#[cfg_attr(docsrs, doc(cfg(feature = "worker")))]
pub use client::embed::{ExternalWorker, WorkerError, WorkerOptions};
pub use configure::TaskInput;
pub use execution::paths;
pub use execution::{
    AbortHandle, AnyDynamicData, ArtifactFile, ArtifactId, BaseDynamicData, CommandLine,
    CommandRunner, CommandStatus, FetchedArtifact, NewArtifact, Outcome, ProcessRunner,
    RecordedArtifacts, RelationType, ServerClient, TaskContext, TaskError, UnknownOutcome,
    files_under,
};
pub use metadata::{
    RunCheckFailure, TaskKeys, TaskMetadata, Unmet, WorkerMetadata, keys, program_on_path,
    system_metadata,
};
pub use parse::MAX_INPUT_BYTES;
pub use registry::{ConfigureByNameError, DuplicateTask, LookupError, Registry, TaskEntry};
pub use task::{
    DynTask, Execute, ReleaseForm, Task, can_run_on, check_can_run_on, execute_logging_errors,
};
pub use types::{
    Position, REDACTED, Rules, Secret, TaskConfigError, TaskKind, Violation, ViolationKind,
    WorkerType, compare_releases, pointer,
};

/// The fast and the general path of [`Task::configure`] one at a time, without the task's own
/// rules: for the differential tests and the benchmarks that hold one to the other. Not a
/// public API: they may change in any release.
#[doc(hidden)]
pub use task::{fast_path, general_path};

/// Derives [`Task`] for a struct: see the README for the `#[task(...)]` attribute.
pub use taskdef_macros::Task;

/// What the derive's generated code uses. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    use crate::Task;
    pub use crate::configure::CompiledSchema;
    pub use crate::execution::BaseDynamicData;
    pub use crate::registry::{TASKS, TaskEntry};
    pub use linkme;
    pub use linkme::distributed_slice;
    pub use std::sync::OnceLock;

    /// Implemented for every `serde::Deserialize` type; asserted by the derive so that a missing
    /// `#[derive(Deserialize)]` is reported with this message, at the struct's name.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` derives `Task` but does not implement `serde::Deserialize`",
        label = "task data is deserialized into `{Self}`",
        note = "add `#[derive(serde::Deserialize)]` to `{Self}`"
    )]
    pub trait DeserializeTaskData {}
    impl<T: serde::de::DeserializeOwned> DeserializeTaskData for T {}

    /// Implemented for every `schemars::JsonSchema` type; asserted by the derive so that a
    /// missing `#[derive(JsonSchema)]` is reported with this message, at the struct's name.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` derives `Task` but does not implement `schemars::JsonSchema`",
        label = "task data is validated against the JSON Schema of `{Self}`",
        note = "add `#[derive(schemars::JsonSchema)]` to `{Self}`",
        note = "taskdef needs schemars 1: with `schemars = \"0.8\"` in Cargo.toml, \
                `#[derive(JsonSchema)]` implements schemars 0.8's trait, not this one"
    )]
    pub trait JsonSchemaTaskData {}
    impl<T: schemars::JsonSchema> JsonSchemaTaskData for T {}

    /// What task data needs besides `Execute`: the derive's `impl Task` is bounded on it with a
    /// higher-ranked where clause, so that a missing trait does not fail there (trivial bounds
    /// are unstable, rust-lang/rust#48214) but in [`entry`], with the messages above.
    pub trait TaskData: serde::de::DeserializeOwned + schemars::JsonSchema {}
    impl<T: serde::de::DeserializeOwned + schemars::JsonSchema> TaskData for T {}

    /// A task's compiled schema, built on first use. Not generic, and `compile` a function
    /// pointer, so that the once-only machinery is compiled once, not again for every task.
    pub fn compiled(
        cell: &'static OnceLock<CompiledSchema>,
        compile: fn() -> CompiledSchema,
    ) -> &'static CompiledSchema {
        cell.get_or_init(compile)
    }

    /// The registry entry of `T`; the extra bounds name what is missing when `T` is not a task.
    pub const fn entry<T: Task + DeserializeTaskData + JsonSchemaTaskData>() -> TaskEntry {
        TaskEntry::of::<T>()
    }

    pub use crate::task::DynamicDataBounds;
    pub use crate::task::{DataForm, DynamicDataForm, IntoTaskData, ReleaseForm};

    /// The compiled schema of `T`'s dynamic data, for the derive's `__compiled_dynamic_data`:
    /// through `T`, so that a dynamic data type without a schema is reported once, at the type.
    pub fn dynamic_data_schema<T: Task>() -> CompiledSchema {
        CompiledSchema::new::<T::DynamicData>()
    }

    /// Every supertrait of `Task` at once: the bound of the derive's fallback stub impl.
    pub trait TaskBounds:
        crate::Execute
        + serde::de::DeserializeOwned
        + schemars::JsonSchema
        + std::fmt::Debug
        + Send
        + Sync
        + 'static
    {
    }
    impl<T> TaskBounds for T where
        T: crate::Execute
            + serde::de::DeserializeOwned
            + schemars::JsonSchema
            + std::fmt::Debug
            + Send
            + Sync
            + 'static
    {
    }

    /// The schema `description` schemars derives from a doc comment, for `Task::DESCRIPTION`.
    ///
    /// `doc` is the `///` lines, each without its first space, joined with `\n` (as schemars
    /// joins them). Surrounding ASCII whitespace is trimmed; a first line starting with `#` is
    /// schemars' `title`, so it is left out and the rest trimmed again.
    pub const fn doc_description(doc: &'static str) -> &'static str {
        let mut bytes = doc.as_bytes().trim_ascii();
        if let [b'#', ..] = bytes {
            let mut end = 0;
            while end < bytes.len() && bytes[end] != b'\n' {
                end += 1;
            }
            bytes = bytes.split_at(end).1.trim_ascii();
        }
        // Cutting valid UTF-8 at ASCII bytes leaves valid UTF-8.
        match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => doc,
        }
    }
}

/// The README's examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
