//! The `assemblesignedsource` task.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use taskdef::{
    ArtifactId, CommandLine, Execute, RelationType, Rules, Task, TaskConfigError, TaskContext,
    TaskError, Unmet, WorkerMetadata,
};

use crate::categories;
use crate::deb822;
use crate::debusine_0_11;
use crate::dynamic_data::BaseDynamicData;
use crate::executor::Backend;
use crate::lookup::{LookupMultiple, LookupSingle, default_task_configuration};
use crate::signing::{self, CODE_SIGNING_DIR, Manifest, Stop, failure};
use crate::tasks::extractforsigning::{backend_must_be_auto, deb_of};

/// Assemble a signed source package from a signing template and its signatures.
///
/// The template's source with the signatures a signing task made (`debusine:signing-output`)
/// under `debian/signatures/`, built with `dpkg-source`, uploaded as `debian:source-package`
/// and `debian:upload`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = AssembleSignedSourceDynamicData,
    release = "0.16",
    older(
        release = "0.11",
        data = debusine_0_11::AssembleSignedSource,
        dynamic_data = debusine_0_11::AssembleSignedSourceDynamicData
    )
)]
pub struct AssembleSignedSource {
    /// The task configuration to apply, or null for none.
    #[serde(default = "default_task_configuration")]
    pub task_configuration: Option<LookupSingle>,
    /// The executor backend: only `auto` is accepted.
    #[serde(default)]
    pub backend: Backend,
    /// The environment to build the source package in.
    pub environment: LookupSingle,
    /// The architecture to run on, or null for any.
    #[serde(default)]
    pub build_architecture: Option<String>,
    /// The signing template: a `debian:binary-package` with
    /// `/usr/share/code-signing/<package>/files.json` and `source-template/`.
    pub template: LookupSingle,
    /// The signatures: `debusine:signing-output` artifacts.
    pub signed: LookupMultiple,
}

/// What the server found for an `assemblesignedsource` task (Debusine's
/// `AssembleSignedSourceDynamicData`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssembleSignedSourceDynamicData {
    /// What the server sends every task.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment, as found for `environment`.
    pub environment_id: ArtifactId,
    /// The signing template, as found for `template`.
    pub template_id: ArtifactId,
    /// The signatures, as found for `signed`.
    pub signed_ids: Vec<ArtifactId>,
    /// The signing inputs `signed` was made from (Debusine 0.16 lists them as the task's
    /// inputs; the task does not read them).
    #[serde(default)]
    pub unsigned_ids: Vec<ArtifactId>,
}

/// The files a source template must have (Debusine's list).
pub const REQUIRED_FILES: [&str; 5] = [
    "debian/source/format",
    "debian/changelog",
    "debian/control",
    "debian/copyright",
    "debian/rules",
];

/// A signature kind Debusine's signing keys have (`KeyPurpose`), as a manifest's `sig_type`
/// asks for it: `efi` is `uefi`, the only one the task handles.
pub fn purpose_of(sig_type: &str) -> Option<&'static str> {
    (sig_type == "efi").then_some("uefi")
}

/// The signed files of the `signed` inputs: `(purpose, "<package>/<file>")` to the file holding
/// its signature.
pub type SignedFiles = BTreeMap<(String, String), PathBuf>;

/// The data of a `debusine:signing-output` this task reads.
#[derive(Debug, Deserialize)]
struct SigningOutput {
    purpose: String,
    #[serde(default)]
    results: Vec<SigningResult>,
}

#[derive(Debug, Deserialize)]
struct SigningResult {
    file: String,
    #[serde(default)]
    output_file: Option<String>,
}

