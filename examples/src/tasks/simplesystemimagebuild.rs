//! The `simplesystemimagebuild` task.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    CommandLine, Execute, Task, TaskConfigError, TaskContext, TaskError, TaskMetadata, Unmet,
    WorkerMetadata, program_on_path,
};

use crate::bootstrap::{self, BootstrapInputs, BootstrapOptions, BootstrapRepository, SystemInfo};
use crate::categories::{self, ImageData, Models};
use crate::lookup::{LookupSingle, default_task_configuration};
use taskdef::Rules;

/// Build a bootable Debian disk image.
///
/// As Debusine 0.16 does: `debefivm-create` (from the Debian package `mmdebstrap`)
/// bootstraps the system with mmdebstrap and lays it out as an EFI-bootable disk image (an
/// EFI partition with systemd-boot, then the root partition of the size of the first of
/// `disk_image.partitions`), which is uploaded as `debian:system-image`. `gpgv_command` is
/// not passed on, as in Debusine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    release = "0.16",
    older(release = "0.11", data = crate::debusine_0_11::SimpleSystemImageBuild)
)]
pub struct SimpleSystemImageBuild {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// How to bootstrap.
    pub bootstrap_options: BootstrapOptions<ImageVariant>,
    /// The repositories to bootstrap from: at least one.
    #[schemars(length(min = 1))]
    pub bootstrap_repositories: Vec<BootstrapRepository>,
    /// A script to run in the system once it is bootstrapped.
    #[serde(default)]
    pub customization_script: Option<String>,
    /// The disk image to make.
    pub disk_image: DiskImage,
}

/// The mmdebstrap variants an image may be built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum ImageVariant {
    /// Essential packages and build-essential.
    Buildd,
    /// Essential packages and apt.
    Minbase,
}

impl ImageVariant {
    /// The wire spelling, also mmdebstrap's.
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageVariant::Buildd => "buildd",
            ImageVariant::Minbase => "minbase",
        }
    }
}

/// A disk image's format and layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiskImage {
    /// The image format.
    pub format: ImageFormat,
    /// The image's file name, without extension: a plain name in the task's work directory (no
    /// `/`, not `.` or `..`, no NUL), so it cannot point outside it.
    #[serde(default = "default_filename")]
    pub filename: String,
    /// The kernel package to install, or null for `linux-image-generic` (as Debusine).
    #[serde(default)]
    pub kernel_package: Option<String>,
    /// The bootloader package; not read, as in Debusine (the image boots with systemd-boot).
    #[serde(default)]
    pub bootloader: Option<String>,
    /// The partitions: at least one. The first gives the root partition's size and
    /// filesystem; the others are not read, as in Debusine.
    #[schemars(length(min = 1))]
    pub partitions: Vec<Partition>,
}

/// A file name from task data must name a file directly in the work directory.
fn check_file_name(name: &str) -> Result<(), String> {
    taskdef::paths::check_file_name(name).map_err(|problem| {
        format!(
            "the image file name {name:?} is refused ({problem}): it must be a plain file name \
             in the work directory"
        )
    })
}

fn default_filename() -> String {
    "image".to_owned()
}

/// A disk image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum ImageFormat {
    /// A raw disk image.
    Raw,
    /// A QEMU copy-on-write image.
    Qcow2,
}

impl ImageFormat {
    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageFormat::Raw => "raw",
            ImageFormat::Qcow2 => "qcow2",
        }
    }

    /// The extension of the uploaded file: a raw image is uploaded in a `.tar.xz`.
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Raw => "tar.xz",
            ImageFormat::Qcow2 => "qcow2",
        }
    }
}

/// One partition of a disk image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// The size, in GiB.
    pub size: i64,
    /// The filesystem (`ext4`, `vfat`, ...).
    pub filesystem: String,
    /// Where the partition is mounted, or `none`.
    #[serde(default = "default_mountpoint")]
    pub mountpoint: String,
}

fn default_mountpoint() -> String {
    "none".to_owned()
}

/// Debusine 0.16's image builder, on `PATH` (the Debian package `mmdebstrap` installs it).
pub const DEBEFIVM_CREATE: &str = "debefivm-create";

/// The files Debusine lays over the image (the incus agent, systemd-boot's kernel hooks), where
/// the Debian package `python3-debusine` installs them.
pub const OVERLAY_DIR: &str = "/usr/lib/python3/dist-packages/debusine/tasks/data/overlays";

