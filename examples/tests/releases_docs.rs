//! The docs of a registry whose tasks name releases: one directory per release, an index of the
//! releases side by side, and pages that say which release they are; a registry that names
//! none is written flat, as before.

#[allow(dead_code)]
#[path = "support/release_tasks.rs"]
mod release_tasks;

use std::collections::BTreeMap;

use release_tasks::{flat_registry, release_registry};
use serde_json::Value;

fn files() -> BTreeMap<String, String> {
    taskdef::docs::generate(release_registry())
}

#[test]
fn each_release_has_a_directory_with_its_index_pages_and_schemas() {
    let names: Vec<String> = files().into_keys().collect();
    assert_eq!(
        names,
        [
            "1.0/README.md",
            "1.0/relbuild.dynamic-data.schema.json",
            "1.0/relbuild.md",
            "1.0/relbuild.schema.json",
            "1.0/relplain.dynamic-data.schema.json",
            "1.0/relplain.md",
            "1.0/relplain.schema.json",
            "1.0/work-request.schema.json",
            "2.0/README.md",
            "2.0/relbuild.dynamic-data.schema.json",
            "2.0/relbuild.md",
            "2.0/relbuild.schema.json",
            "2.0/relnew.dynamic-data.schema.json",
            "2.0/relnew.md",
            "2.0/relnew.schema.json",
            "2.0/relplain.dynamic-data.schema.json",
            "2.0/relplain.md",
            "2.0/relplain.schema.json",
            "2.0/work-request.schema.json",
            "README.md",
        ]
    );
    // Each release's schema is its form's.
    let files = files();
    let schema = |name: &str| -> Value { serde_json::from_str(&files[name]).unwrap() };
    assert!(schema("2.0/relbuild.schema.json")["properties"]["build_architecture"].is_object());
    assert!(schema("1.0/relbuild.schema.json")["properties"]["host_architecture"].is_object());
    assert!(
        schema("2.0/relbuild.dynamic-data.schema.json")["properties"]["extra_repositories"]
            .is_object()
    );
    assert!(
        schema("1.0/relbuild.dynamic-data.schema.json")["properties"]["extra_repositories"]
            .is_null()
    );
    assert_eq!(
        files["1.0/relplain.schema.json"],
        files["2.0/relplain.schema.json"]
    );
}

#[test]
fn the_index_shows_the_releases_side_by_side() {
    let index = &files()["README.md"];
    assert_eq!(taskdef::docs::releases_of_index(index), ["2.0", "1.0"]);
    assert!(
        index.contains("- [`2.0`](2.0/README.md): 3 tasks\n"),
        "{index}"
    );
    assert!(
        index.contains("- [`1.0`](1.0/README.md): 2 tasks\n"),
        "{index}"
    );
    assert!(
        index.contains("| Task | Kind | Version | `2.0` | `1.0` | Description |\n"),
        "{index}"
    );
    assert!(
        index.contains(
            "| `relbuild` | worker | 1 | [`2.0`](2.0/relbuild.md) | [`1.0`](1.0/relbuild.md) | \
             Build for one architecture. |\n"
        ),
        "{index}"
    );
    assert!(
        index.contains("| `relnew` | worker | 1 | [`2.0`](2.0/relnew.md) | — | A task new"),
        "{index}"
    );
    assert!(
        index.contains(
            "| `relplain` | worker | 1 | [`2.0`](2.0/relplain.md) | [`1.0`](1.0/relplain.md) |"
        ),
        "{index}"
    );
    // Each release's own index lists its tasks as the flat index does.
    let release_index = &files()["1.0/README.md"];
    assert!(release_index.starts_with(taskdef::docs::RELEASE_INDEX_HEADING));
    assert!(release_index.contains("| [`relbuild`](relbuild.md) | worker | 1 | Build"));
    assert!(!release_index.contains("relnew"), "{release_index}");
    assert!(release_index.contains("[index of releases](../README.md)"));
}

