//! Extra APT repositories that sbuild, autopkgtest and piuparts add to their environment, as
//! Debusine 0.16 models them (`ExtraRepository` of `debusine/tasks/models.py`).
//!
//! An item of a task's `extra_repositories` ([`ExtraRepository`]) is one of two kinds:
//!
//! - external (Debusine's `ExtraExternalRepository`): any APT repository, named by its `url`,
//!   with an optional `signing_key` ([`ExternalRepository`]);
//! - hosted by Debusine (`ExtraDebusineRepository`): a suite of the Debusine instance itself,
//!   named by a lookup (`suite`), which the server resolves.
//!
//! Both may restrict themselves to some `architectures`. Debusine tells them apart by trying
//! each (a pydantic union); since a Debusine repository has no `url` and an external one must
//! have one, the catalogue reads an item with a `url` as external and one without as hosted by
//! Debusine. The schema is one object with the keys of both (so that the fast path reads it in
//! one pass: an `if`/`then`/`else` or an `anyOf` of two objects would send every task data with
//! extra repositories down the general path), and what depends on the kind is a rule
//! (the tasks' docs pages list it).
//!
//! When it assigns the work, the server resolves every repository into an external one and
//! sends them in the dynamic data (`extra_repositories`); the worker writes those whose
//! `architectures` admit the task's `build_architecture` as deb822 sources
//! ([`write_sources`]).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use taskdef::pointer::child;
use taskdef::{Rules, TaskError};

use crate::lookup::LookupSingle;

/// A URL with a scheme and a host (`http://example.org/debian`), as pydantic's `AnyUrl` with
/// a required host.
pub(crate) const URL_WITH_HOST: &str =
    r"^[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@]*@?[^\s/?#@]+(?:[/?#]\S*)?$";

/// The pattern of an external repository's `suite` (checked by a rule).
pub(crate) const SUITE_PATTERN: &str = r"^(\w|[./ -])+$";

/// The pattern of each component and each architecture.
pub(crate) const NAME_PATTERN: &str = r"^(\w|-)+$";

/// An external APT repository (Debusine's `ExtraExternalRepository`).
///
/// Read (in the dynamic data, where the server sends every repository resolved into an
/// external one) with Debusine's rule: a flat repository (its suite ends with `/`) lists no
/// components, any other lists some; an empty list of components or architectures is read as
/// none, as Debusine reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalRepository {
    /// The repository's URL, with a scheme and a host (`http://deb.example.org/debian`).
    #[schemars(
        regex(pattern = URL_WITH_HOST),
        extend("x-error-messages" = {"pattern": "Input should be a valid URL, with a scheme and a host: {instance}"})
    )]
    pub url: String,
    /// The suite (`bookworm`), or a path ending in `/` for a flat repository (`./`).
    #[schemars(
        regex(pattern = SUITE_PATTERN),
        extend("x-error-messages" = {"pattern": "String should match pattern '^(\\w|[./ -])+$'"})
    )]
    pub suite: String,
    /// The components (`main`); none for a flat repository, some otherwise. An empty list
    /// counts as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        inner(regex(pattern = NAME_PATTERN)),
        extend("x-error-messages" = {"items/pattern": "String should match pattern '^(\\w|-)+$'"})
    )]
    pub components: Option<Vec<String>>,
    /// The architectures the repository is used for (all when null; an empty list counts as
    /// null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        inner(regex(pattern = NAME_PATTERN)),
        extend("x-error-messages" = {"items/pattern": "String should match pattern '^(\\w|-)+$'"})
    )]
    pub architectures: Option<Vec<String>>,
    /// The ASCII-armoured public key the repository is signed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
}

/// One extra APT repository as the task data has it: external when it has a `url`, else hosted
/// by Debusine (its `suite` then a lookup). Holds whatever the schema accepts; the task's rules
/// refuse what neither kind is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraRepository {
    /// An external repository's URL, with a scheme and a host; `None` for a repository hosted
    /// by Debusine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// An external repository's suite (a string, `bookworm`, or a flat repository's path
    /// ending in `/`), or a Debusine repository's (a lookup of a `debian:suite` collection).
    pub suite: LookupSingle,
    /// The components (`main`); an empty list counts as none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
    /// The architectures the repository is used for (all when null; an empty list counts as
    /// null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architectures: Option<Vec<String>>,
    /// An external repository's ASCII-armoured public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    /// Whether the data had a `signing_key` key, even null (a Debusine repository may not).
    #[serde(skip)]
    has_signing_key: bool,
}

