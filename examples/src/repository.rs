//! Extra APT repositories that sbuild, autopkgtest and piuparts add to their environment.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use taskdef::Rules;
use taskdef::pointer::child;

/// A URL with a scheme and a host (`http://example.org/debian`), as pydantic's `AnyUrl`.
pub(crate) const URL_WITH_HOST: &str =
    r"^[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@]*@?[^\s/?#@]+(?:[/?#]\S*)?$";

/// One extra APT repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraRepository {
    /// The repository's URL, with a scheme and a host (`http://deb.example.org/debian`).
    #[schemars(
        regex(pattern = URL_WITH_HOST),
        extend("x-error-messages" = {"pattern": "invalid or missing URL scheme or host: {instance}"})
    )]
    pub url: String,
    /// The suite (`bookworm`), or a path ending in `/` for a flat repository (`./`).
    #[schemars(
        regex(pattern = r"^(\w|[./ -])+$"),
        extend("x-error-messages" = {"pattern": "Invalid suite {instance}, must match (\\w|[./ -])+"})
    )]
    pub suite: String,
    /// The components (`main`); none for a flat repository, some otherwise. An empty list
    /// counts as none.
    #[serde(default)]
    #[schemars(
        inner(regex(pattern = r"^(\w|-)+$")),
        extend("x-error-messages" = {"items/pattern": "Invalid component {instance}, must match (\\w|-)+"})
    )]
    pub components: Option<Vec<String>>,
    /// The ASCII-armoured public key the repository is signed with.
    #[serde(default)]
    pub signing_key: Option<String>,
}

impl ExtraRepository {
    /// Whether the suite names a flat repository (it ends with `/`).
    pub fn is_flat(&self) -> bool {
        self.suite.ends_with('/')
    }

    /// The components, with an empty list read as none.
    pub fn components(&self) -> &[String] {
        self.components.as_deref().unwrap_or_default()
    }

    /// Debusine's rules: a flat repository has no components, any other has some.
    /// `pointer` gives where the repository is, built only for a violation.
    pub(crate) fn check(&self, pointer: impl FnOnce() -> String, rules: &mut Rules) {
        if self.is_flat() && !self.components().is_empty() {
            rules.fail(
                pointer(),
                "Components cannot be specified for a flat repository (where the suite ends with /)",
            );
        } else if !self.is_flat() && self.components().is_empty() {
            rules.fail(pointer(), "Components must be specified");
        }
    }

    /// The one-line `sources.list` form: `deb URL SUITE COMPONENT...`.
    pub fn sources_list_line(&self) -> String {
        let mut line = format!("deb {} {}", self.url, self.suite);
        for component in self.components() {
            line.push(' ');
            line.push_str(component);
        }
        line
    }
}

/// [`check_all`]'s rule, in words for the docs pages.
pub(crate) const RULE_COMPONENTS: &str = "Each of `extra_repositories` lists `components`, \
     unless its suite is flat (ends with `/`): then it lists none.";

/// Checks every repository of a task's `extra_repositories`; described by [`RULE_COMPONENTS`].
pub(crate) fn check_all(repositories: &Option<Vec<ExtraRepository>>, rules: &mut Rules) {
    for (index, repository) in repositories.iter().flatten().enumerate() {
        repository.check(|| child("/extra_repositories", index), rules);
    }
}
