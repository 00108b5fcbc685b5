//! The executor fields of tasks that run in an environment: `backend`, `environment`,
//! `host_architecture`.
//!
//! Each task writes the three fields itself rather than `#[serde(flatten)]`-ing a shared struct:
//! serde does not support `deny_unknown_fields` together with `flatten` (the flattened struct
//! swallows unknown keys, so they are silently accepted), and schemars then describes the merged
//! object without `additionalProperties: false`. Several tasks also make `environment` or
//! `host_architecture` required and non-null, which a shared struct could not say. What is
//! shared is the types, the defaults and the worker checks, here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::keys;
use taskdef::{Unmet, WorkerMetadata};

/// The executor backend a task runs its environment with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum Backend {
    /// Let the task choose: `unshare` for every task of this catalogue.
    #[default]
    Auto,
    /// An unshare container from a tarball.
    Unshare,
    /// An Incus LXC container.
    IncusLxc,
    /// An Incus virtual machine.
    IncusVm,
    /// A QEMU virtual machine.
    Qemu,
}

impl Backend {
    /// The wire spelling: `auto`, `unshare`, `incus-lxc`, `incus-vm`, `qemu`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Unshare => "unshare",
            Backend::IncusLxc => "incus-lxc",
            Backend::IncusVm => "incus-vm",
            Backend::Qemu => "qemu",
        }
    }

    /// The backend actually used: `auto` means `unshare`, as in Debusine.
    pub const fn resolve(self) -> Backend {
        match self {
            Backend::Auto => Backend::Unshare,
            other => other,
        }
    }

    /// `Ok` when the worker reports `executor:<backend>:available` for the resolved backend.
    pub fn check_available(self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        worker.require_flag(&keys::executor_available(self.resolve().as_str()))
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
