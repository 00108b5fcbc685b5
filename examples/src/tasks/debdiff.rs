//! The `debdiff` task.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, RelationType, Task, TaskConfigError,
    TaskContext, TaskError,
};

use crate::artifacts::{Inputs, file_with_suffix, files_with_suffix};
use crate::categories;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use taskdef::Rules;
use taskdef::pointer::child;

/// Compare two source packages, or two sets of binary packages, with debdiff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = DebdiffDynamicData)]
pub struct Debdiff {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// What to compare: exactly one of the two pairs.
    pub input: DebdiffInput,
    /// The executor backend to run debdiff with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run debdiff in.
    pub environment: LookupSingle,
    /// The architecture to run on (`amd64`).
    pub host_architecture: String,
    /// Options to pass to debdiff.
    #[serde(default)]
    pub extra_flags: Vec<DebdiffFlag>,
}

/// What the server found for a `debdiff` task (Debusine's `DebDiffDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebdiffDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The two source packages to compare, as found for `input.source_artifacts`: null when
    /// binary packages are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 2))]
    pub input_source_artifacts_ids: Option<Vec<ArtifactId>>,
    /// The two sets of binary packages to compare, as found for `input.binary_artifacts`:
    /// null when source packages are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_binary_artifacts_ids: Option<Vec<Vec<ArtifactId>>>,
}

/// The two things debdiff compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebdiffInput {
    /// The old and the new source package.
    #[serde(default)]
    pub source_artifacts: Option<[LookupSingle; 2]>,
    /// The old and the new set of binary packages.
    #[serde(default)]
    pub binary_artifacts: Option<[LookupMultiple; 2]>,
}

/// An option of debdiff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::unit_enum)]
pub enum DebdiffFlag {
    /// Compare the lists of directories too.
    #[serde(rename = "--dirs")]
    Dirs,
    /// Do not compare the control files.
    #[serde(rename = "--nocontrol")]
    Nocontrol,
    /// Compare control files word by word.
    #[serde(rename = "--wdiff-source-control")]
    WdiffSourceControl,
    /// Show files that moved between packages.
    #[serde(rename = "--show-moved")]
    ShowMoved,
    /// Show a diffstat.
    #[serde(rename = "--diffstat")]
    Diffstat,
    /// Apply the packages' patches before comparing.
    #[serde(rename = "--apply-patches")]
    ApplyPatches,
    /// Ignore changes in whitespace.
    #[serde(rename = "--ignore-space")]
    IgnoreSpace,
}

impl DebdiffFlag {
    /// The option as debdiff spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            DebdiffFlag::Dirs => "--dirs",
            DebdiffFlag::Nocontrol => "--nocontrol",
            DebdiffFlag::WdiffSourceControl => "--wdiff-source-control",
            DebdiffFlag::ShowMoved => "--show-moved",
            DebdiffFlag::Diffstat => "--diffstat",
            DebdiffFlag::ApplyPatches => "--apply-patches",
            DebdiffFlag::IgnoreSpace => "--ignore-space",
        }
    }
}

/// The local files a debdiff run compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebdiffInputs {
    /// Two `.dsc` files.
    Sources {
        /// The old source package.
        old: PathBuf,
        /// The new source package.
        new: PathBuf,
    },
    /// Two sets of `.deb` files.
    Binaries {
        /// The old packages.
        old: Vec<PathBuf>,
        /// The new packages.
        new: Vec<PathBuf>,
    },
}

impl Debdiff {
    /// The debdiff command line for this task data and these local files.
    ///
    /// debdiff's `--from`/`--to` lists leave no room for `--`; the paths are the runner's own
    /// (under the work directory), never values from the task data.
    pub fn command_line(&self, inputs: &DebdiffInputs) -> CommandLine {
        let cmd = CommandLine::new("debdiff").args(self.extra_flags.iter().map(|f| f.as_str()));
        match inputs {
            DebdiffInputs::Sources { old, new } => cmd.arg(old).arg(new),
            DebdiffInputs::Binaries { old, new } => cmd
                .arg("--from")
                .args(old.iter())
                .arg("--to")
                .args(new.iter()),
        }
    }
}

impl Execute for Debdiff {
    const RULES: &'static [&'static str] = &[
        "Exactly one of `input.source_artifacts` or `input.binary_artifacts` is set.",
        crate::lookup::RULE_MATCHERS,
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        if self.input.source_artifacts.is_some() == self.input.binary_artifacts.is_some() {
            rules.fail(
                "/input",
                "Exactly one of source_artifacts or binary_artifacts must be set",
            );
        }
        for (index, lookup) in self.input.binary_artifacts.iter().flatten().enumerate() {
            if lookup.has_rules_to_check() {
                lookup.check(&child("/input/binary_artifacts", index), &mut rules);
            }
        }
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        Some(&self.host_architecture)
    }

    /// Compares the two inputs, then uploads debdiff's report as `debian:debdiff`, related to
    /// every input.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let found = match (&self.input.source_artifacts, &self.input.binary_artifacts) {
            (Some([old, new]), _) => {
                let ids = dynamic.and_then(|data| data.input_source_artifacts_ids.as_deref());
                let id = |index: usize| ids.and_then(|ids| ids.get(index).copied());
                let field = "input.source_artifacts";
                DebdiffInputs::Sources {
                    old: file_with_suffix(&inputs.single(field, old, id(0))?, ".dsc")?,
                    new: file_with_suffix(&inputs.single(field, new, id(1))?, ".dsc")?,
                }
            }
            (None, Some([old, new])) => {
                let ids = dynamic.and_then(|data| data.input_binary_artifacts_ids.as_deref());
                let ids = |index: usize| ids.and_then(|ids| ids.get(index)).map(Vec::as_slice);
                let field = "input.binary_artifacts";
                DebdiffInputs::Binaries {
                    old: files_with_suffix(&inputs.multiple(field, old, ids(0))?, ".deb")?,
                    new: files_with_suffix(&inputs.multiple(field, new, ids(1))?, ".deb")?,
                }
            }
            (None, None) => unreachable!("validate requires one of the inputs"),
        };
        let report = ctx.work_dir().join("debdiff.txt");
        let status = ctx.run(&self.command_line(&found).stdout_to(&report))?;
        let (original, new) = match &found {
            DebdiffInputs::Sources { old, new } => (
                names(std::slice::from_ref(old)),
                names(std::slice::from_ref(new)),
            ),
            DebdiffInputs::Binaries { old, new } => (names(old), names(new)),
        };
        let id = ctx.upload_artifact(categories::debdiff(&report, &original, &new))?;
        inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        // debdiff exits 1 when the packages differ: that is its report, not a failure.
        Ok(matches!(status.code, Some(0) | Some(1)))
    }
}

/// The file names of `paths`, joined by spaces (how Debusine names the two sides).
fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| path.file_name().unwrap_or_default().to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}