/// Adds the signatures of one signing output (its directory and data) to `signed`.
///
/// With the artifact's data (under a server), its `results` say which file signs which. Offline
/// the data is not known, and the artifact is taken to be what Debusine's `sign` task makes:
/// UEFI signatures, `<package>/<file>.sig` for each `<package>/<file>` it signed.
pub fn add_signed_files(dir: &Path, data: &Value, signed: &mut SignedFiles) -> Result<(), Stop> {
    if data.is_null() {
        for path in taskdef::files_under(dir)? {
            let Ok(name) = path.strip_prefix(dir) else {
                continue;
            };
            let name = name.to_string_lossy();
            if let Some(file) = name.strip_suffix(".sig") {
                signed.insert(("uefi".to_owned(), file.to_owned()), path.clone());
            }
        }
        return Ok(());
    }
    let output: SigningOutput = serde_json::from_value(data.clone()).or_else(|error| {
        failure(format!(
            "{}: not the data of a debusine:signing-output: {error}",
            dir.display()
        ))
    })?;
    for result in output.results {
        if let Some(output_file) = result.output_file {
            signing::check_relative(&output_file)?;
            signed.insert((output.purpose.clone(), result.file), dir.join(output_file));
        }
    }
    Ok(())
}

impl AssembleSignedSource {
    /// The directory the task works in: `<work dir>/assemble-signed-source`.
    pub fn assemble_dir(work_dir: &Path) -> PathBuf {
        work_dir.join("assemble-signed-source")
    }

    /// The commands, run in the source tree `source`: build the source package
    /// (`dpkg-source -b .`), then its `.changes` `changes` for `distribution`
    /// (`dpkg-genchanges -S`, without `Closes`, as in Debusine).
    pub fn command_lines(source: &Path, distribution: &str, changes: &Path) -> [CommandLine; 2] {
        let build = CommandLine::new("dpkg-source")
            .arg("-b")
            .arg(".")
            .current_dir(source);
        let mut output = std::ffi::OsString::from("-O");
        output.push(changes);
        let genchanges = CommandLine::new("dpkg-genchanges")
            .arg("-S")
            .arg(format!("-DDistribution={distribution}"))
            .arg("-UCloses")
            .arg(output)
            .current_dir(source);
        [build, genchanges]
    }

    /// `dpkg-parsechangelog` of the source tree `source`, its output to `out`.
    pub fn parsechangelog_command(source: &Path, out: &Path) -> CommandLine {
        CommandLine::new("dpkg-parsechangelog")
            .arg("--count")
            .arg("1")
            .current_dir(source)
            .stdout_to(out)
    }

