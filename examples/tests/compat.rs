//! `taskdef compat` on the catalogue: three real-looking edits, their verdicts and exit codes.
//!
//! The binary always holds the catalogue as compiled, so it is the *new* side; each edit is
//! made by writing the *old* side, a scratch copy of `taskdef docs --out`, as it was before the
//! edit (the schema JSON edited by hand, the way schemars would have written the old types).
//! The docs have a directory per release; the edits are made in that of [`RELEASE`], the
//! binary's default release, so that release alone has changes and the other is compared
//! unchanged:
//!
//! - `sbuild`: the key `environment` was called `environment_id` (Debusine's own rename);
//! - `lintian`: the optional key `target_distribution` (default `debian:unstable`) was not
//!   there yet;
//! - `autopkgtest`: `needs_internet` also accepted `always`, a value the enum no longer has.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The release whose published data the edits are made in: the binary's default (0.16).
const RELEASE: &str = "0.16";

/// The other release of the catalogue, left as published.
const OTHER_RELEASE: &str = "0.11";

fn taskdef(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh copy of the docs `taskdef docs --out` writes, in its own directory.
fn scratch_docs() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("taskdef-compat-{}-{unique}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let output = taskdef(&["docs", "--out", dir.to_str().unwrap()], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    dir
}

fn edit_schema(dir: &Path, stem: &str, edit: impl FnOnce(&mut Value)) {
    let path = dir.join(format!("{stem}.schema.json"));
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut schema);
    std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap()).unwrap();
}

/// Sets a task's version in the scratch index of [`RELEASE`], as if it had been published at
/// that version.
fn set_old_version(dir: &Path, task: &str, version: u32) {
    let path = dir.join(RELEASE).join("README.md");
    let index = std::fs::read_to_string(&path).unwrap();
    let prefix = format!("| [`{task}`]({task}.md) | worker | ");
    let edited: Vec<String> = index
        .lines()
        .map(|line| match line.strip_prefix(&prefix) {
            Some(rest) => {
                let (_, description) = rest.split_once(" | ").unwrap();
                format!("{prefix}{version} | {description}")
            }
            None => line.to_owned(),
        })
        .collect();
    assert_ne!(edited.join("\n"), index.trim_end(), "no row for {task}");
    std::fs::write(&path, edited.join("\n") + "\n").unwrap();
}

fn catalogue_before_the_edits() -> PathBuf {
    let root = scratch_docs();
    let dir = root.join(RELEASE);
    edit_schema(&dir, "sbuild", |schema| {
        let properties = schema["properties"].as_object_mut().unwrap();
        let environment = properties.remove("environment").unwrap();
        properties.insert("environment_id".to_owned(), environment);
        for key in schema["required"].as_array_mut().unwrap() {
            if key == "environment" {
                *key = "environment_id".into();
            }
        }
    });
    edit_schema(&dir, "lintian", |schema| {
        let removed = schema["properties"]
            .as_object_mut()
            .unwrap()
            .remove("target_distribution");
        assert!(removed.is_some());
    });
    edit_schema(&dir, "autopkgtest", |schema| {
        schema["$defs"]["NeedsInternet"]["enum"]
            .as_array_mut()
            .unwrap()
            .push("always".into());
    });
    root
}

/// The report's tasks by name; every one of them is of [`RELEASE`], the release edited.
fn tasks(output: &Output) -> serde_json::Map<String, Value> {
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| {
            assert_eq!(
                task["release"], RELEASE,
                "only {RELEASE} was edited: {task}"
            );
            (task["task"].as_str().unwrap().to_owned(), task.clone())
        })
        .collect()
}

