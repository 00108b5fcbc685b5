//! The `simplesystemimagebuild` task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    CommandLine, Execute, Task, TaskConfigError, TaskContext, TaskError, TaskMetadata, Unmet,
    WorkerMetadata, program_on_path,
};

use crate::bootstrap::{self, BootstrapOptions, BootstrapRepository};
use crate::lookup::{LookupSingle, default_task_configuration};
use crate::tasks::mmdebstrap::{
    BootstrapInputs, local_keyrings, mmdebstrap_command, write_customization_script,
};
use taskdef::Rules;

/// Build a bootable Debian disk image.
///
/// The system is bootstrapped with mmdebstrap as in the `mmdebstrap` task, then laid out on
/// the partitions of `disk_image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
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
    /// The kernel package to install, or null for the architecture's default.
    #[serde(default)]
    pub kernel_package: Option<String>,
    /// The bootloader package to install, or null for the architecture's default.
    #[serde(default)]
    pub bootloader: Option<String>,
    /// The partitions: at least one.
    #[schemars(length(min = 1))]
    pub partitions: Vec<Partition>,
}

/// A file name from task data must name a file directly in the work directory.
fn check_file_name(name: &str) -> Result<(), String> {
    let problem = if name.is_empty() {
        "is empty"
    } else if name == "." || name == ".." {
        "is a directory reference"
    } else if name.contains('/') {
        "contains `/`"
    } else if name.contains('\0') {
        "contains a NUL character"
    } else {
        return Ok(());
    };
    Err(format!(
        "the image file name {name:?} {problem}: it must be a plain file name in the work directory"
    ))
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

impl SimpleSystemImageBuild {
    /// The mmdebstrap command line that bootstraps the image's root filesystem into
    /// `inputs.target`, with the kernel and bootloader packages included.
    pub fn command_line(&self, inputs: &BootstrapInputs) -> CommandLine {
        let options = &self.bootstrap_options;
        let mut packages = options.extra_packages.clone();
        packages.extend(self.disk_image.kernel_package.iter().cloned());
        packages.extend(self.disk_image.bootloader.iter().cloned());
        mmdebstrap_command(
            &options.architecture,
            options.variant.map(ImageVariant::as_str),
            &packages,
            options.use_signed_by,
            &self.bootstrap_repositories,
            &[],
            inputs,
        )
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

    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", program_on_path("mmdebstrap"));
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        Self::worker_keys(worker).require_flag("available")?;
        worker.require_architecture(&self.bootstrap_options.architecture)
    }

    /// Bootstraps the root filesystem; laying it out on partitions with a bootloader is
    /// Debusine's image builder's work, which this runner does not have, so it then stops with
    /// an error naming the tarball it made.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let script = write_customization_script(ctx, self.customization_script.as_deref())?;
        let target = ctx
            .work_dir()
            .join(format!("{}.tar", self.disk_image.filename));
        // The name is plain (see `validate`); a symbolic link planted under that name in the
        // work directory could still send the output elsewhere.
        if target
            .symlink_metadata()
            .is_ok_and(|meta| meta.file_type().is_symlink())
        {
            return Err(TaskError::other(format!(
                "{} is a symbolic link: refusing to write the image through it",
                target.display()
            )));
        }
        let inputs = BootstrapInputs {
            keyrings: local_keyrings(&self.bootstrap_repositories)?,
            script,
            target: target.clone(),
        };
        if !ctx.run(&self.command_line(&inputs))?.success() {
            return Ok(false);
        }
        Err(TaskError::other(format!(
            "the root filesystem is in {}; making the partitioned {:?} image from it is not \
             implemented by this runner",
            target.display(),
            self.disk_image.format
        )))
    }
}