impl From<ExternalRepository> for ExtraRepository {
    fn from(repository: ExternalRepository) -> Self {
        ExtraRepository {
            url: Some(repository.url),
            suite: LookupSingle::Path(repository.suite),
            components: repository.components,
            architectures: repository.architectures,
            has_signing_key: repository.signing_key.is_some(),
            signing_key: repository.signing_key,
        }
    }
}

impl ExtraRepository {
    /// A repository hosted by Debusine: `suite` looked up, for every architecture.
    pub fn debusine(suite: LookupSingle, components: Option<Vec<String>>) -> Self {
        ExtraRepository {
            url: None,
            suite,
            components,
            architectures: None,
            signing_key: None,
            has_signing_key: false,
        }
    }

    /// Whether it is an external repository (it has a `url`).
    pub fn is_external(&self) -> bool {
        self.url.is_some()
    }

    /// The external repository, if it is one (it has a `url` and a string `suite`, as the
    /// rules require).
    pub fn external(&self) -> Option<ExternalRepository> {
        match (&self.url, &self.suite) {
            (Some(url), LookupSingle::Path(suite)) => Some(ExternalRepository {
                url: url.clone(),
                suite: suite.clone(),
                components: self.components.clone(),
                architectures: self.architectures.clone(),
                signing_key: self.signing_key.clone(),
            }),
            _ => None,
        }
    }

    /// Debusine's rules for the item at `pointer`: an external repository has a string suite
    /// matching `^(\w|[./ -])+$` and [`ExternalRepository::check`]'s components; a Debusine
    /// one has no `signing_key`.
    fn check(&self, pointer: &dyn Fn() -> String, rules: &mut Rules) {
        if !self.is_external() {
            if self.has_signing_key {
                rules.fail(
                    child(&pointer(), "signing_key"),
                    "Extra inputs are not permitted: a repository without a `url` is hosted by \
                     Debusine, and has no `signing_key`",
                );
            }
            return;
        }
        match self.external() {
            Some(external) => external.check(pointer, rules),
            None => rules.fail(
                child(&pointer(), "suite"),
                "Input should be a valid string: an external repository's suite is a string",
            ),
        }
    }
}

/// Every key, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnyRepository {
    #[serde(default)]
    url: Option<String>,
    suite: LookupSingle,
    #[serde(default)]
    components: Option<Vec<String>>,
    #[serde(default)]
    architectures: Option<Vec<String>>,
    /// `Some` when present, even as null.
    #[serde(default, deserialize_with = "present")]
    signing_key: Option<Option<String>>,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl<'de> Deserialize<'de> for ExtraRepository {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let any = AnyRepository::deserialize(deserializer)?;
        Ok(ExtraRepository {
            url: any.url,
            suite: any.suite,
            components: any.components,
            architectures: any.architectures,
            has_signing_key: any.signing_key.is_some(),
            signing_key: any.signing_key.flatten(),
        })
    }
}

