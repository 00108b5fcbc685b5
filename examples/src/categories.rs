//! The artifacts the catalogue's tasks upload: Debusine's categories and the data of each, as
//! the artifact models of the server's release (`debusine/artifacts/models.py`) define them and
//! its `LocalArtifact.create` methods fill them. Where 0.16's data grew since 0.11 (the build
//! log's, lintian's, blhc's and debdiff's, the system tarball's and image's), [`Models`] says
//! which release's to write: 0.11's models forbid fields they do not know. Every task builds its
//! outputs here.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use taskdef::{NewArtifact, TaskContext, TaskError};

use crate::deb822::{self, Kind};

/// `debian:package-build-log`: one `.build` file.
pub const PACKAGE_BUILD_LOG: &str = "debian:package-build-log";
/// `debian:binary-package`: one `.deb` or `.udeb`.
pub const BINARY_PACKAGE: &str = "debian:binary-package";
/// `debian:binary-packages`: the `.deb`s of one build and architecture.
pub const BINARY_PACKAGES: &str = "debian:binary-packages";
/// `debian:upload`: a `.changes` and the files it lists.
pub const UPLOAD: &str = "debian:upload";
/// `debusine:signing-input`: files for a signing task.
pub const SIGNING_INPUT: &str = "debusine:signing-input";
/// `debusine:signing-output`: what a signing task signed.
pub const SIGNING_OUTPUT: &str = "debusine:signing-output";
/// `debian:source-package`: a `.dsc` and the files it lists.
pub const SOURCE_PACKAGE: &str = "debian:source-package";
/// `debian:lintian`: one lintian analysis.
pub const LINTIAN: &str = "debian:lintian";
/// `debian:autopkgtest`: the results of an autopkgtest run.
pub const AUTOPKGTEST: &str = "debian:autopkgtest";
/// `debian:system-tarball`: a bootstrapped system as a `.tar.xz`.
pub const SYSTEM_TARBALL: &str = "debian:system-tarball";
/// `debian:system-image`: a bootable system as a `.tar.xz` of a raw disk image, or a `.qcow2`.
pub const SYSTEM_IMAGE: &str = "debian:system-image";
/// `debian:blhc`: blhc's report.
pub const BLHC: &str = "debian:blhc";
/// `debian:debdiff`: debdiff's report.
pub const DEBDIFF: &str = "debian:debdiff";

/// Whose artifact models the data is written for: the release of the server the task runs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Models {
    /// Debusine 0.11's (Debian 13's): the data as it was before 0.16 grew it, and none of
    /// 0.16's new categories (`debian:debug-symbols`, `debian:piuparts`).
    V0_11,
    /// Debusine 0.16's, also where the release is not known: the catalogue's own release.
    V0_16,
}

impl Models {
    /// The models of the release `ctx` runs for ([`TaskContext::release`]).
    pub fn of(ctx: &TaskContext) -> Models {
        if ctx.release_is_before("0.16") {
            Models::V0_11
        } else {
            Models::V0_16
        }
    }

    /// Whether these are 0.16's (or later's) models.
    pub fn are_0_16(self) -> bool {
        self == Models::V0_16
    }
}

/// The file name of `path`, as text.
fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// One binary package, from its `.deb` and the directory its control files were extracted to
/// (`dpkg-deb --control`).
pub fn binary_package(deb: &Path, control_dir: &Path) -> Result<NewArtifact, TaskError> {
    let control_path = control_dir.join("control");
    let control = deb822::read_first(&control_path)?;
    let package = deb822::require(&control, "Package", &control_path)?;
    let version = deb822::require(&control, "Version", &control_path)?;
    // `Source: name (version)` when the source's version differs from the binary's.
    let source = deb822::field(&control, "Source").unwrap_or(package);
    let (srcpkg_name, srcpkg_version) = match source.split_once(" (") {
        Some((name, rest)) if rest.ends_with(')') => (name, &rest[..rest.len() - 1]),
        _ => (source, version),
    };
    let mut control_files: Vec<String> = std::fs::read_dir(control_dir)
        .map_err(|error| TaskError::other(format!("{}: {error}", control_dir.display())))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    control_files.sort();
    let name = file_name(deb);
    Ok(NewArtifact::new(
        BINARY_PACKAGE,
        json!({
            "srcpkg_name": srcpkg_name,
            "srcpkg_version": srcpkg_version,
            "deb_fields": deb822::to_json(&control, Kind::Control),
            "deb_control_files": control_files,
        }),
    )
    .with_file(name, deb))
}

