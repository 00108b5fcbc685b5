//! The `lintian` task.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, RelationType, Task, TaskConfigError,
    TaskContext, TaskError,
};

use crate::artifacts::{Inputs, file_with_suffix, files_with_suffix, read_file, write_file};
use crate::categories;
use crate::deb822;
use crate::executor::Backend;
use crate::lintian_report;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use taskdef::Rules;

/// Check Debian packages for bugs and policy violations with lintian.
///
/// Analyses the source package, the architecture-independent binary packages and the
/// architecture-dependent ones, as `output` asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = LintianDynamicData)]
pub struct Lintian {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to check: a source package, binary packages, or both.
    pub input: LintianInput,
    /// The executor backend to run lintian with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to run lintian in, or null to run it on the worker.
    #[serde(default)]
    pub environment: Option<LookupSingle>,
    /// The architecture to run on, or null for any.
    #[serde(default)]
    pub host_architecture: Option<String>,
    /// Which analyses to produce.
    #[serde(default)]
    pub output: LintianOutput,
    /// The distribution to check against (`vendor:codename`), which picks lintian's profile.
    #[serde(default = "default_target_distribution")]
    pub target_distribution: String,
    /// Only these tags (all when empty).
    #[serde(default)]
    pub include_tags: Vec<String>,
    /// Never these tags.
    #[serde(default)]
    pub exclude_tags: Vec<String>,
    /// The least severe tag that makes the task fail.
    #[serde(default)]
    pub fail_on_severity: Severity,
}

/// What the server found for a `lintian` task (Debusine's `LintianDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintianDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`: null or absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<ArtifactId>,
    /// The source package to check, as found for `input.source_artifact`: null or absent when
    /// there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_source_artifact_id: Option<ArtifactId>,
    /// The binary packages to check, as found for `input.binary_artifacts`.
    #[serde(default)]
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
}

fn default_target_distribution() -> String {
    "debian:unstable".to_owned()
}

/// The packages lintian checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintianInput {
    /// The source package, or null.
    #[serde(default)]
    pub source_artifact: Option<LookupSingle>,
    /// Binary packages.
    #[serde(default)]
    pub binary_artifacts: LookupMultiple,
}

/// Which analyses lintian produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintianOutput {
    /// Analyse the source package.
    #[serde(default = "yes")]
    pub source_analysis: bool,
    /// Analyse the architecture-independent binary packages.
    #[serde(default = "yes")]
    pub binary_all_analysis: bool,
    /// Analyse the architecture-dependent binary packages.
    #[serde(default = "yes")]
    pub binary_any_analysis: bool,
}

impl Default for LintianOutput {
    fn default() -> Self {
        LintianOutput {
            source_analysis: true,
            binary_all_analysis: true,
            binary_any_analysis: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// A lintian tag severity, from the most severe.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum Severity {
    /// Errors.
    #[default]
    Error,
    /// Warnings and above.
    Warning,
    /// Informational tags and above.
    Info,
    /// Pedantic tags and above.
    Pedantic,
    /// Experimental tags and above.
    Experimental,
    /// Overridden tags and above.
    Overridden,
    /// Never fail.
    None,
}

impl Severity {
    /// lintian's `--fail-on` spelling (`overridden` is `override` there).
    pub const fn fail_on(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Pedantic => "pedantic",
            Severity::Experimental => "experimental",
            Severity::Overridden => "override",
            Severity::None => "none",
        }
    }
}

/// The local files a lintian run checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintianInputs {
    /// The source package's `.dsc`.
    pub source: Option<PathBuf>,
    /// Binary packages (`.deb`); `_all.deb` files are architecture-independent.
    pub binaries: Vec<PathBuf>,
}

impl Lintian {
    /// The lintian command line for this task data and these local files.
    ///
    /// `output` selects which of the files are checked; `target_distribution`'s vendor is the
    /// profile. The report shows every tag, explained, overridden ones included, as the
    /// analyses need.
    pub fn command_line(&self, inputs: &LintianInputs) -> CommandLine {
        let vendor = self
            .target_distribution
            .split(':')
            .next()
            .unwrap_or_default();
        // As Debusine's task: every tag down to classifications, with explanations and the
        // overridden ones, so that the analysis it uploads has them.
        let mut cmd = CommandLine::new("lintian")
            .arg("--no-cfg")
            .arg("--display-level")
            .arg(">=classification")
            .arg("--display-experimental")
            .arg("--info")
            .arg("--show-overrides")
            .arg(format!("--fail-on={}", self.fail_on_severity.fail_on()))
            .arg(format!("--profile={vendor}"));
        if !self.include_tags.is_empty() {
            cmd = cmd.arg(format!("--tags={}", self.include_tags.join(",")));
        }
        if !self.exclude_tags.is_empty() {
            cmd = cmd.arg(format!("--suppress-tags={}", self.exclude_tags.join(",")));
        }
        cmd = cmd.arg("--");
        if self.output.source_analysis {
            cmd = cmd.args(inputs.source.iter());
        }
        for binary in &inputs.binaries {
            let all = binary.to_string_lossy().ends_with("_all.deb");
            if (all && self.output.binary_all_analysis) || (!all && self.output.binary_any_analysis)
            {
                cmd = cmd.arg(binary);
            }
        }
        cmd
    }
}

