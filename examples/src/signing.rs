//! What `extractforsigning`, `assemblesignedsource` and `mergeuploads` share: Debusine's
//! signing templates, their inputs with the category and data the server gives them, and a
//! task's failure with its reason.
//!
//! A *signing template* is a binary package (`debian:binary-package`) that ships, under
//! `/usr/share/code-signing/<template package>/`:
//!
//! - `files.json`, the manifest: `{"packages": {"<binary package>": {"trusted_certs": [...],
//!   "files": [{"sig_type": "efi", "file": "<path in the package>"}, ...]}, ...}}`;
//! - `source-template/`, the `debian/` tree (format `3.0 (native)`) of the source package that
//!   carries the signatures once they are made.
//!
//! `extractforsigning` takes the listed files out of the binary packages; `assemblesignedsource`
//! puts their signatures under `debian/signatures/<package>/<file>.sig` of the source template
//! and builds the signed source package.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use taskdef::{ArtifactId, CommandLine, TaskContext, TaskError};

use crate::artifacts::{local_path, resolve_multiple, resolve_single};
use crate::lookup::{LookupItem, LookupMultiple, LookupSingle};

/// Where a template package keeps its manifest and source template, under its root.
pub const CODE_SIGNING_DIR: &str = "usr/share/code-signing";

/// Why a task stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// A failure of the task's inputs (Debusine's `ExtractError`, `AssembleError`,
    /// `MergeUploadsError`, or a command that exited non-zero): the task reports `failure`, as
    /// Debusine does, with the reason logged.
    Failure(String),
    /// Anything else (an input that cannot be fetched, an upload refused): the task reports
    /// `error`.
    Error(TaskError),
}

impl From<TaskError> for Stop {
    fn from(error: TaskError) -> Self {
        Stop::Error(error)
    }
}

/// A failure with `reason`.
pub fn failure<T>(reason: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Failure(reason.into()))
}

/// The result of `execute` for a task whose work gave `result`: `Ok(true)` when it finished,
/// `Ok(false)` (a failure, its reason logged as an error of `task`) or the error.
pub fn finish(task: &str, result: Result<(), Stop>) -> Result<bool, TaskError> {
    match result {
        Ok(()) => Ok(true),
        Err(Stop::Failure(reason)) => {
            tracing::error!(task, "{reason}");
            Ok(false)
        }
        Err(Stop::Error(error)) => Err(error),
    }
}

/// One input artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Its directory (or, found locally, the path the lookup names: a file or a directory).
    pub path: PathBuf,
    /// Its data; `null` when it was found locally.
    pub data: Value,
    /// Its id, when it was fetched (the outputs relate to it).
    pub id: Option<ArtifactId>,
}

/// Artifact `id`, fetched, if the server says it is of `category` (Debusine's fetch_input
/// checks; a local artifact has no category to check).
pub fn fetch(
    ctx: &TaskContext,
    field: &str,
    id: ArtifactId,
    category: &str,
) -> Result<Input, Stop> {
    let fetched = ctx.fetch_artifact(id)?;
    if !fetched.category.is_empty() && fetched.category != category {
        return failure(format!(
            "Expected {field} to be of category {category}; got {} (artifact {id})",
            fetched.category
        ));
    }
    Ok(Input {
        path: fetched.dir,
        data: fetched.data,
        id: Some(id),
    })
}

/// The input of `field`: artifact `id` of the dynamic data when the run has some; else an
/// integer lookup fetched through the server when the run has one and the artifact is not under
/// the work directory; else the lookup resolved locally (see [`crate::artifacts`]).
pub fn single(
    ctx: &TaskContext,
    field: &str,
    lookup: &LookupSingle,
    id: Option<ArtifactId>,
    category: &str,
) -> Result<Input, Stop> {
    if let Some(id) = id {
        return fetch(ctx, field, id, category);
    }
    if let LookupSingle::Id(number) = lookup
        && local_path(ctx.work_dir(), lookup).is_none()
        && ctx.server().is_ok()
        && let Ok(id) = ArtifactId::try_from(*number)
    {
        return fetch(ctx, field, id, category);
    }
    Ok(Input {
        path: resolve_single(ctx, field, lookup)?,
        data: Value::Null,
        id: None,
    })
}

