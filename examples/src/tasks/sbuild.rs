//! The `sbuild` task.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, Task, TaskConfigError, TaskContext,
    TaskError, TaskMetadata, Unmet, WorkerMetadata, program_on_path,
};

use crate::artifacts::{Inputs, file_with_suffix, output_files};
use crate::categories::{self, Models};
use crate::deb822;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExternalRepository, ExtraRepository, RepositoryFiles, shell_quote};
use taskdef::RelationType;
use taskdef::Rules;

/// Build a Debian source package into binary packages with sbuild.
///
/// The build runs in `environment` through the executor `backend`; with `unshare` (or `auto`)
/// sbuild's own unshare mode is used, with any other backend sbuild drives it through
/// autopkgtest's virtualisation servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = SbuildDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::Sbuild,
        dynamic_data = crate::debusine_0_11::SbuildDynamicData
    )
)]
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
    /// The architecture to build on and for (`amd64`; sbuild's `--arch`).
    pub build_architecture: String,
    /// APT repositories to add to the build environment: external ones, or suites of this
    /// Debusine instance.
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
    /// Let the resolver use the alternatives of build dependencies (`a | b`), not only the
    /// first (sbuild's `--resolve-alternatives`).
    #[serde(default)]
    pub resolve_alternatives: bool,
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
    /// The extra repositories to add, as the server resolved `extra_repositories`: all
    /// external.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_repositories: Option<Vec<ExternalRepository>>,
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

/// `[any]`: the default of `build_components`.
pub fn default_build_components() -> Vec<BuildComponent> {
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

/// What an sbuild run uses besides its task data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SbuildInputs {
    /// The source package's `.dsc`.
    pub dsc: PathBuf,
    /// Extra binary packages (`.deb`).
    pub extra_binary_packages: Vec<PathBuf>,
    /// The environment: a tarball for unshare, an image name or file for other backends.
    pub environment: PathBuf,
    /// The environment artifact's data (`codename`, `architecture`, ...; null when found
    /// locally): `--dist` and the virtualisation server's options.
    pub environment_data: serde_json::Value,
    /// The extra repositories' deb822 sources and keys, written by
    /// [`repository::write_sources`].
    pub repositories: RepositoryFiles,
    /// The binNMU maintainer the server chose (the dynamic data's `binnmu_maintainer`), for a
    /// binNMU that names none.
    pub binnmu_maintainer: Option<String>,
}

impl Sbuild {
    /// The architecture the packages are built for, as Debusine names it in the build log's
    /// data: `all` or `source` when `build_components` is only that, else
    /// `build_architecture`.
    pub fn package_architecture(&self) -> &str {
        match self.build_components.as_slice() {
            [BuildComponent::All] => "all",
            [BuildComponent::Source] => "source",
            _ => &self.build_architecture,
        }
    }

