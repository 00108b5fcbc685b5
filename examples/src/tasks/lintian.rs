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
use crate::categories::{self, Models};
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
#[task(
    version = 1,
    dynamic_data = LintianDynamicData,
    release = "0.16",
    older(release = "0.11", data = crate::debusine_0_11::Lintian)
)]
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
    pub build_architecture: Option<String>,
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
    /// The least level of a tag that fails the task (`None` for [`Severity::None`]), on
    /// Debusine's scale ([`severity_level`]).
    pub fn level(self) -> Option<u8> {
        let name = match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Pedantic => "pedantic",
            Severity::Experimental => "experimental",
            Severity::Overridden => "overridden",
            Severity::None => return None,
        };
        Some(severity_level(name))
    }
}

/// A tag severity's level, as Debusine ranks them: `error` 7, `warning` 6, `info` 5,
/// `pedantic` 4, `experimental` 3, `overridden` 2, `classification` 1, `masked` (and anything
/// else) 0.
pub fn severity_level(severity: &str) -> u8 {
    match severity {
        "error" => 7,
        "warning" => 6,
        "info" => 5,
        "pedantic" => 4,
        "experimental" => 3,
        "overridden" => 2,
        "classification" => 1,
        _ => 0,
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
    /// The lintian command line for these local files, as Debusine 0.16 builds it
    /// (`Lintian._cmdline`): every tag down to classifications, with explanations and the
    /// overridden ones, so that the analyses have them; the source package, then the binary
    /// packages, whatever `output` asks for (it selects the analyses, not the files).
    pub fn command_line(&self, inputs: &LintianInputs) -> CommandLine {
        let mut cmd = CommandLine::new("lintian")
            .arg("--no-cfg")
            .arg("--display-level")
            .arg(">=classification")
            .arg("--display-experimental")
            .arg("--info")
            .arg("--show-overrides");
        if !self.include_tags.is_empty() {
            cmd = cmd.arg(format!("--tags={}", self.include_tags.join(",")));
        }
        if !self.exclude_tags.is_empty() {
            cmd = cmd.arg(format!("--suppress-tags={}", self.exclude_tags.join(",")));
        }
        cmd.args(inputs.source.iter()).args(inputs.binaries.iter())
    }

    /// Whether `output` asks for the analysis of `architecture` (`source`, `all`, or any
    /// other: the architecture-dependent packages).
    pub fn analyses(&self, architecture: &str) -> bool {
        match architecture {
            "source" => self.output.source_analysis,
            "all" => self.output.binary_all_analysis,
            _ => self.output.binary_any_analysis,
        }
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
        self.build_architecture.as_deref()
    }

    /// Checks the packages, then uploads one `debian:lintian` analysis for each architecture
    /// of the packages (`source`, `all`, `amd64`, ...) that `output` asks for, each related to
    /// every input, as Debusine 0.16 does. The task fails when a tag of an analysed package is
    /// at least as severe as `fail_on_severity`, or when there is no file to check (then
    /// nothing runs); lintian exiting other than 0 or 2 is an error.
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
        let mut debs = files_with_suffix(&binaries, ".deb")?;
        for path in &binaries {
            if path.is_dir() {
                debs.extend(files_with_suffix(std::slice::from_ref(path), ".udeb")?);
            }
        }
        let found = LintianInputs {
            source: source
                .map(|path| file_with_suffix(&path, ".dsc"))
                .transpose()?,
            binaries: debs,
        };
        if found.source.is_none() && found.binaries.is_empty() {
            // Debusine's configure_for_execution fails the task: nothing to check.
            return Ok(false);
        }
        let report = ctx.work_dir().join("lintian.txt");
        let status = ctx.run(&self.command_line(&found).stdout_to(&report))?;
        if !matches!(status.code, Some(0) | Some(2)) {
            return Err(TaskError::other(format!(
                "lintian exited with {:?}: neither 0 nor 2",
                status.code
            )));
        }
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
        let packages = packages_by_architecture(&found)?;
        let mut analysed = std::collections::BTreeSet::new();
        for (architecture, of_architecture) in &packages {
            if !self.analyses(architecture) {
                continue;
            }
            analysed.extend(of_architecture.keys().cloned());
            let analysis = lintian_report::analysis(
                &tags,
                of_architecture,
                &version,
                &self.target_distribution,
            );
            let path = ctx.work_dir().join(format!("analysis-{architecture}.json"));
            write_file(&path, &analysis.to_string())?;
            let artifact = categories::lintian(
                &path,
                &report,
                architecture,
                analysis["summary"].clone(),
                Models::of(ctx),
            );
            let id = ctx.upload_artifact(artifact)?;
            inputs.relate_to_sources(id, RelationType::RelatesTo)?;
        }
        let Some(level) = self.fail_on_severity.level() else {
            return Ok(true);
        };
        Ok(!tags
            .iter()
            .any(|tag| analysed.contains(&tag.package) && severity_level(&tag.severity) >= level))
    }
}

/// The packages checked, by architecture (`source` for the source package; a binary
/// package's from its file name, `<package>_<version>_<architecture>.deb`): lintian's name
/// for each (`<source> source` for the source package, the `Source` of its `.dsc`; a binary
/// package's name from its file name) to the file's name.
fn packages_by_architecture(
    found: &LintianInputs,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, TaskError> {
    let file_name = |path: &std::path::Path| {
        path.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let mut architectures: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    if let Some(dsc) = &found.source {
        let fields = deb822::read_first(dsc)?;
        let name = deb822::require(&fields, "Source", dsc)?;
        architectures
            .entry("source".to_owned())
            .or_default()
            .insert(format!("{name} source"), file_name(dsc));
    }
    for deb in &found.binaries {
        let name = file_name(deb);
        let stem = name
            .strip_suffix(".deb")
            .or_else(|| name.strip_suffix(".udeb"))
            .unwrap_or(&name);
        let package = stem.split('_').next().unwrap_or_default().to_owned();
        let architecture = stem.rsplit('_').next().unwrap_or_default().to_owned();
        architectures
            .entry(architecture)
            .or_default()
            .insert(package, name);
    }
    Ok(architectures)
}
