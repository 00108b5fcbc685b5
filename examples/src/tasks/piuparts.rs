//! The `piuparts` task.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, RelationType, Task, TaskConfigError,
    TaskContext, TaskError,
};

use crate::artifacts::{Inputs, files_with_suffix, read_file, write_file};
use crate::categories::{self, Models, PiupartsRun};
use crate::deb822;
use crate::executor::{Backend, architecture_of};
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExternalRepository, ExtraRepository, RepositoryFiles, shell_quote};
use taskdef::Rules;

/// Test that binary packages install, upgrade and purge cleanly with piuparts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = PiupartsDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::Piuparts,
        dynamic_data = crate::debusine_0_11::PiupartsDynamicData
    )
)]
pub struct Piuparts {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to test.
    pub input: PiupartsInput,
    /// The executor backend to run piuparts with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run piuparts in.
    pub environment: LookupSingle,
    /// The architecture to test on (`amd64`), or null for any. (Debusine 0.16 means it to be
    /// required here, but its model takes the optional field of the executor fields.)
    #[serde(default)]
    pub build_architecture: Option<String>,
    /// APT repositories to add to the test system: external ones, or suites of this Debusine
    /// instance.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// The system tarball piuparts installs the packages into.
    pub base_tgz: LookupSingle,
}

/// What the server found for a `piuparts` task (Debusine's `PiupartsDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PiupartsDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The extra repositories to add, as the server resolved `extra_repositories`: all
    /// external.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_repositories: Option<Vec<ExternalRepository>>,
    /// The binary packages to test, as found for `input.binary_artifacts`.
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
    /// The base system tarball, as found for `base_tgz`.
    pub base_tgz_id: ArtifactId,
}

/// The packages piuparts tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PiupartsInput {
    /// The binary packages to test.
    pub binary_artifacts: LookupMultiple,
}

/// The local files a piuparts run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiupartsInputs {
    /// The binary packages (`.deb`).
    pub binaries: Vec<PathBuf>,
    /// The base system tarball.
    pub base_tgz: PathBuf,
    /// The directory of Debusine's piuparts scripts ([`Piuparts::write_scripts`]).
    pub scripts_dir: PathBuf,
}

impl Piuparts {
    /// The piuparts command line for this task data and these local files, as Debusine 0.16
    /// builds it (`Piuparts._cmdline`): piuparts keeps the base system's APT sources (the
    /// extra repositories are added by a script), piuparts' own scripts and Debusine's.
    pub fn command_line(&self, inputs: &PiupartsInputs) -> CommandLine {
        let mut basetgz = OsString::from("--basetgz=");
        basetgz.push(&inputs.base_tgz);
        let mut scripts = OsString::from("--scriptsdir=");
        scripts.push(&inputs.scripts_dir);
        CommandLine::new("piuparts")
            .arg("--keep-sources-list")
            .arg("--allow-database")
            .arg("--warn-on-leftovers-after-purge")
            .arg(basetgz)
            .arg("--scriptsdir=/etc/piuparts/scripts")
            .arg(scripts)
            .args(inputs.binaries.iter())
    }

    /// Writes Debusine 0.16's piuparts scripts into `dir` (`Piuparts._prepare_scripts`):
    /// `pre_remove_50_find_bad_permissions` (skipped, #1125784), `post_setup_00_passwd`
    /// (installs passwd, #1125789) and, when the task has extra repositories,
    /// `post_chroot_unpack_debusine_extra_repos`, which writes `repositories`' sources and keys
    /// into the system under test.
    pub fn write_scripts(
        &self,
        dir: &Path,
        repositories: &RepositoryFiles,
    ) -> Result<(), TaskError> {
        std::fs::create_dir_all(dir)
            .map_err(|error| TaskError::other(format!("{}: {error}", dir.display())))?;
        write_script(
            &dir.join("pre_remove_50_find_bad_permissions"),
            "#!/bin/sh\necho 'Skipping to avoid https://bugs.debian.org/1125784'\n",
        )?;
        write_script(
            &dir.join("post_setup_00_passwd"),
            "#!/bin/sh\n\
             echo 'Installing passwd for https://bugs.debian.org/1125789'\n\
             if [ ! -e /usr/sbin/useradd ]; then\n    apt-get -y install passwd\nfi\n",
        )?;
        if self.extra_repositories.as_ref().is_none_or(Vec::is_empty) {
            return Ok(());
        }
        let mut script = String::from("#!/bin/sh\nset -eux\n");
        if !repositories.keys.is_empty() {
            script.push_str("mkdir -p /etc/apt/keyrings\n");
        }
        let mut add = |path: &Path, into: &str| -> Result<(), TaskError> {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            script.push_str(&format!(
                "printf %s {} > {into}/{name}\n",
                shell_quote(&read_file(path)?)
            ));
            Ok(())
        };
        for key in &repositories.keys {
            add(key, "/etc/apt/keyrings")?;
        }
        for source in &repositories.sources {
            add(source, "/etc/apt/sources.list.d")?;
        }
        script.push_str("echo DONE\n");
        write_script(
            &dir.join("post_chroot_unpack_debusine_extra_repos"),
            &script,
        )
    }
}

/// Writes an executable script.
fn write_script(path: &Path, text: &str) -> Result<(), TaskError> {
    use std::os::unix::fs::PermissionsExt;
    write_file(path, text)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|error| TaskError::other(format!("{}: {error}", path.display())))
}

