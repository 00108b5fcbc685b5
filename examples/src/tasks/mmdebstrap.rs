//! The `mmdebstrap` task.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    CommandLine, Execute, Task, TaskConfigError, TaskContext, TaskError, TaskMetadata, Unmet,
    WorkerMetadata, program_on_path,
};

use crate::artifacts::read_file;
use crate::bootstrap::{self, BootstrapOptions, BootstrapRepository, Keyring, SystemInfo};
use crate::categories;
use crate::lookup::{LookupSingle, default_task_configuration};
use taskdef::Rules;

/// Build a Debian system tarball with mmdebstrap.
///
/// The tarball can be used as an environment by the other tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Mmdebstrap {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
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

/// An mmdebstrap variant: which packages make up the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum MmdebstrapVariant {
    /// Essential packages and build-essential.
    Buildd,
    /// Essential packages and apt.
    Minbase,
    /// The default of mmdebstrap (`important`, written `-`).
    #[serde(rename = "-")]
    Default,
    /// Essential packages and apt.
    Apt,
    /// Only the packages asked for.
    Custom,
    /// As debootstrap would do it.
    Debootstrap,
    /// Essential packages only.
    Essential,
    /// Unpack the packages asked for, without installing them.
    Extract,
    /// Priority important and above.
    Important,
    /// Priority required and above.
    Required,
    /// Priority standard and above.
    Standard,
}

impl MmdebstrapVariant {
    /// The wire spelling, also mmdebstrap's.
    pub const fn as_str(self) -> &'static str {
        match self {
            MmdebstrapVariant::Buildd => "buildd",
            MmdebstrapVariant::Minbase => "minbase",
            MmdebstrapVariant::Default => "-",
            MmdebstrapVariant::Apt => "apt",
            MmdebstrapVariant::Custom => "custom",
            MmdebstrapVariant::Debootstrap => "debootstrap",
            MmdebstrapVariant::Essential => "essential",
            MmdebstrapVariant::Extract => "extract",
            MmdebstrapVariant::Important => "important",
            MmdebstrapVariant::Required => "required",
            MmdebstrapVariant::Standard => "standard",
        }
    }
}

/// The local files an mmdebstrap run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapInputs {
    /// Each repository's keyring file, where it has one.
    pub keyrings: Vec<Option<PathBuf>>,
    /// Where the customization script was written, if there is one.
    pub script: Option<PathBuf>,
    /// The tarball or directory to create.
    pub target: PathBuf,
}

/// The customize hooks that copy out of the new system what its `debian:system-tarball` data
/// needs, into the work directory (mmdebstrap runs there): `os-release`,
/// `var_lib_dpkg/dpkg/` and `test-sbin-init` (`0` when it has `/sbin/init`), as Debusine's
/// mmdebstrap task does.
pub const SYSTEM_INFO_HOOKS: [&str; 5] = [
    "--customize-hook=download /etc/os-release os-release",
    "--customize-hook=copy-out /var/lib/dpkg var_lib_dpkg",
    "--customize-hook=(test -x \"$1/sbin/init\" || test -h \"$1/sbin/init\") ; echo $? > \"$1/test_sbin_init\"",
    "--customize-hook=download test_sbin_init test-sbin-init",
    "--customize-hook=rm \"$1/test_sbin_init\"",
];

/// Where mmdebstrap puts the customization script inside the system.
pub const SCRIPT_INSIDE: &str = "/root/debusine-customization-script";

/// The mmdebstrap command line shared by mmdebstrap and simplesystemimagebuild.
///
/// Every value from the task data is one argument, as `--option=value` or after `--`.
pub fn mmdebstrap_command(
    architecture: &str,
    variant: Option<&str>,
    packages: &[String],
    use_signed_by: bool,
    repositories: &[BootstrapRepository],
    hooks: &[&str],
    inputs: &BootstrapInputs,
) -> CommandLine {
    let mut cmd = CommandLine::new("mmdebstrap")
        .arg("--mode=unshare")
        .arg(format!("--architectures={architecture}"));
    if let Some(variant) = variant {
        cmd = cmd.arg(format!("--variant={variant}"));
    }
    if !packages.is_empty() {
        cmd = cmd.arg(format!("--include={}", packages.join(",")));
    }
    let mut lines = Vec::new();
    for (repository, keyring) in repositories.iter().zip(&inputs.keyrings) {
        let keyring_text = keyring
            .as_deref()
            .map(|path| path.to_string_lossy().into_owned());
        match keyring {
            Some(path) if !use_signed_by => {
                let mut arg = OsString::from("--keyring=");
                arg.push(path);
                cmd = cmd.arg(arg);
            }
            _ => {}
        }
        let signed_by = if use_signed_by {
            keyring_text.as_deref()
        } else {
            None
        };
        lines.extend(repository.sources_list_lines(signed_by));
    }
    if let Some(script) = &inputs.script {
        let mut upload = OsString::from("--customize-hook=upload ");
        upload.push(script);
        upload.push(format!(" {SCRIPT_INSIDE}"));
        cmd = cmd
            .arg(upload)
            .arg(format!("--customize-hook=chroot \"$1\" sh {SCRIPT_INSIDE}"))
            .arg(format!("--customize-hook=rm \"$1\"{SCRIPT_INSIDE}"));
    }
    cmd = cmd.args(hooks.iter().copied());
    let suite = repositories
        .first()
        .map(|repository| repository.suite.clone())
        .unwrap_or_default();
    cmd.arg("--").arg(suite).arg(&inputs.target).args(lines)
}