/// An upload: the `.changes` and every file it lists, found in `files_dir`.
pub fn upload(changes: &Path, files_dir: &Path) -> Result<NewArtifact, TaskError> {
    let fields = deb822::read_first(changes)?;
    for required in ["Architecture", "Files"] {
        deb822::require(&fields, required, changes)?;
    }
    let mut artifact = NewArtifact::new(
        UPLOAD,
        json!({"type": "dpkg", "changes_fields": deb822::to_json(&fields, Kind::Changes)}),
    )
    .with_file(file_name(changes), changes);
    for name in deb822::listed_files(&fields) {
        if let Err(problem) = taskdef::paths::check_file_name(&name) {
            return Err(TaskError::other(format!(
                "{}: the listed file `{name}` is not a plain file name ({problem})",
                changes.display()
            )));
        }
        let path = files_dir.join(&name);
        if !path.is_file() {
            return Err(TaskError::MissingFiles(vec![path]));
        }
        artifact = artifact.with_file(name, path);
    }
    Ok(artifact)
}

/// The `.changes` on its own, as the input of a signing task.
pub fn signing_input(changes: &Path) -> NewArtifact {
    NewArtifact::new(
        SIGNING_INPUT,
        json!({"trusted_certs": null, "binary_package_name": null}),
    )
    .with_file(file_name(changes), changes)
}

/// Files to sign, as `extractforsigning` takes them out of binary package
/// `binary_package_name`: each `(name, path)`, the name relative to the extraction's base
/// directory (`<package>/<path in the package>`), as Debusine's `SigningInputArtifact.create`
/// names them.
pub fn signing_input_files(
    files: &[(String, PathBuf)],
    trusted_certs: Option<&[String]>,
    binary_package_name: &str,
) -> NewArtifact {
    let mut artifact = NewArtifact::new(
        SIGNING_INPUT,
        json!({"trusted_certs": trusted_certs, "binary_package_name": binary_package_name}),
    );
    for (name, path) in files {
        artifact = artifact.with_file(name.clone(), path);
    }
    artifact
}

/// A source package `name` `version`: its `.dsc` (read for `dsc_fields`) and every file it
/// lists, found beside it.
pub fn source_package(name: &str, version: &str, dsc: &Path) -> Result<NewArtifact, TaskError> {
    let fields = deb822::read_first(dsc)?;
    for required in ["Source", "Version"] {
        deb822::require(&fields, required, dsc)?;
    }
    let files_dir = dsc.parent().unwrap_or(Path::new("."));
    let mut artifact = NewArtifact::new(
        SOURCE_PACKAGE,
        json!({
            "name": name,
            "version": version,
            "type": "dpkg",
            "dsc_fields": deb822::to_json(&fields, Kind::Dsc),
        }),
    )
    .with_file(file_name(dsc), dsc);
    for listed in deb822::listed_files(&fields) {
        if listed.is_empty() || listed.contains('/') || listed == "." || listed == ".." {
            return Err(TaskError::other(format!(
                "{}: the listed file `{listed}` is not a plain file name",
                dsc.display()
            )));
        }
        let path = files_dir.join(&listed);
        if !path.is_file() {
            return Err(TaskError::MissingFiles(vec![path]));
        }
        artifact = artifact.with_file(listed, path);
    }
    Ok(artifact)
}

/// What an autopkgtest run reports about itself, beside its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutopkgtestRun<'a> {
    /// The command line, quoted as a shell would read it.
    pub cmdline: &'a str,
    /// The source package's name.
    pub source_name: &'a str,
    /// The source package's version.
    pub source_version: &'a str,
    /// Where the source package can be found.
    pub source_url: &'a str,
    /// The architecture tested on.
    pub architecture: &'a str,
    /// The environment's `vendor:codename`.
    pub distribution: &'a str,
}

