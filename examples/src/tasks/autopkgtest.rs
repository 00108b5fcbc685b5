//! The `autopkgtest` task.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, CommandLine, Execute, Outcome, RelationType, Task, TaskConfigError, TaskContext,
    TaskError, TaskMetadata, Unmet, WorkerMetadata, program_on_path,
};

use crate::artifacts::{Inputs, file_with_suffix, files_with_suffix, read_file};
use crate::categories::{self, AutopkgtestRun};
use crate::deb822;
use crate::dynamic_data::BaseDynamicData;
use crate::executor::{Backend, architecture_of};
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::repository::{self, ExternalRepository, ExtraRepository, RepositoryFiles};
use taskdef::Rules;

/// Run a source package's autopkgtests against its binary packages.
///
/// The tests run in `environment` through the executor `backend`, with autopkgtest's
/// virtualisation server for that backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = AutopkgtestDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = crate::debusine_0_11::Autopkgtest,
        dynamic_data = crate::debusine_0_11::AutopkgtestDynamicData
    )
)]
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
    /// The architecture to test on (`amd64`), or null for any. (Debusine 0.16 means it to be
    /// required here, but its model takes the optional field of the executor fields.)
    #[serde(default)]
    pub build_architecture: Option<String>,
    /// APT repositories to add to the test environment: external ones, or suites of this
    /// Debusine instance.
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
    /// Packages to take from a release rather than from the default one: release (`sid`, an
    /// APT release name) to source or binary package names (autopkgtest's
    /// `--pin-packages=<release>=<package>,...`, one per release, in the order of the
    /// releases' names).
    #[serde(default)]
    pub pin_packages: BTreeMap<String, Vec<String>>,
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
    /// The extra repositories to add, as the server resolved `extra_repositories`: all
    /// external.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_repositories: Option<Vec<ExternalRepository>>,
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

/// What an autopkgtest run uses besides its task data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AutopkgtestInputs {
    /// The source package's `.dsc`.
    pub dsc: PathBuf,
    /// The binary packages (`.deb`): those of `input.binary_artifacts` and
    /// `input.context_artifacts`, as Debusine gives autopkgtest every `.deb` it downloaded.
    pub binaries: Vec<PathBuf>,
    /// The environment: a tarball for unshare, an image for other backends.
    pub environment: PathBuf,
    /// The environment artifact's data (`codename`, `architecture`, ...; null when found
    /// locally): `--apt-default-release` and the virtualisation server's options.
    pub environment_data: serde_json::Value,
    /// Where autopkgtest writes its results (`--output-dir`), with its `summary` file.
    pub output_dir: PathBuf,
    /// The extra repositories' deb822 sources and keys, written by
    /// [`repository::write_sources`].
    pub repositories: RepositoryFiles,
    /// Whether to copy the host's `/etc/resolv.conf` into the testbed (Debusine does with
    /// unshare when the host has one).
    pub copy_resolv_conf: bool,
}