impl JsonSchema for ExtraRepository {
    fn schema_name() -> Cow<'static, str> {
        "ExtraRepository".into()
    }

    /// One object with the keys of both kinds, so that the fast path can read it in one pass
    /// (an `if`/`then`/`else` or an `anyOf` of two objects would send every task data with
    /// extra repositories down the general path). What depends on the kind is checked when
    /// the item is read: an external repository's `suite` is a string, a Debusine one has no
    /// `signing_key`; and by the task's rules: an external suite matches its pattern.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let suite = generator.subschema_for::<LookupSingle>();
        let names = json_schema!({
            "type": ["array", "null"],
            "items": {"type": "string", "pattern": NAME_PATTERN},
            "default": null,
            "x-error-messages": {"items/pattern": "String should match pattern '^(\\w|-)+$'"}
        });
        let mut components = names.clone();
        components.insert(
            "description".into(),
            "The components (`main`); an external repository lists none if flat (its suite ends with `/`), some otherwise. An empty list counts as none.".into(),
        );
        let mut architectures = names;
        architectures.insert(
            "description".into(),
            "The architectures the repository is used for (all when null; an empty list counts as null).".into(),
        );
        json_schema!({
            "description": "One extra APT repository: external when it has a `url` (Debusine's `ExtraExternalRepository`), else hosted by Debusine (`ExtraDebusineRepository`), its suite then named by a lookup.",
            "type": "object",
            "properties": {
                "url": {
                    "description": "An external repository's URL, with a scheme and a host (`http://deb.example.org/debian`).",
                    "type": "string",
                    "pattern": URL_WITH_HOST,
                    "x-error-messages": {"pattern": "Input should be a valid URL, with a scheme and a host: {instance}"}
                },
                "suite": {
                    "description": "An external repository's suite (`bookworm`, a string matching `^(\\w|[./ -])+$`), or a path ending in `/` for a flat repository (`./`); a Debusine repository's suite, a lookup (`bookworm-overlay@debian:suite`).",
                    "allOf": [suite]
                },
                "components": components,
                "architectures": architectures,
                "signing_key": {
                    "description": "An external repository's ASCII-armoured public key.",
                    "type": ["string", "null"],
                    "default": null
                }
            },
            "required": ["suite"],
            "additionalProperties": false
        })
    }
}

/// [`ExternalRepository`] as written, before its rule.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalWire {
    url: String,
    suite: String,
    #[serde(default)]
    components: Option<Vec<String>>,
    #[serde(default)]
    architectures: Option<Vec<String>>,
    #[serde(default)]
    signing_key: Option<String>,
}

impl<'de> Deserialize<'de> for ExternalRepository {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = ExternalWire::deserialize(deserializer)?;
        let repository = ExternalRepository {
            url: wire.url,
            suite: wire.suite,
            components: wire.components.filter(|list| !list.is_empty()),
            architectures: wire.architectures.filter(|list| !list.is_empty()),
            signing_key: wire.signing_key,
        };
        match (repository.is_flat(), repository.components.is_some()) {
            (true, true) => Err(serde::de::Error::custom(FLAT_WITH_COMPONENTS)),
            (false, false) => Err(serde::de::Error::custom(NO_COMPONENTS)),
            _ => Ok(repository),
        }
    }
}

/// Debusine's refusal of components on a flat repository.
const FLAT_WITH_COMPONENTS: &str =
    "Components cannot be specified for a flat repository (where the suite ends with /)";

/// Debusine's refusal of a repository that is not flat and lists no components.
const NO_COMPONENTS: &str = "Components must be specified";

impl ExternalRepository {
    /// Whether the suite names a flat repository (it ends with `/`).
    pub fn is_flat(&self) -> bool {
        self.suite.ends_with('/')
    }

    /// The components, with an empty list read as none.
    pub fn components(&self) -> &[String] {
        self.components.as_deref().unwrap_or_default()
    }

    /// Whether the repository is used for `architecture`: when it lists none, or lists it
    /// (an empty list counts as none); with no architecture, only when it lists none.
    pub fn is_for(&self, architecture: Option<&str>) -> bool {
        is_for(&self.architectures, architecture)
    }

    /// Debusine's rules: a flat repository has no components, any other has some.
    /// `pointer` gives where the repository is, built only for a violation.
    pub(crate) fn check(&self, pointer: &dyn Fn() -> String, rules: &mut Rules) {
        if !suite_matches(&self.suite) {
            rules.fail(
                child(&pointer(), "suite"),
                "String should match pattern '^(\\w|[./ -])+$'",
            );
        }
        if self.is_flat() && !self.components().is_empty() {
            rules.fail(pointer(), FLAT_WITH_COMPONENTS);
        } else if !self.is_flat() && self.components().is_empty() {
            rules.fail(pointer(), NO_COMPONENTS);
        }
    }

    /// The one-line `sources.list` form: `deb URL SUITE COMPONENT...` (Debusine 0.11's
    /// `as_oneline_source`, without a key).
    pub fn sources_list_line(&self) -> String {
        let mut line = format!("deb {} {}", self.url, self.suite);
        for component in self.components() {
            line.push(' ');
            line.push_str(component);
        }
        line
    }