/// The results of an autopkgtest run (`results`: test name to `{status, details}`), with the
/// files of its output directory except `binaries/`.
pub fn autopkgtest(
    run: &AutopkgtestRun<'_>,
    results: Value,
    output_dir: &Path,
) -> Result<NewArtifact, TaskError> {
    let mut artifact = NewArtifact::new(
        AUTOPKGTEST,
        json!({
            "results": results,
            "cmdline": run.cmdline,
            "source_package": {
                "name": run.source_name,
                "version": run.source_version,
                "url": run.source_url,
            },
            "architecture": run.architecture,
            "distribution": run.distribution,
        }),
    );
    for path in taskdef::files_under(output_dir)? {
        let name = path
            .strip_prefix(output_dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if !name.starts_with("binaries/") {
            artifact = artifact.with_file(name, path);
        }
    }
    Ok(artifact)
}

/// What a bootstrapped system is, for `debian:system-tarball` (and `debian:system-image`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemData<'a> {
    /// `ID` of its `/etc/os-release`.
    pub vendor: &'a str,
    /// `VERSION_CODENAME` of its `/etc/os-release` (`sid` for unstable).
    pub codename: &'a str,
    /// The first bootstrap repository's mirror.
    pub mirror: &'a str,
    /// The mmdebstrap variant, if one was asked for.
    pub variant: Option<&'a str>,
    /// Installed packages and their versions.
    pub pkglist: &'a std::collections::BTreeMap<String, String>,
    /// Its architecture.
    pub architecture: &'a str,
    /// Whether it has `/sbin/init`.
    pub with_init: bool,
}

/// The data every bootstrapped system's artifact has, `filename` naming `file` (`with_dev` is
/// always true: mmdebstrap creates /dev), and 0.16's `components`.
fn system_fields(
    file: &Path,
    system: &SystemData<'_>,
    components: &[String],
    models: Models,
) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("filename".into(), file_name(file).into());
    fields.insert("vendor".into(), system.vendor.into());
    fields.insert("codename".into(), system.codename.into());
    fields.insert("mirror".into(), system.mirror.into());
    fields.insert("variant".into(), system.variant.into());
    fields.insert("pkglist".into(), json!(system.pkglist));
    fields.insert("architecture".into(), system.architecture.into());
    fields.insert("with_dev".into(), true.into());
    fields.insert("with_init".into(), system.with_init.into());
    if models.are_0_16() {
        fields.insert("components".into(), json!(components));
    }
    fields
}

/// A bootstrapped system as a tarball, with the `components` of its first repository where
/// the models have them (0.16).
pub fn system_tarball(
    tarball: &Path,
    system: &SystemData<'_>,
    components: &[String],
    models: Models,
) -> NewArtifact {
    let fields = system_fields(tarball, system, components, models);
    NewArtifact::new(SYSTEM_TARBALL, Value::Object(fields)).with_file(file_name(tarball), tarball)
}

/// How a system image is laid out, beside what the system is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageData<'a> {
    /// `raw` or `qcow2`.
    pub image_format: &'a str,
    /// The root partition's filesystem.
    pub filesystem: &'a str,
    /// The root partition's size in bytes.
    pub size: i64,
    /// `efi` or `bios`.
    pub boot_mechanism: &'a str,
}

/// A bootable system image: a `.tar.xz` holding a raw image, or a `.qcow2`; with the
/// `components` of its first repository where the models have them (0.16).
pub fn system_image(
    file: &Path,
    system: &SystemData<'_>,
    image: &ImageData<'_>,
    components: &[String],
    models: Models,
) -> NewArtifact {
    let mut fields = system_fields(file, system, components, models);
    fields.insert("image_format".into(), image.image_format.into());
    fields.insert("filesystem".into(), image.filesystem.into());
    fields.insert("size".into(), image.size.into());
    fields.insert("boot_mechanism".into(), image.boot_mechanism.into());
    NewArtifact::new(SYSTEM_IMAGE, Value::Object(fields)).with_file(file_name(file), file)
}

/// The data of a `debian:package-build-log` artifact (Debusine's `DebianPackageBuildLog`),
/// as a 0.16 server sends it in blhc's dynamic data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageBuildLogData {
    /// The source package's name.
    pub source: String,
    /// The source package's version.
    pub version: String,
    /// The architecture the package was built for, or null.
    #[serde(default)]
    pub architecture: Option<String>,
    /// The log's file name.
    pub filename: String,
    /// dose-debcheck's report of the build dependencies that could not be installed, or null
    /// (the server sends null in blhc's dynamic data).
    #[serde(default)]
    pub bd_uninstallable: Option<DoseDistCheck>,
}

/// dose-debcheck's report, as sbuild runs it (Debusine's `DoseDistCheck`; dose3 writes its keys
/// with hyphens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DoseDistCheck {
    /// The report format's version.
    pub output_version: String,
    /// The native architecture.
    #[serde(default)]
    pub native_architecture: Option<String>,
    /// The foreign architectures.
    #[serde(default)]
    pub foreign_architecture: Option<String>,
    /// The host architecture.
    #[serde(default)]
    pub host_architecture: Option<String>,
    /// One entry per package checked.
    pub report: Vec<DosePackage>,
    /// How many packages there were.
    pub total_packages: i64,
    /// How many of them are broken.
    pub broken_packages: i64,
    /// How many were in the background.
    pub background_packages: i64,
    /// How many were in the foreground.
    pub foreground_packages: i64,
}

