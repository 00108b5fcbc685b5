//! The `sbuild` task.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, Task, TaskConfigError, TaskContext,
    TaskError, TaskMetadata, Unmet, WorkerMetadata, program_on_path,
};

use crate::artifacts::{file_with_suffix, resolve_multiple, resolve_single, write_file};
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExtraRepository};
use taskdef::Rules;

/// Build a Debian source package into binary packages with sbuild.
///
/// The build runs in `environment` through the executor `backend`; with `unshare` (or `auto`)
/// sbuild's own unshare mode is used, with any other backend sbuild drives it through
/// autopkgtest's virtualisation servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = SbuildDynamicData)]
pub struct Sbuild {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// What to build.
    pub input: SbuildInput,
    /// The executor backend to build with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to build in (a tarball or an image).
    pub environment: LookupSingle,
    /// The architecture to build for (`amd64`).
    pub host_architecture: String,
    /// APT repositories to add to the build environment.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// Which packages to build.
    #[serde(default = "default_build_components")]
    pub build_components: Vec<BuildComponent>,
    /// Build a binary-only non-maintainer upload.
    #[serde(default)]
    pub binnmu: Option<Binnmu>,
    /// Build profiles to enable (`nocheck`, `nodoc`, ...).
    #[serde(default)]
    pub build_profiles: Option<Vec<String>>,
    /// The resolver of build dependencies, or null for sbuild's default.
    #[serde(default)]
    pub build_dep_resolver: Option<BuildDepResolver>,
    /// The optimisation criteria of the `aspcud` resolver.
    #[serde(default)]
    pub aspcud_criteria: Option<String>,
}

/// What the server found for an `sbuild` task (Debusine's `SbuildDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SbuildDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`: null or absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The source package to build, as found for `input.source_artifact`.
    pub input_source_artifact_id: ArtifactId,
    /// The binary packages to make available, as found for `input.extra_binary_artifacts`.
    #[serde(default)]
    pub input_extra_binary_artifacts_ids: Vec<ArtifactId>,
    /// The maintainer of a binNMU, when `binnmu` gives none: the requester's name and address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binnmu_maintainer: Option<String>,
}

/// The artifacts sbuild builds from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SbuildInput {
    /// The source package to build.
    pub source_artifact: LookupSingle,
    /// Binary packages to make available to the build.
    #[serde(default)]
    pub extra_binary_artifacts: LookupMultiple,
}

/// A part of a source package's build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum BuildComponent {
    /// The architecture-dependent binary packages.
    Any,
    /// The architecture-independent binary packages.
    All,
    /// The source package.
    Source,
}

fn default_build_components() -> Vec<BuildComponent> {
    vec![BuildComponent::Any]
}

/// A binary-only non-maintainer upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Binnmu {
    /// The changelog entry.
    pub changelog: String,
    /// The version suffix (`+b1`).
    pub suffix: String,
    /// The changelog entry's date, or null for the build's time.
    #[serde(default)]
    #[schemars(extend("format" = "date-time"))]
    pub timestamp: Option<String>,
    /// The changelog entry's author: `name@example.org` or `Name <name@example.org>`.
    #[serde(default)]
    #[schemars(regex(pattern = r"^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>\s*|[^\s<>@]+@[^\s<>@]+)$"))]
    pub maintainer: Option<String>,
}

/// A resolver of build dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum BuildDepResolver {
    /// apt.
    Apt,
    /// aptitude.
    Aptitude,
    /// aspcud, tuned by `aspcud_criteria`.
    Aspcud,
    /// xapt, for cross builds.
    Xapt,
}

impl BuildDepResolver {
    /// The wire spelling, also sbuild's.
    pub const fn as_str(self) -> &'static str {
        match self {
            BuildDepResolver::Apt => "apt",
            BuildDepResolver::Aptitude => "aptitude",
            BuildDepResolver::Aspcud => "aspcud",
            BuildDepResolver::Xapt => "xapt",
        }
    }
}

/// The local files an sbuild run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbuildInputs {
    /// The source package's `.dsc`.
    pub dsc: PathBuf,
    /// Extra binary packages (`.deb`).
    pub extra_binary_packages: Vec<PathBuf>,
    /// The environment: a tarball for unshare, an image name or file for other backends.
    pub environment: PathBuf,
    /// Where the extra repositories' signing keys are written (`extra-repository-N.asc`).
    pub key_dir: PathBuf,
}

impl Sbuild {
    /// The path of extra repository `index`'s signing key under `key_dir`.
    pub fn key_path(key_dir: &Path, index: usize) -> PathBuf {
        key_dir.join(format!("extra-repository-{index}.asc"))
    }

