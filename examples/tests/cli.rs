//! Tests of the `taskdef` binary: every subcommand, run as a user would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use taskdef::Registry;

// Link the catalogue into this test too, for the registry-side checks.
use taskdef_examples as _;

fn taskdef(args: &[&str]) -> Output {
    taskdef_with_stdin(args, "")
}

fn taskdef_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A child that exits before reading its input closes the pipe: then its output and status
    // are what the test should see, not the failed write.
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    if let Err(error) = written {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "taskdef-cli-{name}-{}-{unique}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

const AUTOPKGTEST_INVALID: &str = r#"{
  "input": {"source_artifact": 1, "binary_artifacts": []},
  "build_architecture": "amd64",
  "environment": "debian/match:codename=trixie",
  "debug_level": 4,
  "bogus": true
}
"#;

// ---- help and errors ----

#[test]
fn every_subcommand_has_help_with_the_exit_codes() {
    for sub in [
        "list", "schema", "docs", "validate", "metadata", "can-run", "run", "compat",
    ] {
        let output = taskdef(&[sub, "--help"]);
        assert_eq!(output.status.code(), Some(0), "{sub}");
        let text = stdout(&output);
        assert!(text.contains("Usage: taskdef"), "{sub}: {text}");
        assert!(
            text.contains("Exit codes:") && text.contains("130"),
            "{sub}"
        );
    }
    let output = taskdef(&["--help"]);
    assert!(stdout(&output).contains("can-run"));
}