/// One package of a dose-debcheck report (Debusine's `DoseDistCheckPackage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DosePackage {
    /// The package's name.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Its architecture.
    #[serde(default)]
    pub architecture: Option<String>,
    /// Whether it is essential.
    #[serde(default)]
    pub essential: Option<bool>,
    /// Its type.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Its source package.
    #[serde(default)]
    pub source: Option<String>,
    /// `broken` or `ok`.
    pub status: DoseStatus,
    /// Why it is installable.
    #[serde(default)]
    pub success: Option<String>,
    /// Why it is broken.
    pub reasons: Vec<DoseReason>,
}

/// Whether a package of a dose-debcheck report is installable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum DoseStatus {
    /// It cannot be installed.
    Broken,
    /// It can.
    Ok,
}

/// Why a package of a dose-debcheck report is broken: a dependency missing, or a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DoseReason {
    /// A dependency that nothing satisfies.
    Missing(DoseMissing),
    /// Two packages that conflict.
    Conflict(DoseConflict),
}

/// A missing dependency (Debusine's `DoseDistCheckReasonMissing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseMissing {
    /// What is missing.
    pub missing: DoseMissingDetail,
}

/// What is missing, and through which dependency chains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseMissingDetail {
    /// The package whose dependency is missing.
    pub pkg: DoseMissingPackage,
    /// The chains of dependencies that lead to it.
    #[serde(default)]
    pub depchains: Vec<DoseDepchain>,
}

/// The package whose dependency is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DoseMissingPackage {
    /// Its name.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Its architecture.
    #[serde(default)]
    pub architecture: Option<String>,
    /// The dependency nothing satisfies.
    #[serde(default)]
    pub unsat_dependency: Option<String>,
}

/// A conflict (Debusine's `DoseDistCheckReasonConflict`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseConflict {
    /// The two packages and their chains.
    pub conflict: DoseConflictDetail,
}

/// Two conflicting packages, and the dependency chains that bring each in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseConflictDetail {
    /// The first package.
    pub pkg1: DoseConflictPackage,
    /// The second package.
    pub pkg2: DoseConflictPackage,
    /// The chains that bring in the first.
    #[serde(default)]
    pub depchain1: Vec<DoseDepchain>,
    /// The chains that bring in the second.
    #[serde(default)]
    pub depchain2: Vec<DoseDepchain>,
}

/// One of two conflicting packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DoseConflictPackage {
    /// Its name.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Its architecture.
    #[serde(default)]
    pub architecture: Option<String>,
    /// The conflict it declares.
    #[serde(default)]
    pub unsat_conflict: Option<String>,
}

/// A chain of dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseDepchain {
    /// The packages of the chain, in order.
    pub depchain: Vec<DoseDepchainPackage>,
}

/// One package of a dependency chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseDepchainPackage {
    /// Its name.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Its architecture.
    #[serde(default)]
    pub architecture: Option<String>,
    /// Its dependency that the chain follows.
    #[serde(default)]
    pub depends: Option<String>,
}

/// blhc's report, as `blhc.txt`: for 0.16, with the `source`, `version` and `architecture`
/// of the build log it checked, when the server sent them (`input_artifact_data`; without
/// them the data is empty, which 0.16 reads as its nulls); for 0.11, whose `debian:blhc` has no
/// fields, empty.
pub fn blhc(output: &Path, build_log: Option<&PackageBuildLogData>, models: Models) -> NewArtifact {
    let data = match build_log.filter(|_| models.are_0_16()) {
        Some(log) => json!({
            "source": log.source,
            "version": log.version,
            "architecture": log.architecture,
        }),
        None => json!({}),
    };
    NewArtifact::new(BLHC, data).with_file("blhc.txt", output)
}

/// debdiff's report, as `debdiff.txt`, between `original` and `new` (file names joined by
/// spaces): for 0.16, with `label` (`debdiff <parameter summary>`) when there is one (without
/// it, 0.16 labels it `debdiff ORIGINAL NEW`); 0.11's model has no label.
pub fn debdiff(
    output: &Path,
    original: &str,
    new: &str,
    label: Option<&str>,
    models: Models,
) -> NewArtifact {
    let mut data = json!({"original": original, "new": new});
    if let Some(label) = label.filter(|_| models.are_0_16()) {
        data["label"] = label.into();
    }
    NewArtifact::new(DEBDIFF, data).with_file("debdiff.txt", output)
}

