//! The `autopkgtest` task.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, BaseDynamicData, CommandLine, Execute, Task, TaskConfigError, TaskContext,
    TaskError, TaskMetadata, Unmet, WorkerMetadata, program_on_path,
};

use crate::artifacts::{Inputs, file_with_suffix, files_with_suffix, read_file};
use crate::categories::{self, AutopkgtestRun};
use crate::deb822;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExtraRepository};
use taskdef::Rules;

/// Run a source package's autopkgtests against its binary packages.
///
/// The tests run in `environment` through the executor `backend`, with autopkgtest's
/// virtualisation server for that backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = AutopkgtestDynamicData)]
pub struct Autopkgtest {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The packages to test.
    pub input: AutopkgtestInput,
    /// The executor backend to test with.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to test in (a tarball or an image).
    pub environment: LookupSingle,
    /// The architecture to test on (`amd64`).
    pub host_architecture: String,
    /// APT repositories to add to the test environment.
    #[serde(default)]
    pub extra_repositories: Option<Vec<ExtraRepository>>,
    /// Only these tests (all when empty).
    #[serde(default)]
    pub include_tests: Vec<String>,
    /// Never these tests.
    #[serde(default)]
    pub exclude_tests: Vec<String>,
    /// How much debugging output: 0 (none) to 3.
    #[serde(default)]
    #[schemars(range(min = 0, max = 3))]
    pub debug_level: u8,
    /// Whether to prefer packages from the environment's base distribution (Debusine passes
    /// `--apt-default-release=<its codename>`; the offline runner does not know the codename
    /// and leaves APT's default).
    #[serde(default)]
    pub use_packages_from_base_repository: bool,
    /// Environment variables for the tests.
    #[serde(default)]
    pub extra_environment: BTreeMap<String, String>,
    /// What to do with tests that need the Internet.
    #[serde(default)]
    pub needs_internet: NeedsInternet,
    /// Which outcomes make the task fail.
    #[serde(default)]
    pub fail_on: FailOn,
    /// Timeouts in seconds, or null for autopkgtest's defaults.
    #[serde(default)]
    pub timeout: Option<Timeout>,
}

/// What the server found for an `autopkgtest` task (Debusine's `AutopkgtestDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopkgtestDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment to run in, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The source package to test, as found for `input.source_artifact`.
    pub input_source_artifact_id: ArtifactId,
    /// The binary packages to test, as found for `input.binary_artifacts`.
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
    /// Further binary packages for the tests, as found for `input.context_artifacts`.
    #[serde(default)]
    pub input_context_artifacts_ids: Vec<ArtifactId>,
}

/// The packages autopkgtest tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopkgtestInput {
    /// The source package holding the tests.
    pub source_artifact: LookupSingle,
    /// The binary packages to test.
    pub binary_artifacts: LookupMultiple,
    /// Further artifacts the tests may use.
    #[serde(default)]
    pub context_artifacts: LookupMultiple,
}

/// What to do with tests marked `needs-internet`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum NeedsInternet {
    /// Run them.
    #[default]
    Run,
    /// Run them, and do not count their failure.
    Try,
    /// Skip them.
    Skip,
}

impl NeedsInternet {
    /// The wire spelling, also autopkgtest's.
    pub const fn as_str(self) -> &'static str {
        match self {
            NeedsInternet::Run => "run",
            NeedsInternet::Try => "try",
            NeedsInternet::Skip => "skip",
        }
    }
}

/// Which test outcomes make the task fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FailOn {
    /// A failed test.
    #[serde(default = "yes")]
    pub failed_test: bool,
    /// A flaky test that failed.
    #[serde(default)]
    pub flaky_test: bool,
    /// A skipped test.
    #[serde(default)]
    pub skipped_test: bool,
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn {
            failed_test: true,
            flaky_test: false,
            skipped_test: false,
        }
    }
}

fn yes() -> bool {
    true
}

