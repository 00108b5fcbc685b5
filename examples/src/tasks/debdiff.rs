//! The `debdiff` task.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, RelationType, Task, TaskConfigError,
    TaskContext, TaskError,
};

use crate::artifacts::Inputs;
use crate::categories::{self, Models};
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use taskdef::Rules;
use taskdef::pointer::child;

/// Compare two source packages, or two sets of binary packages, with debdiff.
///
/// As Debusine 0.16 does, each input artifact gives debdiff one file: its `.changes` if it has
/// one, else its `.deb`, `.udeb` or `.dsc`; packages (`.deb`, `.udeb`) are compared with
/// `--from ... --to ...`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = DebdiffDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::Debdiff,
        dynamic_data = crate::debusine_0_11::DebdiffDynamicData
    )
)]
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
    pub build_architecture: String,
    /// Options to pass to debdiff.
    #[serde(default)]
    pub extra_flags: Vec<DebdiffFlag>,
}

/// What the server found for a `debdiff` task (Debusine's `DebDiffDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = one_of_the_id_lists)]
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
    #[schemars(length(min = 2, max = 2))]
    pub input_binary_artifacts_ids: Option<Vec<Vec<ArtifactId>>>,
}

/// Debusine's message when the dynamic data has both lists of ids.
pub const BOTH_ID_LISTS: &str = "Only one of 'input_source_artifacts_ids' or \
     'input_binary_artifacts_ids' may be set (not both).";

/// Debusine's rule on the dynamic data, in its schema: not both lists of ids (either may be
/// null, or absent, as in data of older servers).
fn one_of_the_id_lists(schema: &mut schemars::Schema) {
    schema.insert(
        "not".into(),
        serde_json::json!({
            "required": ["input_source_artifacts_ids", "input_binary_artifacts_ids"],
            "properties": {
                "input_source_artifacts_ids": {"type": "array"},
                "input_binary_artifacts_ids": {"type": "array"}
            }
        }),
    );
    schema.insert(
        "x-error-messages".into(),
        serde_json::json!({"not": BOTH_ID_LISTS}),
    );
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

/// The local files a debdiff run compares: one per input artifact, each side in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebdiffInputs {
    /// The original side: one source package, or the files of the old binary packages.
    pub original: Vec<PathBuf>,
    /// The new side.
    pub new: Vec<PathBuf>,
}

impl Debdiff {
    /// The debdiff command line for this task data and these local files: `--from ORIGINAL...
    /// --to NEW...` when the first original file is a `.deb` or `.udeb`, else the two sides
    /// one after the other (as Debusine 0.16 does).
    ///
    /// debdiff's `--from`/`--to` lists leave no room for `--`; the paths are the runner's own
    /// (under the work directory), never values from the task data.
    pub fn command_line(&self, inputs: &DebdiffInputs) -> CommandLine {
        let cmd = CommandLine::new("debdiff").args(self.extra_flags.iter().map(|f| f.as_str()));
        let packages = inputs.original.first().is_some_and(|first| {
            let name = first.to_string_lossy();
            name.ends_with(".deb") || name.ends_with(".udeb")
        });
        if packages {
            cmd.arg("--from")
                .args(inputs.original.iter())
                .arg("--to")
                .args(inputs.new.iter())
        } else {
            cmd.args(inputs.original.iter()).args(inputs.new.iter())
        }
    }
}

/// The file debdiff compares for one input artifact (a file, or a directory): its one
/// `.changes`, else its one `.deb`, `.udeb` or `.dsc` (as Debusine 0.16's `_find_file`).
/// Symbolic links are not followed, as in Debusine.
pub fn debdiff_target(path: &Path) -> Result<PathBuf, TaskError> {
    if path.is_file() {
        return Ok(path.to_owned());
    }
    for suffixes in [&[".changes"][..], &[".deb", ".udeb", ".dsc"]] {
        let mut found = regular_files_ending(path, suffixes)?;
        match found.len() {
            0 => continue,
            1 => return Ok(found.remove(0)),
            _ => {
                return Err(TaskError::other(format!(
                    "{}: more than one {} file",
                    path.display(),
                    suffixes.join(" or ")
                )));
            }
        }
    }
    Err(TaskError::MissingFiles(vec![
        path.join("*.changes, *.deb, *.udeb or *.dsc"),
    ]))
}

/// The regular files (not symbolic links) directly in `dir` ending in one of `suffixes`,
/// sorted.
fn regular_files_ending(dir: &Path, suffixes: &[&str]) -> Result<Vec<PathBuf>, TaskError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| TaskError::other(format!("{}: {error}", dir.display())))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| entry.path())
        .filter(|file| {
            let name = file.to_string_lossy();
            suffixes.iter().any(|suffix| name.ends_with(suffix))
        })
        .collect();
    found.sort();
    Ok(found)
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
        Some(&self.build_architecture)
    }

    /// Compares the two inputs, then uploads debdiff's report as `debian:debdiff` (labelled
    /// `debdiff <parameter summary>` when the server sent a summary), related to every input.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let found = match (&self.input.source_artifacts, &self.input.binary_artifacts) {
            (Some([old, new]), _) => {
                let ids = dynamic.and_then(|data| data.input_source_artifacts_ids.as_deref());
                let id = |index: usize| ids.and_then(|ids| ids.get(index).copied());
                let field = "input.source_artifacts";
                DebdiffInputs {
                    original: vec![debdiff_target(&inputs.single(field, old, id(0))?)?],
                    new: vec![debdiff_target(&inputs.single(field, new, id(1))?)?],
                }
            }
            (None, Some([old, new])) => {
                let ids = dynamic.and_then(|data| data.input_binary_artifacts_ids.as_deref());
                let ids = |index: usize| ids.and_then(|ids| ids.get(index)).map(Vec::as_slice);
                let field = "input.binary_artifacts";
                let targets = |paths: Vec<PathBuf>| -> Result<Vec<PathBuf>, TaskError> {
                    paths.iter().map(|path| debdiff_target(path)).collect()
                };
                DebdiffInputs {
                    original: targets(inputs.multiple(field, old, ids(0))?)?,
                    new: targets(inputs.multiple(field, new, ids(1))?)?,
                }
            }
            (None, None) => {
                return Err(TaskError::other(
                    "/input: exactly one of source_artifacts or binary_artifacts must be set",
                ));
            }
        };
        if found.original.is_empty() || found.new.is_empty() {
            // Debusine's server refuses this when it resolves the lookups.
            return Err(TaskError::other(format!(
                "input.binary_artifacts[0] and input.binary_artifacts[1] cannot have zero \
                 artifacts (got {} and {})",
                found.original.len(),
                found.new.len()
            )));
        }
        let report = ctx.work_dir().join("debdiff.txt");
        let status = ctx.run(&self.command_line(&found).stdout_to(&report))?;
        let label = dynamic
            .and_then(|data| data.base.parameter_summary.as_deref())
            .map(|summary| format!("debdiff {summary}"));
        let artifact = categories::debdiff(
            &report,
            &names(&found.original),
            &names(&found.new),
            label.as_deref(),
            Models::of(ctx),
        );
        let id = ctx.upload_artifact(artifact)?;
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