/// (pointer, class, what) of each change of a task in the JSON report.
fn changes(task: &Value) -> Vec<(String, String, String)> {
    task["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            (
                change["pointer"].as_str().unwrap().to_owned(),
                change["class"].as_str().unwrap().to_owned(),
                change["what"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn triple(pointer: &str, class: &str, what: &str) -> (String, String, String) {
    (pointer.to_owned(), class.to_owned(), what.to_owned())
}

#[test]
fn three_catalogue_edits_get_their_verdicts_and_exit_codes() {
    let old = catalogue_before_the_edits();
    let old_arg = old.to_str().unwrap();

    let output = taskdef(&["compat", old_arg, "--json"], &workspace());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = tasks(&output);
    assert_eq!(report.len(), 3, "only the edited tasks: {report:?}");
    assert_eq!(
        changes(&report["sbuild"]),
        [
            triple("/environment_id", "breaking", "key_removed"),
            triple("/environment", "breaking", "now_required"),
        ]
    );
    assert_eq!(report["sbuild"]["blocks"], true);
    assert_eq!(
        changes(&report["lintian"]),
        [triple("/target_distribution", "compatible", "key_added")]
    );
    assert_eq!(report["lintian"]["blocks"], false);
    assert_eq!(
        changes(&report["autopkgtest"]),
        [triple("/needs_internet", "breaking", "values_removed")]
    );
    assert_eq!(report["autopkgtest"]["blocks"], true);

    // The changelog and the message that says how to fix it.
    let output = taskdef(&["compat", old_arg], &workspace());
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("lintian (worker): version 1 -> 1, 1 change, compatible"),
        "{text}"
    );
    assert!(
        text.contains("/target_distribution: new optional key, default `\"debian:unstable\"`"),
        "{text}"
    );
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(
        errors.contains(&format!(
            "error: task `sbuild` (release {RELEASE}) keeps version 1"
        )),
        "{errors}"
    );
    assert!(errors.contains("/environment_id: key removed"), "{errors}");
    assert!(errors.contains("`#[task(version = 2)]`"), "{errors}");
    assert!(
        errors.contains(&format!("error: task `autopkgtest` (release {RELEASE})")),
        "{errors}"
    );
    assert!(!errors.contains("`lintian`"), "{errors}");

    // A version bump turns a task's breaking changes into information.
    set_old_version(&old, "sbuild", 0);
    let output = taskdef(&["compat", old_arg], &workspace());
    assert_eq!(output.status.code(), Some(1), "autopkgtest still blocks");
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(!errors.contains("`sbuild`"), "{errors}");
    set_old_version(&old, "autopkgtest", 0);
    let output = taskdef(&["compat", old_arg], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("sbuild (worker): version 0 -> 1, 2 changes, version bumped"),
        "{text}"
    );
    std::fs::remove_dir_all(&old).unwrap();
}

#[test]
fn the_history_of_an_edit_goes_to_the_task_page() {
    let old = catalogue_before_the_edits();
    let old_arg = old.to_str().unwrap();
    // Publishing the new docs over the old files records the changes under the version.
    let output = taskdef(&["docs", "--out", old_arg], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let page = std::fs::read_to_string(old.join(RELEASE).join("sbuild.md")).unwrap();
    let changes = &page[page.find("## Changes").expect("a Changes section")..];
    assert!(
        changes.contains("- breaking: `/environment_id`: key removed or renamed"),
        "{changes}"
    );
    let page = std::fs::read_to_string(old.join(RELEASE).join("lintian.md")).unwrap();
    assert!(
        page.contains("- compatible: `/target_distribution`: new optional key"),
        "{page}"
    );
    // The other release was not edited: its pages record no change.
    let page = std::fs::read_to_string(old.join(OTHER_RELEASE).join("sbuild.md")).unwrap();
    assert!(!page.contains("/environment_id"), "{page}");
    // Now published, the docs are current, and compared with themselves nothing changed.
    let output = taskdef(&["docs", "--check", old_arg], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = taskdef(&["compat", old_arg], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    std::fs::remove_dir_all(&old).unwrap();
}

fn git(args: &[&str], dir: &Path) -> bool {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn a_git_revision_is_read_without_a_checkout_and_a_bad_one_is_a_usage_error() {
    let output = taskdef(&["compat", "no-such-revision-or-directory"], &workspace());
    assert_eq!(output.status.code(), Some(2));
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(
        errors.contains("neither a directory written by `taskdef docs --out` nor a git revision"),
        "{errors}"
    );

    assert!(
        git(&["--version"], &workspace()),
        "this test reads docs from git revisions: it needs git on PATH"
    );
    // A repository whose last commit has the docs as they were before the edits; the working
    // tree has no docs at all, so only `git show` can read them.
    let old = catalogue_before_the_edits();
    let repo = old.with_extension("repo");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(repo.join("published")).unwrap();
    std::fs::rename(&old, repo.join("published/tasks")).unwrap();
    for args in [
        &["init", "--quiet"][..],
        &["add", "."],
        &[
            "-c",
            "user.name=taskdef",
            "-c",
            "user.email=taskdef@example.org",
            "commit",
            "--quiet",
            "-m",
            "docs",
        ],
    ] {
        assert!(git(args, &repo), "git {args:?}");
    }
    std::fs::remove_dir_all(repo.join("published")).unwrap();
    let output = taskdef(
        &["compat", "HEAD", "--docs-dir", "published/tasks", "--json"],
        &repo,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = tasks(&output);
    assert_eq!(report["sbuild"]["blocks"], true);
    assert_eq!(report["lintian"]["blocks"], false);
    let output = taskdef(&["compat", "HEAD"], &repo);
    assert_eq!(
        output.status.code(),
        Some(2),
        "no docs/tasks in that revision"
    );
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(
        errors.contains("cannot read `HEAD:docs/tasks/README.md`"),
        "{errors}"
    );
    std::fs::remove_dir_all(&repo).unwrap();
}

#[test]
fn a_rule_the_published_page_did_not_list_is_a_breaking_change() {
    let old = scratch_docs();
    let page_path = old.join(RELEASE).join("debdiff.md");
    let page = std::fs::read_to_string(&page_path).unwrap();
    let rule = "- Exactly one of `input.source_artifacts` or `input.binary_artifacts` is set.\n";
    assert!(
        page.contains(rule),
        "the debdiff page lists its rule:\n{page}"
    );
    std::fs::write(&page_path, page.replace(rule, "")).unwrap();

    let output = taskdef(&["compat", old.to_str().unwrap(), "--json"], &workspace());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let tasks = tasks(&output);
    assert_eq!(tasks.keys().collect::<Vec<_>>(), ["debdiff"], "{tasks:?}");
    assert_eq!(
        changes(&tasks["debdiff"]),
        [triple("", "breaking", "rule_added")]
    );
    assert_eq!(
        tasks["debdiff"]["changes"][0]["new"],
        "Exactly one of `input.source_artifacts` or `input.binary_artifacts` is set."
    );

    let human = taskdef(&["compat", old.to_str().unwrap()], &workspace());
    let text = String::from_utf8_lossy(&human.stdout).into_owned()
        + &String::from_utf8_lossy(&human.stderr);
    assert!(text.contains("a new cross-field rule"), "{text}");
    let _ = std::fs::remove_dir_all(&old);
}

#[test]
fn a_dynamic_data_key_the_worker_now_refuses_is_a_breaking_change_and_an_old_publication_without_one_is_not()
 {
    let old = scratch_docs();
    // The old publication took a key the model now refuses (it has no additional keys).
    let path = old.join(RELEASE).join("blhc.dynamic-data.schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    schema["properties"]["legacy_id"] = serde_json::json!({"type": "integer"});
    std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap()).unwrap();

    let output = taskdef(&["compat", old.to_str().unwrap(), "--json"], &workspace());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let tasks = tasks(&output);
    assert_eq!(tasks.keys().collect::<Vec<_>>(), ["blhc"], "{tasks:?}");
    assert_eq!(
        changes(&tasks["blhc"]),
        [triple(
            "/dynamic_task_data/legacy_id",
            "breaking",
            "key_removed"
        )]
    );

    // A publication from before dynamic data were published compares the task data alone.
    std::fs::remove_file(&path).unwrap();
    let output = taskdef(&["compat", old.to_str().unwrap(), "--json"], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let _ = std::fs::remove_dir_all(&old);
}

#[test]
fn the_report_names_releases_and_a_per_release_publication_is_read_release_by_release() {
    // The catalogue names releases: its publication has a directory per release, and compared
    // with itself each release is compared with its own directory, newest first, unchanged.
    let old = scratch_docs();
    let old_arg = old.to_str().unwrap();
    let output = taskdef(&["compat", old_arg, "--json"], &workspace());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let releases: Vec<(&str, &str)> = report["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|release| {
            (
                release["release"].as_str().unwrap(),
                release["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        releases,
        [(RELEASE, "compared"), (OTHER_RELEASE, "compared")],
        "{report}"
    );
    assert_eq!(report["tasks"], serde_json::json!([]), "{report}");

    // A breaking edit in one release's directory is found in that release alone.
    edit_schema(&old.join(RELEASE), "lintian", |schema| {
        schema["properties"]
            .as_object_mut()
            .unwrap()
            .remove("target_distribution");
    });
    let output = taskdef(&["compat", old_arg, "--json"], &workspace());
    assert_eq!(output.status.code(), Some(0), "compatible: {output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let changed: Vec<(&str, &str)> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| {
            (
                task["release"].as_str().unwrap(),
                task["task"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(changed, [(RELEASE, "lintian")]);
    let output = taskdef(
        &["compat", old_arg, "--release", OTHER_RELEASE],
        &workspace(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with(&format!("release {OTHER_RELEASE}: compared with ")),
        "{text}"
    );
    assert!(!text.contains("lintian"), "{text}");
    std::fs::remove_dir_all(&old).unwrap();
}
