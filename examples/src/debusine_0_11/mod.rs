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
//! - the dynamic data has `task_configuration_id` (in [`taskdef::BaseDynamicData`], which takes
//!   both releases' keys) and, in the tasks with extra repositories, no resolved
//!   `extra_repositories`: the worker then uses the task data's own (see
//!   [`repository::to_add`]).
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
pub use extractforsigning::ExtractForSigning;
pub use lintian::Lintian;
pub use makesourcepackageupload::MakeSourcePackageUpload;
pub use mergeuploads::{MergeUploads, MergeUploadsDynamicData};
pub use mmdebstrap::Mmdebstrap;
pub use noop::Noop;
pub use piuparts::{Piuparts, PiupartsDynamicData};
pub use sbuild::{Sbuild, SbuildDynamicData};
pub use simplesystemimagebuild::SimpleSystemImageBuild;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::repository::{self, ExternalRepository, URL_WITH_HOST};

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
