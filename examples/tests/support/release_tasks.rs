//! Tasks for the tests of docs and compat across releases: `relbuild` with release forms
//! (`2.0`, its own, and `1.0`), `relnew` with release `2.0` only, `relplain` without releases,
//! and `flat::RelBuild`, `relbuild` as it was before it named releases (its data is the `1.0`
//! form's). A crate cannot have two tasks of one name, so that one is called
//! [`FLAT_NAME`]: a test renames it in what it publishes ([`rename_flat`]).

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Registry, Task, TaskContext, TaskEntry, TaskError};

/// The name of `relbuild` before it named releases, in this crate.
pub const FLAT_NAME: &str = "relbuildflat";

/// Renames [`FLAT_NAME`] to `relbuild` in the files of a flat publication in `dir` (names and
/// contents): what a binary of `relbuild` before releases would have written.
pub fn rename_flat(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).expect("the publication") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a text file");
        std::fs::remove_file(&path).expect("removable");
        let name = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace(FLAT_NAME, "relbuild");
        std::fs::write(dir.join(name), text.replace(FLAT_NAME, "relbuild")).expect("writable");
    }
}

/// The registry of the tasks before `relbuild` named releases.
pub fn flat_registry() -> &'static Registry {
    leak([flat::RelBuild::entry(), RelPlain::entry()])
}

/// The registry once `relbuild` names releases, with `relnew` new in release `2.0`.
pub fn release_registry() -> &'static Registry {
    leak([RelBuild::entry(), RelNew::entry(), RelPlain::entry()])
}

fn leak<const N: usize>(entries: [&'static TaskEntry; N]) -> &'static Registry {
    Box::leak(Box::new(Registry::from_entries(entries)))
}

/// The registry entry of a task type (the global registry refuses `relbuild`: two types claim
/// it in this binary).
trait EntryOf {
    fn entry() -> &'static TaskEntry;
}

impl<T: Task> EntryOf for T {
    fn entry() -> &'static TaskEntry {
        Box::leak(Box::new(TaskEntry::of::<T>()))
    }
}

/// What the server found, as release 2 sends it.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelBuildDynamicData {
    /// The environment.
    pub environment_id: u64,
    /// Extra repositories, resolved (new in release 2).
    #[serde(default)]
    pub extra_repositories: Vec<String>,
}

/// Build for one architecture.
#[derive(Debug, PartialEq, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = RelBuildDynamicData,
    release = "2.0",
    older(release = "1.0", data = v1::RelBuild, dynamic_data = v1::RelBuildDynamicData)
)]
pub struct RelBuild {
    /// The architecture to build for.
    pub build_architecture: String,
    /// How many jobs.
    #[serde(default)]
    pub jobs: u32,
}

impl Execute for RelBuild {
    fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// Release 1's forms.
pub mod v1 {
    use schemars::JsonSchema;
    use serde::Deserialize;

    /// Build for one architecture.
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RelBuild {
        /// The architecture to build for.
        pub host_architecture: String,
        /// How many jobs.
        #[serde(default)]
        pub jobs: u32,
    }

    impl From<RelBuild> for super::RelBuild {
        fn from(old: RelBuild) -> super::RelBuild {
            super::RelBuild {
                build_architecture: old.host_architecture,
                jobs: old.jobs,
            }
        }
    }

    /// What the server found, as release 1 sends it.
    #[derive(Debug, PartialEq, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RelBuildDynamicData {
        /// The environment.
        pub environment_id: u64,
    }

    impl From<RelBuildDynamicData> for super::RelBuildDynamicData {
        fn from(old: RelBuildDynamicData) -> super::RelBuildDynamicData {
            super::RelBuildDynamicData {
                environment_id: old.environment_id,
                extra_repositories: Vec::new(),
            }
        }
    }
}

/// `relbuild` before it named releases: the struct that became release 1's form.
pub mod flat {
    use schemars::JsonSchema;
    use serde::Deserialize;
    use taskdef::{Execute, Task, TaskContext, TaskError};

    /// Build for one architecture.
    #[derive(Debug, Deserialize, JsonSchema, Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1, name = "relbuildflat", dynamic_data = super::v1::RelBuildDynamicData)]
    pub struct RelBuild {
        /// The architecture to build for.
        pub host_architecture: String,
        /// How many jobs.
        #[serde(default)]
        pub jobs: u32,
    }

    impl Execute for RelBuild {
        fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
            Ok(true)
        }
    }
}

/// A task new in release 2.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, release = "2.0")]
pub struct RelNew {
    /// A name.
    pub name: String,
}

impl Execute for RelNew {
    fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// A task with one form of data: the same in every release.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct RelPlain {
    /// Anything.
    pub value: u32,
}

impl Execute for RelPlain {
    fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
        Ok(self.value > 0)
    }
}
