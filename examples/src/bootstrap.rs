//! What mmdebstrap and simplesystemimagebuild share: bootstrap options and repositories, and
//! what is read from a bootstrapped system for the data of its artifact.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use taskdef::{Rules, TaskError};

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

/// What is read from a bootstrapped system for its artifact's data, as Debusine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfo {
    /// `ID` of its `/etc/os-release`.
    pub vendor: String,
    /// `VERSION_CODENAME` of its `/etc/os-release` (the suite without one), `sid` when the
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
        let codename = if matches!(suite, "unstable" | "sid") {
            "sid"
        } else {
            variables
                .get("VERSION_CODENAME")
                .map_or(suite, String::as_str)
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
