//! What mmdebstrap and simplesystemimagebuild share: bootstrap options and repositories, and
//! what is read from a bootstrapped system for the data of its artifact.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use taskdef::{CommandLine, Rules, TaskContext, TaskError};

use crate::artifacts::read_file;
use crate::categories::SystemData;
use crate::deb822;

/// Options of the bootstrap, generic over the variants the task allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, bound(deserialize = "V: Deserialize<'de>"))]
pub struct BootstrapOptions<V> {
    /// The architecture to bootstrap (`amd64`); the worker must be able to run it.
    pub architecture: String,
    /// The mmdebstrap variant, or null for mmdebstrap's default.
    #[serde(default)]
    pub variant: Option<V>,
    /// Packages to install in addition to those of the variant.
    #[serde(default)]
    pub extra_packages: Vec<String>,
    /// Whether to write `Signed-By` into the sources of the repositories.
    #[serde(default = "yes")]
    pub use_signed_by: bool,
    /// The program APT checks signatures with (`/usr/bin/<gpgv_command>`), or null for
    /// APT's default.
    #[serde(default)]
    pub gpgv_command: Option<GpgvCommand>,
}

/// A program APT can check signatures with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum GpgvCommand {
    /// GnuPG's `gpgv`.
    Gpgv,
    /// Sequoia's `gpgv-sq`.
    GpgvSq,
}

impl GpgvCommand {
    /// The wire spelling, also the program's name: `gpgv` or `gpgv-sq`.
    pub const fn as_str(self) -> &'static str {
        match self {
            GpgvCommand::Gpgv => "gpgv",
            GpgvCommand::GpgvSq => "gpgv-sq",
        }
    }

    /// mmdebstrap's option making APT check signatures with it:
    /// `--aptopt=Apt::Key::gpgvcommand "/usr/bin/<command>"`.
    pub fn aptopt(self) -> String {
        format!(
            "--aptopt=Apt::Key::gpgvcommand \"/usr/bin/{}\"",
            self.as_str()
        )
    }
}

fn yes() -> bool {
    true
}

/// An APT source type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = crate::schema::unit_enum)]
pub enum RepositoryType {
    /// Binary packages.
    #[serde(rename = "deb")]
    Deb,
    /// Source packages.
    #[serde(rename = "deb-src")]
    DebSrc,
}

impl RepositoryType {
    /// The wire spelling: `deb` or `deb-src`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RepositoryType::Deb => "deb",
            RepositoryType::DebSrc => "deb-src",
        }
    }
}

/// How APT checks the repository's signatures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(transform = crate::schema::unit_enum)]
pub enum SignatureCheck {
    /// With the keyrings of the system.
    #[default]
    System,
    /// With the repository's `keyring`, which must then be given.
    External,
    /// Not at all.
    NoCheck,
}

/// A keyring to check a repository's signatures with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Keyring {
    /// Where to get the keyring. A `file://` URL must point under `/usr/share/keyrings/` or
    /// `/usr/local/share/keyrings/`.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$"))]
    pub url: String,
    /// The keyring's SHA-256 checksum, or empty not to check it.
    #[serde(default)]
    pub sha256sum: String,
    /// Whether to install the keyring into the image too.
    #[serde(default)]
    pub install: bool,
}

/// The directories a `file://` keyring may be in.
pub const KEYRING_DIRECTORIES: [&str; 2] = ["/usr/share/keyrings/", "/usr/local/share/keyrings/"];

/// [`KEYRING_DIRECTORIES`] as path parts, for comparing with a normalised path.
const KEYRING_DIRECTORY_PARTS: [&[&str]; 2] = [
    &["usr", "share", "keyrings"],
    &["usr", "local", "share", "keyrings"],
];

impl Keyring {
    /// Debusine's rule on `file://` URLs, checked on the normalised path (so `..` cannot escape).
    /// `repository` is the repository's index, for the pointer of a violation.
    pub(crate) fn check(&self, repository: usize, rules: &mut Rules) {
        if !file_url_allowed(&self.url) {
            rules.fail(
                format!("/bootstrap_repositories/{repository}/keyring/url"),
                "file:// URLs for keyrings must be under /usr/share/keyrings/ or /usr/local/share/keyrings/",
            );
        }
    }
}