/// The inputs of `field`: artifacts `ids` of the dynamic data when the run has some, else each
/// lookup as [`single`] finds it (a lookup object needs the server's dynamic data).
pub fn multiple(
    ctx: &TaskContext,
    field: &str,
    lookup: &LookupMultiple,
    ids: Option<&[ArtifactId]>,
    category: &str,
) -> Result<Vec<Input>, Stop> {
    if let Some(ids) = ids {
        return ids
            .iter()
            .map(|id| fetch(ctx, field, *id, category))
            .collect();
    }
    let mut inputs = Vec::new();
    for item in &lookup.items {
        match item {
            LookupItem::Single(single_lookup) => {
                inputs.push(single(ctx, field, single_lookup, None, category)?);
            }
            LookupItem::Dict(dict) => {
                // Says why (no server, or no resolving through it); a lookup object never
                // resolves locally.
                resolve_multiple(ctx, field, lookup)?;
                return Err(Stop::Error(TaskError::other(format!(
                    "{field}: a lookup in {} needs the server",
                    dict.collection
                ))));
            }
        }
    }
    Ok(inputs)
}

/// Runs `command`; a non-zero exit is a failure (`<program> exited with code <code>`, as
/// Debusine words it).
pub fn run_or_fail(ctx: &TaskContext, command: &CommandLine) -> Result<(), Stop> {
    let status = ctx.run(command)?;
    if status.success() {
        return Ok(());
    }
    let how = match (status.code, status.signal) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "did not exit".to_owned(),
    };
    failure(format!("{} {how}", command.program_name()))
}

/// `dpkg-deb -x <deb> <into>`: the files of a binary package.
pub fn extract_command(deb: &Path, into: &Path) -> CommandLine {
    CommandLine::new("dpkg-deb").arg("-x").arg(deb).arg(into)
}

/// `dpkg-deb --field <deb> Package`, its output to `out`: a binary package's name.
pub fn package_name_command(deb: &Path, out: &Path) -> CommandLine {
    CommandLine::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .arg("Package")
        .stdout_to(out)
}

/// The name of the binary package `deb` (read with `dpkg-deb --field` into `out`), checked to
/// be a valid package name.
pub fn package_name(ctx: &TaskContext, deb: &Path, out: &Path) -> Result<String, Stop> {
    if let Some(parent) = out.parent() {
        create_dir(parent)?;
    }
    run_or_fail(ctx, &package_name_command(deb, out))?;
    let text = crate::artifacts::read_file(out)?;
    let name = text.trim().to_owned();
    check_package_name(&name)?;
    Ok(name)
}

/// Debian policy's source and binary package names: `^[a-z0-9][a-z0-9+.-]+$`, as Debusine checks
/// the manifest's names (which become directory names).
pub fn is_package_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first = chars.next();
    first.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+.-".contains(c))
}

/// A failure unless `name` is a valid package name.
pub fn check_package_name(name: &str) -> Result<(), Stop> {
    if is_package_name(name) {
        Ok(())
    } else {
        failure(format!("'{name}' is not a valid package name"))
    }
}

/// A failure unless `file` (a manifest's `file`) is a relative path without `..` segments, with
/// Debusine's messages.
pub fn check_relative(file: &str) -> Result<(), Stop> {
    let path = Path::new(file);
    if path
        .components()
        .any(|component| component == Component::ParentDir)
    {
        return failure(format!("File name '{file}' may not contain '..' segments"));
    }
    if path.is_absolute() {
        return failure(format!("File name '{file}' may not be absolute"));
    }
    if file.is_empty() {
        return failure("File name '' names no file");
    }
    Ok(())
}

/// `root/relative` if it is, once its symbolic links are followed, a regular file under `root`;
/// otherwise the failure says which (`what` names the tree in the message).
pub fn file_inside(root: &Path, relative: &str, what: &str) -> Result<PathBuf, Stop> {
    let path = root.join(relative);
    let real_root = root
        .canonicalize()
        .map_err(|error| Stop::Error(TaskError::other(format!("{}: {error}", root.display()))))?;
    let real = match path.canonicalize() {
        Ok(real) => real,
        Err(_) => return failure(format!("File name '{relative}' is not in {what}")),
    };
    if !real.starts_with(&real_root) {
        return failure(format!(
            "File name '{relative}' may not traverse symlinks to outside {what}"
        ));
    }
    if !real.is_file() {
        return failure(format!(
            "File name '{relative}' is not a regular file in {what}"
        ));
    }
    Ok(path)
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<(), TaskError> {
    std::fs::create_dir_all(dir)
        .map_err(|error| TaskError::other(format!("{}: {error}", dir.display())))
}

/// Removes `dir` if it is there (a previous run's leftovers), then creates it empty.
pub fn fresh_dir(dir: &Path) -> Result<(), TaskError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(TaskError::other(format!("{}: {error}", dir.display()))),
    }
    create_dir(dir)
}