    /// The repository as a deb822 `sources.list.d` entry, as Debusine's `as_deb822_source`
    /// writes it: `Signed-By` names `signed_by` (a key file in the environment) when given,
    /// else holds the key itself (each line indented, an empty line written `.`).
    pub fn deb822_source(&self, signed_by: Option<&str>) -> String {
        let mut text = format!("Types: deb\nURIs: {}\nSuites: {}\n", self.url, self.suite);
        if !self.components().is_empty() {
            text.push_str(&format!("Components: {}\n", self.components().join(" ")));
        }
        match (
            signed_by,
            self.signing_key.as_deref().filter(|k| !k.is_empty()),
        ) {
            (_, None) => {}
            (Some(file), Some(_)) => text.push_str(&format!("Signed-By: {file}\n")),
            (None, Some(key)) => {
                text.push_str("Signed-By:");
                for line in key.lines() {
                    text.push_str("\n ");
                    text.push_str(if line.is_empty() { "." } else { line });
                }
                text.push('\n');
            }
        }
        text
    }
}

/// Whether `suite` matches [`SUITE_PATTERN`], `^(\w|[./ -])+$`: word characters (Unicode
/// letters, digits, `_`, as Python's `\w`), `.`, `/`, ` ` and `-`, at least one.
fn suite_matches(suite: &str) -> bool {
    !suite.is_empty()
        && suite
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | ' ' | '-'))
}

fn is_for(architectures: &Option<Vec<String>>, architecture: Option<&str>) -> bool {
    match architectures.as_deref() {
        None | Some([]) => true,
        Some(listed) => listed
            .iter()
            .any(|each| Some(each.as_str()) == architecture),
    }
}

/// [`check_all`]'s rule, in words for the docs pages.
pub(crate) const RULE_COMPONENTS: &str = "Each external repository of `extra_repositories` \
     (one with a `url`) has a string `suite` matching `^(\\w|[./ -])+$`, and lists \
     `components` unless its suite is flat (ends with `/`): then it lists none. A repository \
     without a `url` (hosted by Debusine) has no `signing_key`.";

/// Checks every repository of a task's `extra_repositories`; described by [`RULE_COMPONENTS`].
pub(crate) fn check_all(repositories: &Option<Vec<ExtraRepository>>, rules: &mut Rules) {
    for (index, repository) in repositories.iter().flatten().enumerate() {
        repository.check(&|| child("/extra_repositories", index), rules);
    }
}

/// The external repositories of `repositories`, in order.
pub fn external(
    repositories: &Option<Vec<ExtraRepository>>,
) -> impl Iterator<Item = ExternalRepository> + '_ {
    repositories
        .iter()
        .flatten()
        .filter_map(ExtraRepository::external)
}

/// The repositories a run adds, all external: those the server resolved
/// (`resolved`, the dynamic data's `extra_repositories`) when it sent some, else the task
/// data's own, which must then all be external (a Debusine repository needs the server to
/// resolve it). Debusine 0.11's dynamic data has no `extra_repositories`, and its task data
/// only external repositories: the task data's are then the ones to use.
pub fn to_add(
    requested: &Option<Vec<ExtraRepository>>,
    resolved: Option<&[ExternalRepository]>,
) -> Result<Vec<ExternalRepository>, TaskError> {
    if let Some(resolved) = resolved {
        return Ok(resolved.to_vec());
    }
    requested
        .iter()
        .flatten()
        .enumerate()
        .map(|(index, repository)| {
            repository.external().ok_or_else(|| {
                TaskError::other(format!(
                    "extra_repositories/{index}: the Debusine repository `{}` is resolved by the \
                     server, and this run has no dynamic data from one",
                    repository.suite
                ))
            })
        })
        .collect()
}

/// `text` quoted for a POSIX shell as Python's `shlex.quote` quotes it: as it is when it holds
/// only `[A-Za-z0-9@%+=:,./_-]` (and is not empty), else in single quotes.
pub fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', "'\"'\"'"))
}

