//! `simplesystemimagebuild` as Debusine 0.11 sends it: bootstrap options without
//! `gpgv_command`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::bootstrap::BootstrapRepository;
use crate::debusine_0_11::mmdebstrap::BootstrapOptions;
use crate::lookup::LookupSingle;
use crate::tasks::simplesystemimagebuild::{self as current, DiskImage, ImageVariant};

/// Build a bootable Debian disk image (Debusine 0.11's `SystemImageBuildData`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimpleSystemImageBuild {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// How to bootstrap.
    pub bootstrap_options: BootstrapOptions<ImageVariant>,
    /// The repositories to bootstrap from: at least one.
    #[schemars(length(min = 1))]
    pub bootstrap_repositories: Vec<BootstrapRepository>,
    /// A script to run in the system once it is bootstrapped.
    #[serde(default)]
    pub customization_script: Option<String>,
    /// The disk image to make.
    pub disk_image: DiskImage,
}

impl From<SimpleSystemImageBuild> for current::SimpleSystemImageBuild {
    fn from(old: SimpleSystemImageBuild) -> Self {
        current::SimpleSystemImageBuild {
            task_configuration: old.task_configuration,
            bootstrap_options: old.bootstrap_options.into(),
            bootstrap_repositories: old.bootstrap_repositories,
            customization_script: old.customization_script,
            disk_image: old.disk_image,
        }
    }
}
