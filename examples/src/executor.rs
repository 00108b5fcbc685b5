//! The executor fields of tasks that run in an environment: `backend`, `environment`,
//! `host_architecture`.
//!
//! Each task writes the three fields itself, although `#[serde(flatten)]` of a shared struct
//! would work: with `deny_unknown_fields` on the task, serde still refuses unknown keys and
//! schemars still writes `additionalProperties: false`, with the group's keys beside the task's.
//! It was tried on `sbuild` and measured, and it costs too much: serde buffers every key the
//! task's own fields do not take (as its private `Content`) before reading the group from the
//! buffer, which adds a fixed cost to every call. `Sbuild::configure` on
//! `sbuild/valid-minimal` went from 439 to 624 ns (median of 7 alternating runs of each build;
//! fastest runs 391 and 474 ns), 20 to 40% more, where the limit was 10%; on the larger samples
//! (`valid-full`, `valid-normalised-lookup`) the difference was within the noise. (CPU time per
//! call from `/proc/thread-self/schedstat`, 2026-11-30, on a loaded 2-core machine, so the
//! figures are higher than those of BENCHMARKS.md; the two builds differed only in the
//! flatten.) Besides, the tasks do not share one shape: `environment` is required in five
//! tasks and optional in two, `host_architecture` required in four and optional in three, and
//! the doc comment of a flattened field is lost, so each task's own wording of the fields
//! ("The executor backend to build with.") would give way to the group's. What is shared is
//! the types, the defaults and the worker checks, here.

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