    /// The build profiles that Debusine also sets in `DEB_BUILD_OPTIONS`: `nocheck` and
    /// `nodoc`.
    pub fn build_options(&self) -> Vec<&str> {
        self.build_profiles
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|profile| matches!(*profile, "nocheck" | "nodoc"))
            .collect()
    }

    /// The sbuild command line for this task data and these inputs, as Debusine 0.16 builds
    /// it (`Sbuild._cmdline`); its environment adds the [`build_options`](Self::build_options)
    /// to `DEB_BUILD_OPTIONS`.
    pub fn command_line(&self, inputs: &SbuildInputs) -> CommandLine {
        let has = |component| self.build_components.contains(&component);
        let mut cmd = CommandLine::new("sbuild")
            .arg("--purge-deps=never")
            .arg("--no-run-lintian")
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
            })
            .arg(format!("--arch={}", self.build_architecture));
        if let Some(codename) = inputs.environment_data["codename"].as_str() {
            cmd = cmd.arg(format!("--dist={codename}"));
        }
        match self.backend.resolve() {
            Backend::Unshare => {
                let mut chroot = std::ffi::OsString::from("--chroot=");
                chroot.push(&inputs.environment);
                cmd = cmd
                    .arg("--chroot-mode=unshare")
                    .arg(chroot)
                    .arg("--chroot-setup-commands=rm -f /etc/resolv.conf");
            }
            backend => {
                cmd = cmd.arg("--chroot-mode=autopkgtest").arg(format!(
                    "--autopkgtest-virt-server=autopkgtest-virt-{}",
                    backend.autopkgtest_virt_server()
                ));
                let options = backend.autopkgtest_virt_args(
                    inputs.environment.as_os_str(),
                    &inputs.environment_data,
                );
                for option in options {
                    let option = option.to_string_lossy().replace('%', "%%");
                    cmd = cmd.arg(format!("--autopkgtest-virt-server-opt={option}"));
                }
            }
        }
        // sbuild reads no deb822 sources itself: each is copied into the chroot.
        let copy = |path: &Path, inner: String| {
            format!(
                "--pre-build-commands=cat {} | %SBUILD_CHROOT_EXEC sh -c {}",
                shell_quote(&path.to_string_lossy()),
                shell_quote(&inner)
            )
        };
        for path in &inputs.repositories.sources {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let inner = format!(
                "cat > {}",
                shell_quote(&format!("/etc/apt/sources.list.d/{name}"))
            );
            cmd = cmd.arg(copy(path, inner));
        }
        for path in &inputs.repositories.keys {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let inner = format!(
                "mkdir -p /etc/apt/keyrings && cat > {}",
                shell_quote(&format!("/etc/apt/keyrings/{name}"))
            );
            cmd = cmd.arg(copy(path, inner));
        }
        if let Some(binnmu) = &self.binnmu {
            cmd = cmd
                .arg(format!("--make-binNMU={}", binnmu.changelog))
                .arg(format!("--append-to-version={}", binnmu.suffix))
                .arg("--binNMU=0");
            if let Some(date) = binnmu.timestamp.as_deref().and_then(rfc5322_date) {
                cmd = cmd.arg(format!("--binNMU-timestamp={date}"));
            }
            if let Some(maintainer) = binnmu
                .maintainer
                .as_ref()
                .or(inputs.binnmu_maintainer.as_ref())
            {
                cmd = cmd.arg(format!("--maintainer={maintainer}"));
            }
        }
        if let Some(profiles) = self.build_profiles.as_deref().filter(|p| !p.is_empty()) {
            cmd = cmd.arg(format!("--profiles={}", profiles.join(",")));
        }
        if let Some(resolver) = self.build_dep_resolver {
            cmd = cmd.arg(format!("--build-dep-resolver={}", resolver.as_str()));
        }
        if let Some(criteria) = self.aspcud_criteria.as_deref().filter(|c| !c.is_empty()) {
            cmd = cmd.arg(format!("--aspcud-criteria={criteria}"));
        }
        if self.resolve_alternatives {
            cmd = cmd.arg("--resolve-alternatives");
        }
        cmd = cmd.arg("--bd-uninstallable-explainer=dose3");
        for package in &inputs.extra_binary_packages {
            let mut arg = std::ffi::OsString::from("--extra-package=");
            arg.push(package);
            cmd = cmd.arg(arg);
        }
        let options = self.build_options();
        if !options.is_empty() {
            let inherited = std::env::var("DEB_BUILD_OPTIONS").unwrap_or_default();
            let all: Vec<&str> = inherited.split_whitespace().chain(options).collect();
            cmd = cmd.env("DEB_BUILD_OPTIONS", all.join(" "));
        }
        cmd.arg(&inputs.dsc)
    }
}