/// Whether a keyring URL is not `file://`, or is one whose normalised path is in a keyring
/// directory. Allocates only to decode `%XX` escapes.
fn file_url_allowed(url: &str) -> bool {
    let Some(rest) = strip_prefix_ignore_case(url, "file://") else {
        return true;
    };
    // file://HOST/PATH: the path starts at the first slash after the (usually empty) host.
    let path = rest.find('/').map_or("", |index| &rest[index..]);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let decoded = if path.contains('%') {
        std::borrow::Cow::Owned(percent_decode(path))
    } else {
        std::borrow::Cow::Borrowed(path)
    };
    let parts = normalised_parts(&decoded);
    // A file inside the directory: its parts, then at least one more.
    KEYRING_DIRECTORY_PARTS
        .iter()
        .any(|directory| parts.len() > directory.len() && parts.starts_with(directory))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `%XX` escapes decoded, so that `%2e%2e` is seen as the `..` a downloader would see.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A lexical `realpath` without symlinks: `.` and empty parts dropped, `..` pops (never above
/// `/`). A trailing slash is dropped, as Python's `os.path.normpath` does.
pub fn normalise_path(path: &str) -> String {
    format!("/{}", normalised_parts(path).join("/"))
}

/// The parts of [`normalise_path`]'s result.
fn normalised_parts(path: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
}

/// One repository to bootstrap from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BootstrapRepository {
    /// The mirror's URL (`http://deb.debian.org/debian`).
    pub mirror: String,
    /// The suite (`bookworm`).
    pub suite: String,
    /// The source types: at least one, each once.
    #[serde(default = "default_types")]
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub types: Vec<RepositoryType>,
    /// The components (`main`), each once; null for the suite's default.
    #[serde(default)]
    #[schemars(extend("uniqueItems" = true))]
    pub components: Option<Vec<String>>,
    /// How to check the repository's signatures.
    #[serde(default)]
    pub check_signature_with: SignatureCheck,
    /// A package providing the keyring to check signatures with.
    #[serde(default)]
    pub keyring_package: Option<String>,
    /// A keyring to check signatures with; required when `check_signature_with` is `external`.
    #[serde(default)]
    pub keyring: Option<Keyring>,
}

fn default_types() -> Vec<RepositoryType> {
    vec![RepositoryType::Deb]
}

impl BootstrapRepository {
    /// Debusine's rules: `external` needs a keyring; a `file://` keyring must be in a keyring
    /// directory.
    /// `index` is the repository's place in `bootstrap_repositories`, for pointers.
    pub(crate) fn check(&self, index: usize, rules: &mut Rules) {
        match &self.keyring {
            Some(keyring) => keyring.check(index, rules),
            None if self.check_signature_with == SignatureCheck::External => rules.fail(
                format!("/bootstrap_repositories/{index}"),
                "repository requires 'keyring': 'check_signature_with' is set to 'external'",
            ),
            None => {}
        }
    }

    /// The deb822 `.sources` paragraph Debusine writes for this repository (`Types`, `URIs`,
    /// `Suites`, `Components`, `Trusted: yes` for `no-check`, `Signed-By` when `signed_by` is
    /// given). `index` is the repository's place, for the error: Debusine reads null
    /// `components` from the suite's `Release` file, which this runner does not download.
    pub fn deb822_source(
        &self,
        index: usize,
        signed_by: Option<&str>,
    ) -> Result<String, TaskError> {
        let Some(components) = &self.components else {
            return Err(TaskError::other(format!(
                "/bootstrap_repositories/{index}/components: null asks for the components of \
                 the suite's Release file, which this runner does not download; list them"
            )));
        };
        // A line break would start a field or a paragraph of its own.
        let values = [("mirror", &self.mirror), ("suite", &self.suite)]
            .into_iter()
            .chain(components.iter().map(|component| ("components", component)));
        for (field, value) in values {
            if value.contains(['\n', '\r']) {
                return Err(TaskError::other(format!(
                    "/bootstrap_repositories/{index}/{field}: {value:?} contains a line break, \
                     which cannot be written into a sources file"
                )));
            }
        }
        let types: Vec<&str> = self.types.iter().map(|kind| kind.as_str()).collect();
        let mut paragraph = format!(
            "Types: {}\nURIs: {}\nSuites: {}\nComponents: {}\n",
            types.join(" "),
            self.mirror,
            self.suite,
            components.join(" ")
        );
        if self.check_signature_with == SignatureCheck::NoCheck {
            paragraph.push_str("Trusted: yes\n");
        }
        if let Some(path) = signed_by {
            paragraph.push_str(&format!("Signed-By: {path}\n"));
        }
        Ok(paragraph)
    }

    /// The one-line `sources.list` form: `deb [OPTIONS] MIRROR SUITE COMPONENT...`, one line per
    /// type. `keyring_path` is where the keyring was stored, for `signed-by`.
    pub fn sources_list_lines(&self, keyring_path: Option<&str>) -> Vec<String> {
        let mut options = Vec::new();
        match (self.check_signature_with, keyring_path) {
            (SignatureCheck::NoCheck, _) => options.push("trusted=yes".to_owned()),
            (_, Some(path)) => options.push(format!("signed-by={path}")),
            _ => {}
        }
        self.types
            .iter()
            .map(|kind| {
                let mut line = kind.as_str().to_owned();
                if !options.is_empty() {
                    line.push_str(&format!(" [{}]", options.join(" ")));
                }
                line.push_str(&format!(" {} {}", self.mirror, self.suite));
                for component in self.components.as_deref().unwrap_or_default() {
                    line.push(' ');
                    line.push_str(component);
                }
                line
            })
            .collect()
    }
}

/// [`check_repositories`]'s rule, in words for the docs pages.
pub(crate) const RULE_KEYRING: &str = "A bootstrap repository whose `check_signature_with` is \
     `external` has a `keyring`, and a `file://` keyring URL is under `/usr/share/keyrings/` or \
     `/usr/local/share/keyrings/`.";

/// Checks every repository of `bootstrap_repositories`; described by [`RULE_KEYRING`].
pub(crate) fn check_repositories(repositories: &[BootstrapRepository], rules: &mut Rules) {
    for (index, repository) in repositories.iter().enumerate() {
        repository.check(index, rules);
    }
}

/// The local files of a bootstrap, as Debusine's `SystemBootstrap.configure_for_execution`
/// prepares them for mmdebstrap and simplesystemimagebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapInputs {
    /// The deb822 sources mmdebstrap bootstraps from.
    pub host_sources: PathBuf,
    /// The deb822 sources installed in the system as `/etc/apt/sources.list.d/file.sources`.
    pub chroot_sources: PathBuf,
    /// The keyring of each `external` repository, for `--keyring`.
    pub keyrings: Vec<PathBuf>,
    /// The keyrings to install in the system (`keyring.install`), under
    /// [`KEYRINGS_INSIDE`].
    pub installed_keyrings: Vec<PathBuf>,
    /// Where the customization script was written, if there is one.
    pub script: Option<PathBuf>,
}

