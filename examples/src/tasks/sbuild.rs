//! The `sbuild` task.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, Task, TaskConfigError, TaskContext,
    TaskError, TaskMetadata, Unmet, WorkerMetadata, program_on_path,
};

use crate::artifacts::{Inputs, file_with_suffix, output_files, write_file};
use crate::categories;
use crate::deb822;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExtraRepository};
use taskdef::RelationType;
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
        for (index, repository) in repository::external(&self.extra_repositories).enumerate() {
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

    /// Builds, then uploads what Debusine's sbuild task uploads: the build log (always, related
    /// to the inputs) and, after a successful build, each binary package and the
    /// `debian:binary-packages` of each architecture (built using the inputs), the
    /// `debian:upload` of the `.changes` and its `debusine:signing-input`, with their relations.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let source = inputs.single(
            "input.source_artifact",
            &self.input.source_artifact,
            dynamic.map(|data| data.input_source_artifact_id),
        )?;
        let extra = inputs.multiple(
            "input.extra_binary_artifacts",
            &self.input.extra_binary_artifacts,
            dynamic.map(|data| data.input_extra_binary_artifacts_ids.as_slice()),
        )?;
        let environment = inputs.environment(
            "environment",
            &self.environment,
            dynamic.and_then(|data| data.environment_id),
        )?;
        let found = SbuildInputs {
            dsc: file_with_suffix(&source, ".dsc")?,
            extra_binary_packages: crate::artifacts::files_with_suffix(&extra, ".deb")?,
            environment: environment.path,
            key_dir: ctx.work_dir().to_owned(),
        };
        for (index, repository) in repository::external(&self.extra_repositories).enumerate() {
            if let Some(key) = &repository.signing_key {
                write_file(&Sbuild::key_path(&found.key_dir, index), key)?;
            }
        }
        let success = ctx.run(&self.command_line(&found))?.success();
        self.upload_outputs(ctx, &inputs, &found.dsc, success)?;
        Ok(success)
    }
}

impl Sbuild {
    /// Uploads what the build left in the work directory (see [`Execute::execute`]).
    fn upload_outputs(
        &self,
        ctx: &TaskContext,
        inputs: &Inputs<'_>,
        dsc: &Path,
        success: bool,
    ) -> Result<(), TaskError> {
        let fields = deb822::read_first(dsc)?;
        let source = deb822::require(&fields, "Source", dsc)?;
        let version = deb822::require(&fields, "Version", dsc)?;
        let dir = ctx.work_dir();
        let log = match output_files(dir, &[".build"])?.first() {
            Some(path) => {
                let id =
                    ctx.upload_artifact(categories::package_build_log(path, source, version))?;
                inputs.relate_to_sources(id, RelationType::RelatesTo)?;
                Some(id)
            }
            None => None,
        };
        if !success {
            return Ok(());
        }
        let mut packages: Vec<ArtifactId> = Vec::new();
        let architectures = [
            (BuildComponent::Any, self.host_architecture.as_str()),
            (BuildComponent::All, "all"),
        ];
        for (component, architecture) in architectures {
            if !self.build_components.contains(&component) {
                continue;
            }
            let debs = output_files(
                dir,
                &[
                    &format!("_{architecture}.deb"),
                    &format!("_{architecture}.udeb"),
                ],
            )?;
            if debs.is_empty() {
                continue;
            }
            for deb in &debs {
                packages.push(ctx.upload_artifact(binary_package(ctx, deb)?)?);
            }
            let group = categories::binary_packages(source, version, architecture, &debs);
            packages.push(ctx.upload_artifact(group)?);
        }
        let changes = output_files(dir, &[".changes"])?;
        let (upload, signing) = match changes.first() {
            Some(changes) => (
                Some(ctx.upload_artifact(categories::upload(changes, dir)?)?),
                Some(ctx.upload_artifact(categories::signing_input(changes))?),
            ),
            None => (None, None),
        };
        for package in &packages {
            inputs.relate_to_sources(*package, RelationType::BuiltUsing)?;
            if let Some(log) = log {
                ctx.relate_artifacts(log, *package, RelationType::RelatesTo)?;
            }
            if let Some(upload) = upload {
                ctx.relate_artifacts(upload, *package, RelationType::Extends)?;
                ctx.relate_artifacts(upload, *package, RelationType::RelatesTo)?;
            }
        }
        if let (Some(signing), Some(upload)) = (signing, upload) {
            ctx.relate_artifacts(signing, upload, RelationType::RelatesTo)?;
        }
        Ok(())
    }
}

/// The `debian:binary-package` of `deb`, its control files extracted with `dpkg-deb --control`
/// into `<work dir>/control/<file name>`.
fn binary_package(ctx: &TaskContext, deb: &Path) -> Result<taskdef::NewArtifact, TaskError> {
    let name = deb.file_name().unwrap_or_default();
    let parent = ctx.work_dir().join("control");
    // dpkg-deb makes the directory it extracts to, not its parents.
    std::fs::create_dir_all(&parent)
        .map_err(|error| TaskError::other(format!("{}: {error}", parent.display())))?;
    let control_dir = parent.join(name);
    let command = CommandLine::new("dpkg-deb")
        .arg("--control")
        .arg(deb)
        .arg(&control_dir);
    if !ctx.run(&command)?.success() {
        return Err(TaskError::other(format!(
            "{}: `dpkg-deb --control` failed",
            deb.display()
        )));
    }
    categories::binary_package(deb, &control_dir)
}