impl Autopkgtest {
    /// The autopkgtest command line for this task data and these inputs, as Debusine 0.16
    /// builds it (`Autopkgtest._cmdline`).
    pub fn command_line(&self, inputs: &AutopkgtestInputs) -> CommandLine {
        let mut output_dir = OsString::from("--output-dir=");
        output_dir.push(&inputs.output_dir);
        let mut summary = OsString::from("--summary=");
        summary.push(inputs.output_dir.join("summary"));
        let mut cmd = CommandLine::new("autopkgtest")
            .arg("--apt-upgrade")
            .arg(output_dir)
            .arg(summary)
            .arg("--no-built-binaries");
        for test in &self.include_tests {
            cmd = cmd.arg(format!("--test-name={test}"));
        }
        for test in &self.exclude_tests {
            cmd = cmd.arg(format!("--skip-test={test}"));
        }
        if self.debug_level > 0 {
            cmd = cmd.arg(format!("-{}", "d".repeat(usize::from(self.debug_level))));
        }
        let copy = |path: &PathBuf, into: &str| {
            let mut arg = OsString::from("--copy=");
            arg.push(path);
            arg.push(format!(
                ":{into}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ));
            arg
        };
        for path in &inputs.repositories.sources {
            cmd = cmd.arg(copy(path, "/etc/apt/sources.list.d"));
        }
        for path in &inputs.repositories.keys {
            cmd = cmd.arg(copy(path, "/etc/apt/keyrings"));
        }
        if self.use_packages_from_base_repository
            && let Some(codename) = inputs.environment_data["codename"].as_str()
        {
            cmd = cmd.arg(format!("--apt-default-release={codename}"));
        }
        for (release, packages) in &self.pin_packages {
            cmd = cmd.arg(format!("--pin-packages={release}={}", packages.join(",")));
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
        let backend = self.backend.resolve();
        if backend == Backend::Unshare && inputs.copy_resolv_conf {
            cmd = cmd.arg("--copy=/etc/resolv.conf:/etc/resolv.conf");
        }
        cmd = cmd.args(inputs.binaries.iter()).arg(&inputs.dsc);
        cmd.arg("--").arg(backend.autopkgtest_virt_server()).args(
            backend.autopkgtest_virt_args(inputs.environment.as_os_str(), &inputs.environment_data),
        )
    }

    /// Debusine 0.16's result of a run (`Autopkgtest.task_result`) from autopkgtest's exit
    /// code (`None` for an abort) and its summary (`results`, as [`parse_summary`] reads it):
    /// a temporary failure for an abort, exit code 16 (a temporary testbed failure) or a code
    /// autopkgtest does not document; otherwise success, failure or skipped (every test
    /// skipped) as `fail_on` counts the tests.
    pub fn result(&self, code: Option<i32>, results: &serde_json::Value) -> Outcome {
        let Some(code) = code.filter(|code| EXIT_CODES.contains(code)) else {
            return Outcome::TemporaryFailure;
        };
        let statuses: Vec<&str> = results
            .as_object()
            .into_iter()
            .flat_map(|map| map.values())
            .filter_map(|result| result["status"].as_str())
            .collect();
        let fail_on = &self.fail_on;
        let fails = |status: &str| match status {
            "FAIL" => fail_on.failed_test,
            "FLAKY" => fail_on.flaky_test,
            "SKIP" => fail_on.skipped_test,
            _ => false,
        };
        if statuses.iter().any(|status| fails(status)) {
            Outcome::Failure
        } else if code == 4 && !fail_on.failed_test {
            Outcome::Success
        } else if (code == 2 && fail_on.flaky_test) || (code == 8 && fail_on.skipped_test) {
            Outcome::Failure
        } else if code == 8 && statuses.iter().all(|status| *status == "SKIP") {
            Outcome::Skipped
        } else if [0, 2, 8].contains(&code) {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

/// The exit codes autopkgtest documents for a run that tested (0, 2, 4, 6, 8, 12, 14); any
/// other is a temporary failure for Debusine.
const EXIT_CODES: [i32; 7] = [0, 2, 4, 6, 8, 12, 14];

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
        self.build_architecture.as_deref()
    }

    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", program_on_path("autopkgtest"));
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        self.backend.check_available(worker)?;
        Self::worker_keys(worker).require_flag("available")
    }

    /// Runs the tests: see [`Execute::execute_outcome`].
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        self.execute_outcome(ctx).map(Outcome::is_success)
    }

    /// Runs the tests, then uploads their results as `debian:autopkgtest`, related to the
    /// source package and the binary packages tested, as Debusine 0.16 does; the outcome is
    /// [`Autopkgtest::result`]'s. Without a summary (a testbed failure) there is nothing to
    /// upload, and the task fails. A temporary failure (an abort, exit code 16, an
    /// undocumented code) uploads nothing: Debusine 0.16 would try to and fail on the summary
    /// it did not read.
    fn execute_outcome(&self, ctx: &TaskContext) -> Result<Outcome, TaskError> {
        match self.run_tests(ctx) {
            Err(TaskError::Aborted) => Ok(Outcome::TemporaryFailure),
            other => other,
        }
    }
}

impl Autopkgtest {
    /// [`Execute::execute_outcome`]'s work.
    fn run_tests(&self, ctx: &TaskContext) -> Result<Outcome, TaskError> {
        let dynamic = Self::dynamic_data(ctx);
        let mut inputs = Inputs::new(ctx);
        let source = inputs.single(
            "input.source_artifact",
            &self.input.source_artifact,
            dynamic.map(|data| data.input_source_artifact_id),
        )?;
        let source_id = inputs.sources().last().copied();
        let binaries = inputs.multiple(
            "input.binary_artifacts",
            &self.input.binary_artifacts,
            dynamic.map(|data| data.input_binary_artifacts_ids.as_slice()),
        )?;
        let binary_ids: Vec<ArtifactId> = inputs
            .sources()
            .iter()
            .skip(usize::from(source_id.is_some()))
            .copied()
            .collect();
        let context = inputs.multiple(
            "input.context_artifacts",
            &self.input.context_artifacts,
            dynamic.map(|data| data.input_context_artifacts_ids.as_slice()),
        )?;
        let environment = inputs.environment(
            "environment",
            &self.environment,
            dynamic.map(|data| data.environment_id),
        )?;
        let repositories = repository::to_add(
            &self.extra_repositories,
            dynamic.and_then(|data| data.extra_repositories.as_deref()),
        )?;
        let mut debs = files_with_suffix(&binaries, ".deb")?;
        debs.extend(files_with_suffix(&context, ".deb")?);
        debs.sort();
        debs.dedup();
        let found = AutopkgtestInputs {
            dsc: file_with_suffix(&source, ".dsc")?,
            binaries: debs,
            repositories: repository::write_sources(
                &repositories,
                self.build_architecture.as_deref(),
                environment.data["codename"].as_str(),
                ctx.work_dir(),
            )?,
            environment: environment.path.clone(),
            environment_data: environment.data.clone(),
            output_dir: ctx.work_dir().join("artifact-dir"),
            copy_resolv_conf: Path::new("/etc/resolv.conf").is_file(),
        };
        let command = self.command_line(&found);
        let status = ctx.run(&command)?;
        let summary = found.output_dir.join("summary");
        if !summary.exists() {
            return Ok(Outcome::Failure);
        }
        if !status.code.is_some_and(|code| EXIT_CODES.contains(&code)) {
            return Ok(Outcome::TemporaryFailure);
        }
        let results = parse_summary(&read_file(&summary)?)
            .map_err(|line| TaskError::other(format!("{}: {line}", summary.display())))?;
        let result = self.result(status.code, &results);
        let dsc = deb822::read_first(&found.dsc)?;
        let text = |key: &str| {
            environment.data[key]
                .as_str()
                .unwrap_or("unknown")
                .to_owned()
        };
        let architecture = architecture_of(self.build_architecture.as_deref(), &environment.data)?;
        let cmdline = command.to_string();
        let source_url = format!("file://localhost{}", found.dsc.display());
        let run = AutopkgtestRun {
            cmdline: &cmdline,
            source_name: deb822::require(&dsc, "Source", &found.dsc)?,
            source_version: deb822::require(&dsc, "Version", &found.dsc)?,
            source_url: &source_url,
            architecture: &architecture,
            distribution: &format!("{}:{}", text("vendor"), text("codename")),
        };
        let id = ctx.upload_artifact(categories::autopkgtest(&run, results, &found.output_dir)?)?;
        for input in source_id.iter().chain(&binary_ids) {
            ctx.relate_artifacts(id, *input, RelationType::RelatesTo)?;
        }
        Ok(result)
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
        // `NAME<spaces>STATUS[<spaces>DETAILS]`: autopkgtest pads the name to a column.
        let (name, rest) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("cannot read the line `{line}`"))?;
        let rest = rest.trim_start();
        let (status, details) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(status, details)| (status, details.trim()));
        if !["PASS", "FAIL", "SKIP", "FLAKY"].contains(&status) {
            return Err(format!("unexpected result in the line `{line}`"));
        }
        let mut result = serde_json::json!({"status": status});
        if !details.is_empty() {
            result["details"] = details.into();
        }
        results.insert(name.to_owned(), result);
    }
    Ok(serde_json::Value::Object(results))
}
