//! The `#[derive(Task)]` macro of taskdef; use it through `taskdef::Task`.
//!
//! The crate is split as the well-known derive crates are: `ast` reads the input once into a
//! small model (with `attr` reading `#[task(...)]`), `valid` runs every check that spans
//! several attributes, `expand` generates the code of a valid task, and `fallback` emits the
//! errors plus a stub impl when something is wrong.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod valid;

use proc_macro::TokenStream;

/// Derives `taskdef::Task` for a task-data struct, and registers the task.
///
/// ```text
/// /// Build a Debian source package.        <- the task's DESCRIPTION and schema description
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]            <- required (or `#[task(allow_unknown_fields)]`)
/// #[task(version = 1, name = "sbuild", kind = worker)]
/// pub struct Sbuild { /* named fields */ }
/// ```
///
/// # `#[task(...)]`
///
/// One or more `#[task(...)]` attributes on the struct; each key at most once in all of them.
///
/// | key | value | default |
/// |---|---|---|
/// | `version` | an integer literal from 0 to 4294967295 (`u32`), e.g. `version = 1` | required |
/// | `name` | a string literal: ASCII lowercase letters, digits and `_`, starting with a letter | the type name lowercased |
/// | `kind` | `worker`, `server`, `signing`, `wait` or `internal`, as a bare word (`kind = server`) or a string (`kind = "server"`) | `worker` |
/// | `dynamic_data` | the type of the task's dynamic data, e.g. `dynamic_data = SbuildDynamicData` (or a string, as serde writes types) | `taskdef::BaseDynamicData` |
/// | `allow_unknown_fields` | none: a flag | unknown keys must be refused |
/// | `crate` | the path of the `taskdef` crate, e.g. `crate = my_framework::taskdef` (or a string, as serde writes it) | `::taskdef` |
///
/// - `version` is what the scheduler compares with the worker's `<prefix>:version` key; it is
///   written without a suffix (`1u32` is accepted too). Negative numbers, floats, strings and
///   constants are rejected.
/// - The name, given or derived from the type name, must follow the rule above because it
///   becomes metadata keys such as `sbuild:version`: it can never contain `:`. A type name that
///   does not lowercase to a valid name (e.g. `_Private`) needs an explicit `name`.
/// - `kind` maps to `taskdef::TaskKind::{Worker, Server, Signing, Wait, Internal}`.
/// - Debusine refuses task data with keys the task does not define, so the struct must carry
///   `#[serde(deny_unknown_fields)]` (which schemars also writes into the schema as
///   `additionalProperties: false`); a task that must accept unknown keys says so with
///   `allow_unknown_fields`. Without either, or with both, the derive fails.
/// - `dynamic_data` names the type of what the server computes for the task when it assigns the
///   work (`Task::DynamicData`); the type must implement `serde::Deserialize`,
///   `schemars::JsonSchema`, `Debug`, `Send`, `Sync` and be `'static`, and a missing trait is
///   reported at the type as written in the attribute.
/// - `crate` is for a crate that re-exports taskdef to its users, who then need not depend on
///   it: the generated code names `<path>::__private::...` instead of `::taskdef::...`.
///
/// # Supported items
///
/// Only a struct with named fields (including `struct Noop {}`) and no generic parameters:
/// task data is a JSON object whose keys are the field names, and each task is one concrete type
/// in a link-time registry, which cannot hold one entry per instantiation of a generic type.
/// Enums, unions, tuple and unit structs, and generic structs (type, lifetime or const
/// parameters) are compile errors. `#[task]` on a field is an error too.
///
/// The struct must also implement `serde::Deserialize`, `schemars::JsonSchema`, `Debug`, and
/// `taskdef::Execute` (by hand); a missing one is reported at the struct's name.
///
/// # Generated items
///
/// In a `const _: () = { ... };` block: `impl taskdef::Task` with `NAME`, `VERSION`, `KIND`,
/// `DESCRIPTION`, `TYPE_NAME` (`module_path!()::Type`), `DynamicData` and a cached compiled
/// schema for each of the task data and the dynamic data; the task's
/// entry in the link-time registry; and a hidden `#[macro_export]` macro named after the task
/// name (`__taskdef_task_named_<name>`, or `__taskdef_<kind>_task_named_<name>` for signing,
/// wait and internal tasks), so that two tasks of one crate claiming the same name are a
/// compile error that reads "the name `__taskdef_task_named_<name>` is defined multiple times". As in Debusine, a worker and a server task may
/// not share a name, while a name may be reused across the other kinds.
///
/// `DESCRIPTION` is the struct's doc comment exactly as schemars puts it in the schema's
/// `description`: the `///` lines with one leading space removed, joined with newlines, trimmed;
/// a first line starting with `#` is the schema's title and is left out of both. (A
/// `#[schemars(description = "...")]` override is not followed: `DESCRIPTION` stays the doc
/// comment.)
#[proc_macro_derive(Task, attributes(task))]
pub fn derive_task(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    let mut errors = ctxt::Errors::default();
    let model = ast::Input::from_syn(&input, &mut errors);
    match valid::check(&model, errors) {
        Ok(task) => expand::expand(&task),
        Err(error) => fallback::expand(&model, error),
    }
    .into()
}
