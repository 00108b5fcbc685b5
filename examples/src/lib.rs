//! Debusine's worker tasks as taskdef task definitions.
//!
//! One typed struct per task of Debusine's worker catalogue, all 13, written against Debusine
//! 0.16's data (0.16.2, Debian sid and trixie-backports): [`tasks::Noop`], [`tasks::Sbuild`],
//! [`tasks::Lintian`], [`tasks::Autopkgtest`], [`tasks::Mmdebstrap`],
//! [`tasks::SimpleSystemImageBuild`], [`tasks::Piuparts`], [`tasks::Blhc`], [`tasks::Debdiff`],
//! [`tasks::MakeSourcePackageUpload`], [`tasks::ExtractForSigning`],
//! [`tasks::AssembleSignedSource`] and [`tasks::MergeUploads`]; their Debusine 0.11 forms
//! (0.11.3, Debian 13's own) are in [`debusine_0_11`]. Each has Debusine's wire names, types, defaults and
//! constraints, so its generated JSON Schema is the task's documentation and `configure`
//! accepts what Debusine accepts; the cross-field rules are in each task's `validate` hook, with
//! Debusine's messages, at the JSON pointer of the offending value.
//!
//! Beside each task that has its own is the type of its dynamic data (`SbuildDynamicData`, ...,
//! declared with `#[task(dynamic_data = ...)]`): Debusine's `*DynamicData` model of the same
//! name, field for field, the artifact ids the server resolved the task's lookups to.
//! `noop`, `mmdebstrap` and `simplesystemimagebuild` get only what every task gets,
//! [`dynamic_data::BaseDynamicData`] (each release's: 0.11's is
//! [`debusine_0_11::BaseDynamicData`]).
//!
//! Tasks whose data changed between Debusine releases name the release of their struct
//! (`release = "0.16"`) and keep the older release's form beside it, converted into it:
//! [`debusine_0_11`] has Debusine 0.11's (every task of the catalogue: sbuild, autopkgtest,
//! piuparts, lintian, noop, blhc, debdiff, mmdebstrap, simplesystemimagebuild,
//! makesourcepackageupload).
//!
//! The shared pieces are written once: [`lookup`] (single and multiple lookups, lookup objects
//! and their matcher keys), [`executor`] (the `backend` and the worker checks that follow from
//! it), [`repository`] (extra APT repositories) and [`bootstrap`] (what mmdebstrap and
//! simplesystemimagebuild share), [`signing`] (signing templates, and the inputs and failures
//! of the signing and merge tasks). [`artifacts`] is how a task gets its input artifacts (fetched by
//! the ids of its dynamic data, or found locally offline), [`categories`] the artifacts it
//! uploads (Debusine's categories and their data), [`deb822`] the control files it reads.
//!
//! # Linking
//!
//! Tasks register themselves at link time. A binary or test that names nothing from this crate
//! does not link it, and its tasks are then missing from [`taskdef::Registry::global`]: add
//! `use taskdef_examples as _;`.
//!
//! # Stricter than Debusine
//!
//! Debusine's task data models are pydantic models (pydantic 1 in 0.11, 2 in 0.16), which
//! coerce values. taskdef does not: the published schema says what is accepted, and
//! `configure` accepts exactly that.
//!
//! - A JSON string is never taken as a boolean or an integer: `"true"`, `"no"` and `"2"` are
//!   refused where Debusine would read `true`, `false` and `2`.
//! - A number is never taken as a string: `"suite": 12` is refused.
//! - A boolean is never taken as a lookup (pydantic reads `true` as the integer lookup `1`), nor
//!   is a float (`5.5` is refused, not truncated).
//! - `binnmu.timestamp` must be an RFC 3339 date-time (`2024-05-01T12:00:00Z`); pydantic also
//!   takes other date spellings and Unix timestamps.
//! - An integer is never taken as a boolean (pydantic reads `1` and `0` as `true` and `false`);
//!   and, where Debusine 0.11's pydantic 1 takes them, a boolean is never taken as a string
//!   (`"True"`) nor a list of pairs as an object (`[]` as `{}`).
//!
//! Four more refusals are no coercion, each of a value that nothing can use:
//!
//! - An id the server resolved, in the dynamic data (`environment_id`, `input_*_ids`, 0.11's
//!   `task_configuration_id`...), is never negative: Debusine's models take any integer, but its
//!   ids are database keys, and its API serves none that is negative (its URLs, such as
//!   `artifact/<int:artifact_id>/`, match `[0-9]+`), so the task would fail when it fetches the
//!   artifact; the catalogue says so when it reads the dynamic data. (An integer lookup in the
//!   task data may be negative, as in Debusine: the server resolves it, and says what it
//!   finds.)
//! - simplesystemimagebuild's `disk_image.filename` has no `/`: the image is
//!   `<filename>.qcow2` (or `.tar.xz`) in the work directory, and Debusine, which takes a
//!   path there, writes it outside the work directory (`/etc/x`, `../x`) or under a directory
//!   a fresh work directory does not have (`a/b`), which fails only after the whole build.
//! - Every entry of a lookup object's normalised form is checked: of two `data_matchers` (or
//!   `lookup_filters`) entries for one name, or an entry and a key for the same target
//!   (`data__x` beside `data_matchers: [["x", ...]]`, `name` beside `name_matcher`), Debusine
//!   keeps the later and drops the other unread, whatever it holds; the catalogue refuses an
//!   invalid one too. No server writes such a lookup: the form it sends has one entry per
//!   target.
//! - Integers are 64-bit, as Debusine's database ids are: pydantic takes any integer
//!   (`9223372036854775808` as a lookup), the catalogue none beyond its field's 64-bit type
//!   (from 2^63 up for a lookup).
//!
//! Debusine's own test and documentation examples (the conformance cases) get the same verdict
//! from the catalogue as from Debusine; `tests/conformance_models.rs` holds each release's
//! real models to that, on generated documents too, with these coercions and these four
//! refusals as the only exceptions, each counted by name.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod artifacts;
pub mod bootstrap;
pub mod categories;
pub mod deb822;
pub mod debusine_0_11;
pub mod debversion;
pub mod dynamic_data;
pub mod executor;
pub mod lintian_report;
pub mod lookup;
pub mod repository;
mod schema;
pub mod signing;
pub mod tasks;