/// autopkgtest's timeouts, in seconds (`factor` multiplies the others).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeout {
    /// The whole run.
    #[serde(default)]
    pub global: Option<u64>,
    /// A multiplier of every other timeout.
    #[serde(default)]
    pub factor: Option<u64>,
    /// Short operations.
    #[serde(default)]
    pub short: Option<u64>,
    /// Installing dependencies.
    #[serde(default)]
    pub install: Option<u64>,
    /// One test.
    #[serde(default)]
    pub test: Option<u64>,
    /// Copying files in or out of the testbed.
    #[serde(default)]
    pub copy: Option<u64>,
}

/// The local files an autopkgtest run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutopkgtestInputs {
    /// The source package's `.dsc`.
    pub dsc: PathBuf,
    /// The binary packages (`.deb`).
    pub binaries: Vec<PathBuf>,
    /// The environment: a tarball for unshare, an image for other backends.
    pub environment: PathBuf,
    /// Where autopkgtest writes its results (`--output-dir`), with its `summary` file.
    pub output_dir: PathBuf,
}

impl Autopkgtest {
    /// The autopkgtest command line for this task data and these local files.
    pub fn command_line(&self, inputs: &AutopkgtestInputs) -> CommandLine {
        let mut output_dir = OsString::from("--output-dir=");
        output_dir.push(&inputs.output_dir);
        let mut summary = OsString::from("--summary=");
        summary.push(inputs.output_dir.join("summary"));
        let mut cmd = CommandLine::new("autopkgtest")
            .arg("--apt-upgrade")
            .arg(output_dir)
            .arg(summary);
        if self.debug_level > 0 {
            cmd = cmd.arg("--debug");
        }
        for test in &self.include_tests {
            cmd = cmd.arg(format!("--test-name={test}"));
        }
        for test in &self.exclude_tests {
            cmd = cmd.arg(format!("--skip-test={test}"));
        }
        for (key, value) in &self.extra_environment {
            cmd = cmd.arg(format!("--env={key}={value}"));
        }
        cmd = cmd.arg(format!("--needs-internet={}", self.needs_internet.as_str()));
        if let Some(timeout) = &self.timeout {
            let all = [
                ("global", timeout.global),
                ("factor", timeout.factor),
                ("short", timeout.short),
                ("install", timeout.install),
                ("test", timeout.test),
                ("copy", timeout.copy),
            ];
            for (name, value) in all {
                if let Some(value) = value {
                    cmd = cmd.arg(format!("--timeout-{name}={value}"));
                }
            }
        }
        for repository in repository::external(&self.extra_repositories) {
            cmd = cmd.arg(format!(
                "--add-apt-source={}",
                repository.sources_list_line()
            ));
        }
        cmd = cmd.arg(&inputs.dsc).args(inputs.binaries.iter());
        cmd = cmd.arg("--");
        let mut image = OsString::new();
        image.push(&inputs.environment);
        match self.backend.resolve() {
            Backend::Unshare => {
                let mut tarball = OsString::from("--tarball=");
                tarball.push(&inputs.environment);
                cmd = cmd.arg("unshare").arg(tarball);
            }
            Backend::IncusLxc => cmd = cmd.arg("incus").arg(image),
            Backend::IncusVm => cmd = cmd.arg("incus").arg("--vm").arg(image),
            Backend::Qemu | Backend::Auto => cmd = cmd.arg("qemu").arg(image),
        }
        if self.debug_level > 1 {
            cmd = cmd.arg("--debug");
        }
        cmd
    }
}