    fn run(&self, ctx: &TaskContext) -> Result<(), Stop> {
        let dynamic = Self::dynamic_data(ctx);
        let template = signing::single(
            ctx,
            "template",
            &self.template,
            dynamic.map(|data| data.template_id),
            categories::BINARY_PACKAGE,
        )?;
        let template_deb = deb_of(&template.path, "template")?;

        let mut signed = SignedFiles::new();
        let mut built_using: Vec<ArtifactId> = Vec::new();
        for input in signing::multiple(
            ctx,
            "signed",
            &self.signed,
            dynamic.map(|data| data.signed_ids.as_slice()),
            categories::SIGNING_OUTPUT,
        )? {
            add_signed_files(&input.path, &input.data, &mut signed)?;
            if let Some(id) = input.id {
                for package in built_using_of(ctx, id)? {
                    if !built_using.contains(&package) {
                        built_using.push(package);
                    }
                }
            }
        }

        let dir = Self::assemble_dir(ctx.work_dir());
        signing::fresh_dir(&dir)?;
        let name = signing::package_name(ctx, &template_deb, &dir.join("template.name"))?;
        let template_root = dir.join("template");
        signing::run_or_fail(
            ctx,
            &signing::extract_command(&template_deb, &template_root),
        )?;
        let code_signing = template_root.join(CODE_SIGNING_DIR).join(&name);
        let source_template = code_signing.join("source-template");
        check_template(&template_root, &source_template)?;
        let source = dir.join("source");
        copy_tree(&source_template, &source, &template_root)?;
        let manifest = Manifest::read(&template_root, &name)?;
        add_signatures(&manifest, &signed, &source)?;

        let changelog = dir.join("changelog.fields");
        signing::run_or_fail(ctx, &Self::parsechangelog_command(&source, &changelog))?;
        let fields = deb822::read_first(&changelog)?;
        let source_name = deb822::require(&fields, "Source", &changelog)?.to_owned();
        let version = deb822::require(&fields, "Version", &changelog)?.to_owned();
        let distribution = deb822::require(&fields, "Distribution", &changelog)?
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let changes = dir.join(format!("{source_name}_{version}_source.changes"));
        for command in Self::command_lines(&source, &distribution, &changes) {
            signing::run_or_fail(ctx, &command)?;
        }

        let changes_fields = deb822::read_first(&changes)?;
        let dsc_name = deb822::listed_files(&changes_fields)
            .into_iter()
            .find(|file| file.ends_with(".dsc"))
            .ok_or_else(|| TaskError::other(format!("{}: lists no .dsc", changes.display())))?;
        let package = categories::source_package(
            deb822::require(&changes_fields, "Source", &changes)?,
            deb822::require(&changes_fields, "Version", &changes)?,
            &dir.join(dsc_name),
        )?;
        let upload = categories::upload(&changes, &dir)?;

        let package_id = ctx.upload_artifact(package)?;
        for target in built_using {
            ctx.relate_artifacts(package_id, target, RelationType::BuiltUsing)?;
        }
        let upload_id = ctx.upload_artifact(upload)?;
        ctx.relate_artifacts(upload_id, package_id, RelationType::Extends)?;
        Ok(())
    }
}

/// The binary packages the signing output `id` was made from, through the server's relations:
/// its `relates-to` targets that are `debusine:signing-input`, and theirs that are
/// `debian:binary-package`. None without a server (offline there are no relations).
fn built_using_of(ctx: &TaskContext, id: ArtifactId) -> Result<Vec<ArtifactId>, TaskError> {
    let Ok(server) = ctx.server() else {
        return Ok(Vec::new());
    };
    let related = |id: ArtifactId, category: &str| -> Result<Vec<ArtifactId>, TaskError> {
        let relations =
            server.request("GET", &format!("artifact-relation/?artifact={id}"), None)?;
        let mut found = Vec::new();
        for relation in relations.as_array().into_iter().flatten() {
            if relation["type"] != RelationType::RelatesTo.as_str() {
                continue;
            }
            let Some(target) = relation["target"].as_u64() else {
                continue;
            };
            let artifact = server.request("GET", &format!("artifact/{target}/"), None)?;
            if artifact["category"] == category {
                found.push(target as ArtifactId);
            }
        }
        Ok(found)
    };
    let mut packages = Vec::new();
    for input in related(id, categories::SIGNING_INPUT)? {
        packages.extend(related(input, categories::BINARY_PACKAGE)?);
    }
    Ok(packages)
}

/// Debusine's checks of a source template: the required files, format `3.0 (native)`, no
/// `debian/source/options` or `local-options`; every file read is checked to be in the
/// template (`root`).
pub fn check_template(root: &Path, source_template: &Path) -> Result<(), Stop> {
    let relative = |file: &str| {
        source_template
            .strip_prefix(root)
            .unwrap_or(source_template)
            .join(file)
            .to_string_lossy()
            .into_owned()
    };
    for file in REQUIRED_FILES {
        if std::fs::symlink_metadata(source_template.join(file)).is_err() {
            return failure(format!("Required file {file} missing from template"));
        }
    }
    let format_path =
        signing::file_inside(root, &relative("debian/source/format"), "the template")?;
    let format = crate::artifacts::read_file(&format_path)?;
    let format = format.trim_end_matches('\n');
    if format != "3.0 (native)" {
        return failure(format!(
            "Expected template source format '3.0 (native)'; got '{format}'"
        ));
    }
    for file in ["debian/source/options", "debian/source/local-options"] {
        if std::fs::symlink_metadata(source_template.join(file)).is_ok() {
            return failure(format!("Template may not contain {file}"));
        }
    }
    Ok(())
}