/// A signing template's `files.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Manifest {
    /// The binary packages with files to sign, in the manifest's order.
    #[serde(deserialize_with = "in_order")]
    pub packages: Vec<(String, ManifestPackage)>,
}

/// One binary package of a manifest.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ManifestPackage {
    /// Certificates the signed files may trust, passed on to the signing input.
    #[serde(default)]
    pub trusted_certs: Option<Vec<String>>,
    /// The files to sign.
    pub files: Vec<ManifestFile>,
}

/// One file of a manifest's package.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ManifestFile {
    /// How to sign it: `efi` (a UEFI Secure Boot signature) is the only kind Debusine handles.
    #[serde(default)]
    pub sig_type: Option<String>,
    /// Its path in the binary package, relative to the package's root.
    pub file: String,
}

impl Manifest {
    /// The manifest of the template extracted at `root`, whose package is `template`.
    pub fn read(root: &Path, template: &str) -> Result<Manifest, Stop> {
        let relative = format!("{CODE_SIGNING_DIR}/{template}/files.json");
        let path = file_inside(root, &relative, "the template")?;
        let text = crate::artifacts::read_file(&path)?;
        serde_json::from_str(&text)
            .or_else(|error| failure(format!("{relative} of the template: {error}")))
    }
}

/// A JSON object as its entries in the order written (Python's `dict.items()`).
fn in_order<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, ManifestPackage)>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, ManifestPackage)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of binary package names")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries: Vec<(String, ManifestPackage)> = Vec::new();
            while let Some((name, package)) = map.next_entry::<String, ManifestPackage>()? {
                // As a Python dict: a repeated key keeps its first place and its last value.
                match entries.iter_mut().find(|(known, _)| *known == name) {
                    Some(entry) => entry.1 = package,
                    None => entries.push((name, package)),
                }
            }
            Ok(entries)
        }
    }
    deserializer.deserialize_map(Entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_as_policy_says() {
        for good in ["grub-efi-amd64-signed", "shim", "a0", "libc++1", "0ad"] {
            assert!(is_package_name(good), "{good}");
        }
        for bad in ["", "a", "Grub", "-x", "../x", "a/b", "a_b", ".x"] {
            assert!(!is_package_name(bad), "{bad}");
        }
    }

    #[test]
    fn relative_names_only() {
        assert!(check_relative("usr/lib/x.efi").is_ok());
        for (bad, says) in [
            ("../x", "'..' segments"),
            ("usr/../../x", "'..' segments"),
            ("/boot/x", "absolute"),
            ("", "names no file"),
        ] {
            match check_relative(bad) {
                Err(Stop::Failure(reason)) => assert!(reason.contains(says), "{bad}: {reason}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_manifest_keeps_its_order() {
        let manifest: Manifest = serde_json::from_str(
            r#"{"packages": {"zz": {"files": [{"sig_type": "efi", "file": "a"}], "x": 1},
                             "aa": {"trusted_certs": ["c"], "files": []}}}"#,
        )
        .unwrap();
        let names: Vec<&str> = manifest.packages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["zz", "aa"]);
        assert_eq!(
            manifest.packages[1].1.trusted_certs,
            Some(vec!["c".to_owned()])
        );
    }

    #[test]
    fn files_that_leave_the_tree_are_refused() {
        let dir = std::env::temp_dir().join(format!("taskdef-signing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("root");
        std::fs::create_dir_all(root.join("usr")).unwrap();
        std::fs::write(root.join("usr/x.efi"), "x").unwrap();
        std::fs::write(dir.join("secret"), "s").unwrap();
        std::os::unix::fs::symlink("../../secret", root.join("usr/link")).unwrap();
        std::os::unix::fs::symlink("x.efi", root.join("usr/inside")).unwrap();
        assert!(file_inside(&root, "usr/x.efi", "the package").is_ok());
        assert!(file_inside(&root, "usr/inside", "the package").is_ok());
        for (name, says) in [
            ("usr/link", "traverse symlinks"),
            ("usr/none", "is not in"),
            ("usr", "not a regular file"),
        ] {
            match file_inside(&root, name, "the package") {
                Err(Stop::Failure(reason)) => assert!(reason.contains(says), "{name}: {reason}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