/// An RFC 3339 date-time (`2025-01-02T03:04:05Z`, `...+05:30`, with or without a fraction)
/// as RFC 5322 writes it (`Thu, 02 Jan 2025 03:04:05 +0000`), as Python's
/// `email.utils.format_datetime` does for sbuild's `--binNMU-timestamp`; `None` if it is not
/// one.
pub fn rfc5322_date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[13] != b':' {
        return None;
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') || bytes[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let zone = match rest {
        "Z" | "z" => "+0000".to_owned(),
        offset if offset.len() == 6 && offset.is_char_boundary(1) => {
            let (sign, hours, colon, minutes) = (
                &offset[..1],
                offset.get(1..3)?,
                offset.get(3..4)?,
                offset.get(4..6)?,
            );
            let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
            if !matches!(sign, "+" | "-") || colon != ":" || !digits(hours) || !digits(minutes) {
                return None;
            }
            format!("{sign}{hours}{minutes}")
        }
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil), for the day of the week.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    let month_name = MONTHS[(month - 1) as usize];
    Some(format!(
        "{weekday}, {day:02} {month_name} {year:04} {hour:02}:{minute:02}:{second:02} {zone}"
    ))
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
        Some(&self.build_architecture)
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

    /// Builds, then uploads what Debusine 0.16's sbuild task uploads: the build log (always,
    /// related to the inputs) and, after a successful build, each binary package (built using
    /// the inputs), a `debian:debug-symbols` for each `-dbgsym` package (related to its
    /// package), the `debian:upload` of the `.changes` and its `debusine:signing-input`, with
    /// their relations. For a 0.11 server ([`TaskContext::release`]), what 0.11's sbuild
    /// uploads: no debug symbols (0.11 has no such category), a build log without its
    /// architecture, no relation of the log to the upload. The build succeeded when sbuild
    /// exits 0 and its log's last `Status:` is `successful` (sbuild exits 0 for a skipped build
    /// too).
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
        let repositories = repository::to_add(
            &self.extra_repositories,
            dynamic.and_then(|data| data.extra_repositories.as_deref()),
        )?;
        let codename = environment.data["codename"].as_str();
        let found = SbuildInputs {
            dsc: file_with_suffix(&source, ".dsc")?,
            extra_binary_packages: crate::artifacts::files_with_suffix(&extra, ".deb")?,
            repositories: repository::write_sources(
                &repositories,
                Some(&self.build_architecture),
                codename,
                ctx.work_dir(),
            )?,
            environment: environment.path,
            environment_data: environment.data,
            binnmu_maintainer: dynamic.and_then(|data| data.binnmu_maintainer.clone()),
        };
        let exited = ctx.run(&self.command_line(&found))?.success();
        let success = exited && self.build_log_says_successful(ctx)?;
        self.upload_outputs(ctx, &inputs, &found.dsc, success)?;
        Ok(success)
    }
}

impl Sbuild {
    /// Whether the build log's last `Status:` line says `successful`; an error when there is
    /// no build log (Debusine's `error` result).
    fn build_log_says_successful(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let Some(log) = output_files(ctx.work_dir(), &[".build"])?
            .into_iter()
            .next()
        else {
            return Err(TaskError::other(format!(
                "sbuild exited 0 but left no build log (*.build) in {}",
                ctx.work_dir().display()
            )));
        };
        let bytes = std::fs::read(&log)
            .map_err(|error| TaskError::other(format!("{}: {error}", log.display())))?;
        let text = String::from_utf8_lossy(&bytes);
        let status = text
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("Status: "));
        Ok(status == Some("successful"))
    }

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
        let models = Models::of(ctx);
        let log = match output_files(dir, &[".build"])?.first() {
            Some(path) => {
                let artifact = categories::package_build_log(
                    path,
                    source,
                    version,
                    self.package_architecture(),
                    models,
                );
                let id = ctx.upload_artifact(artifact)?;
                inputs.relate_to_sources(id, RelationType::RelatesTo)?;
                Some(id)
            }
            None => None,
        };
        if !success {
            return Ok(());
        }
        let mut packages: Vec<(PathBuf, ArtifactId)> = Vec::new();
        let architectures = [
            (BuildComponent::Any, self.package_architecture()),
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
            for deb in debs {
                let id = ctx.upload_artifact(binary_package(ctx, &deb)?)?;
                packages.push((deb, id));
            }
        }
        let mut debug_symbols = Vec::new();
        // 0.11 has no `debian:debug-symbols`: its sbuild uploads the -dbgsym package only.
        for (deb, package) in packages.iter().filter(|_| models.are_0_16()) {
            if let Some(dbgsym) = matching_dbgsym(deb)
                && let Some(artifact) = debug_symbols_of(ctx, &dbgsym)?
            {
                debug_symbols.push((ctx.upload_artifact(artifact)?, *package));
            }
        }
        let changes = output_files(dir, &[".changes"])?;
        let (upload, signing) = match changes.first() {
            Some(changes) => (
                Some(ctx.upload_artifact(categories::upload(changes, dir)?)?),
                Some(ctx.upload_artifact(categories::signing_input(changes))?),
            ),
            None => (None, None),
        };
        for (_, package) in &packages {
            inputs.relate_to_sources(*package, RelationType::BuiltUsing)?;
            if let Some(log) = log {
                ctx.relate_artifacts(log, *package, RelationType::RelatesTo)?;
            }
            if let Some(upload) = upload {
                ctx.relate_artifacts(upload, *package, RelationType::Extends)?;
                ctx.relate_artifacts(upload, *package, RelationType::RelatesTo)?;
            }
        }
        // 0.16 relates the log to the upload too.
        if let (Some(log), Some(upload), false, true) =
            (log, upload, packages.is_empty(), models.are_0_16())
        {
            ctx.relate_artifacts(log, upload, RelationType::RelatesTo)?;
        }
        if let (Some(signing), Some(upload)) = (signing, upload) {
            ctx.relate_artifacts(signing, upload, RelationType::RelatesTo)?;
        }
        for (symbols, package) in debug_symbols {
            ctx.relate_artifacts(symbols, package, RelationType::RelatesTo)?;
        }
        Ok(())
    }
}