/// Copies the tree `from` to `to`: directories and regular files, symbolic links as links.
/// A link that leads out of `root` (the extracted template), or nowhere, fails the task: the
/// build would read what it points to.
pub fn copy_tree(from: &Path, to: &Path, root: &Path) -> Result<(), Stop> {
    let error = |path: &Path, error: std::io::Error| {
        Stop::Error(TaskError::other(format!("{}: {error}", path.display())))
    };
    let real_root = root.canonicalize().map_err(|e| error(root, e))?;
    signing::create_dir(to)?;
    for entry in std::fs::read_dir(from).map_err(|e| error(from, e))? {
        let entry = entry.map_err(|e| error(from, e))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| error(&path, e))?;
        if kind.is_dir() {
            copy_tree(&path, &target, root)?;
        } else if kind.is_symlink() {
            let inside = path
                .canonicalize()
                .is_ok_and(|real| real.starts_with(&real_root));
            if !inside {
                let name = path.strip_prefix(root).unwrap_or(&path);
                return failure(format!(
                    "{}: a symbolic link to outside the template",
                    name.display()
                ));
            }
            let link = std::fs::read_link(&path).map_err(|e| error(&path, e))?;
            std::os::unix::fs::symlink(&link, &target).map_err(|e| error(&target, e))?;
        } else if kind.is_file() {
            std::fs::copy(&path, &target).map_err(|e| error(&path, e))?;
        }
    }
    Ok(())
}

/// Puts the signature of every file the manifest lists at
/// `<source>/debian/signatures/<package>/<file>.sig`, with Debusine's checks and messages.
pub fn add_signatures(
    manifest: &Manifest,
    signed: &SignedFiles,
    source: &Path,
) -> Result<(), Stop> {
    for (package, entry) in &manifest.packages {
        signing::check_package_name(package)?;
        for file in &entry.files {
            signing::check_relative(&file.file)?;
            let sig_type = file.sig_type.as_deref().unwrap_or_default();
            let Some(purpose) = purpose_of(sig_type) else {
                return failure(format!("Cannot handle sig_type '{sig_type}'"));
            };
            let qualified = format!("{package}/{}", file.file);
            let Some(signature) = signed.get(&(purpose.to_owned(), qualified.clone())) else {
                return failure(format!(
                    "{purpose} signature of '{qualified}' not available"
                ));
            };
            let target = source
                .join("debian/signatures")
                .join(package)
                .join(format!("{}.sig", file.file));
            if let Some(parent) = target.parent() {
                signing::create_dir(parent)?;
            }
            std::fs::copy(signature, &target)
                .map_err(|error| TaskError::other(format!("{}: {error}", signature.display())))?;
        }
    }
    Ok(())
}

impl Execute for AssembleSignedSource {
    const RULES: &'static [&'static str] = &["`backend` is `auto`.", crate::lookup::RULE_MATCHERS];

    fn validate(&self) -> Result<(), TaskConfigError> {
        let mut rules = Rules::new();
        backend_must_be_auto("AssembleSignedSource", self.backend, &mut rules);
        if self.signed.has_rules_to_check() {
            self.signed.check("/signed", &mut rules);
        }
        rules.finish()
    }

    fn host_architecture(&self) -> Option<&str> {
        self.build_architecture.as_deref()
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        self.backend.check_available(worker)
    }

    /// Extracts the template, checks its source template, adds the signatures the manifest
    /// asks for, builds the source package, and uploads it as `debian:source-package` (built
    /// using the binary packages the signatures were made from) and its `.changes` as
    /// `debian:upload` (extending the source package). A bad template or a missing signature
    /// fails the task, as in Debusine.
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        signing::finish(Self::NAME, self.run(ctx))
    }
}