/// Where the keyrings to install go inside the system.
pub const KEYRINGS_INSIDE: &str = "/etc/apt/keyrings-debusine";

/// The file the customization script is written to, in the work directory.
pub const CUSTOMIZATION_SCRIPT: &str = "customization_script";

/// A keyring's file: a `file://` URL is used in place; other URLs need a download, which this
/// runner does not do.
pub fn local_keyring(keyring: &Keyring) -> Result<PathBuf, TaskError> {
    match strip_prefix_ignore_case(&keyring.url, "file://") {
        Some(path) => Ok(Path::new(&normalise_path(path)).to_owned()),
        None => Err(TaskError::other(format!(
            "keyring {}: downloading keyrings is not implemented by this runner; use a \
             file:// URL under /usr/share/keyrings/",
            keyring.url
        ))),
    }
}

/// Writes the sources files and the customization script into the work directory and finds
/// the keyrings, as Debusine's `configure_for_execution` does: an `external` repository's
/// keyring checks signatures (and is its `Signed-By` with `use_signed_by`); in the system it
/// is installed under [`KEYRINGS_INSIDE`] when `keyring.install`, else the system's sources
/// have no `Signed-By`.
pub(crate) fn prepare(
    ctx: &TaskContext,
    repositories: &[BootstrapRepository],
    use_signed_by: bool,
    script: Option<&str>,
) -> Result<BootstrapInputs, TaskError> {
    let dir = ctx.work_dir();
    let script = match script {
        Some(text) => {
            let path = dir.join(CUSTOMIZATION_SCRIPT);
            crate::artifacts::write_file(&path, text)?;
            Some(path)
        }
        None => None,
    };
    let mut inputs = BootstrapInputs {
        host_sources: dir.join("host.sources"),
        chroot_sources: dir.join("chroot.sources"),
        keyrings: Vec::new(),
        installed_keyrings: Vec::new(),
        script,
    };
    let mut host = Vec::new();
    let mut chroot = Vec::new();
    for (index, repository) in repositories.iter().enumerate() {
        let keyring = match (&repository.keyring, repository.check_signature_with) {
            (Some(keyring), SignatureCheck::External) => Some((keyring, local_keyring(keyring)?)),
            _ => None,
        };
        let signed_by = keyring
            .as_ref()
            .filter(|_| use_signed_by)
            .map(|(keyring, path)| (keyring.install, path.clone()));
        let host_signed_by = signed_by.as_ref().map(|(_, path)| path.to_string_lossy());
        host.push(repository.deb822_source(index, host_signed_by.as_deref())?);
        let chroot_signed_by = match &signed_by {
            Some((true, path)) => {
                inputs.installed_keyrings.push(path.clone());
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                Some(format!("{KEYRINGS_INSIDE}/{name}"))
            }
            _ => None,
        };
        chroot.push(repository.deb822_source(index, chroot_signed_by.as_deref())?);
        inputs.keyrings.extend(keyring.map(|(_, path)| path));
    }
    crate::artifacts::write_file(&inputs.host_sources, &host.join("\n"))?;
    crate::artifacts::write_file(&inputs.chroot_sources, &chroot.join("\n"))?;
    Ok(inputs)
}

