//! `mmdebstrap` as Debusine 0.11 sends it: bootstrap options without `gpgv_command`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::bootstrap::{self, BootstrapRepository};
use crate::lookup::LookupSingle;
use crate::tasks::mmdebstrap::{self as current, MmdebstrapVariant};

/// Options of the bootstrap as Debusine 0.11 has them (no `gpgv_command`), generic over the
/// variants the task allows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, bound(deserialize = "V: Deserialize<'de>"))]
pub struct BootstrapOptions<V> {
    /// The architecture to bootstrap (`amd64`); the worker must be able to run it.
    pub architecture: String,
    /// The mmdebstrap variant, or null for mmdebstrap's default.
    #[serde(default)]
    pub variant: Option<V>,
    /// Packages to install in addition to those of the variant.
    #[serde(default)]
    pub extra_packages: Vec<String>,
    /// Whether to write `Signed-By` into the sources of the repositories.
    #[serde(default = "yes")]
    pub use_signed_by: bool,
}

fn yes() -> bool {
    true
}

/// `gpgv_command` null: APT's default, as in 0.11.
impl<V> From<BootstrapOptions<V>> for bootstrap::BootstrapOptions<V> {
    fn from(old: BootstrapOptions<V>) -> Self {
        bootstrap::BootstrapOptions {
            architecture: old.architecture,
            variant: old.variant,
            extra_packages: old.extra_packages,
            use_signed_by: old.use_signed_by,
            gpgv_command: None,
        }
    }
}

/// Build a Debian system tarball with mmdebstrap (Debusine 0.11's `MmDebstrapData`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mmdebstrap {
    /// The task configuration to apply, or null for none.
    #[serde(default)]
    pub task_configuration: Option<LookupSingle>,
    /// How to bootstrap.
    pub bootstrap_options: BootstrapOptions<MmdebstrapVariant>,
    /// The repositories to bootstrap from: at least one.
    #[schemars(length(min = 1))]
    pub bootstrap_repositories: Vec<BootstrapRepository>,
    /// A script to run in the system once it is bootstrapped.
    #[serde(default)]
    pub customization_script: Option<String>,
}

impl From<Mmdebstrap> for current::Mmdebstrap {
    fn from(old: Mmdebstrap) -> Self {
        current::Mmdebstrap {
            task_configuration: old.task_configuration,
            bootstrap_options: old.bootstrap_options.into(),
            bootstrap_repositories: old.bootstrap_repositories,
            customization_script: old.customization_script,
        }
    }
}