impl Execute for Lintian {
    const RULES: &'static [&'static str] = &[
        "At least one of `input.source_artifact` or `input.binary_artifacts` is set.",
        crate::lookup::RULE_MATCHERS,
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        if self.input.source_artifact.is_none() && self.input.binary_artifacts.is_empty() {
            rules.fail(
                "/input",
                "One of source_artifact or binary_artifacts must be set",
            );
        }
        self.input
            .binary_artifacts
            .check("/input/binary_artifacts", &mut rules);
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        self.host_architecture.as_deref()
    }

    /// Checks the packages, then uploads one `debian:lintian` analysis for each of source,
    /// architecture-independent and architecture-dependent packages that `output` asks for,
    /// each related to every input, as Debusine does.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let source = match (dynamic, &self.input.source_artifact) {
            (Some(data), _) => data
                .input_source_artifact_id
                .map(|id| inputs.fetch(id))
                .transpose()?,
            (None, Some(lookup)) => Some(inputs.single("input.source_artifact", lookup, None)?),
            (None, None) => None,
        };
        let binaries = inputs.multiple(
            "input.binary_artifacts",
            &self.input.binary_artifacts,
            dynamic.map(|data| data.input_binary_artifacts_ids.as_slice()),
        )?;
        let found = LintianInputs {
            source: source
                .map(|path| file_with_suffix(&path, ".dsc"))
                .transpose()?,
            binaries: files_with_suffix(&binaries, ".deb")?,
        };
        let report = ctx.work_dir().join("lintian.txt");
        let status = ctx.run(&self.command_line(&found).stdout_to(&report))?;
        let version_file = ctx.work_dir().join("lintian-version.txt");
        let version_command = CommandLine::new("lintian")
            .arg("--print-version")
            .stdout_to(&version_file);
        if !ctx.run(&version_command)?.success() {
            return Err(TaskError::other("`lintian --print-version` failed"));
        }
        let version = read_file(&version_file)?.trim().to_owned();
        let tags = lintian_report::parse(&read_file(&report)?)
            .map_err(|error| TaskError::other(format!("{}: {error}", report.display())))?;
        let analyses = [
            ("source", self.output.source_analysis),
            ("binary-all", self.output.binary_all_analysis),
            ("binary-any", self.output.binary_any_analysis),
        ];
        let packages = packages_by_kind(&found)?;
        for (kind, wanted) in analyses {
            if !wanted {
                continue;
            }
            let empty = BTreeMap::new();
            let of_kind = packages.get(kind).unwrap_or(&empty);
            let analysis =
                lintian_report::analysis(&tags, of_kind, &version, &self.target_distribution);
            let path = ctx.work_dir().join(format!("analysis-{kind}.json"));
            write_file(&path, &analysis.to_string())?;
            let artifact = categories::lintian(&path, &report, analysis["summary"].clone());
            let id = ctx.upload_artifact(artifact)?;
            inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        }
        Ok(status.success())
    }
}

/// The packages checked, by kind (`source`, `binary-all`, `binary-any`): lintian's name for
/// each (`<source> source` for the source package, the `Source` of its `.dsc`; a binary
/// package's name from its file name) to the file's name.
fn packages_by_kind(
    found: &LintianInputs,
) -> Result<BTreeMap<&'static str, BTreeMap<String, String>>, TaskError> {
    let file_name = |path: &std::path::Path| {
        path.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let mut kinds: BTreeMap<&'static str, BTreeMap<String, String>> = BTreeMap::new();
    if let Some(dsc) = &found.source {
        let fields = deb822::read_first(dsc)?;
        let name = deb822::require(&fields, "Source", dsc)?;
        kinds
            .entry("source")
            .or_default()
            .insert(format!("{name} source"), file_name(dsc));
    }
    for deb in &found.binaries {
        let name = file_name(deb);
        let package = name.split('_').next().unwrap_or_default().to_owned();
        let kind = if name.ends_with("_all.deb") {
            "binary-all"
        } else {
            "binary-any"
        };
        kinds.entry(kind).or_default().insert(package, name);
    }
    Ok(kinds)
}
