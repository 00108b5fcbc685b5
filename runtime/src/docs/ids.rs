//! The `$id` of every published schema: a URL under the base the publisher gives
//! (`taskdef docs --base-url URL`), the URL the docs directory is served at.
//!
//! A schema's `$id` is the base joined with the schema's path in the docs directory:
//! `https://example.org/tasks/0.16/sbuild.schema.json` for release `0.16`'s `sbuild`. Without a
//! base, each `$id` is the schema's file name alone (`sbuild.schema.json`), a relative `$id`
//! that every validator resolves against where it read the file from: the schema names itself
//! wherever the directory is copied, and the work request's schema finds the task schemas it
//! embeds by the same names (see [`super::work_request`]).

use serde_json::Value;

use super::files::DYNAMIC_DATA_SCHEMA_SUFFIX;
use super::layout::FormPage;

/// The URL a docs directory is published at, under which its schemas' `$id`s are; or none, for
/// `$id`s relative to each schema's own file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseUrl(Option<String>);

impl BaseUrl {
    /// No base: each `$id` is its schema's file name.
    pub const NONE: BaseUrl = BaseUrl(None);

    /// Reads a base URL as given on the command line: an absolute URL (`https://host/path`,
    /// `file:///path`), without a query or fragment; a final `/` is added if missing, so that
    /// the paths of the docs directory go under it.
    pub fn parse(url: &str) -> Result<BaseUrl, String> {
        let scheme_end = url.find("://").ok_or_else(|| {
            format!(
                "`{url}` is not an absolute URL: a schema's `$id` needs one such as \
                 `https://example.org/docs/tasks/` (or `file:///path/to/docs/`)"
            )
        })?;
        let scheme = &url[..scheme_end];
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !scheme_ok {
            return Err(format!("`{url}`: `{scheme}` is not a URL scheme"));
        }
        if let Some(bad) = url
            .chars()
            .find(|&c| c.is_whitespace() || c.is_control() || "?#\"<>\\".contains(c))
        {
            return Err(format!(
                "`{url}`: a base URL cannot hold {bad:?} (no query, fragment, space or quote)"
            ));
        }
        let rest = &url[scheme_end + 3..];
        if rest.is_empty() || (scheme != "file" && rest.starts_with('/')) {
            return Err(format!("`{url}` names no host"));
        }
        let mut url = url.to_owned();
        if !url.ends_with('/') {
            url.push('/');
        }
        Ok(BaseUrl(Some(url)))
    }

    /// The base, ending with `/`; `None` when there is none.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The `$id` of the schema at `path` in the docs directory (`/`-separated:
    /// `0.16/sbuild.schema.json`): the base joined with the path, or without a base the path's
    /// file name.
    pub fn id(&self, path: &str) -> String {
        match &self.0 {
            Some(base) => format!("{base}{path}"),
            None => path.rsplit('/').next().unwrap_or(path).to_owned(),
        }
    }

    /// The base that `id`, read from the schema at `path`, was made under: what [`BaseUrl::id`]
    /// was given, if `id` is one of its results for `path`.
    pub fn of_id(id: &str, path: &str) -> Option<BaseUrl> {
        if id == BaseUrl::NONE.id(path) {
            return Some(BaseUrl::NONE);
        }
        let base = id.strip_suffix(path)?;
        BaseUrl::parse(base)
            .ok()
            .filter(|parsed| parsed.as_str() == Some(base))
    }
}

/// The schema of the page's task data as published: the form's schema with its `$id` under
/// `base`.
pub(super) fn published_schema(page: &FormPage, base: &BaseUrl) -> Value {
    let path = page.path(".schema.json");
    with_id(page.form.schema(), base.id(&path))
}

/// The schema of the page's dynamic data as published, with its `$id` under `base`.
pub(super) fn published_dynamic_data_schema(page: &FormPage, base: &BaseUrl) -> Value {
    let path = page.path(DYNAMIC_DATA_SCHEMA_SUFFIX);
    with_id(page.form.dynamic_data_schema(), base.id(&path))
}

/// `schema` with its `$id` set to `id`: the key that says which document a schema is. The
/// other keys are kept as they are.
fn with_id(schema: &Value, id: String) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.insert("$id".to_owned(), Value::String(id));
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_is_an_absolute_url_that_ends_with_a_slash() {
        let base = BaseUrl::parse("https://example.org/docs/tasks").unwrap();
        assert_eq!(base.as_str(), Some("https://example.org/docs/tasks/"));
        assert_eq!(
            base.id("0.16/sbuild.schema.json"),
            "https://example.org/docs/tasks/0.16/sbuild.schema.json"
        );
        assert_eq!(
            BaseUrl::parse("file:///srv/docs/")
                .unwrap()
                .id("a.schema.json"),
            "file:///srv/docs/a.schema.json"
        );
        for bad in [
            "docs/tasks",
            "example.org/tasks",
            "https://",
            "https:///path",
            "https://h/a b",
            "https://h/?q=1",
            "https://h/#x",
            "1http://h/",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn without_a_base_an_id_is_the_file_name() {
        assert_eq!(
            BaseUrl::NONE.id("0.16/sbuild.schema.json"),
            "sbuild.schema.json"
        );
        assert_eq!(BaseUrl::NONE.id("noop.schema.json"), "noop.schema.json");
    }

    #[test]
    fn the_base_is_read_back_from_an_id() {
        let path = "0.16/work-request.schema.json";
        let base = BaseUrl::parse("https://example.org/t/").unwrap();
        assert_eq!(BaseUrl::of_id(&base.id(path), path), Some(base));
        assert_eq!(
            BaseUrl::of_id(&BaseUrl::NONE.id(path), path),
            Some(BaseUrl::NONE)
        );
        assert_eq!(
            BaseUrl::of_id("work-request.schema.json", "work-request.schema.json"),
            Some(BaseUrl::NONE)
        );
        assert_eq!(
            BaseUrl::of_id("https://example.org/t/other.json", path),
            None
        );
        assert_eq!(
            BaseUrl::of_id("not a url/0.16/work-request.schema.json", path),
            None
        );
    }
}