/// Each overlay file: its overlay, its path in the image and its mode.
const OVERLAY_FILES: [(&str, &str, u32); 5] = [
    (
        "incus-agent",
        "lib/systemd/system/incus-agent.service",
        0o644,
    ),
    ("incus-agent", "lib/systemd/incus-agent-setup", 0o755),
    (
        "incus-agent",
        "lib/udev/rules.d/99-incus-agent.rules",
        0o644,
    ),
    (
        "systemd-boot",
        "etc/kernel/postinst.d/zz-update-systemd-boot",
        0o755,
    ),
    (
        "systemd-boot",
        "etc/kernel/postrm.d/zz-update-systemd-boot",
        0o755,
    ),
];

/// The raw image `debefivm-create` writes, in the work directory.
pub const OUTPUT_IMAGE: &str = "system.img";

/// The kernel when `disk_image.kernel_package` is null: the generic one has 9p support.
const DEFAULT_KERNEL: &str = "linux-image-generic";

/// The local files a `debefivm-create` run uses: those of every bootstrap.
pub type ImageInputs = BootstrapInputs;

/// The customization script Debusine runs outside the system, as a hook of its own.
const SETUP_TESTBED: &str = "/usr/share/autopkgtest/setup-commands/setup-testbed";

impl SimpleSystemImageBuild {
    /// The repository the image is named after, and the partition that becomes its root.
    fn main_parts(&self) -> Result<(&BootstrapRepository, &Partition), TaskError> {
        let repository = self
            .bootstrap_repositories
            .first()
            .ok_or_else(|| TaskError::other("/bootstrap_repositories: no repository"))?;
        let partition = self
            .disk_image
            .partitions
            .first()
            .ok_or_else(|| TaskError::other("/disk_image/partitions: no partition"))?;
        Ok((repository, partition))
    }

    /// Debusine 0.16's `debefivm-create` command line: its own options (the output image
    /// with `--output`), then after `--` the mirror and mmdebstrap's options (the sources, the
    /// keyrings, the customization script, the hooks that copy out what the artifact's data
    /// is read from, the overlays, the packages) and the host's sources file.
    pub fn command_line(&self, inputs: &ImageInputs) -> Result<CommandLine, TaskError> {
        let (main, root) = self.main_parts()?;
        let options = &self.bootstrap_options;
        let cmd = CommandLine::new(DEBEFIVM_CREATE)
            .arg(format!("--architecture={}", options.architecture))
            .arg(format!("--release={}", main.suite))
            .arg(format!("--rootsize={}G", root.size))
            .arg(format!("--output={OUTPUT_IMAGE}"))
            .arg("--")
            .arg(&main.mirror)
            .arg("--verbose");
        let mut cmd = bootstrap::sources_and_keyrings(cmd, &self.bootstrap_repositories, inputs);
        cmd = match inputs.script.as_deref() {
            // The script runs outside the system, as Debusine special-cases it.
            Some(script) if script == Path::new(SETUP_TESTBED) => {
                cmd.arg(format!("--customize-hook={SETUP_TESTBED}"))
            }
            script => bootstrap::customization_hooks(cmd, script),
        };
        cmd = cmd
            .arg("--customize-hook=download /etc/os-release os-release")
            .arg("--customize-hook=tar-out /var/lib/dpkg var_lib_dpkg.tar");
        for (overlay, path, mode) in OVERLAY_FILES {
            cmd = cmd
                .arg(format!(
                    "--customize-hook=upload {OVERLAY_DIR}/{overlay}/{path} /{path}"
                ))
                .arg(format!("--customize-hook=chmod {mode:o} \"$1/{path}\""));
        }
        if let Some(variant) = options.variant {
            cmd = cmd.arg(format!("--variant={}", variant.as_str()));
        }
        let kernel = self
            .disk_image
            .kernel_package
            .as_deref()
            .unwrap_or(DEFAULT_KERNEL);
        let mut packages = options.extra_packages.clone();
        packages.push(kernel.to_owned());
        Ok(cmd
            .arg(format!("--include={}", packages.join(",")))
            .arg(&inputs.host_sources))
    }
}

/// Refuses to write an output through a symbolic link planted under its name in the work
/// directory.
fn refuse_symlink(path: &Path) -> Result<(), TaskError> {
    if path
        .symlink_metadata()
        .is_ok_and(|meta| meta.file_type().is_symlink())
    {
        return Err(TaskError::other(format!(
            "{} is a symbolic link: refusing to write the image through it",
            path.display()
        )));
    }
    Ok(())
}

