//! The `extractforsigning` task.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use taskdef::{
    ArtifactId, CommandLine, Execute, RelationType, Rules, Task, TaskConfigError, TaskContext,
    TaskError, Unmet, WorkerMetadata,
};

use crate::categories;
use crate::debusine_0_11;
use crate::dynamic_data::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::signing::{self, Manifest, Stop, failure};

/// Extract the files a signing template lists from binary packages, for signing.
///
/// One `debusine:signing-input` per package the template names, for a signing task to sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = ExtractForSigningDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = debusine_0_11::ExtractForSigning,
        dynamic_data = debusine_0_11::ExtractForSigningDynamicData
    )
)]
pub struct ExtractForSigning {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The executor backend: only `auto` is accepted.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to extract the packages in.
    pub environment: LookupSingle,
    /// The architecture to run on, or null for any.
    #[serde(default)]
    pub build_architecture: Option<String>,
    /// The template and the packages to extract from.
    pub input: ExtractForSigningInput,
}

/// What the server found for an `extractforsigning` task (Debusine's
/// `ExtractForSigningDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractForSigningDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The signing template, as found for `input.template_artifact`.
    pub input_template_artifact_id: ArtifactId,
    /// The binary packages, as found for `input.binary_artifacts`.
    pub input_binary_artifacts_ids: Vec<ArtifactId>,
}

/// The template and the binary packages of an `extractforsigning` task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractForSigningInput {
    /// The signing template: a `debian:binary-package` whose
    /// `/usr/share/code-signing/<package>/files.json` lists what to sign.
    pub template_artifact: LookupSingle,
    /// The `debian:binary-package`s holding the files to sign (one for each package the
    /// template names).
    pub binary_artifacts: LookupMultiple,
}

/// The rule of the tasks that run only with the `auto` backend, at `/backend`, with Debusine's
/// message.
pub(crate) fn backend_must_be_auto(task: &str, backend: Backend, rules: &mut Rules) {
    if backend != Backend::Auto {
        rules.fail(
            "/backend",
            format!("{task} only accepts backend \"auto\", not \"{backend}\""),
        );
    }
}

/// A binary package input: its `.deb` and, when it was fetched, its artifact id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The `.deb` (or `.udeb`).
    pub deb: PathBuf,
    /// The artifact's id; `None` when it was found locally.
    pub id: Option<ArtifactId>,
}

/// The one `.deb` or `.udeb` of a binary package artifact at `path` (the file itself, or the
/// one such file in its directory).
pub fn deb_of(path: &Path, field: &str) -> Result<PathBuf, Stop> {
    if path.is_file() {
        return Ok(path.to_owned());
    }
    let mut debs = crate::artifacts::output_files(path, &[".deb", ".udeb"])?;
    match debs.len() {
        1 => Ok(debs.remove(0)),
        found => failure(format!(
            "{field}: expected one .deb in {}, found {found}",
            path.display()
        )),
    }
}

impl ExtractForSigning {
    /// The directory the task extracts into: `<work dir>/extract-for-signing`.
    pub fn extract_dir(work_dir: &Path) -> PathBuf {
        work_dir.join("extract-for-signing")
    }

    /// The command that extracts the template `deb` to `root`, and then each binary package
    /// (`deb`, into `<base>/<package>`): `dpkg-deb -x`.
    pub fn command_line(deb: &Path, root: &Path) -> CommandLine {
        signing::extract_command(deb, root)
    }

    fn run(&self, ctx: &TaskContext) -> Result<(), Stop> {
        let dynamic = Self::dynamic_data(ctx);
        let template = signing::single(
            ctx,
            "input.template_artifact",
            &self.input.template_artifact,
            dynamic.map(|data| data.input_template_artifact_id),
            categories::BINARY_PACKAGE,
        )?;
        let template = Package {
            deb: deb_of(&template.path, "input.template_artifact")?,
            id: template.id,
        };
        let mut binaries = Vec::new();
        for input in signing::multiple(
            ctx,
            "input.binary_artifacts",
            &self.input.binary_artifacts,
            dynamic.map(|data| data.input_binary_artifacts_ids.as_slice()),
            categories::BINARY_PACKAGE,
        )? {
            binaries.push(Package {
                deb: deb_of(&input.path, "input.binary_artifacts")?,
                id: input.id,
            });
        }

        let dir = Self::extract_dir(ctx.work_dir());
        signing::fresh_dir(&dir)?;
        let template_name = signing::package_name(ctx, &template.deb, &dir.join("template.name"))?;
        let template_root = dir.join("template");
        signing::run_or_fail(ctx, &Self::command_line(&template.deb, &template_root))?;
        let manifest = Manifest::read(&template_root, &template_name)?;

        // Each binary package by name, as Debusine keys them by their `Package`.
        let mut by_name: Vec<(String, &Package)> = Vec::new();
        for (index, binary) in binaries.iter().enumerate() {
            let out = dir.join(format!("binary-{index}.name"));
            by_name.push((signing::package_name(ctx, &binary.deb, &out)?, binary));
        }

        let base = dir.join("packages");
        signing::create_dir(&base)?;
        let mut outputs = Vec::new();
        for (package, entry) in &manifest.packages {
            signing::check_package_name(package)?;
            let Some((_, binary)) = by_name.iter().rev().find(|(name, _)| name == package) else {
                return failure(format!(
                    "The template lists package '{package}', which is not among \
                     input.binary_artifacts"
                ));
            };
            let root = base.join(package);
            signing::run_or_fail(ctx, &Self::command_line(&binary.deb, &root))?;
            let mut files = Vec::new();
            for file in &entry.files {
                signing::check_relative(&file.file)?;
                let path = signing::file_inside(&root, &file.file, "the package")?;
                files.push((format!("{package}/{}", file.file), path));
            }
            if files.is_empty() {
                return failure(format!(
                    "The template lists no files to sign in package '{package}'"
                ));
            }
            let artifact =
                categories::signing_input_files(&files, entry.trusted_certs.as_deref(), package);
            outputs.push((artifact, binary.id));
        }

        for (artifact, binary_id) in outputs {
            let id = ctx.upload_artifact(artifact)?;
            for target in [template.id, binary_id].into_iter().flatten() {
                ctx.relate_artifacts(id, target, RelationType::RelatesTo)?;
            }
        }
        Ok(())
    }
}

impl Execute for ExtractForSigning {
    const RULES: &'static [&'static str] = &["`backend` is `auto`.", crate::lookup::RULE_MATCHERS];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        backend_must_be_auto("ExtractForSigning", self.backend, &mut rules);
        if self.input.binary_artifacts.has_rules_to_check() {
            self.input
                .binary_artifacts
                .check("/input/binary_artifacts", &mut rules);
        }
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        self.build_architecture.as_deref()
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        self.backend.check_available(worker)
    }

    /// Extracts the template and, for each package its manifest names, that binary package;
    /// uploads the listed files of each as `debusine:signing-input`, related to the template
    /// and to the package. A bad manifest (a name that is not a package's, a path that leaves
    /// the package, a package not among the inputs) fails the task, as in Debusine.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        signing::finish(Self::NAME, self.run(ctx))
    }
}