impl Execute for Piuparts {
    const RULES: &'static [&'static str] = &[
        crate::lookup::RULE_MATCHERS,
        crate::repository::RULE_COMPONENTS,
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        self.input
            .binary_artifacts
            .check("/input/binary_artifacts", &mut rules);
        repository::check_all(&self.extra_repositories, &mut rules);
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        self.build_architecture.as_deref()
    }

    /// Tests the packages, then uploads piuparts' output (its standard output) as
    /// `debian:piuparts`, related to the packages tested and the base system, as Debusine 0.16
    /// does; for a 0.11 server, nothing, as 0.11 does. The task succeeds when piuparts exits 0; without a `.deb` to test it fails, and
    /// runs nothing.
    ///
    /// Debusine runs piuparts inside `environment` (installing it there); this runner runs the
    /// worker's own piuparts, and does not rewrite the base tarball as Debusine does (without
    /// `/dev`, with an empty `/etc/resolv.conf` and `/var/lib/dpkg/available`).
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let binaries = inputs.multiple(
            "input.binary_artifacts",
            &self.input.binary_artifacts,
            dynamic.map(|data| data.input_binary_artifacts_ids.as_slice()),
        )?;
        let base_tgz = inputs.environment(
            "base_tgz",
            &self.base_tgz,
            dynamic.map(|data| data.base_tgz_id),
        )?;
        let repositories = repository::to_add(
            &self.extra_repositories,
            dynamic.and_then(|data| data.extra_repositories.as_deref()),
        )?;
        let work = ctx.work_dir();
        let repository_dir = work.join("extra-repositories");
        std::fs::create_dir_all(&repository_dir)
            .map_err(|error| TaskError::other(format!("{}: {error}", repository_dir.display())))?;
        let codename = base_tgz.data["codename"].as_str();
        let files = repository::write_sources(
            &repositories,
            self.build_architecture.as_deref(),
            codename,
            &repository_dir,
        )?;
        let found = PiupartsInputs {
            binaries: files_with_suffix(&binaries, ".deb")?,
            base_tgz: base_tgz.path,
            scripts_dir: work.join("scripts"),
        };
        if found.binaries.is_empty() {
            // Debusine's configure_for_execution fails the task: nothing to test.
            note_why_not_run(ctx, "There must be at least one *.deb file");
            return Ok(false);
        }
        self.write_scripts(&found.scripts_dir, &files)?;
        let output = work.join("piuparts.txt");
        let success = ctx
            .run(&self.command_line(&found).stdout_to(&output))?
            .success();
        if !Models::of(ctx).are_0_16() {
            // 0.11 has no `debian:piuparts`: its piuparts uploads nothing (the command's
            // output is in the debug logs).
            return Ok(success);
        }
        let mut binary_packages = BTreeMap::new();
        for deb in &found.binaries {
            let (package, version) = package_and_version(ctx, deb)?;
            binary_packages.insert(package, version);
        }
        let version = piuparts_version(ctx)?;
        let architecture = architecture_of(self.build_architecture.as_deref(), &base_tgz.data)?;
        let text = |key: &str| base_tgz.data[key].as_str().unwrap_or("unknown").to_owned();
        let run = PiupartsRun {
            piuparts_version: &version,
            binary_packages: &binary_packages,
            architecture: &architecture,
            distribution: &format!("{}:{}", text("vendor"), text("codename")),
        };
        let id = ctx.upload_artifact(categories::piuparts(&output, &run))?;
        inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        if let Some(data) = dynamic {
            ctx.relate_artifacts(id, data.base_tgz_id, RelationType::RelatesTo)?;
        }
        Ok(success)
    }
}

/// Writes `message` to `<work dir>/configure_for_execution.log`, as Debusine logs why it did
/// not run the tool; a log that cannot be written is only a lost note.
fn note_why_not_run(ctx: &TaskContext, message: &str) {
    let _ = write_file(
        &ctx.work_dir().join("configure_for_execution.log"),
        &format!("{message}\n"),
    );
}

/// The `Package` and `Version` of a binary package, read with `dpkg-deb --field`.
fn package_and_version(ctx: &TaskContext, deb: &Path) -> Result<(String, String), TaskError> {
    let name = deb.file_name().unwrap_or_default().to_string_lossy();
    let out = ctx.work_dir().join(format!("{name}.fields"));
    let command = CommandLine::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .arg("Package")
        .arg("Version")
        .stdout_to(&out);
    if !ctx.run(&command)?.success() {
        return Err(TaskError::other(format!(
            "{}: `dpkg-deb --field` failed",
            deb.display()
        )));
    }
    let fields = deb822::read_first(&out)?;
    Ok((
        deb822::require(&fields, "Package", &out)?.to_owned(),
        deb822::require(&fields, "Version", &out)?.to_owned(),
    ))
}

/// The installed piuparts' version, from `dpkg-query` (Debusine asks the environment's dpkg).
fn piuparts_version(ctx: &TaskContext) -> Result<String, TaskError> {
    let out = ctx.work_dir().join("piuparts-version.txt");
    let command = CommandLine::new("dpkg-query")
        .arg("--showformat=${Version}")
        .arg("--show")
        .arg("piuparts")
        .stdout_to(&out);
    if !ctx.run(&command)?.success() {
        return Err(TaskError::other("`dpkg-query --show piuparts` failed"));
    }
    Ok(read_file(&out)?.trim().to_owned())
}