/// Whether APT in an environment of `codename` reads a key inline in `Signed-By` (apt 2.3.10
/// and later); the releases Debusine knows to be older do not.
pub fn supports_inline_signed_by(codename: &str) -> bool {
    !matches!(
        codename,
        "stretch" | "buster" | "bullseye" | "xenial" | "bionic" | "focal"
    )
}

/// The files [`write_sources`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryFiles {
    /// The deb822 sources, `extra_repository_<N>.sources`, to install into
    /// `/etc/apt/sources.list.d/`.
    pub sources: Vec<PathBuf>,
    /// The signing keys, `extra_apt_key_<N>.asc`, to install into `/etc/apt/keyrings/`: only
    /// for an environment whose APT cannot read them inline.
    pub keys: Vec<PathBuf>,
}

/// Writes the repositories used for `build_architecture` (only those for every architecture
/// when there is none: autopkgtest's and piuparts' is optional) into `destination` as Debusine's
/// worker does (`write_extra_repository_config`): one deb822 source each,
/// `extra_repository_<N>.sources` (N counting the repositories kept), the key inline unless
/// `codename` (the environment's, when known) is too old for that, in which case it goes to
/// `extra_apt_key_<N>.asc` and the source names `/etc/apt/keyrings/extra_apt_key_<N>.asc`.
pub fn write_sources(
    repositories: &[ExternalRepository],
    build_architecture: Option<&str>,
    codename: Option<&str>,
    destination: &Path,
) -> Result<RepositoryFiles, TaskError> {
    let inline = codename.is_none_or(supports_inline_signed_by);
    let mut files = RepositoryFiles::default();
    let kept = repositories
        .iter()
        .filter(|repository| repository.is_for(build_architecture));
    for (index, repository) in kept.enumerate() {
        let mut signed_by = None;
        if !inline && let Some(key) = repository.signing_key.as_deref().filter(|k| !k.is_empty()) {
            let path = destination.join(format!("extra_apt_key_{index}.asc"));
            crate::artifacts::write_file(&path, &format!("{key}\n"))?;
            signed_by = Some(format!("/etc/apt/keyrings/extra_apt_key_{index}.asc"));
            files.keys.push(path);
        }
        let path = destination.join(format!("extra_repository_{index}.sources"));
        crate::artifacts::write_file(&path, &repository.deb822_source(signed_by.as_deref()))?;
        files.sources.push(path);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn external(suite: &str, components: &[&str]) -> ExternalRepository {
        ExternalRepository {
            url: "http://deb.example.org/debian".into(),
            suite: suite.into(),
            components: Some(components.iter().map(|c| c.to_string()).collect()),
            architectures: None,
            signing_key: None,
        }
    }

    fn refused(text: &str) -> Vec<String> {
        let repository: ExtraRepository = serde_json::from_str(text).unwrap();
        let mut rules = Rules::new();
        check_all(&Some(vec![repository]), &mut rules);
        match rules.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error
                .violations()
                .iter()
                .map(|v| v.pointer.clone())
                .collect(),
        }
    }

    #[test]
    fn an_item_with_a_url_is_external_and_one_without_is_debusine() {
        let read = |text: &str| serde_json::from_str::<ExtraRepository>(text).unwrap();
        let external =
            read(r#"{"url": "http://a.example/", "suite": "x", "components": ["main"]}"#);
        assert_eq!(external.external().unwrap().suite, "x");
        let debusine = read(r#"{"suite": 5, "components": []}"#);
        assert!(!debusine.is_external() && debusine.external().is_none());
        assert_eq!(
            refused(r#"{"suite": "x@debian:suite"}"#),
            Vec::<String>::new()
        );
        assert_eq!(
            refused(r#"{"url": "http://a.example/", "suite": 5, "components": ["main"]}"#),
            ["/extra_repositories/0/suite"]
        );
        assert_eq!(
            refused(r#"{"suite": "x", "signing_key": null}"#),
            ["/extra_repositories/0/signing_key"]
        );
        assert!(
            serde_json::from_str::<ExtraRepository>(r#"{"suite": "x", "nonsense": 1}"#).is_err()
        );
    }

    #[test]
    fn an_external_suite_matches_debusines_pattern() {
        for good in ["bookworm", "./", "a/b c-d.e_f", "sid"] {
            assert!(suite_matches(good), "{good}");
        }
        for bad in ["", "a#", "x@debian:suite", "a\tb"] {
            assert!(!suite_matches(bad), "{bad}");
        }
        let mut rules = Rules::new();
        external("a#", &["main"]).check(&|| "/extra_repositories/3".into(), &mut rules);
        let error = rules.finish().unwrap_err();
        assert_eq!(error.violations()[0].pointer, "/extra_repositories/3/suite");
    }

    #[test]
    fn the_deb822_source_is_debusines() {
        let mut repository = external("bookworm", &["main", "contrib"]);
        assert_eq!(
            repository.deb822_source(None),
            "Types: deb\nURIs: http://deb.example.org/debian\nSuites: bookworm\n\
             Components: main contrib\n"
        );
        repository.signing_key = Some("-----BEGIN-----\n\nabc\n-----END-----".into());
        assert_eq!(
            repository.deb822_source(None),
            "Types: deb\nURIs: http://deb.example.org/debian\nSuites: bookworm\n\
             Components: main contrib\nSigned-By:\n -----BEGIN-----\n .\n abc\n -----END-----\n"
        );
        assert!(
            repository
                .deb822_source(Some("/etc/apt/keyrings/k.asc"))
                .ends_with("Signed-By: /etc/apt/keyrings/k.asc\n")
        );
        let flat = ExternalRepository {
            components: None,
            ..external("./", &[])
        };
        assert_eq!(
            flat.deb822_source(None),
            "Types: deb\nURIs: http://deb.example.org/debian\nSuites: ./\n"
        );
    }

    #[test]
    fn sources_keep_the_repositories_of_the_architecture_and_old_releases_get_key_files() {
        let dir = std::env::temp_dir().join(format!("taskdef-repository-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut arm = external("a", &["main"]);
        arm.architectures = Some(vec!["arm64".into()]);
        let mut signed = external("b", &["main"]);
        signed.signing_key = Some("KEY".into());
        let repositories = [arm, signed];
        let files = write_sources(&repositories, Some("amd64"), Some("bookworm"), &dir).unwrap();
        assert_eq!(files.sources, [dir.join("extra_repository_0.sources")]);
        assert!(files.keys.is_empty());
        let text = std::fs::read_to_string(&files.sources[0]).unwrap();
        assert!(
            text.contains("Suites: b\n") && text.ends_with("Signed-By:\n KEY\n"),
            "{text}"
        );

        let files = write_sources(&repositories, Some("arm64"), Some("bullseye"), &dir).unwrap();
        assert_eq!(files.sources.len(), 2);
        assert_eq!(files.keys, [dir.join("extra_apt_key_1.asc")]);
        assert_eq!(std::fs::read_to_string(&files.keys[0]).unwrap(), "KEY\n");
        let text = std::fs::read_to_string(&files.sources[1]).unwrap();
        assert!(
            text.ends_with("Signed-By: /etc/apt/keyrings/extra_apt_key_1.asc\n"),
            "{text}"
        );
        // Without an architecture, only the repositories for every architecture.
        let files = write_sources(&repositories, None, None, &dir).unwrap();
        assert_eq!(files.sources, [dir.join("extra_repository_0.sources")]);
        let text = std::fs::read_to_string(&files.sources[0]).unwrap();
        assert!(text.contains("Suites: b\n"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn quoting_is_pythons() {
        assert_eq!(shell_quote("/a/b_c.sources"), "/a/b_c.sources");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("cat > /x"), "'cat > /x'");
        assert_eq!(shell_quote("it's"), "'it'\"'\"'s'");
    }

    #[test]
    fn debusine_repositories_need_the_servers_resolution() {
        let requested = Some(vec![
            ExtraRepository::from(external("a", &["main"])),
            ExtraRepository::debusine("overlay@debian:suite".into(), None),
        ]);
        let error = to_add(&requested, None).unwrap_err().to_string();
        assert!(
            error.contains("extra_repositories/1") && error.contains("overlay"),
            "{error}"
        );
        let resolved = [external("z", &["main"])];
        assert_eq!(to_add(&requested, Some(&resolved)).unwrap(), resolved);
        assert_eq!(to_add(&None, None).unwrap(), []);
    }
}