/// `debian:debug-symbols`: the `.debug` files of one `-dbgsym` package (Debusine 0.16).
pub const DEBUG_SYMBOLS: &str = "debian:debug-symbols";
/// `debian:piuparts`: the output of a piuparts run (Debusine 0.16).
pub const PIUPARTS: &str = "debian:piuparts";

/// A build log of `source` `version` for `architecture`, which 0.16's models have and 0.11's
/// do not (`bd_uninstallable` is not analysed: null).
pub fn package_build_log(
    file: &Path,
    source: &str,
    version: &str,
    architecture: &str,
    models: Models,
) -> NewArtifact {
    let name = file_name(file);
    let mut data = json!({
        "source": source,
        "version": version,
        "filename": name,
        "bd_uninstallable": null,
    });
    if models.are_0_16() {
        data["architecture"] = architecture.into();
    }
    NewArtifact::new(PACKAGE_BUILD_LOG, data).with_file(name, file)
}

/// The debug symbols of one `-dbgsym` package: each `(build id, .debug file)`, the file named
/// by its bare build id, the ids in `build_ids` in the same order.
pub fn debug_symbols(files: &[(String, PathBuf)]) -> NewArtifact {
    let build_ids: Vec<&str> = files.iter().map(|(id, _)| id.as_str()).collect();
    let mut artifact = NewArtifact::new(DEBUG_SYMBOLS, json!({"build_ids": build_ids}));
    for (id, path) in files {
        artifact = artifact.with_file(id.clone(), path);
    }
    artifact
}

/// What a piuparts run tested, for `debian:piuparts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiupartsRun<'a> {
    /// The version of piuparts that ran.
    pub piuparts_version: &'a str,
    /// Each binary package tested, to its version.
    pub binary_packages: &'a std::collections::BTreeMap<String, String>,
    /// The build architecture.
    pub architecture: &'a str,
    /// The base system's `vendor:codename`.
    pub distribution: &'a str,
}

/// piuparts' output, as `piuparts.txt`, with what it tested.
pub fn piuparts(output: &Path, run: &PiupartsRun<'_>) -> NewArtifact {
    NewArtifact::new(
        PIUPARTS,
        json!({
            "piuparts_version": run.piuparts_version,
            "binary_packages": run.binary_packages,
            "architecture": run.architecture,
            "distribution": run.distribution,
        }),
    )
    .with_file("piuparts.txt", output)
}

/// One lintian analysis of the packages of one `architecture` (`source`, `all`, `amd64`, ...:
/// 0.16's `debian:lintian` names it, 0.11's does not): `analysis.json` (which holds `summary`)
/// and lintian's output.
pub fn lintian(
    analysis: &Path,
    output: &Path,
    architecture: &str,
    summary: Value,
    models: Models,
) -> NewArtifact {
    let mut data = json!({"summary": summary});
    if models.are_0_16() {
        data["architecture"] = architecture.into();
    }
    NewArtifact::new(LINTIAN, data)
        .with_file("analysis.json", analysis)
        .with_file("lintian.txt", output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(dir: &Path, listed: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("a_1_source.changes");
        let text = format!(
            "Source: a\nArchitecture: source\nFiles:\n 00 1 devel optional {listed}\n\
             Checksums-Sha256:\n 00 1 {listed}\n"
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn an_upload_takes_only_plain_names_that_are_there() {
        let dir = std::env::temp_dir().join(format!("taskdef-categories-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for hostile in ["../../etc/passwd", "/etc/passwd", ".."] {
            let path = changes(&dir, hostile);
            let error = upload(&path, &dir).unwrap_err().to_string();
            assert!(
                error.contains("not a plain file name"),
                "{hostile}: {error}"
            );
        }
        let path = changes(&dir, "a_1.dsc");
        assert!(matches!(
            upload(&path, &dir),
            Err(TaskError::MissingFiles(files)) if files == [dir.join("a_1.dsc")]
        ));
        std::fs::write(dir.join("a_1.dsc"), "x").unwrap();
        let artifact = upload(&path, &dir).unwrap();
        let names: Vec<&str> = artifact
            .files
            .iter()
            .map(|file| file.name.as_str())
            .collect();
        assert_eq!(names, ["a_1_source.changes", "a_1.dsc"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
