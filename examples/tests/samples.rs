//! The sample task data in `samples/<task>/` (Debusine 0.16's data) and `samples-0.11/<task>/`
//! (Debusine 0.11's): every `valid-*` configures, every `invalid-*` is refused with the pointer
//! and message of its `.expect` file (pointer on the first line, a part of the message on the
//! second).

use std::path::{Path, PathBuf};

use taskdef::{ConfigureByNameError, Registry, TaskInput};
use taskdef_examples as _;

const TASKS: [&str; 10] = [
    "autopkgtest",
    "blhc",
    "debdiff",
    "lintian",
    "makesourcepackageupload",
    "mmdebstrap",
    "noop",
    "piuparts",
    "sbuild",
    "simplesystemimagebuild",
];

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn configure(task: &str, path: &Path) -> Result<(), ConfigureByNameError> {
    let text = std::fs::read_to_string(path).expect("sample readable");
    let input = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml") => TaskInput::yaml(&text),
        _ => TaskInput::Json(&text),
    };
    Registry::global().configure(task, input).map(drop)
}

fn samples(task: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(samples_dir().join(task))
        .unwrap_or_else(|error| panic!("samples/{task}: {error}"))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            )
        })
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_task_has_valid_and_invalid_samples() {
    for task in TASKS {
        let names: Vec<String> = samples(task)
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("valid-")),
            "{task}: no valid sample"
        );
        assert!(
            names.iter().any(|n| n.starts_with("invalid-")),
            "{task}: no invalid sample"
        );
    }
    let yaml = TASKS
        .iter()
        .flat_map(|task| samples(task))
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .count();
    assert!(yaml >= 2, "only {yaml} YAML samples");
}

#[test]
fn valid_samples_configure() {
    let mut failures = Vec::new();
    for task in TASKS {
        for path in samples(task) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("valid-") {
                continue;
            }
            if let Err(error) = configure(task, &path) {
                failures.push(format!("{task}/{name}: {error}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_samples_are_refused_as_expected() {
    let mut failures = Vec::new();
    for task in TASKS {
        for path in samples(task) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("invalid-") {
                continue;
            }
            let expect = std::fs::read_to_string(path.with_extension("expect"))
                .unwrap_or_else(|_| panic!("{task}/{name}: no .expect file"));
            let mut lines = expect.lines();
            let pointer = lines.next().unwrap_or_default();
            let message = lines.next().unwrap_or_default();
            match configure(task, &path) {
                Ok(()) => failures.push(format!("{task}/{name}: accepted")),
                Err(ConfigureByNameError::Config(error)) => {
                    let found = error
                        .violations()
                        .iter()
                        .any(|v| v.pointer == pointer && v.message.contains(message));
                    if !found {
                        failures.push(format!(
                            "{task}/{name}: expected {pointer:?} {message:?}, got {:?}",
                            error
                                .violations()
                                .iter()
                                .map(|v| (v.pointer.clone(), v.message.clone()))
                                .collect::<Vec<_>>()
                        ));
                    }
                }
                Err(other) => failures.push(format!("{task}/{name}: {other}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The tasks with samples of Debusine 0.11's data: the folders of `samples-0.11/`.
fn tasks_0_11() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples-0.11");
    let mut tasks: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    tasks.sort();
    tasks
}

fn samples_0_11(task: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples-0.11")
        .join(task);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            )
        })
        .collect();
    paths.sort();
    paths
}

#[test]
fn samples_of_debusine_0_11_configure_in_0_11() {
    let tasks = tasks_0_11();
    assert!(tasks.len() >= 6, "{tasks:?}");
    let mut failures = Vec::new();
    for task in &tasks {
        // Each of these tasks has a form of its own for 0.11's data.
        let entry = Registry::global().get(task).unwrap();
        assert!(
            entry.releases().any(|release| release == "0.11"),
            "{task}: no 0.11 form"
        );
        let paths = samples_0_11(task);
        let name = |path: &PathBuf| path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            paths.iter().any(|p| name(p).starts_with("valid-")),
            "{task}: no valid sample"
        );
        assert!(
            paths.iter().any(|p| name(p).starts_with("invalid-")),
            "{task}: no invalid sample"
        );
        for path in paths {
            let name = name(&path);
            let text = std::fs::read_to_string(&path).expect("sample readable");
            let input = match path.extension().and_then(|e| e.to_str()) {
                Some("yaml") => TaskInput::yaml(&text),
                _ => TaskInput::Json(&text),
            };
            let result = Registry::global().configure_in(task, "0.11", input);
            if name.starts_with("valid-") {
                if let Err(error) = result {
                    failures.push(format!("{task}/{name}: {error}"));
                }
                continue;
            }
            let expect = std::fs::read_to_string(path.with_extension("expect"))
                .unwrap_or_else(|_| panic!("{task}/{name}: no .expect file"));
            let mut lines = expect.lines();
            let pointer = lines.next().unwrap_or_default();
            let message = lines.next().unwrap_or_default();
            match result {
                Ok(_) => failures.push(format!("{task}/{name}: accepted")),
                Err(ConfigureByNameError::Config(error)) => {
                    let found = error
                        .violations()
                        .iter()
                        .any(|v| v.pointer == pointer && v.message.contains(message));
                    if !found {
                        failures.push(format!(
                            "{task}/{name}: expected {pointer:?} {message:?}, got {error}"
                        ));
                    }
                }
                Err(other) => failures.push(format!("{task}/{name}: {other}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
