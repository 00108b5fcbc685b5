//! `extractforsigning`, `assemblesignedsource` and `mergeuploads` run for real, offline:
//! `taskdef run` with local inputs the tests build with Debian's tools (a signing template and
//! the package it names, a fake signature of the extracted file, two real uploads of one
//! source), checked with Debian's tools and against Debusine's own models and merge, in each
//! release's Python (`tests/debusine/server` builds it; the test fails without it): the
//! samples' verdicts, the dynamic data's, the data of every artifact the runs made, and the
//! merged `.changes`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::{Value, json};
use taskdef::{Execute, Registry, TaskInput};
use taskdef_examples::deb822;
use taskdef_examples::debusine_0_11;
use taskdef_examples::tasks::{AssembleSignedSource, ExtractForSigning, MergeUploads};

#[allow(dead_code)]
#[path = "support/debusine.rs"]
mod debusine_server;
use debusine_server::{Server, Suite, started};

#[allow(dead_code)]
#[path = "support/debian_fixtures.rs"]
mod fixtures;
use fixtures::{MANIFEST, efi_deb, fresh, template_deb, write};

const MODELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/debusine_models.py"
);

/// `taskdef run <task> <data> --work-dir <work>`.
fn run(task: &str, data: Value, work: &Path) -> Output {
    let file = work.join("task-data.json");
    std::fs::write(&file, data.to_string()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["run", task])
        .arg(&file)
        .arg("--work-dir")
        .arg(work)
        .output()
        .unwrap()
}

fn result(output: &Output) -> String {
    let payload: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    payload["result"].as_str().unwrap_or_default().to_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn recorded(work: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(work.join("uploads.json")).unwrap()).unwrap()
}

/// A Debusine release's Python running Debusine's models, with its packages on the path:
/// sid's (0.16.2) or trixie's (0.11.3), whose environment the server script builds (started
/// once per run; without it the test fails, saying what the script needs).
fn debusine(release: &str) -> Command {
    static SID: OnceLock<Server> = OnceLock::new();
    static TRIXIE: OnceLock<Server> = OnceLock::new();
    let (cell, suite) = match release {
        "0.16" => (&SID, Suite::Sid),
        _ => (&TRIXIE, Suite::Trixie),
    };
    let mut command = cell.get_or_init(|| started(suite)).python(&[MODELS]);
    command.env("DJANGO_SETTINGS_MODULE", "debusine.project.settings");
    command
}

/// Debusine's verdicts, one JSON object a line.
fn verdicts(mut command: Command, args: &[&str]) -> Vec<Value> {
    let output = command.args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

// ---- the samples and the dynamic data, against Debusine's models ----

/// The sample files of `task` under `dir` (`samples` or `samples-0.11`).
fn samples(dir: &str, task: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(task);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json" || e == "yaml"))
        .collect();
    paths.sort();
    paths
}

fn sample_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml") => TaskInput::yaml(&text).into_value().unwrap().into_owned(),
        _ => serde_json::from_str(&text).unwrap(),
    }
}

/// taskdef's verdict on a 0.11 sample: the 0.11 struct (strict serde, as the schema), converted
/// into the task's, whose rules then run; the error's text.
fn verdict_0_11(task: &str, data: Value) -> Result<(), String> {
    fn check<Old, New>(data: Value) -> Result<(), String>
    where
        Old: serde::de::DeserializeOwned,
        New: From<Old> + Execute,
    {
        let old: Old = serde_json::from_value(data).map_err(|error| error.to_string())?;
        New::from(old).validate().map_err(|error| error.to_string())
    }
    match task {
        "extractforsigning" => check::<debusine_0_11::ExtractForSigning, ExtractForSigning>(data),
        "assemblesignedsource" => {
            check::<debusine_0_11::AssembleSignedSource, AssembleSignedSource>(data)
        }
        "mergeuploads" => check::<debusine_0_11::MergeUploads, MergeUploads>(data),
        other => panic!("{other}"),
    }
}

const TASKS: [(&str, &str); 3] = [
    ("extractforsigning", "ExtractForSigningData"),
    ("assemblesignedsource", "AssembleSignedSourceData"),
    ("mergeuploads", "MergeUploadsData"),
];