/// The keyring files of the repositories, each as [`local_keyring`] finds it.
pub fn local_keyrings(
    repositories: &[BootstrapRepository],
) -> Result<Vec<Option<PathBuf>>, TaskError> {
    repositories
        .iter()
        .map(|repository| repository.keyring.as_ref().map(local_keyring).transpose())
        .collect()
}

/// A keyring's file: a `file://` URL is used in place; other URLs need a download, which the
/// offline runner does not do.
pub fn local_keyring(keyring: &Keyring) -> Result<PathBuf, TaskError> {
    match keyring.url.strip_prefix("file://") {
        Some(path) => Ok(Path::new(&bootstrap::normalise_path(path)).to_owned()),
        None => Err(TaskError::other(format!(
            "keyring {}: downloading keyrings is not implemented by this runner; use a \
             file:// URL under /usr/share/keyrings/",
            keyring.url
        ))),
    }
}

impl Mmdebstrap {
    /// The mmdebstrap command line for this task data and these local files.
    pub fn command_line(&self, inputs: &BootstrapInputs) -> CommandLine {
        let options = &self.bootstrap_options;
        mmdebstrap_command(
            &options.architecture,
            options.variant.map(MmdebstrapVariant::as_str),
            &options.extra_packages,
            options.use_signed_by,
            &self.bootstrap_repositories,
            &SYSTEM_INFO_HOOKS,
            inputs,
        )
    }
}

/// Writes the customization script, if any, into the work directory as `name`, for mmdebstrap
/// to run.
pub(crate) fn write_customization_script(
    ctx: &TaskContext,
    script: Option<&str>,
    name: &str,
) -> Result<Option<PathBuf>, TaskError> {
    let Some(text) = script else {
        return Ok(None);
    };
    let path = ctx.work_dir().join(name);
    crate::artifacts::write_file(&path, text)?;
    Ok(Some(path))
}

impl Execute for Mmdebstrap {
    const RULES: &'static [&'static str] = &[crate::bootstrap::RULE_KEYRING];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        bootstrap::check_repositories(&self.bootstrap_repositories, &mut rules);
        rules.finish()
    }

    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", program_on_path("mmdebstrap"));
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        Self::worker_keys(worker).require_flag("available")?;
        worker.require_architecture(&self.bootstrap_options.architecture)
    }

    /// Bootstraps the system, then uploads it as `debian:system-tarball` with what the hooks
    /// copied out of it (vendor, codename, packages, `/sbin/init`).
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let script = write_customization_script(
            ctx,
            self.customization_script.as_deref(),
            "customization-script",
        )?;
        let inputs = BootstrapInputs {
            keyrings: local_keyrings(&self.bootstrap_repositories)?,
            script,
            target: ctx.work_dir().join("system.tar.xz"),
        };
        if !ctx.run(&self.command_line(&inputs))?.success() {
            return Ok(false);
        }
        let dir = ctx.work_dir();
        let Some(main) = self.bootstrap_repositories.first() else {
            return Err(TaskError::other("no bootstrap repository"));
        };
        // copy-out puts /var/lib/dpkg under its own name in the target directory.
        let info = SystemInfo::read(
            &dir.join("os-release"),
            &dir.join("var_lib_dpkg/dpkg"),
            &main.suite,
        )?;
        let with_init = read_file(&dir.join("test-sbin-init"))?.trim() == "0";
        let system = info.data(
            &main.mirror,
            self.bootstrap_options
                .variant
                .map(MmdebstrapVariant::as_str),
            &self.bootstrap_options.architecture,
            with_init,
        );
        ctx.upload_artifact(categories::system_tarball(&inputs.target, &system))?;
        Ok(true)
    }
}