    /// The sbuild command line for this task data and these local files.
    pub fn command_line(&self, inputs: &SbuildInputs) -> CommandLine {
        let has = |component| self.build_components.contains(&component);
        let mut cmd = CommandLine::new("sbuild")
            .arg("--no-clean")
            .arg(format!("--arch={}", self.host_architecture))
            .arg(if has(BuildComponent::Any) {
                "--arch-any"
            } else {
                "--no-arch-any"
            })
            .arg(if has(BuildComponent::All) {
                "--arch-all"
            } else {
                "--no-arch-all"
            })
            .arg(if has(BuildComponent::Source) {
                "--source"
            } else {
                "--no-source"
            });
        match self.backend.resolve() {
            Backend::Unshare => {
                let mut chroot = std::ffi::OsString::from("--chroot=");
                chroot.push(&inputs.environment);
                cmd = cmd.arg("--chroot-mode=unshare").arg(chroot);
            }
            backend => {
                let server = match backend {
                    Backend::Qemu => "qemu",
                    _ => "incus",
                };
                let mut image = std::ffi::OsString::from("--autopkgtest-virt-server-opt=");
                image.push(&inputs.environment);
                cmd = cmd
                    .arg("--chroot-mode=autopkgtest")
                    .arg(format!("--autopkgtest-virt-server={server}"))
                    .arg(image);
                if backend == Backend::IncusVm {
                    cmd = cmd.arg("--autopkgtest-virt-server-opt=--vm");
                }
            }
        }
        if let Some(binnmu) = &self.binnmu {
            cmd = cmd
                .arg(format!("--make-binNMU={}", binnmu.changelog))
                .arg(format!("--append-to-version={}", binnmu.suffix))
                .arg("--binNMU=0");
            if let Some(timestamp) = &binnmu.timestamp {
                cmd = cmd.arg(format!("--binNMU-timestamp={timestamp}"));
            }
            if let Some(maintainer) = &binnmu.maintainer {
                cmd = cmd.arg(format!("--maintainer={maintainer}"));
            }
        }
        if let Some(profiles) = self.build_profiles.as_deref().filter(|p| !p.is_empty()) {
            cmd = cmd.arg(format!("--profiles={}", profiles.join(",")));
        }
        if let Some(resolver) = self.build_dep_resolver {
            cmd = cmd.arg(format!("--build-dep-resolver={}", resolver.as_str()));
        }
        if let Some(criteria) = &self.aspcud_criteria {
            cmd = cmd.arg(format!("--aspcud-criteria={criteria}"));
        }
        for (index, repository) in self.extra_repositories.iter().flatten().enumerate() {
            cmd = cmd.arg(format!(
                "--extra-repository={}",
                repository.sources_list_line()
            ));
            if repository.signing_key.is_some() {
                let mut key = std::ffi::OsString::from("--extra-repository-key=");
                key.push(Sbuild::key_path(&inputs.key_dir, index));
                cmd = cmd.arg(key);
            }
        }
        for package in &inputs.extra_binary_packages {
            let mut arg = std::ffi::OsString::from("--extra-package=");
            arg.push(package);
            cmd = cmd.arg(arg);
        }
        cmd.arg("--").arg(&inputs.dsc)
    }
}

impl Execute for Sbuild {
    const RULES: &'static [&'static str] = &[
        "`binnmu` is not set when `build_components` has `all`: a binNMU cannot build architecture-independent packages.",
        crate::lookup::RULE_MATCHERS,
        crate::repository::RULE_COMPONENTS,
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        if self.binnmu.is_some() && self.build_components.contains(&BuildComponent::All) {
            rules.fail(
                "",
                "Cannot build architecture-independent packages in a binNMU",
            );
        }
        self.input
            .extra_binary_artifacts
            .check("/input/extra_binary_artifacts", &mut rules);
        repository::check_all(&self.extra_repositories, &mut rules);
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        Some(&self.host_architecture)
    }

    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", program_on_path("sbuild"));
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        Self::worker_keys(worker).require_flag("available")?;
        self.backend.check_available(worker)?;
        if self.backend.resolve() != Backend::Unshare {
            worker.require_flag("autopkgtest:available")?;
        }
        Ok(())
    }

    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let source = resolve_single(ctx, "input.source_artifact", &self.input.source_artifact)?;
        let extra = resolve_multiple(
            ctx,
            "input.extra_binary_artifacts",
            &self.input.extra_binary_artifacts,
        )?;
        let environment = resolve_single(ctx, "environment", &self.environment)?;
        let inputs = SbuildInputs {
            dsc: file_with_suffix(&source, ".dsc")?,
            extra_binary_packages: crate::artifacts::files_with_suffix(&extra, ".deb")?,
            environment,
            key_dir: ctx.work_dir().to_owned(),
        };
        for (index, repository) in self.extra_repositories.iter().flatten().enumerate() {
            if let Some(key) = &repository.signing_key {
                write_file(&Sbuild::key_path(&inputs.key_dir, index), key)?;
            }
        }
        Ok(ctx.run(&self.command_line(&inputs))?.success())
    }
}
