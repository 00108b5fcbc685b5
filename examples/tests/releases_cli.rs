//! `taskdef docs` and `taskdef compat` across the moment a task first names releases: a flat
//! publication, compared with and then rewritten by a binary whose `relbuild` has release
//! forms; then per-release publications compared release by release, `--release` keeping one,
//! and both layouts read from git revisions; and the docs of a catalogue without releases.
//!
//! The two `relbuild` cannot share a registry, so this binary is its own `taskdef` over one of
//! two registries of its own: run with `TASKDEF_TEST_REGISTRY=flat` or `=releases`, `main` is
//! the command line; otherwise it runs the checks, each spawning this binary.

#[allow(dead_code)]
#[path = "support/release_tasks.rs"]
mod release_tasks;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};

use serde_json::Value;

const REGISTRY: &str = "TASKDEF_TEST_REGISTRY";

fn main() -> ExitCode {
    match std::env::var(REGISTRY).as_deref() {
        Ok("flat") => {
            return taskdef::cli::main_with(release_tasks::flat_registry(), std::env::args_os());
        }
        Ok("releases") => {
            return taskdef::cli::main_with(release_tasks::release_registry(), std::env::args_os());
        }
        _ => {}
    }
    let checks: [(&str, fn()); 6] = [
        (
            "docs_of_a_catalogue_without_releases_stay_flat_and_drop_a_stale_release_directory",
            docs_of_a_catalogue_without_releases_stay_flat_and_drop_a_stale_release_directory,
        ),
        (
            "a_flat_publication_is_read_as_each_tasks_oldest_form",
            a_flat_publication_is_read_as_each_tasks_oldest_form,
        ),
        (
            "the_first_per_release_docs_continue_the_flat_history",
            the_first_per_release_docs_continue_the_flat_history,
        ),
        (
            "per_release_publications_compare_release_by_release_and_release_keeps_one",
            per_release_publications_compare_release_by_release_and_release_keeps_one,
        ),
        (
            "new_and_removed_releases_are_reported_and_do_not_block",
            new_and_removed_releases_are_reported_and_do_not_block,
        ),
        (
            "both_layouts_are_read_from_git_revisions",
            both_layouts_are_read_from_git_revisions,
        ),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    for (name, check) in checks {
        if filter.is_empty() || filter.iter().any(|wanted| name.contains(wanted.as_str())) {
            check();
            println!("test {name} ... ok");
        }
    }
    ExitCode::SUCCESS
}

/// This binary as `taskdef` over `registry` (`flat` or `releases`), run in `dir`.
fn taskdef(registry: &str, args: &[&str], dir: &Path) -> Output {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args(args)
        .env(REGISTRY, registry)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the test binary runs")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn errors(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskdef-releases-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `docs --out` of `registry` into `dir`/`sub`; returns its path as an argument. The flat
/// registry's publication is renamed as `relbuild` would have published it.
fn publish(registry: &str, dir: &Path, sub: &str) -> String {
    let out = dir.join(sub);
    let output = taskdef(registry, &["docs", "--out", out.to_str().unwrap()], dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    if registry == "flat" {
        release_tasks::rename_flat(&out);
    }
    out.to_str().unwrap().to_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}: {output:?}"))
}

/// (release, status) of each release of a `--json` report.
fn statuses(report: &Value) -> Vec<(String, String)> {
    report["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|release| {
            (
                release["release"].as_str().unwrap().to_owned(),
                release["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// (release, task, event, blocks) of each task of a `--json` report.
fn tasks(report: &Value) -> Vec<(String, String, String, bool)> {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| {
            (
                task["release"].as_str().unwrap().to_owned(),
                task["task"].as_str().unwrap().to_owned(),
                task["event"].as_str().unwrap().to_owned(),
                task["blocks"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn row(release: &str, task: &str, event: &str, blocks: bool) -> (String, String, String, bool) {
    (
        release.to_owned(),
        task.to_owned(),
        event.to_owned(),
        blocks,
    )
}

fn pair(release: &str, status: &str) -> (String, String) {
    (release.to_owned(), status.to_owned())
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap() + "\n").unwrap();
}

/// The flat publication had an optional key `legacy` the 1.0 form no longer takes.
fn add_legacy_key(schema: &Path) {
    edit_json(schema, |schema| {
        schema["properties"]["legacy"] = serde_json::json!({"type": "string"});
    });
}

fn a_flat_publication_is_read_as_each_tasks_oldest_form() {
    let dir = scratch("flat-read");
    let old = publish("flat", &dir, "old");
    assert!(
        Path::new(&old).join("relbuild.schema.json").exists(),
        "flat"
    );
    assert!(!Path::new(&old).join("1.0").exists(), "flat");

    // The flat struct became the 1.0 form: nothing changed there. relbuild's 2.0 form and
    // relnew are new in 2.0; relplain, the same in every release, is compared in each.
    let output = taskdef("releases", &["compat", &old, "--json"], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    assert_eq!(report["ok"], true);
    assert_eq!(
        statuses(&report),
        [pair("2.0", "compared"), pair("1.0", "compared")]
    );
    assert_eq!(report["releases"][0]["old_tasks"], 1, "relplain: {report}");
    assert_eq!(
        report["releases"][1]["old_tasks"], 2,
        "relbuild, relplain: {report}"
    );
    assert_eq!(
        tasks(&report),
        [
            row("2.0", "relbuild", "added", false),
            row("2.0", "relnew", "added", false),
        ]
    );
    let output = taskdef("releases", &["compat", &old], &dir);
    let changelog = text(&output);
    assert!(
        changelog.contains(&format!(
            "release 1.0: compared with {old}/, which names no release: each task's oldest form \
             (2 tasks)\n"
        )),
        "{changelog}"
    );
    assert!(
        changelog.contains("relbuild (worker): new in release 2.0, version 1: nothing to compare"),
        "{changelog}"
    );

    // A task no longer linked in is removed in the oldest release only.
    let old_path = Path::new(&old);
    for suffix in [".md", ".schema.json", ".dynamic-data.schema.json"] {
        std::fs::copy(
            old_path.join(format!("relplain{suffix}")),
            old_path.join(format!("gone{suffix}")),
        )
        .unwrap();
    }
    let index = std::fs::read_to_string(old_path.join("README.md")).unwrap();
    std::fs::write(
        old_path.join("README.md"),
        format!("{index}| [`gone`](gone.md) | worker | 3 | Retired. |\n"),
    )
    .unwrap();
    let output = taskdef("releases", &["compat", &old, "--json"], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        tasks(&json(&output)),
        [
            row("2.0", "relbuild", "added", false),
            row("2.0", "relnew", "added", false),
            row("1.0", "gone", "removed", false),
        ]
    );

    // A change to what the flat publication had is a change of the oldest form, in its release.
    add_legacy_key(&Path::new(&old).join("relbuild.schema.json"));
    let output = taskdef("releases", &["compat", &old, "--json"], &dir);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    assert_eq!(
        tasks(&report),
        [
            row("2.0", "relbuild", "added", false),
            row("2.0", "relnew", "added", false),
            row("1.0", "relbuild", "changed", true),
            row("1.0", "gone", "removed", false),
        ]
    );
    assert_eq!(report["tasks"][2]["changes"][0]["pointer"], "/legacy");
    let output = taskdef("releases", &["compat", &old], &dir);
    let message = errors(&output);
    assert!(
        message.contains("error: task `relbuild` (release 1.0) keeps version 1"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn the_first_per_release_docs_continue_the_flat_history() {
    let dir = scratch("transition");
    let docs = publish("flat", &dir, "docs");
    let docs_path = PathBuf::from(&docs);
    add_legacy_key(&docs_path.join("relbuild.schema.json"));

    let output = taskdef("releases", &["docs", "--check", &docs], &dir);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let message = errors(&output);
    for line in [
        format!("missing: {docs}/1.0/relbuild.md"),
        format!("missing: {docs}/2.0/relnew.schema.json"),
        format!("extra: {docs}/relbuild.md"),
        format!("extra: {docs}/relbuild.changes.json"),
    ] {
        assert!(message.contains(&line), "{line} in {message}");
    }

    let output = taskdef("releases", &["docs", "--out", &docs], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(text(&output).contains(&format!("removed {docs}/relbuild.schema.json")));
    assert!(!docs_path.join("relbuild.md").exists());
    assert!(!docs_path.join("relbuild.changes.json").exists());

    // 1.0's history goes on from the flat one: the key the flat schema had is recorded removed.
    let history: Value = serde_json::from_str(
        &std::fs::read_to_string(docs_path.join("1.0/relbuild.changes.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(history["release"], "1.0");
    assert_eq!(history["versions"][0]["version"], 1);
    assert_eq!(history["versions"][0]["changes"][0]["pointer"], "/legacy");
    let page = std::fs::read_to_string(docs_path.join("1.0/relbuild.md")).unwrap();
    assert!(
        page.contains("- breaking: `/legacy`: key removed or renamed"),
        "{page}"
    );
    // 2.0's form starts its own history.
    let history: Value = serde_json::from_str(
        &std::fs::read_to_string(docs_path.join("2.0/relbuild.changes.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(history["release"], "2.0");
    assert_eq!(history["versions"][0]["changes"], serde_json::json!([]));

    let output = taskdef("releases", &["docs", "--check", &docs], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    // Written again, nothing moves (the history does not grow by itself).
    let before = std::fs::read_to_string(docs_path.join("1.0/relbuild.changes.json")).unwrap();
    publish("releases", &dir, "docs");
    let after = std::fs::read_to_string(docs_path.join("1.0/relbuild.changes.json")).unwrap();
    assert_eq!(before, after);

    // An extra file in a release directory is drift too.
    std::fs::write(docs_path.join("2.0/stale.md"), "old\n").unwrap();
    let output = taskdef("releases", &["docs", "--check", &docs], &dir);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(errors(&output).contains(&format!("extra: {docs}/2.0/stale.md")));

    // docs writes every release: --release does not apply.
    let output = taskdef(
        "releases",
        &["--release", "1.0", "docs", "--out", &docs],
        &dir,
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        errors(&output).contains("leave out --release"),
        "{output:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn per_release_publications_compare_release_by_release_and_release_keeps_one() {
    let dir = scratch("per-release");
    let old = publish("releases", &dir, "old");
    let old_path = PathBuf::from(&old);

    let output = taskdef("releases", &["compat", &old, "--json"], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    assert_eq!(
        statuses(&report),
        [pair("2.0", "compared"), pair("1.0", "compared")]
    );
    assert_eq!(report["releases"][0]["old_tasks"], 3);
    assert!(tasks(&report).is_empty(), "{report}");

    // relplain's 1.0 page took a string; its form (the same in every release) takes an integer.
    edit_json(&old_path.join("1.0/relplain.schema.json"), |schema| {
        schema["properties"]["value"] = serde_json::json!({"type": "string"});
    });
    // relbuild's 2.0 form had no `jobs` yet: a new optional key, compatible.
    edit_json(&old_path.join("2.0/relbuild.schema.json"), |schema| {
        schema["properties"].as_object_mut().unwrap().remove("jobs");
    });
    let output = taskdef("releases", &["compat", &old, "--json"], &dir);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        tasks(&json(&output)),
        [
            row("2.0", "relbuild", "changed", false),
            row("1.0", "relplain", "changed", true),
        ]
    );

    for (asked, code, release) in [("2.0", 0, "2.0"), ("1.0", 1, "1.0"), ("1.0.3", 1, "1.0")] {
        let output = taskdef(
            "releases",
            &["--release", asked, "compat", &old, "--json"],
            &dir,
        );
        assert_eq!(output.status.code(), Some(code), "{asked}: {output:?}");
        let report = json(&output);
        assert_eq!(statuses(&report), [pair(release, "compared")], "{asked}");
        assert!(
            tasks(&report).iter().all(|task| task.0 == release),
            "{asked}: {report}"
        );
    }
    let output = taskdef("releases", &["compat", &old, "--debusine", "1.0"], &dir);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let changelog = text(&output);
    assert!(
        changelog.starts_with(&format!(
            "release 1.0: compared with {old}/1.0/ (2 tasks)\n"
        )),
        "{changelog}"
    );
    assert!(!changelog.contains("release 2.0"), "{changelog}");
    assert!(
        errors(&output).contains("error: task `relplain` (release 1.0) keeps version 1"),
        "{output:?}"
    );

    let output = taskdef("releases", &["--release", "3.0", "compat", &old], &dir);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        errors(&output).contains("no task names release `3.0`; the releases are 2.0, 1.0"),
        "{output:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn new_and_removed_releases_are_reported_and_do_not_block() {
    let dir = scratch("new-removed");
    let old = publish("releases", &dir, "old");
    let old_path = PathBuf::from(&old);
    // The old publication had 1.0 and 0.5, not 2.0: its index lists the releases it has.
    let index_path = old_path.join("README.md");
    let index = std::fs::read_to_string(&index_path).unwrap();
    let index = index
        .lines()
        .filter(|line| !line.starts_with("- [`2.0`]"))
        .map(|line| {
            if line.starts_with("- [`1.0`]") {
                format!("{line}\n- [`0.5`](0.5/README.md): 2 tasks")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&index_path, index + "\n").unwrap();
    std::fs::remove_dir_all(old_path.join("2.0")).unwrap();
    std::fs::create_dir_all(old_path.join("0.5")).unwrap();
    for entry in std::fs::read_dir(old_path.join("1.0")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), old_path.join("0.5").join(entry.file_name())).unwrap();
    }

    let output = taskdef("releases", &["compat", &old, "--json"], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    assert_eq!(
        statuses(&report),
        [
            pair("2.0", "new"),
            pair("1.0", "compared"),
            pair("0.5", "removed")
        ]
    );
    assert!(tasks(&report).is_empty(), "{report}");
    let changelog = text(&taskdef("releases", &["compat", &old], &dir));
    assert!(
        changelog.contains(&format!(
            "release 2.0: a new release, not in {old}: nothing to compare\n"
        )),
        "{changelog}"
    );
    assert!(changelog.contains("release 0.5: removed"), "{changelog}");
    assert!(
        changelog.contains("3 releases (1 new, 1 removed), 0 tasks changed, 0 need a new version"),
        "{changelog}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The flat registry (no task names a release) is documented flat; a release directory left by
/// an earlier publication (its index says so) is drift and goes, a directory of the author's
/// own stays; and `--release` is refused, since docs writes every release.
fn docs_of_a_catalogue_without_releases_stay_flat_and_drop_a_stale_release_directory() {
    let dir = scratch("stale-release");
    let out = dir.join("tasks");
    let out_arg = out.to_str().unwrap();
    let output = taskdef("flat", &["docs", "--out", out_arg], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let index = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        taskdef::docs::releases_of_index(&index).is_empty(),
        "{index}"
    );
    assert!(out.join("relplain.md").exists(), "flat: {index}");
    std::fs::create_dir_all(out.join("0.11")).unwrap();
    std::fs::write(
        out.join("0.11/README.md"),
        format!("{}`0.11`\n", taskdef::docs::RELEASE_INDEX_HEADING),
    )
    .unwrap();
    std::fs::write(out.join("0.11/relplain.md"), "# old\n").unwrap();
    std::fs::create_dir_all(out.join("notes")).unwrap();
    std::fs::write(out.join("notes/mine.md"), "# mine\n").unwrap();
    let output = taskdef("flat", &["docs", "--check", out_arg], &dir);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = errors(&output);
    assert!(
        text.contains(&format!(
            "extra: {}",
            out.join("0.11/relplain.md").display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("extra: {}", out.join("0.11/README.md").display())),
        "{text}"
    );
    assert!(!text.contains("mine.md"), "{text}");
    let output = taskdef("flat", &["docs", "--out", out_arg], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(!out.join("0.11").exists());
    assert!(out.join("notes/mine.md").exists());
    let output = taskdef("flat", &["docs", "--check", out_arg], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = taskdef(
        "flat",
        &["--release", "0.16", "docs", "--out", out_arg],
        &dir,
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        errors(&output).contains("leave out --release"),
        "{}",
        errors(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn git(args: &[&str], dir: &Path) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=taskdef",
            "-c",
            "user.email=taskdef@example.org",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

fn both_layouts_are_read_from_git_revisions() {
    assert!(
        Command::new("git").arg("--version").output().is_ok(),
        "both_layouts_are_read_from_git_revisions needs git on PATH"
    );
    // The transition as CI sees it: the previous commit has the flat docs, the next the
    // per-release ones; only `git show` reads them (the working tree has none).
    let repo = scratch("git");
    git(&["init", "--quiet"], &repo);
    publish("flat", &repo, "docs/tasks");
    git(&["add", "."], &repo);
    git(&["commit", "--quiet", "-m", "flat docs"], &repo);
    publish("releases", &repo, "docs/tasks");
    git(&["add", "--all", "."], &repo);
    git(&["commit", "--quiet", "-m", "per-release docs"], &repo);
    std::fs::remove_dir_all(repo.join("docs")).unwrap();

    let output = taskdef("releases", &["compat", "HEAD~1", "--json"], &repo);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    assert_eq!(
        statuses(&report),
        [pair("2.0", "compared"), pair("1.0", "compared")]
    );
    assert!(
        text(&taskdef("releases", &["compat", "HEAD~1"], &repo))
            .contains("release 1.0: compared with HEAD~1:docs/tasks/, which names no release"),
    );
    let output = taskdef("releases", &["compat", "HEAD"], &repo);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        text(&output).contains("release 1.0: compared with HEAD:docs/tasks/1.0/ (2 tasks)"),
        "{output:?}"
    );
    std::fs::remove_dir_all(&repo).unwrap();
}