/// Runs a command whose failure fails the task with an error naming it.
fn run_checked(ctx: &TaskContext, command: &CommandLine) -> Result<(), TaskError> {
    let status = ctx.run(command)?;
    match (status.success(), status.code) {
        (true, _) => Ok(()),
        (false, Some(code)) => Err(TaskError::other(format!(
            "`{command}` failed with exit code {code}"
        ))),
        (false, None) => Err(TaskError::other(format!(
            "`{command}` was ended by signal {}",
            status.signal.unwrap_or_default()
        ))),
    }
}

impl Execute for SimpleSystemImageBuild {
    const RULES: &'static [&'static str] = &[
        crate::bootstrap::RULE_KEYRING,
        "`disk_image.filename` is a plain file name: not empty, not `.` or `..`, without `/` or NUL.",
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        bootstrap::check_repositories(&self.bootstrap_repositories, &mut rules);
        if let Err(reason) = check_file_name(&self.disk_image.filename) {
            rules.fail("/disk_image/filename", reason);
        }
        rules.finish()
    }

    /// `available`: mmdebstrap and `debefivm-create` are on `PATH`.
    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert(
            "available",
            program_on_path("mmdebstrap") && program_on_path(DEBEFIVM_CREATE),
        );
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        Self::worker_keys(worker).require_flag("available")?;
        worker.require_architecture(&self.bootstrap_options.architecture)
    }

    /// Builds the image with `debefivm-create`, converts it to `disk_image.format` (`qemu-img
    /// convert` to a `.qcow2`, or a `.tar.xz` of the raw image), then uploads it as
    /// `debian:system-image` with what the hooks copied out of it (vendor, codename, packages).
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let (main, root) = self.main_parts()?;
        let dir = ctx.work_dir();
        let format = self.disk_image.format;
        let image_file = dir.join(format!(
            "{}.{}",
            self.disk_image.filename,
            format.extension()
        ));
        let raw = dir.join(OUTPUT_IMAGE);
        refuse_symlink(&raw)?;
        refuse_symlink(&image_file)?;
        let size = root.size.checked_mul(1_000_000_000).ok_or_else(|| {
            TaskError::other(format!(
                "/disk_image/partitions/0/size: {} GB does not fit in a byte count",
                root.size
            ))
        })?;
        let inputs = bootstrap::prepare(
            ctx,
            &self.bootstrap_repositories,
            self.bootstrap_options.use_signed_by,
            self.customization_script.as_deref(),
        )?;
        let command = self.command_line(&inputs)?;
        let status = ctx.run(&command).map_err(|error| match error {
            TaskError::ToolMissing { .. } => TaskError::ToolMissing {
                program: format!("{DEBEFIVM_CREATE} (Debian package mmdebstrap)"),
            },
            other => other,
        })?;
        if !status.success() {
            return Ok(false);
        }
        let convert = match format {
            ImageFormat::Qcow2 => CommandLine::new("qemu-img")
                .args(["convert", "-O", "qcow2"])
                .arg(OUTPUT_IMAGE)
                .arg(&image_file),
            ImageFormat::Raw => CommandLine::new("tar")
                .args(["--create", "--auto-compress", "--file"])
                .arg(&image_file)
                .arg(OUTPUT_IMAGE),
        };
        run_checked(ctx, &convert)?;
        // tar-out wrote /var/lib/dpkg as `dpkg/` in a tarball.
        let var_lib_dpkg = dir.join("var_lib_dpkg");
        std::fs::create_dir(&var_lib_dpkg)
            .map_err(|error| TaskError::other(format!("{}: {error}", var_lib_dpkg.display())))?;
        run_checked(
            ctx,
            &CommandLine::new("tar")
                .arg("-C")
                .arg(&var_lib_dpkg)
                .arg("-xf")
                .arg(dir.join("var_lib_dpkg.tar")),
        )?;
        let info = SystemInfo::read(
            &dir.join("os-release"),
            &var_lib_dpkg.join("dpkg"),
            &main.suite,
        )?;
        // debefivm-create installs systemd-sysv: the image has /sbin/init.
        let system = info.data(
            &main.mirror,
            self.bootstrap_options.variant.map(ImageVariant::as_str),
            &self.bootstrap_options.architecture,
            true,
        );
        let image = ImageData {
            image_format: format.as_str(),
            filesystem: &root.filesystem,
            size,
            boot_mechanism: "efi",
        };
        // prepare() refuses null components, so the first repository lists them.
        let components = main.components.as_deref().unwrap_or_default();
        ctx.upload_artifact(categories::system_image(
            &image_file,
            &system,
            &image,
            components,
            Models::of(ctx),
        ))?;
        Ok(true)
    }
}