impl Execute for Autopkgtest {
    const RULES: &'static [&'static str] = &[
        crate::lookup::RULE_MATCHERS,
        crate::repository::RULE_COMPONENTS,
    ];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        self.input
            .binary_artifacts
            .check("/input/binary_artifacts", &mut rules);
        self.input
            .context_artifacts
            .check("/input/context_artifacts", &mut rules);
        repository::check_all(&self.extra_repositories, &mut rules);
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        Some(&self.host_architecture)
    }

    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", program_on_path("autopkgtest"));
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        self.backend.check_available(worker)?;
        Self::worker_keys(worker).require_flag("available")
    }

    /// Runs the tests, then uploads their results as `debian:autopkgtest` (no relations, as in
    /// Debusine); without a summary (a testbed failure) there is nothing to upload.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let source = inputs.single(
            "input.source_artifact",
            &self.input.source_artifact,
            dynamic.map(|data| data.input_source_artifact_id),
        )?;
        let binaries = inputs.multiple(
            "input.binary_artifacts",
            &self.input.binary_artifacts,
            dynamic.map(|data| data.input_binary_artifacts_ids.as_slice()),
        )?;
        inputs.multiple(
            "input.context_artifacts",
            &self.input.context_artifacts,
            dynamic.map(|data| data.input_context_artifacts_ids.as_slice()),
        )?;
        let environment = inputs.environment(
            "environment",
            &self.environment,
            dynamic.map(|data| data.environment_id),
        )?;
        let found = AutopkgtestInputs {
            dsc: file_with_suffix(&source, ".dsc")?,
            binaries: files_with_suffix(&binaries, ".deb")?,
            environment: environment.path.clone(),
            output_dir: ctx.work_dir().join("artifact-dir"),
        };
        let command = self.command_line(&found);
        let status = ctx.run(&command)?;
        let summary = found.output_dir.join("summary");
        if !summary.exists() {
            return Ok(false);
        }
        let results = parse_summary(&read_file(&summary)?)
            .map_err(|line| TaskError::other(format!("{}: {line}", summary.display())))?;
        let dsc = deb822::read_first(&found.dsc)?;
        let text = |key: &str| {
            environment.data[key]
                .as_str()
                .unwrap_or("unknown")
                .to_owned()
        };
        let cmdline = command.to_string();
        let source_url = format!("file://localhost{}", found.dsc.display());
        let run = AutopkgtestRun {
            cmdline: &cmdline,
            source_name: deb822::require(&dsc, "Source", &found.dsc)?,
            source_version: deb822::require(&dsc, "Version", &found.dsc)?,
            source_url: &source_url,
            architecture: &self.host_architecture,
            distribution: &format!("{}:{}", text("vendor"), text("codename")),
        };
        ctx.upload_artifact(categories::autopkgtest(&run, results, &found.output_dir)?)?;
        // autopkgtest exits 0 (all passed), 2 (some skipped), 4 (some failed), 8 (none run),
        // 6 (failed and skipped); other codes are errors.
        Ok(match status.code {
            Some(0) => true,
            Some(2) | Some(8) => !self.fail_on.skipped_test,
            Some(4) | Some(6) => !self.fail_on.failed_test,
            _ => false,
        })
    }
}

/// autopkgtest's `--summary` file as Debusine reads it: test name to `{"status"}` (and
/// `"details"` when there are some); error lines (`lowercase words: text`) are skipped; the
/// line that cannot be read is the error.
pub fn parse_summary(text: &str) -> Result<serde_json::Value, String> {
    let mut results = serde_json::Map::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            continue;
        }
        if let Some((head, _)) = line.split_once(": ")
            && !head.is_empty()
            && head.chars().all(|c| c.is_ascii_lowercase() || c == ' ')
        {
            continue;
        }
        let mut words = line.splitn(3, char::is_whitespace);
        let (Some(name), Some(status)) = (words.next(), words.next()) else {
            return Err(format!("cannot read the line `{line}`"));
        };
        if !["PASS", "FAIL", "SKIP", "FLAKY"].contains(&status) {
            return Err(format!("unexpected result in the line `{line}`"));
        }
        let mut result = serde_json::json!({"status": status});
        if let Some(details) = words.next().map(str::trim).filter(|d| !d.is_empty()) {
            result["details"] = details.into();
        }
        results.insert(name.to_owned(), result);
    }
    Ok(serde_json::Value::Object(results))
}