#[test]
fn every_sample_gets_the_verdict_of_its_name_from_taskdef_and_from_debusine() {
    let mut failures = Vec::new();
    for (release, dir) in [("0.16", "samples"), ("0.11", "samples-0.11")] {
        for (task, model) in TASKS {
            let paths = samples(dir, task);
            assert!(paths.len() >= 4, "{dir}/{task}: {} samples", paths.len());
            let args: Vec<&str> = ["task-data", model]
                .into_iter()
                .chain(paths.iter().map(|p| p.to_str().unwrap()))
                .collect();
            let theirs = verdicts(debusine(release), &args);
            for (index, path) in paths.iter().enumerate() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let valid = name.starts_with("valid-");
                let data = sample_value(path);
                let ours = match release {
                    "0.16" => Registry::global()
                        .configure(task, TaskInput::from(data))
                        .map(drop)
                        .map_err(|error| error.to_string()),
                    _ => verdict_0_11(task, data),
                };
                if ours.is_ok() != valid {
                    failures.push(format!("taskdef, {dir}/{task}/{name}: {ours:?}"));
                }
                if let (Err(error), false) = (&ours, valid) {
                    let expect = std::fs::read_to_string(path.with_extension("expect")).unwrap();
                    let part = expect.lines().nth(1).unwrap_or_default();
                    if !error.contains(part) {
                        failures.push(format!("{dir}/{task}/{name}: {error:?} lacks {part:?}"));
                    }
                }
                let verdict = &theirs[index];
                if verdict["valid"] != json!(valid) {
                    failures.push(format!(
                        "Debusine {release}, {dir}/{task}/{name}: {verdict}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_dynamic_data_gets_debusines_verdicts() {
    // (task, data, valid in 0.16, valid in 0.11)
    let cases = [
        (
            "extractforsigning",
            json!({"environment_id": 1, "input_template_artifact_id": 2, "input_binary_artifacts_ids": [3, 4]}),
            true,
            true,
        ),
        (
            "extractforsigning",
            json!({"input_template_artifact_id": 2, "input_binary_artifacts_ids": []}),
            false,
            false,
        ),
        (
            "assemblesignedsource",
            json!({"environment_id": 1, "template_id": 2, "signed_ids": [3]}),
            true,
            true,
        ),
        (
            "assemblesignedsource",
            json!({"environment_id": 1, "template_id": 2, "signed_ids": [3], "unsigned_ids": [4]}),
            true,
            false,
        ),
        (
            "mergeuploads",
            json!({"input_uploads_ids": [1, 2], "environment_id": null}),
            true,
            true,
        ),
        (
            "mergeuploads",
            json!({"input_uploads_ids": [1, 1]}),
            false,
            true,
        ),
        (
            "mergeuploads",
            json!({"input_uploads_ids": [1], "subject": "hello", "parameter_summary": "hello (amd64)"}),
            true,
            true,
        ),
    ];
    let mut failures = Vec::new();
    for (task, data, valid_0_16, valid_0_11) in &cases {
        let ours_0_16 = Registry::global()
            .get(task)
            .unwrap()
            .configure_dynamic_data(TaskInput::from(data))
            .is_ok();
        let ours_0_11 = match *task {
            "assemblesignedsource" => serde_json::from_value::<
                debusine_0_11::AssembleSignedSourceDynamicData,
            >(data.clone())
            .is_ok(),
            "mergeuploads" => {
                serde_json::from_value::<debusine_0_11::MergeUploadsDynamicData>(data.clone())
                    .is_ok()
            }
            _ => ours_0_16,
        };
        if ours_0_16 != *valid_0_16 || ours_0_11 != *valid_0_11 {
            failures.push(format!(
                "taskdef {task} {data}: 0.16 {ours_0_16}, 0.11 {ours_0_11}"
            ));
        }
    }
    for (release, valid_in) in [("0.16", 2), ("0.11", 3)] {
        for (task, model) in TASKS {
            let command = debusine(release);
            let mine: Vec<&(&str, Value, bool, bool)> =
                cases.iter().filter(|case| case.0 == task).collect();
            let texts: Vec<String> = mine.iter().map(|case| case.1.to_string()).collect();
            let model = model.replace("Data", "DynamicData");
            let args: Vec<&str> = ["dynamic-data", model.as_str()]
                .into_iter()
                .chain(texts.iter().map(String::as_str))
                .collect();
            for (case, verdict) in mine.iter().zip(verdicts(command, &args)) {
                let valid = if valid_in == 2 { case.2 } else { case.3 };
                if verdict["valid"] != json!(valid) {
                    failures.push(format!("Debusine {release} {task} {}: {verdict}", case.1));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each artifact a run recorded has data that Debusine's models of both releases accept.
fn check_artifacts_with_debusine(recorded: &Value) {
    let mut args = vec!["artifact-data".to_owned()];
    for artifact in recorded["artifacts"].as_array().unwrap() {
        args.push(artifact["category"].as_str().unwrap().to_owned());
        args.push(artifact["data"].to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for release in ["0.16", "0.11"] {
        let command = debusine(release);
        for (index, verdict) in verdicts(command, &args).iter().enumerate() {
            assert_eq!(
                verdict["valid"],
                true,
                "Debusine {release}, {}: {verdict}",
                args[1 + 2 * index]
            );
        }
    }
}

// ---- the real runs ----

#[test]
fn extract_then_sign_then_assemble_for_real() {
    let root = fresh("signing-run");
    // The inputs as a server would lay them out: artifacts/<id>/<files>.
    let work = root.join("extract");
    let template = template_deb(&work.join("artifacts/1"), MANIFEST, &[]);
    efi_deb(&work.join("artifacts/2"));
    let output = run(
        "extractforsigning",
        json!({"environment": "debian/match:codename=sid", "input": {"template_artifact": 1, "binary_artifacts": [2]}}),
        &work,
    );
    assert_eq!(result(&output), "success", "{}", stderr(&output));
    let extracted = recorded(&work);
    let artifacts = extracted["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 1, "{extracted:#}");
    assert_eq!(artifacts[0]["category"], "debusine:signing-input");
    assert_eq!(
        artifacts[0]["data"],
        json!({"trusted_certs": ["0123abcd"], "binary_package_name": "hello-efi"})
    );
    let files = artifacts[0]["files"].as_object().unwrap();
    let names: Vec<&String> = files.keys().collect();
    assert_eq!(names, ["hello-efi/usr/lib/hello/hello.efi"]);
    let extracted_file =
        PathBuf::from(files["hello-efi/usr/lib/hello/hello.efi"].as_str().unwrap());
    let content = std::fs::read_to_string(&extracted_file).unwrap();
    assert_eq!(content, "MZ not really an EFI image\n");
    check_artifacts_with_debusine(&extracted);

    // The signing task, faked: a signature for each file, where Debusine's sign task puts it.
    let work = root.join("assemble");
    std::fs::create_dir_all(work.join("artifacts/1")).unwrap();
    std::fs::copy(
        &template,
        work.join("artifacts/1").join(template.file_name().unwrap()),
    )
    .unwrap();
    let signature = format!("fake signature of {} bytes\n", content.len());
    for name in names {
        write(
            &work.join("artifacts/3").join(format!("{name}.sig")),
            &signature,
        );
    }
    let output = run(
        "assemblesignedsource",
        json!({"environment": "debian/match:codename=sid", "template": 1, "signed": [3]}),
        &work,
    );
    assert_eq!(result(&output), "success", "{}", stderr(&output));
    let assembled = recorded(&work);
    let artifacts = assembled["artifacts"].as_array().unwrap();
    let categories: Vec<&str> = artifacts
        .iter()
        .map(|a| a["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["debian:source-package", "debian:upload"]);
    assert_eq!(
        assembled["relations"],
        json!([{"artifact": 2, "target": 1, "type": "extends"}])
    );
    assert_eq!(artifacts[0]["data"]["name"], "hello-signed");
    assert_eq!(artifacts[0]["data"]["version"], "1.0+1");
    check_artifacts_with_debusine(&assembled);

    // The source package is a real one: dpkg-source unpacks it, signature and all.
    let dsc = artifacts[0]["files"]["hello-signed_1.0+1.dsc"]
        .as_str()
        .unwrap();
    let unpacked = root.join("unpacked");
    fixtures::run(
        Command::new("dpkg-source")
            .args(["--no-check", "-x", dsc])
            .arg(&unpacked),
    );
    assert_eq!(
        std::fs::read_to_string(
            unpacked.join("debian/signatures/hello-efi/usr/lib/hello/hello.efi.sig")
        )
        .unwrap(),
        signature
    );
    let changes = artifacts[1]["files"]["hello-signed_1.0+1_source.changes"]
        .as_str()
        .unwrap();
    let fields = deb822::read_first(Path::new(changes)).unwrap();
    assert_eq!(deb822::field(&fields, "Distribution"), Some("unstable"));
    assert_eq!(
        deb822::listed_files(&fields),
        ["hello-signed_1.0+1.dsc", "hello-signed_1.0+1.tar.xz"]
    );
}

#[test]
fn merge_two_real_uploads_as_debusine_merges_them() {
    let root = fresh("merge-run");
    let work = root.join("work");
    let (source, binary) = fixtures::uploads(
        &root,
        "1:2.0",
        &work.join("artifacts/1"),
        &work.join("artifacts/2"),
    );
    let output = run("mergeuploads", json!({"input": {"uploads": [1, 2]}}), &work);
    assert_eq!(result(&output), "success", "{}", stderr(&output));
    let merged = recorded(&work);
    let artifacts = merged["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 1);
    assert_eq!(artifacts[0]["category"], "debian:upload");
    let files = artifacts[0]["files"].as_object().unwrap();
    let mut names: Vec<&String> = files.keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "hello_2.0.dsc",
            "hello_2.0.tar.xz",
            "hello_2.0_amd64.deb",
            "hello_2.0_multi.changes"
        ]
    );
    let fields = &artifacts[0]["data"]["changes_fields"];
    assert_eq!(fields["Architecture"], "amd64 source");
    assert_eq!(fields["Binary"], "hello");
    assert_eq!(fields["Version"], "1:2.0");
    check_artifacts_with_debusine(&merged);

    // Debusine's own merge of the same files says the same, field for field.
    let ours = PathBuf::from(files["hello_2.0_multi.changes"].as_str().unwrap());
    {
        let command = debusine("0.16");
        let exec = root.join("debusine-merge");
        std::fs::create_dir_all(&exec).unwrap();
        let output = { command }
            .args(["merge", exec.to_str().unwrap()])
            .arg(&source)
            .arg(&binary)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let theirs = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        assert_eq!(ours.file_name(), theirs.file_name());
        assert_eq!(
            deb822::read_first(&ours).unwrap(),
            deb822::read_first(&theirs).unwrap()
        );
    }
}

#[test]
fn a_bad_template_or_uploads_that_do_not_match_fail_the_run_and_say_why() {
    let root = fresh("signing-failures");
    let cases: [(&str, &str, &str); 3] = [
        (
            "escape",
            r#"{"packages": {"hello-efi": {"files": [{"sig_type": "efi", "file": "usr/lib/../../../etc/passwd"}]}}}"#,
            "File name 'usr/lib/../../../etc/passwd' may not contain '..' segments",
        ),
        (
            "missing",
            r#"{"packages": {"hello-other": {"files": [{"sig_type": "efi", "file": "a"}]}}}"#,
            "The template lists package 'hello-other', which is not among input.binary_artifacts",
        ),
        ("not-json", "{", "files.json of the template: EOF"),
    ];
    for (name, manifest, says) in cases {
        let work = root.join(name);
        template_deb(&work.join("artifacts/1"), manifest, &[]);
        efi_deb(&work.join("artifacts/2"));
        let output = run(
            "extractforsigning",
            json!({"environment": 7, "input": {"template_artifact": 1, "binary_artifacts": [2]}}),
            &work,
        );
        assert_eq!(result(&output), "failure", "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(says),
            "{name}: {}",
            stderr(&output)
        );
        assert!(!work.join("uploads.json").exists(), "{name}: uploaded");
    }

    // A file of the package that is a link out of it.
    let work = root.join("link");
    template_deb(&work.join("artifacts/1"), MANIFEST, &[]);
    let package = work.join("package");
    write(
        &package.join("DEBIAN/control"),
        "Package: hello-efi\nVersion: 1.0\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: x\n",
    );
    std::fs::create_dir_all(package.join("usr/lib/hello")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", package.join("usr/lib/hello/hello.efi")).unwrap();
    std::fs::create_dir_all(work.join("artifacts/2")).unwrap();
    fixtures::run(
        Command::new("dpkg-deb")
            .args(["--build", "--root-owner-group"])
            .arg(&package)
            .arg(work.join("artifacts/2/hello-efi_1.0_amd64.deb")),
    );
    let output = run(
        "extractforsigning",
        json!({"environment": 7, "input": {"template_artifact": 1, "binary_artifacts": [2]}}),
        &work,
    );
    assert_eq!(result(&output), "failure", "{}", stderr(&output));
    assert!(
        stderr(&output).contains("may not traverse symlinks to outside the package"),
        "{}",
        stderr(&output)
    );

    // A signature the template asks for and nobody made.
    let work = root.join("unsigned");
    template_deb(&work.join("artifacts/1"), MANIFEST, &[]);
    write(
        &work.join("artifacts/3/hello-efi/usr/lib/other.efi.sig"),
        "S",
    );
    let output = run(
        "assemblesignedsource",
        json!({"environment": 7, "template": 1, "signed": [3]}),
        &work,
    );
    assert_eq!(result(&output), "failure", "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("uefi signature of 'hello-efi/usr/lib/hello/hello.efi' not available"),
        "{}",
        stderr(&output)
    );

    // Two uploads of different versions.
    let work = root.join("versions");
    fixtures::uploads(
        &root.join("v1"),
        "1.0",
        &work.join("artifacts/1"),
        &root.join("unused-1"),
    );
    fixtures::uploads(
        &root.join("v2"),
        "1.1",
        &root.join("unused-2"),
        &work.join("artifacts/2"),
    );
    let output = run("mergeuploads", json!({"input": {"uploads": [1, 2]}}), &work);
    assert_eq!(result(&output), "failure", "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Version fields do not match: ['1.0', '1.1']"),
        "{}",
        stderr(&output)
    );
}