/// The mmdebstrap options Debusine gives both tasks after the system's own: the sources
/// installed in the system, the keyrings (uploaded into it, and `--keyring` for the
/// bootstrap), the repositories' keyring packages.
pub(crate) fn sources_and_keyrings(
    cmd: CommandLine,
    repositories: &[BootstrapRepository],
    inputs: &BootstrapInputs,
) -> CommandLine {
    let mut cmd = cmd
        // find runs as mmdebstrap's subuid, which cannot read the work directory.
        .arg("--customize-hook=cd \"$1\" && find etc/apt/sources.list.d -type f -delete")
        .arg(hook(&[
            "upload ".as_ref(),
            inputs.chroot_sources.as_os_str(),
            " /etc/apt/sources.list.d/file.sources".as_ref(),
        ]))
        .arg(format!("--customize-hook=mkdir \"$1{KEYRINGS_INSIDE}\""));
    for keyring in &inputs.installed_keyrings {
        let name = keyring.file_name().unwrap_or_default();
        cmd = cmd.arg(hook(&[
            "upload ".as_ref(),
            keyring.as_os_str(),
            format!(" {KEYRINGS_INSIDE}/").as_ref(),
            name,
        ]));
    }
    for keyring in &inputs.keyrings {
        let mut arg = OsString::from("--keyring=");
        arg.push(keyring);
        cmd = cmd.arg(arg);
    }
    for repository in repositories {
        if let Some(package) = &repository.keyring_package {
            cmd = cmd.arg(format!("--include={package}"));
        }
    }
    cmd
}