#[test]
fn a_page_says_its_release_links_the_others_and_names_its_forms_type() {
    let files = files();
    let old = &files["1.0/relbuild.md"];
    assert!(old.starts_with("# `relbuild` (release `1.0`)\n"), "{old}");
    assert!(old.contains("| Release | `1.0` |\n"), "{old}");
    assert!(
        old.contains("| Other releases | [`2.0`](../2.0/relbuild.md) |\n"),
        "{old}"
    );
    assert!(
        old.contains("| Rust type | `releases_docs::release_tasks::v1::RelBuild` |"),
        "{old}"
    );
    assert!(
        old.contains("| Converted into | `releases_docs::release_tasks::RelBuild`"),
        "{old}"
    );
    assert!(old.contains("`host_architecture`"), "{old}");
    assert!(!old.contains("`build_architecture`"), "{old}");
    // The example is the release's data, checked to configure with its form.
    assert!(
        old.contains("Generated from the schema (and checked to configure)"),
        "{old}"
    );
    assert!(old.contains("\"host_architecture\": \"example\""), "{old}");

    let new = &files["2.0/relbuild.md"];
    assert!(new.contains("| Release | `2.0` |\n"), "{new}");
    assert!(new.contains("| Other releases | [`1.0`](../1.0/relbuild.md) |\n"));
    assert!(new.contains("| Rust type | `releases_docs::release_tasks::RelBuild` |"));
    assert!(!new.contains("Converted into"), "{new}");
    assert!(new.contains("\"build_architecture\": \"example\""), "{new}");

    let only_new = &files["2.0/relnew.md"];
    assert!(
        only_new.contains("| Other releases | none |\n"),
        "{only_new}"
    );
    let plain = &files["1.0/relplain.md"];
    assert!(
        plain.contains("| Release | `1.0` (the task takes the same data in every release) |"),
        "{plain}"
    );
    assert!(plain.contains("| Other releases | [`2.0`](../2.0/relplain.md) |"));
}

#[test]
fn a_registry_that_names_no_release_is_written_flat() {
    let files = taskdef::docs::generate(flat_registry());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "README.md",
            "relbuildflat.dynamic-data.schema.json",
            "relbuildflat.md",
            "relbuildflat.schema.json",
            "relplain.dynamic-data.schema.json",
            "relplain.md",
            "relplain.schema.json",
            "work-request.schema.json",
        ]
    );
    assert!(taskdef::docs::releases_of_index(&files["README.md"]).is_empty());
    let entry = flat_registry().get("relbuildflat").unwrap();
    assert_eq!(files["relbuildflat.md"], taskdef::docs::task_page(entry));
    assert!(!files["relbuildflat.md"].contains("Release"));
    // The flat struct is the 1.0 form: the same schema, under its own `$id`.
    let without_id = |text: &str| {
        let mut schema: Value = serde_json::from_str(text).unwrap();
        schema.as_object_mut().unwrap().remove("$id");
        schema
    };
    assert_eq!(
        without_id(&files["relbuildflat.schema.json"]),
        without_id(&taskdef::docs::generate(release_registry())["1.0/relbuild.schema.json"])
    );
}

#[test]
fn the_oldest_form_is_what_a_flat_publication_is_read_as() {
    let registry = release_registry();
    let relbuild = registry.get("relbuild").unwrap();
    assert_eq!(taskdef::docs::oldest_form(relbuild).release(), Some("1.0"));
    let relplain = registry.get("relplain").unwrap();
    assert_eq!(taskdef::docs::oldest_form(relplain).release(), None);
    let pages = taskdef::docs::pages(registry);
    let oldest: Vec<String> = pages
        .iter()
        .filter(|page| page.is_oldest_form())
        .map(|page| page.path(""))
        .collect();
    assert_eq!(
        oldest,
        ["2.0/relnew", "2.0/relplain", "1.0/relbuild", "1.0/relplain"]
    );
}
