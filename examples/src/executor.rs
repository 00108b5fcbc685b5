//! The executor fields of tasks that run in an environment: `backend`, `environment`,
//! `build_architecture` (Debusine 0.16's `BaseTaskDataWithExecutor`; Debusine 0.11 had no
//! architecture there, and the tasks that needed one called it `host_architecture`).
//!
//! In Debusine 0.16 `build_architecture` is optional in every task with an executor and
//! required in those with extra repositories (`BaseTaskDataWithExtraRepositories`: sbuild,
//! autopkgtest, piuparts), whose worker writes the repositories for that architecture.
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
//! tasks and optional in two, `build_architecture` required in some and optional in others, and
//! the doc comment of a flattened field is lost, so each task's own wording of the fields
//! ("The executor backend to build with.") would give way to the group's. What is shared is
//! the types, the defaults and the worker checks, here.

use std::ffi::{OsStr, OsString};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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

    /// The name of autopkgtest's virtualisation server for this backend (`unshare`, `incus`,
    /// `qemu`), as Debusine's executors name it: `autopkgtest-virt-<name>` is the program.
    pub const fn autopkgtest_virt_server(self) -> &'static str {
        match self.resolve() {
            Backend::IncusLxc | Backend::IncusVm => "incus",
            Backend::Qemu => "qemu",
            Backend::Auto | Backend::Unshare => "unshare",
        }
    }

    /// The arguments of autopkgtest's virtualisation server for the environment `image` (the
    /// tarball or image file; an Incus image's name), as Debusine 0.16's executors write them:
    ///
    /// - unshare: `--arch <architecture> --release <codename> --tarball <image>`;
    /// - incus-lxc: `<image> -- --profile debusine`; incus-vm: `--vm <image> -- --profile debusine`;
    /// - qemu: `--boot <boot_mechanism> --dpkg-architecture <architecture> <image>`.
    ///
    /// The values come from the environment artifact's `data`; an option whose value the data
    /// does not have (an environment found locally has no data) is left out, so that the
    /// server's own default applies.
    pub fn autopkgtest_virt_args(self, image: &OsStr, data: &Value) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let option = |args: &mut Vec<OsString>, name: &str, key: &str| {
            if let Some(value) = data.get(key).and_then(Value::as_str) {
                args.push(name.into());
                args.push(value.into());
            }
        };
        match self.resolve() {
            Backend::Auto | Backend::Unshare => {
                option(&mut args, "--arch", "architecture");
                option(&mut args, "--release", "codename");
                args.push("--tarball".into());
                args.push(image.to_owned());
            }
            backend @ (Backend::IncusLxc | Backend::IncusVm) => {
                if backend == Backend::IncusVm {
                    args.push("--vm".into());
                }
                args.push(image.to_owned());
                args.extend(["--", "--profile", "debusine"].map(OsString::from));
            }
            Backend::Qemu => {
                option(&mut args, "--boot", "boot_mechanism");
                option(&mut args, "--dpkg-architecture", "architecture");
                args.push(image.to_owned());
            }
        }
        args
    }

    /// `Ok` when the worker reports `executor:<backend>:available` for the resolved backend.
    pub fn check_available(self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        worker.require_flag(&keys::executor_available(self.resolve().as_str()))
    }
}

/// The architecture a task's artifact reports: the task's `build_architecture` when it has
/// one, else the environment artifact's `architecture` (its `data`); an error naming
/// `build_architecture` when neither says.
pub fn architecture_of(
    build_architecture: Option<&str>,
    environment_data: &Value,
) -> Result<String, taskdef::TaskError> {
    build_architecture
        .or_else(|| environment_data["architecture"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            taskdef::TaskError::other(
                "build_architecture: not set, and the environment does not say its architecture",
            )
        })
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(backend: Backend, data: &Value) -> Vec<String> {
        backend
            .autopkgtest_virt_args(OsStr::new("/env"), data)
            .into_iter()
            .map(|arg| arg.into_string().unwrap())
            .collect()
    }

    #[test]
    fn each_backend_drives_its_virtualisation_server_as_debusine_does() {
        let data = json!({"architecture": "arm64", "codename": "trixie", "boot_mechanism": "efi"});
        assert_eq!(Backend::Auto.autopkgtest_virt_server(), "unshare");
        assert_eq!(
            args(Backend::Auto, &data),
            [
                "--arch",
                "arm64",
                "--release",
                "trixie",
                "--tarball",
                "/env"
            ]
        );
        assert_eq!(Backend::IncusLxc.autopkgtest_virt_server(), "incus");
        assert_eq!(
            args(Backend::IncusLxc, &data),
            ["/env", "--", "--profile", "debusine"]
        );
        assert_eq!(
            args(Backend::IncusVm, &data),
            ["--vm", "/env", "--", "--profile", "debusine"]
        );
        assert_eq!(Backend::Qemu.autopkgtest_virt_server(), "qemu");
        assert_eq!(
            args(Backend::Qemu, &data),
            ["--boot", "efi", "--dpkg-architecture", "arm64", "/env"]
        );
        // What the data does not say is left to the server.
        assert_eq!(args(Backend::Unshare, &Value::Null), ["--tarball", "/env"]);
    }
}