/// The hooks that run the customization script in the system, as Debusine writes them.
pub(crate) fn customization_hooks(cmd: CommandLine, script: Option<&Path>) -> CommandLine {
    let Some(script) = script else {
        return cmd;
    };
    let name = script.file_name().unwrap_or_default().to_string_lossy();
    cmd.arg(hook(&[
        "upload ".as_ref(),
        script.as_os_str(),
        format!(" /{name}").as_ref(),
    ]))
    .arg(format!("--customize-hook=chmod 555 \"$1/{name}\""))
    .arg(format!("--customize-hook=chroot \"$1\" /{name}"))
    .arg(format!("--customize-hook=rm \"$1/{name}\""))
}

/// Every piece after `--customize-hook=`, as one argument.
pub(crate) fn hook(parts: &[&std::ffi::OsStr]) -> OsString {
    let mut arg = OsString::from("--customize-hook=");
    for part in parts {
        arg.push(part);
    }
    arg
}

/// What is read from a bootstrapped system for its artifact's data, as Debusine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfo {
    /// `ID` of its `/etc/os-release`.
    pub vendor: String,
    /// `VERSION_CODENAME` of its `/etc/os-release` (which must have one), `sid` when the
    /// suite is unstable (os-release names the testing release there).
    pub codename: String,
    /// Installed packages and their versions.
    pub pkglist: BTreeMap<String, String>,
}

impl SystemInfo {
    /// Reads the system's `os-release` (copied out to `os_release`) and the dpkg database
    /// (`dpkg_dir` holds its `status`); `suite` is the first bootstrap repository's.
    pub fn read(os_release_path: &Path, dpkg_dir: &Path, suite: &str) -> Result<Self, TaskError> {
        let variables = os_release(&read_file(os_release_path)?);
        let vendor = variables
            .get("ID")
            .ok_or_else(|| TaskError::other(format!("{}: no ID", os_release_path.display())))?;
        // As Debusine 0.16: a system without VERSION_CODENAME (jessie) is an error.
        let codename = variables.get("VERSION_CODENAME").ok_or_else(|| {
            TaskError::other(format!(
                "{}: no VERSION_CODENAME",
                os_release_path.display()
            ))
        })?;
        let codename = if matches!(suite, "unstable" | "sid") {
            "sid"
        } else {
            codename
        };
        let pkglist = installed_packages(&read_file(&dpkg_dir.join("status"))?);
        Ok(SystemInfo {
            vendor: vendor.clone(),
            codename: codename.to_owned(),
            pkglist,
        })
    }

    /// The data of the system's artifact: this, with what the task data says.
    pub fn data<'a>(
        &'a self,
        mirror: &'a str,
        variant: Option<&'a str>,
        architecture: &'a str,
        with_init: bool,
    ) -> SystemData<'a> {
        SystemData {
            vendor: &self.vendor,
            codename: &self.codename,
            mirror,
            variant,
            pkglist: &self.pkglist,
            architecture,
            with_init,
        }
    }
}

/// The variables of an `/etc/os-release` (`KEY=value`, the value possibly quoted).
pub fn os_release(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.trim().split_once('='))
        .filter(|(key, _)| !key.starts_with('#'))
        .map(|(key, value)| {
            let value = value.trim();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|quote| {
                    value
                        .strip_prefix(*quote)
                        .and_then(|rest| rest.strip_suffix(*quote))
                })
                .unwrap_or(value);
            (key.to_owned(), unquoted.to_owned())
        })
        .collect()
}

/// The installed packages of a dpkg `status` file and their versions, named as `dpkg-query
/// --show` names them (`name:arch` for `Multi-Arch: same` packages).
pub fn installed_packages(status: &str) -> BTreeMap<String, String> {
    deb822::paragraphs(status)
        .iter()
        .filter(|fields| {
            deb822::field(fields, "Status").is_some_and(|status| status.ends_with(" installed"))
        })
        .filter_map(|fields| {
            let package = deb822::field(fields, "Package")?;
            let version = deb822::field(fields, "Version")?;
            let name = match (
                deb822::field(fields, "Multi-Arch"),
                deb822::field(fields, "Architecture"),
            ) {
                (Some("same"), Some(architecture)) => format!("{package}:{architecture}"),
                _ => package.to_owned(),
            };
            Some((name, version.to_owned()))
        })
        .collect()
}
