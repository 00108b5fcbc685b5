//! Where each task's pages go: flat when no task names a release, else one directory per
//! release.
//!
//! A registry whose tasks name no release is documented as it always was: `README.md` and each
//! task's files side by side. Once a task names releases (`#[task(release = ...)]`), every
//! release the registry names gets a directory, `<release>/`, with its own index and, for each
//! task that has data in that release, that form's page, schemas and history; `README.md` is
//! then the index of the releases, a table task × release. A task that names no release has
//! one form, the data of every release, and so a page in every release's directory.

use std::ptr;

use super::files::page_stem;
use crate::registry::{Registry, TaskEntry};
use crate::task::ReleaseForm;
use crate::types::compare_releases;

/// One page of the docs: a task's form of its data in one release (or its only form, in the
/// flat layout), and where its files go.
#[derive(Debug, Clone, Copy)]
pub struct FormPage {
    /// The task.
    pub entry: &'static TaskEntry,
    /// The form of its data the page documents.
    pub form: &'static ReleaseForm,
    /// The release directory the page is in; `None` in the flat layout.
    pub release: Option<&'static str>,
}

impl FormPage {
    /// The page's file stem: the task's [`page_stem`].
    pub fn stem(&self) -> String {
        page_stem(self.entry)
    }

    /// The path of one of the page's files relative to the docs directory: `<stem><suffix>`,
    /// under `<release>/` in the per-release layout (`suffix` is `.md`, `.schema.json`, ...).
    pub fn path(&self, suffix: &str) -> String {
        format!("{}{}{suffix}", release_prefix(self.release), self.stem())
    }

    /// Whether the page documents the task's oldest form: the data a publication that names no
    /// release is read as (see [`oldest_form`]).
    pub fn is_oldest_form(&self) -> bool {
        ptr::eq(self.form, oldest_form(self.entry))
    }
}

/// `"<release>/"`, or nothing for the flat layout.
pub fn release_prefix(release: Option<&str>) -> String {
    release.map_or_else(String::new, |release| format!("{release}/"))
}

/// The form of `entry` that `release` documents: its form of that release (found as
/// [`TaskEntry::form`] finds it), or its only form when it names no release; `None` when the
/// task has no data in that release.
pub fn form_in(entry: &TaskEntry, release: &str) -> Option<&'static ReleaseForm> {
    entry.form(release).ok()
}

/// The task's oldest form: the one of the oldest release it names, or its only form when it
/// names none. A publication written before the task named releases (the flat layout) is read
/// as this form's data: when an author first names releases, the struct they had becomes the
/// older release's form and the new engine's data the task's own.
pub fn oldest_form(entry: &TaskEntry) -> &'static ReleaseForm {
    let forms = entry.release_forms();
    forms
        .iter()
        .filter(|form| form.release().is_some())
        .min_by(|a, b| compare_releases(a.release().unwrap_or(""), b.release().unwrap_or("")))
        .unwrap_or(&forms[0])
}

/// Every page, in order: in the flat layout each task's own form; else release by release,
/// newest first, each task that has data in it, in registry order.
pub fn pages(registry: &Registry) -> Vec<FormPage> {
    let releases = registry.releases();
    if releases.is_empty() {
        return registry
            .entries()
            .map(|entry| FormPage {
                entry,
                form: &entry.release_forms()[0],
                release: None,
            })
            .collect();
    }
    let mut pages = Vec::new();
    for release in releases {
        pages.extend(pages_in(registry, release));
    }
    pages
}

/// The pages of one release: every task with data in it, in registry order.
pub fn pages_in(registry: &Registry, release: &'static str) -> Vec<FormPage> {
    registry
        .entries()
        .filter_map(|entry| {
            form_in(entry, release).map(|form| FormPage {
                entry,
                form,
                release: Some(release),
            })
        })
        .collect()
}

/// Why `release` cannot name a directory of the docs, if it cannot: it must be one plain path
/// component that is not hidden (`0.16`, `trixie`, `1.0-beta`).
pub fn release_name_problem(release: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._-+~".contains(c);
    if release.is_empty() {
        Some("a release needs a name: it names a directory of the docs".to_owned())
    } else if release.starts_with('.') || !release.chars().all(plain) {
        Some(format!(
            "release `{release}` cannot name a directory of the docs: use letters, digits and \
             `.`, `-`, `_`, `+`, `~`, not first a `.`"
        ))
    } else {
        None
    }
}
