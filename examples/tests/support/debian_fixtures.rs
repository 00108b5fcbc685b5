//! Tiny real Debian packages for the tests of the signing and merge tasks, built with Debian's
//! own tools (dpkg-deb, dpkg-source, dpkg-genchanges; `tests/debusine/catalogue-tools`
//! installs them).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Writes `text` to `path`, creating its parents.
pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs a tool, which must succeed.
pub fn run(command: &mut Command) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| {
            panic!("{command:?}: {error} (run tests/debusine/catalogue-tools)")
        });
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds `<package>_<version>_<arch>.deb` into `out_dir` with `dpkg-deb --build`, holding
/// `files` (path in the package, content).
pub fn build_deb(
    out_dir: &Path,
    package: &str,
    version: &str,
    arch: &str,
    files: &[(&str, &str)],
) -> PathBuf {
    let root = out_dir.join(format!("{package}-root"));
    let _ = std::fs::remove_dir_all(&root);
    write(
        &root.join("DEBIAN/control"),
        &format!(
            "Package: {package}\nSource: hello\nVersion: {version}\nArchitecture: {arch}\n\
             Maintainer: A <a@example.org>\nDescription: {package} for the tests\n"
        ),
    );
    for (path, content) in files {
        write(&root.join(path), content);
    }
    let plain = version.split_once(':').map_or(version, |(_, rest)| rest);
    let deb = out_dir.join(format!("{package}_{plain}_{arch}.deb"));
    run(Command::new("dpkg-deb")
        .args(["--build", "--root-owner-group"])
        .arg(&root)
        .arg(&deb));
    std::fs::remove_dir_all(&root).unwrap();
    deb
}

/// The `debian/` files of a minimal `3.0 (native)` source package `source` `version`, with one
/// binary package `binary`, under `prefix` (`debian/...` paths).
pub fn debian_dir(
    prefix: &str,
    source: &str,
    version: &str,
    binary: &str,
) -> Vec<(String, String)> {
    vec![
        (
            format!("{prefix}debian/source/format"),
            "3.0 (native)\n".to_owned(),
        ),
        (
            format!("{prefix}debian/changelog"),
            format!(
                "{source} ({version}) unstable; urgency=medium\n\n  * For the tests.\n\n \
                 -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n"
            ),
        ),
        (
            format!("{prefix}debian/control"),
            format!(
                "Source: {source}\nSection: admin\nPriority: optional\n\
                 Maintainer: A <a@example.org>\nStandards-Version: 4.7.0\n\n\
                 Package: {binary}\nArchitecture: amd64\nDescription: {binary} for the tests\n \
                 Signed.\n"
            ),
        ),
        (
            format!("{prefix}debian/copyright"),
            "Public domain.\n".to_owned(),
        ),
        (
            format!("{prefix}debian/rules"),
            "#!/usr/bin/make -f\n%:\n\tdh $@\n".to_owned(),
        ),
    ]
}

/// The template package `hello-signed-template` (into `out_dir`): `manifest` as its
/// `files.json`, and the source template of `hello-signed` 1.0+1, plus `extra` files (paths in
/// the package).
pub fn template_deb(out_dir: &Path, manifest: &str, extra: &[(&str, &str)]) -> PathBuf {
    let base = "usr/share/code-signing/hello-signed-template/";
    let mut files: Vec<(String, String)> = vec![(format!("{base}files.json"), manifest.to_owned())];
    files.extend(debian_dir(
        &format!("{base}source-template/"),
        "hello-signed",
        "1.0+1",
        "hello-signed",
    ));
    files.extend(
        extra
            .iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned())),
    );
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    build_deb(out_dir, "hello-signed-template", "1.0", "amd64", &borrowed)
}

/// The manifest of a template that asks for `hello-efi`'s `usr/lib/hello/hello.efi` to be
/// signed.
pub const MANIFEST: &str = r#"{"packages": {"hello-efi": {"trusted_certs": ["0123abcd"], "files": [{"sig_type": "efi", "file": "usr/lib/hello/hello.efi"}]}}}"#;

/// The binary package holding the file to sign.
pub fn efi_deb(out_dir: &Path) -> PathBuf {
    build_deb(
        out_dir,
        "hello-efi",
        "1.0",
        "amd64",
        &[("usr/lib/hello/hello.efi", "MZ not really an EFI image\n")],
    )
}

/// Two real uploads of `hello` `version` into `source_dir` and `binary_dir`: the source
/// package (`dpkg-source -b`, `dpkg-genchanges -S`) and one binary package of `arch`
/// (`dpkg-deb`, `dpkg-genchanges -B`); the `.changes` of each.
pub fn uploads(
    work: &Path,
    version: &str,
    source_dir: &Path,
    binary_dir: &Path,
) -> (PathBuf, PathBuf) {
    // File names have no epoch.
    let plain = version.split_once(':').map_or(version, |(_, rest)| rest);
    let tree = work.join("hello");
    let _ = std::fs::remove_dir_all(&tree);
    for (path, content) in debian_dir("", "hello", version, "hello") {
        write(&tree.join(path), &content);
    }
    run(Command::new("dpkg-source")
        .arg("-b")
        .arg("hello")
        .current_dir(work));
    let source_changes = work.join(format!("hello_{plain}_source.changes"));
    let mut out = std::ffi::OsString::from("-O");
    out.push(&source_changes);
    run(Command::new("dpkg-genchanges")
        .arg("-S")
        .arg(&out)
        .current_dir(&tree));
    let deb = build_deb(
        work,
        "hello",
        version,
        "amd64",
        &[("usr/share/doc/hello/README", "hi\n")],
    );
    run(Command::new("dpkg-distaddfile")
        .arg("-fdebian/files")
        .arg(deb.file_name().unwrap())
        .args(["admin", "optional"])
        .current_dir(&tree));
    let binary_changes = work.join(format!("hello_{plain}_amd64.changes"));
    let mut out = std::ffi::OsString::from("-O");
    out.push(&binary_changes);
    run(Command::new("dpkg-genchanges")
        .arg("-B")
        .arg(&out)
        .current_dir(&tree));

    std::fs::create_dir_all(source_dir).unwrap();
    std::fs::create_dir_all(binary_dir).unwrap();
    let dsc = format!("hello_{plain}.dsc");
    let tarball = format!("hello_{plain}.tar.xz");
    for name in [dsc.as_str(), tarball.as_str()] {
        std::fs::rename(work.join(name), source_dir.join(name)).unwrap();
    }
    let source_target = source_dir.join(source_changes.file_name().unwrap());
    std::fs::rename(&source_changes, &source_target).unwrap();
    std::fs::rename(&deb, binary_dir.join(deb.file_name().unwrap())).unwrap();
    let binary_target = binary_dir.join(binary_changes.file_name().unwrap());
    std::fs::rename(&binary_changes, &binary_target).unwrap();
    std::fs::remove_dir_all(&tree).unwrap();
    (source_target, binary_target)
}

/// A fresh directory for one test.
pub fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskdef-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