/// The `-dbgsym` package of the binary package `deb` (`<package>_<rest>.deb`), if the build
/// made one beside it: `<package>-dbgsym_<rest>.deb`, else `.ddeb`. Not for `.udeb`s.
fn matching_dbgsym(deb: &Path) -> Option<PathBuf> {
    let name = deb.file_name()?.to_str()?;
    let (package, rest) = name.strip_suffix(".deb")?.split_once('_')?;
    [".deb", ".ddeb"]
        .iter()
        .map(|extension| deb.with_file_name(format!("{package}-dbgsym_{rest}{extension}")))
        .find(|candidate| candidate.is_file())
}

/// The `debian:debug-symbols` of the `-dbgsym` package `dbgsym`: each regular file
/// `./usr/lib/debug/.build-id/<XX>/<38 hex digits>.debug` of it, extracted with
/// `dpkg-deb --extract` into `<work dir>/debug-symbols/<file name>/`; `None` when it has none.
/// A file under `.build-id/` of another shape is an error, as in Debusine.
fn debug_symbols_of(
    ctx: &TaskContext,
    dbgsym: &Path,
) -> Result<Option<taskdef::NewArtifact>, TaskError> {
    let name = dbgsym.file_name().unwrap_or_default();
    let root = ctx.work_dir().join("debug-symbols").join(name);
    std::fs::create_dir_all(&root)
        .map_err(|error| TaskError::other(format!("{}: {error}", root.display())))?;
    let command = CommandLine::new("dpkg-deb")
        .arg("--extract")
        .arg(dbgsym)
        .arg(&root);
    if !ctx.run(&command)?.success() {
        return Err(TaskError::other(format!(
            "{}: `dpkg-deb --extract` failed",
            dbgsym.display()
        )));
    }
    let build_id_dir = root.join("usr/lib/debug/.build-id");
    if !build_id_dir.is_dir() {
        return Ok(None);
    }
    let mut files = Vec::new();
    for path in taskdef::files_under(&build_id_dir)? {
        let relative = path
            .strip_prefix(&build_id_dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let Some(build_id) = build_id_of(&relative) else {
            return Err(TaskError::other(format!(
                "{}: malformed .build-id path './usr/lib/debug/.build-id/{relative}'; expected \
                 ./usr/lib/debug/.build-id/<XX>/<YYYY>.debug",
                name.to_string_lossy()
            )));
        };
        files.push((build_id, path));
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    Ok(Some(categories::debug_symbols(&files)))
}

/// The build id of `<XX>/<38 hex digits>.debug` (lowercase hex): `XX` and the digits joined.
fn build_id_of(relative: &str) -> Option<String> {
    let (prefix, file) = relative.split_once('/')?;
    let suffix = file.strip_suffix(".debug")?;
    let hex = |part: &str, len: usize| {
        part.len() == len && part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    (hex(prefix, 2) && hex(suffix, 38)).then(|| format!("{prefix}{suffix}"))
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
