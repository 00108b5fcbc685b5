//! The catalogue's tasks as Debusine 0.11 (0.11.3, Debian trixie) sends them: one struct per
//! task whose data differs from Debusine 0.16's, each converted into the task's own struct
//! ([`crate::tasks`]), which is what `execute` is written against.
//!
//! What differs for every task (Debusine 0.11's `BaseTaskData` and `BaseTaskDataWithExecutor`):
//!
//! - `task_configuration` defaults to null (no configuration), where 0.16 defaults to
//!   `default@debusine:task-configuration`; a null converts to a null;
//! - the executor fields are `backend` and `environment` only: there is no
//!   `build_architecture`, and the tasks that need an architecture have their own
//!   `host_architecture`, which becomes `build_architecture`;
//! - an extra repository is always external: [`ExtraRepository`] here, with no `architectures`,
//!   converted into an external [`repository::ExtraRepository`];
//! - the dynamic data's base ([`BaseDynamicData`]) has `task_configuration_id` and no
//!   `task_input_fields`, so every task has a 0.11 form of its dynamic data, even those with
//!   none of their own (there it is [`BaseDynamicData`] alone); in the tasks with extra
//!   repositories, it has no resolved `extra_repositories`: the worker then uses the task
//!   data's own (see [`repository::to_add`]).
//!
//! The messages are Debusine 0.11's (pydantic 1), where they differ from 0.16's.

pub mod assemblesignedsource;
pub mod autopkgtest;
pub mod blhc;
pub mod debdiff;
pub mod extractforsigning;
pub mod lintian;
pub mod makesourcepackageupload;
pub mod mergeuploads;
pub mod mmdebstrap;
pub mod noop;
pub mod piuparts;
pub mod sbuild;
pub mod simplesystemimagebuild;

pub use assemblesignedsource::{AssembleSignedSource, AssembleSignedSourceDynamicData};
pub use autopkgtest::{Autopkgtest, AutopkgtestDynamicData};
pub use blhc::{Blhc, BlhcDynamicData};
pub use debdiff::{Debdiff, DebdiffDynamicData};
pub use extractforsigning::{ExtractForSigning, ExtractForSigningDynamicData};
pub use lintian::{Lintian, LintianDynamicData};
pub use makesourcepackageupload::{MakeSourcePackageUpload, MakeSourcePackageUploadDynamicData};
pub use mergeuploads::{MergeUploads, MergeUploadsDynamicData};
pub use mmdebstrap::Mmdebstrap;
pub use noop::Noop;
pub use piuparts::{Piuparts, PiupartsDynamicData};
pub use sbuild::{Sbuild, SbuildDynamicData};
pub use simplesystemimagebuild::SimpleSystemImageBuild;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dynamic_data;
use crate::repository::{self, ExternalRepository, URL_WITH_HOST};

/// What a Debusine 0.11 server computes for every task when it assigns the work (its
/// `BaseDynamicTaskData`): 0.16's with `task_configuration_id` and without `task_input_fields`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseDynamicData {
    /// A short human-readable summary of the work request's most important parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_summary: Option<String>,
    /// What the task works on, grouping inputs expected to behave alike, for statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The parameters that most change how the task runs, for statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_context: Option<String>,
    /// The id of the task-configuration collection the server found for `task_configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_configuration_id: Option<u64>,
    /// The stable name of the main inputs, under which configuration is looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_context: Option<String>,
}

impl From<BaseDynamicData> for dynamic_data::BaseDynamicData {
    /// `task_configuration_id` is dropped: it is the server's record of the collection it took
    /// the task's configuration from, which no task reads, and 0.16 no longer sends it.
    fn from(old: BaseDynamicData) -> Self {
        dynamic_data::BaseDynamicData {
            parameter_summary: old.parameter_summary,
            subject: old.subject,
            runtime_context: old.runtime_context,
            configuration_context: old.configuration_context,
            task_input_fields: serde_json::Map::new(),
        }
    }
}

/// One extra APT repository as Debusine 0.11 has it (its `ExtraRepository`): always external.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraRepository {
    /// The repository's URL, with a scheme and a host (`http://deb.example.org/debian`).
    #[schemars(
        regex(pattern = URL_WITH_HOST),
        extend("x-error-messages" = {"pattern": "invalid or missing URL scheme or host: {instance}"})
    )]
    pub url: String,
    /// The suite (`bookworm`), or a path ending in `/` for a flat repository (`./`).
    #[schemars(
        regex(pattern = r"^(\w|[./ -])+$"),
        extend("x-error-messages" = {"pattern": "Invalid suite {instance}, must match (\\w|[./ -])+"})
    )]
    pub suite: String,
    /// The components (`main`); none for a flat repository, some otherwise. An empty list
    /// counts as none.
    #[serde(default)]
    #[schemars(
        inner(regex(pattern = r"^(\w|-)+$")),
        extend("x-error-messages" = {"items/pattern": "Invalid component {instance}, must match (\\w|-)+"})
    )]
    pub components: Option<Vec<String>>,
    /// The ASCII-armoured public key the repository is signed with.
    #[serde(default)]
    pub signing_key: Option<String>,
}

impl From<ExtraRepository> for repository::ExtraRepository {
    /// An external repository for every architecture; an empty list of components becomes
    /// none, as both releases read it.
    fn from(old: ExtraRepository) -> Self {
        repository::ExtraRepository::from(ExternalRepository {
            url: old.url,
            suite: old.suite,
            components: old.components.filter(|components| !components.is_empty()),
            architectures: None,
            signing_key: old.signing_key,
        })
    }
}

/// Debusine 0.11's `extra_repositories` as 0.16's.
pub fn extra_repositories(
    old: Option<Vec<ExtraRepository>>,
) -> Option<Vec<repository::ExtraRepository>> {
    old.map(|list| list.into_iter().map(Into::into).collect())
}
