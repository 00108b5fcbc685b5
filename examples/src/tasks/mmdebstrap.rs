//! The `mmdebstrap` task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    CommandLine, Execute, Task, TaskConfigError, TaskContext, TaskError, TaskMetadata, Unmet,
    WorkerMetadata, program_on_path,
};

use crate::artifacts::read_file;
use crate::bootstrap::{self, BootstrapOptions, BootstrapRepository, SystemInfo};
use crate::categories::{self, Models};
use crate::lookup::{LookupSingle, default_task_configuration};
use taskdef::Rules;

/// Build a Debian system tarball with mmdebstrap.
///
/// The tarball can be used as an environment by the other tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    release = "0.16",
    older(release = "0.11", data = crate::debusine_0_11::Mmdebstrap)
)]
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

pub use crate::bootstrap::BootstrapInputs;

/// The tarball mmdebstrap writes, in the work directory.
pub const OUTPUT_TARBALL: &str = "system.tar.xz";

/// APT's timeout for HTTP and HTTPS, in seconds: the read timeout of Debusine's default
/// request timeout (5 s to connect, 30 s to read).
pub const APT_TIMEOUT: u32 = 30;

/// The customize hooks that copy out of the new system what its `debian:system-tarball` data
/// is read from, into the work directory (mmdebstrap runs there): `os-release` and
/// `var_lib_dpkg/dpkg/`; then those that remove the host's network files.
pub const SYSTEM_INFO_HOOKS: [&str; 4] = [
    "--customize-hook=download /etc/os-release os-release",
    "--customize-hook=copy-out /var/lib/dpkg var_lib_dpkg",
    "--customize-hook=rm -f \"$1/etc/hostname\"",
    "--customize-hook=test -h \"$1/etc/resolv.conf\" || rm -f \"$1/etc/resolv.conf\"",
];

/// The hooks that record whether the system has `/sbin/init` (`test-sbin-init` holds `0`
/// when it does).
pub const SBIN_INIT_HOOKS: [&str; 3] = [
    "--customize-hook=(test -x \"$1/sbin/init\" || test -h \"$1/sbin/init\") ; echo $? > \"$1/test_sbin_init\"",
    "--customize-hook=download test_sbin_init test-sbin-init",
    "--customize-hook=rm \"$1/test_sbin_init\"",
];

impl Mmdebstrap {
    /// Debusine 0.16's mmdebstrap command line for this task data and these local files: the
    /// options, the hooks, then an empty suite, the output tarball, an empty mirror and the
    /// host's sources file (mmdebstrap reads the suite and the mirrors from it).
    ///
    /// Every value from the task data is one argument, as `--option=value`.
    pub fn command_line(&self, inputs: &BootstrapInputs) -> CommandLine {
        let options = &self.bootstrap_options;
        let cmd = CommandLine::new("mmdebstrap")
            .arg(format!("--aptopt=Acquire::http::timeout={APT_TIMEOUT}"))
            .arg(format!("--aptopt=Acquire::https::timeout={APT_TIMEOUT}"))
            .arg("--mode=unshare")
            .arg("--format=tar")
            .arg(format!("--architectures={}", options.architecture))
            .arg("--verbose");
        let mut cmd = bootstrap::sources_and_keyrings(cmd, &self.bootstrap_repositories, inputs);
        if let Some(gpgv) = options.gpgv_command {
            cmd = cmd.arg(gpgv.aptopt());
        }
        // Daemons are kept from starting by policy-rc.d; skipping mmdebstrap's
        // start-stop-daemon wrapper keeps dpkg's checksums right (#1121344).
        cmd = cmd
            .args(SYSTEM_INFO_HOOKS)
            .arg("--skip=chroot/start-stop-daemon");
        cmd = bootstrap::customization_hooks(cmd, inputs.script.as_deref());
        cmd = cmd.args(SBIN_INIT_HOOKS);
        if let Some(variant) = options.variant {
            cmd = cmd.arg(format!("--variant={}", variant.as_str()));
        }
        if !options.extra_packages.is_empty() {
            cmd = cmd.arg(format!("--include={}", options.extra_packages.join(",")));
        }
        cmd.arg("")
            .arg(OUTPUT_TARBALL)
            .arg("")
            .arg(&inputs.host_sources)
    }
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
    /// copied out of it (vendor, codename, packages, `/sbin/init`) and the first repository's
    /// components.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let Some(main) = self.bootstrap_repositories.first() else {
            return Err(TaskError::other("/bootstrap_repositories: no repository"));
        };
        let options = &self.bootstrap_options;
        let inputs = bootstrap::prepare(
            ctx,
            &self.bootstrap_repositories,
            options.use_signed_by,
            self.customization_script.as_deref(),
        )?;
        if !ctx.run(&self.command_line(&inputs))?.success() {
            return Ok(false);
        }
        let dir = ctx.work_dir();
        // copy-out puts /var/lib/dpkg under its own name in the target directory.
        let info = SystemInfo::read(
            &dir.join("os-release"),
            &dir.join("var_lib_dpkg/dpkg"),
            &main.suite,
        )?;
        let with_init = read_file(&dir.join("test-sbin-init"))?.trim() == "0";
        let system = info.data(
            &main.mirror,
            options.variant.map(MmdebstrapVariant::as_str),
            &options.architecture,
            with_init,
        );
        // prepare() refuses null components, so the first repository lists them.
        let components = main.components.as_deref().unwrap_or_default();
        ctx.upload_artifact(categories::system_tarball(
            &dir.join(OUTPUT_TARBALL),
            &system,
            components,
            Models::of(ctx),
        ))?;
        Ok(true)
    }
}