#[test]
fn usage_errors_exit_with_2() {
    let output = taskdef(&["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("frobnicate"));
    assert_eq!(taskdef(&[]).status.code(), Some(2));
    assert_eq!(taskdef(&["docs"]).status.code(), Some(2));
    assert_eq!(
        taskdef(&["docs", "--out", "a", "--check", "b"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(taskdef(&["run", "noop"]).status.code(), Some(2));
}

#[test]
fn unknown_tasks_and_unreadable_files_are_named() {
    let output = taskdef(&["schema", "nosuchtask"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.starts_with("error: 'nosuchtask' is not a registered task_name"),
        "{text}"
    );
    assert!(text.contains("noop"), "lists the registered tasks: {text}");

    let output = taskdef(&["validate", "sbiuld", "-"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: 'sbiuld' is not a registered task_name (did you mean 'sbuild'?)\n"
    );

    let output = taskdef(&["validate", "noop", "/nonexistent/data.json"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("cannot read `/nonexistent/data.json`"),
        "{text}"
    );
    assert!(!text.contains("panicked"));
}

// ---- list and schema ----

#[test]
fn list_shows_every_task_sorted() {
    let output = taskdef(&["list"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let names: Vec<&str> = text
        .lines()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, Registry::global().names());
    let noop = text.lines().find(|line| line.starts_with("noop ")).unwrap();
    let words: Vec<&str> = noop.split_whitespace().collect();
    assert_eq!(&words[..3], ["noop", "worker", "v1"]);
    let summary = Registry::global().get("noop").unwrap().summary();
    assert!(noop.ends_with(summary), "{noop}");
}

#[test]
fn list_json_has_name_kind_version_and_description() {
    let output = taskdef(&["list", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), Registry::global().entries().len());
    let sbuild = list.iter().find(|task| task["name"] == "sbuild").unwrap();
    let entry = Registry::global().get("sbuild").unwrap();
    assert_eq!(
        *sbuild,
        json!({
            "name": "sbuild",
            "kind": "worker",
            "version": 1,
            "version_key": "sbuild:version",
            "description": entry.summary(),
            "releases": entry.releases().collect::<Vec<_>>(),
        })
    );
}

#[test]
fn schema_prints_the_task_schema() {
    let output = taskdef(&["schema", "Lintian"]);
    assert_eq!(output.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        &printed,
        Registry::global().get("lintian").unwrap().schema()
    );
    assert_eq!(
        printed["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // Pretty, keys sorted: `$defs` before `$schema` before `additionalProperties`.
    let text = stdout(&output);
    assert!(text.starts_with("{\n  \"$defs\": {"), "{}", &text[..40]);
}

// ---- validate ----

#[test]
fn validate_ok_for_json_yaml_and_stdin() {
    let dir = temp_dir("validate-ok");
    let json_file = write(&dir, "noop.json", r#"{"result": "failure"}"#);
    let yaml_file = write(&dir, "noop.yml", "result: failure\n");
    for args in [
        vec!["validate", "noop", json_file.as_str()],
        vec!["validate", "noop", yaml_file.as_str()],
    ] {
        let output = taskdef(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), "ok\n");
    }
    for text in [r#"{"result": "success"}"#, "result: success\n", "{}"] {
        let output = taskdef_with_stdin(&["validate", "noop", "-"], text);
        assert_eq!(output.status.code(), Some(0), "{text}: {}", stderr(&output));
        assert_eq!(stdout(&output), "ok\n");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_json_reports_every_error_with_line_column_and_pointer() {
    let dir = temp_dir("validate-json");
    let file = write(&dir, "autopkgtest.json", AUTOPKGTEST_INVALID);
    let output = taskdef(&["validate", "autopkgtest", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let text = stderr(&output);
    let expected_maximum = format!(
        "error: 4 is greater than the maximum of 3\n  \
         --> {file}:5:18\n   \
         |\n \
         5 |   \"debug_level\": 4,\n   \
         |                  ^ /debug_level\n"
    );
    assert!(text.contains(&expected_maximum), "{text}");
    let expected_unknown = format!(
        "error: Additional properties are not allowed ('bogus' was unexpected)\n  \
         --> {file}:6:3\n   \
         |\n \
         6 |   \"bogus\": true\n   \
         |   ^ /bogus\n"
    );
    assert!(text.contains(&expected_unknown), "{text}");
    assert!(
        text.ends_with(&format!(
            "error: `{file}` is not valid `autopkgtest` task data (2 errors)\n"
        )),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_json_output_is_one_object_per_violation_for_programs() {
    let dir = temp_dir("validate-machine");
    let file = write(
        &dir,
        "noop.json",
        "{\n  \"result\": 5,\n  \"bogus\": true\n}\n",
    );
    let output = taskdef(&["validate", "noop", &file, "--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let violations: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let violations = violations.as_array().unwrap();
    let bogus = violations
        .iter()
        .find(|violation| violation["pointer"] == "/bogus")
        .unwrap_or_else(|| panic!("{violations:?}"));
    assert_eq!(bogus["kind"], "unknown_key");
    assert_eq!(
        (bogus["line"].as_u64(), bogus["column"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(
        bogus["message"].as_str().unwrap().contains("'bogus'"),
        "{bogus}"
    );
    let result = violations
        .iter()
        .find(|violation| violation["pointer"] == "/result")
        .unwrap_or_else(|| panic!("{violations:?}"));
    assert_eq!(result["line"], 2);
    for violation in violations {
        let keys: Vec<&str> = violation
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "column",
                "kind",
                "line",
                "message",
                "pointer",
                "schema_path"
            ]
        );
    }
    let valid = write(&dir, "valid.json", "{}");
    let output = taskdef(&["validate", "noop", &valid, "--json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "[]\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_yaml_reports_line_and_column() {
    let dir = temp_dir("validate-yaml");
    let file = write(
        &dir,
        "autopkgtest.yaml",
        "input:\n  source_artifact: 1\n  binary_artifacts: []\nbuild_architecture: amd64\n\
         debug_level: 4\n",
    );
    let output = taskdef(&["validate", "autopkgtest", &file]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "error: 4 is greater than the maximum of 3\n  \
             --> {file}:5:14\n   \
             |\n \
             5 | debug_level: 4\n   \
             |              ^ /debug_level\n"
        )),
        "{text}"
    );
    // A missing property points at the object that lacks it: here the document.
    assert!(
        text.contains(&format!(
            "error: \"environment\" is a required property\n  --> {file}:1:1\n"
        )),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_stdin_sniffs_the_format() {
    let output = taskdef_with_stdin(&["validate", "autopkgtest", "-"], AUTOPKGTEST_INVALID);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("  --> <stdin>:5:18\n"), "{text}");

    let yaml = "result: \"yes\"\n";
    let output = taskdef_with_stdin(&["validate", "noop", "-"], yaml);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("  --> <stdin>:1:9\n"), "{text}");
    assert!(text.contains(" 1 | result: \"yes\"\n"), "{text}");
    assert!(text.contains("^ /result"), "{text}");
}

#[test]
fn validate_reports_syntax_errors_and_rule_violations() {
    let output = taskdef_with_stdin(&["validate", "noop", "-"], "{\n  \"result\" true\n}");
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.starts_with("error: invalid JSON"), "{text}");
    assert!(text.contains("  --> <stdin>:2:12\n"), "{text}");

    // lintian's rule: one of source_artifact or binary_artifacts.
    let output = taskdef_with_stdin(
        &["validate", "lintian", "--format", "yaml", "-"],
        "input:\n  binary_artifacts: []\n",
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("One of source_artifact or binary_artifacts must be set"),
        "{text}"
    );
    assert!(text.contains("  --> <stdin>:"), "positioned: {text}");
}

// ---- docs ----

#[test]
fn docs_then_check_passes_then_fails_on_each_kind_of_drift() {
    let dir = temp_dir("docs");
    let out = dir.join("tasks");
    let out_arg = out.to_str().unwrap();
    let output = taskdef(&["docs", "--out", out_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let registry = Registry::global();
    // The catalogue names releases: the index of releases, and a directory per release with
    // its own index and each task's files of that release.
    let releases = registry.releases();
    assert!(releases.len() >= 2, "{releases:?}");
    let list = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let mut expected: Vec<String> = vec!["README.md".to_owned()];
    expected.extend(releases.iter().map(|release| (*release).to_owned()));
    expected.sort();
    assert_eq!(list(&out), expected);
    for release in &releases {
        let mut expected: Vec<String> = vec![
            "README.md".to_owned(),
            "work-request.schema.json".to_owned(),
        ];
        for entry in registry.entries() {
            if entry.form(release).is_err() {
                continue;
            }
            let name = entry.name;
            expected.push(format!("{name}.md"));
            expected.push(format!("{name}.schema.json"));
            expected.push(format!("{name}.dynamic-data.schema.json"));
            expected.push(format!("{name}.changes.json"));
        }
        expected.sort();
        assert!(expected.len() > 1, "tasks in {release}");
        assert_eq!(list(&out.join(release)), expected, "release {release}");
    }

    let check = |expect: i32| {
        let output = taskdef(&["docs", "--check", out_arg]);
        assert_eq!(output.status.code(), Some(expect), "{}", stderr(&output));
        stderr(&output)
    };
    check(0);
    // The drift is made in the directory of the newest release (the binary's default).
    let release = out.join(releases[0]);
    // Generating again changes nothing: the output is deterministic.
    let before = std::fs::read_to_string(release.join("sbuild.md")).unwrap();
    taskdef(&["docs", "--out", out_arg]);
    assert_eq!(
        std::fs::read_to_string(release.join("sbuild.md")).unwrap(),
        before
    );

    std::fs::write(release.join("noop.md"), "edited by hand\n").unwrap();
    let text = check(1);
    assert!(
        text.contains(&format!("changed: {}", release.join("noop.md").display())),
        "{text}"
    );

    std::fs::remove_file(release.join("sbuild.schema.json")).unwrap();
    std::fs::write(release.join("retired.md"), "# an old task\n").unwrap();
    std::fs::write(out.join("retired.md"), "# an old task\n").unwrap();
    let text = check(1);
    assert!(
        text.contains(&format!(
            "missing: {}",
            release.join("sbuild.schema.json").display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("extra: {}", release.join("retired.md").display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("extra: {}", out.join("retired.md").display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("changed: {}", release.join("noop.md").display())),
        "{text}"
    );
    assert!(
        text.contains("regenerate them with `taskdef docs --out"),
        "{text}"
    );

    let output = taskdef(&["docs", "--out", out_arg]);
    assert!(stdout(&output).contains("removed"), "{}", stdout(&output));
    check(0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn messages_name_the_binary_as_it_was_run() {
    use std::os::unix::process::CommandExt;
    let dir = temp_dir("program-name");
    let dir_arg = dir.to_str().unwrap();
    let run_as = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_taskdef"))
            .arg0("/opt/bin/debusine-tasks")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let output = run_as(&["docs", "--check", dir_arg]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "regenerate them with `debusine-tasks docs --out {dir_arg}`"
        )),
        "{text}"
    );
    assert!(!text.contains("taskdef docs"), "{text}");

    let output = run_as(&["bogus"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("Usage: debusine-tasks [OPTIONS] <COMMAND>"),
        "{text}"
    );

    let output = run_as(&["can-run", "--help"]);
    let text = stdout(&output);
    assert!(text.contains("see the `metadata` command"), "{text}");
    assert!(!text.contains("taskdef"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn task_pages_have_the_sections_and_every_example_configures() {
    let registry = Registry::global();
    for entry in registry.entries() {
        let page = taskdef::docs::task_page(entry);
        for section in [
            "## Worker requirements",
            "## Task data",
            "## Example",
            "| Field | Type | Required | Default | Constraints | Description |",
        ] {
            assert!(page.contains(section), "{}: {section}", entry.name);
        }
        assert!(page.contains(&format!("`{}`", entry.version_key())));
        let example = taskdef::docs::example(entry);
        assert_eq!(
            example.error, None,
            "{}'s example does not configure",
            entry.name
        );
        entry
            .configure(&example.value)
            .unwrap_or_else(|error| panic!("{}: {error}", entry.name));
        assert!(page.contains(&taskdef::docs::pretty(&example.value)));
        // The task's cross-field rules, in its words, when it has any.
        assert_eq!(
            page.contains("## Rules"),
            !entry.rules.is_empty(),
            "{}",
            entry.name
        );
        for rule in entry.rules {
            assert!(
                page.contains(&format!("- {rule}\n")),
                "{}: {rule}",
                entry.name
            );
        }
    }
    let sbuild = registry.get("sbuild").unwrap();
    assert!(sbuild.rules.iter().any(|rule| rule.contains("binNMU")));
    assert!(registry.get("noop").unwrap().rules.is_empty());
}

#[test]
fn the_committed_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/tasks");
    let output = taskdef(&["docs", "--check", dir.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}run `cargo run -p taskdef-examples --bin taskdef -- docs --out docs/tasks`",
        stderr(&output)
    );
}

// ---- metadata and can-run ----

#[test]
fn metadata_has_system_keys_and_every_version_key() {
    let output = taskdef(&["metadata"]);
    assert_eq!(output.status.code(), Some(0));
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(metadata["system:worker_type"], "external");
    assert!(metadata["system:cpu_count"].as_u64().unwrap() >= 1);
    for backend in ["unshare", "incus-lxc", "incus-vm", "qemu"] {
        assert!(metadata[format!("executor:{backend}:available")].is_boolean());
    }
    for entry in Registry::global().entries() {
        assert_eq!(metadata[entry.version_key()], json!(entry.version));
    }
    assert!(metadata["sbuild:available"].is_boolean());

    let output = taskdef(&["metadata", "--worker-type", "signing"]);
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(metadata["system:worker_type"], "signing");
    assert_eq!(
        taskdef(&["metadata", "--worker-type", "nope"])
            .status
            .code(),
        Some(2)
    );
}

fn worker(changes: Value) -> Value {
    let mut metadata = json!({
        "system:worker_type": "external",
        "system:host_architecture": "amd64",
        "system:architectures": ["amd64", "i386"],
        "executor:unshare:available": true,
        "noop:version": 1,
        "autopkgtest:version": 1,
        "autopkgtest:available": true,
    });
    for (key, value) in changes.as_object().unwrap() {
        metadata[key] = value.clone();
    }
    metadata
}

fn can_run(task: &str, data: &str, metadata: Value) -> Output {
    let dir = temp_dir("can-run");
    let worker_file = write(&dir, "worker.json", &metadata.to_string());
    let output = taskdef_with_stdin(&["can-run", task, "-", "--worker", &worker_file], data);
    std::fs::remove_dir_all(&dir).unwrap();
    output
}

#[test]
fn can_run_says_yes_or_which_check_failed() {
    let autopkgtest = r#"{"input": {"source_artifact": 1, "binary_artifacts": [2]},
        "build_architecture": "amd64", "environment": 3}"#;
    let yes = can_run("noop", "{}", worker(json!({})));
    assert_eq!(yes.status.code(), Some(0));
    assert_eq!(stdout(&yes), "yes\n");
    assert_eq!(
        stdout(&can_run("autopkgtest", autopkgtest, worker(json!({})))),
        "yes\n"
    );

    let cases = [
        (
            "noop",
            "{}",
            json!({"system:worker_type": "celery"}),
            "worker type is `\"celery\"`",
        ),
        (
            "noop",
            "{}",
            json!({"noop:version": 2}),
            "`noop:version` is `2`, but the task is version 1",
        ),
        (
            "noop",
            "{}",
            json!({"tasks_allowlist": ["sbuild"]}),
            "not in the worker's `tasks_allowlist`",
        ),
        (
            "noop",
            "{}",
            json!({"tasks_denylist": ["noop"]}),
            "is in the worker's `tasks_denylist`",
        ),
        (
            "autopkgtest",
            autopkgtest,
            json!({"system:architectures": ["arm64"]}),
            "host architecture: architecture `amd64` is not in `system:architectures`",
        ),
        (
            "autopkgtest",
            autopkgtest,
            json!({"autopkgtest:available": false}),
            "autopkgtest:available",
        ),
    ];
    for (task, data, changes, reason) in cases {
        let output = can_run(task, data, worker(changes.clone()));
        assert_eq!(output.status.code(), Some(1), "{changes}");
        let text = stdout(&output);
        assert!(
            text.starts_with("no: ") && text.contains(reason),
            "{changes}: {text}"
        );
    }

    let invalid = can_run("noop", r#"{"result": 1}"#, worker(json!({})));
    assert_eq!(invalid.status.code(), Some(1));
    assert_eq!(stdout(&invalid), "no: the task data is invalid\n");
    assert!(stderr(&invalid).contains("^ /result"));

    let dir = temp_dir("can-run-bad-worker");
    let worker_file = write(&dir, "worker.json", "[1, 2]");
    let output = taskdef_with_stdin(&["can-run", "noop", "-", "--worker", &worker_file], "{}");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is not worker metadata"));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- run ----

fn payload(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}\n{}", stdout(output), stderr(output)))
}

fn run_work_request(request: Value) -> Output {
    let dir = temp_dir("work-request");
    let file = write(&dir, "request.json", &request.to_string());
    let output = taskdef(&[
        "run",
        "--work-request",
        &file,
        "--work-dir",
        dir.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    output
}

fn error_payload(message: &str, code: &str) -> Value {
    json!({"result": "error", "output_data": {"errors": [{"message": message, "code": code}]}})
}

#[test]
fn run_a_task_from_a_file_prints_the_completion_payload() {
    let output = taskdef_with_stdin(&["run", "noop", "-"], "result: success\n");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(payload(&output), json!({"result": "success"}));
    assert!(
        stderr(&output).contains("task finished"),
        "logs go to stderr"
    );

    let output = taskdef_with_stdin(&["run", "noop", "-"], r#"{"result": "failure"}"#);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(payload(&output), json!({"result": "failure"}));

    let output = taskdef_with_stdin(&["run", "nosuchtask", "-"], "{}");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        payload(&output),
        error_payload("'nosuchtask' is not a registered task_name", "setup-failed")
    );
}

#[test]
fn run_a_work_request_gives_each_error_code() {
    let request = |task_type: &str, task_name: &str, task_data: Value| {
        json!({
            "id": 42, "url": "/api/1.0/work-request/42/", "created_at": "2025-01-01T00:00:00Z",
            "started_at": null, "completed_at": null, "duration": null, "status": "running",
            "result": "", "worker": 3, "task_type": task_type, "task_name": task_name,
            "task_data": task_data, "dynamic_task_data": null, "priority_base": 0,
            "priority_adjustment": 0, "artifacts": [], "workspace": "System",
            "some_future_field": {"ignored": true},
        })
    };

    let output = run_work_request(request("Worker", "noop", json!({"result": "success"})));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(payload(&output), json!({"result": "success"}));

    let output = run_work_request(request("Worker", "NOOP", json!({"result": "failure"})));
    assert_eq!(payload(&output), json!({"result": "failure"}));

    let output = run_work_request(request("Server", "noop", json!({})));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        payload(&output),
        error_payload(
            "this worker runs Worker tasks, not Server tasks",
            "wrong-task-type"
        )
    );

    let output = run_work_request(request("Worker", "nosuchtask", json!({})));
    assert_eq!(
        payload(&output),
        error_payload(
            "'nosuchtask' is not a registered Worker task_name",
            "setup-failed"
        )
    );

    let output = run_work_request(request("Worker", "noop", json!({"result": "no"})));
    assert_eq!(output.status.code(), Some(1));
    let payload = payload(&output);
    assert_eq!(payload["result"], "error");
    let error = &payload["output_data"]["errors"][0];
    assert_eq!(error["code"], "configure-failed");
    assert!(
        error["message"].as_str().unwrap().contains("/result"),
        "{error}"
    );

    // Not a work request at all: a usage error, no payload.
    let output = run_work_request(json!({"task_name": "noop"}));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("missing field `task_type`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn run_offline_writes_what_a_server_would_have_received() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("uploads");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // The fake blhc reports on the log it is given last (`blhc [--debian] -- LOG`: `--debian`
    // when dpkg knows an installed blhc), from the work directory where commands run.
    let blhc = write(
        &bin,
        "blhc",
        "#!/bin/sh\nfor log; do :; done\nprintf 'CFLAGS missing: %s' \"$(cat \"$log\")\"\n",
    );
    std::fs::set_permissions(&blhc, std::fs::Permissions::from_mode(0o755)).unwrap();
    let work = dir.join("work");
    std::fs::create_dir_all(work.join("artifacts/7")).unwrap();
    write(
        &work.join("artifacts/7"),
        "hello_1_amd64.build",
        "gcc -c a.c\n",
    );
    let data = write(
        &dir,
        "blhc.json",
        r#"{"input": {"artifact": 7}, "environment": 3, "build_architecture": "amd64"}"#,
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    // A relative work directory: the paths the task hands its commands still hold there.
    let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["run", "blhc", &data, "--work-dir", "work"])
        .current_dir(&dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let uploads: Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("uploads.json")).unwrap()).unwrap();
    let report = work.join("blhc.txt");
    assert_eq!(
        uploads,
        json!({
            "artifacts": [{"id": 1, "category": "debian:blhc", "data": {},
                           "files": {"blhc.txt": report.to_str().unwrap()}}],
            "relations": [],
        })
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "CFLAGS missing: gcc -c a.c"
    );
    assert!(
        stderr(&output).contains("uploads.json"),
        "{}",
        stderr(&output)
    );
    // A task that makes nothing writes no list.
    let work = dir.join("noop");
    std::fs::create_dir_all(&work).unwrap();
    let data = write(&dir, "noop.json", "{}");
    let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["run", "noop", &data, "--work-dir"])
        .arg(&work)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!work.join("uploads.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
