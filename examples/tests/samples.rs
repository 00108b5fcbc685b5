//! The sample task data in `samples/<task>/` (Debusine 0.16's, the default release) and
//! `samples-0.11/<task>/` (Debusine 0.11's, read in release 0.11): every `valid-*` configures,
//! every `invalid-*` is refused with the pointer and message of its `.expect` file (pointer on
//! the first line, a part of the message on the second; any further line is a note).

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

/// The releases with samples of their own: each directory, and the release it is read in
/// (`None`: the default, the newest).
const RELEASES: [(&str, Option<&str>); 2] = [("samples", None), ("samples-0.11", Some("0.11"))];

fn configure(task: &str, path: &Path) -> Result<(), ConfigureByNameError> {
    let text = std::fs::read_to_string(path).expect("sample readable");
    let input = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml") => TaskInput::yaml(&text),
        _ => TaskInput::Json(&text),
    };
    let release = RELEASES
        .iter()
        .find(|(dir, _)| path.parent().and_then(Path::parent) == Some(&dir_of(dir)))
        .and_then(|(_, release)| *release);
    match release {
        Some(release) => Registry::global().configure_in(task, release, input),
        None => Registry::global().configure(task, input),
    }
    .map(drop)
}

fn dir_of(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
}

/// The samples of `task`: those of every release directory that has the task.
fn samples(task: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = RELEASES
        .iter()
        .filter(|(dir, _)| *dir != "samples")
        .flat_map(|(dir, _)| release_samples(&dir_of(dir).join(task)))
        .collect();
    paths.extend(default_samples(task));
    paths
}

/// The samples of the release directory `dir`, if it has them.
fn release_samples(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
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

/// The samples of `samples/<task>/`, which every task has.
fn default_samples(task: &str) -> Vec<PathBuf> {
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
        let names: Vec<String> = default_samples(task)
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
            let name = sample_name(&path);
            if !name.rsplit('/').next().unwrap().starts_with("valid-") {
                continue;
            }
            if let Err(error) = configure(task, &path) {
                failures.push(format!("{name}: {error}"));
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
            let name = sample_name(&path);
            if !name.rsplit('/').next().unwrap().starts_with("invalid-") {
                continue;
            }
            let expect = std::fs::read_to_string(path.with_extension("expect"))
                .unwrap_or_else(|_| panic!("{name}: no .expect file"));
            let mut lines = expect.lines();
            let pointer = lines.next().unwrap_or_default();
            let message = lines.next().unwrap_or_default();
            match configure(task, &path) {
                Ok(()) => failures.push(format!("{name}: accepted")),
                Err(ConfigureByNameError::Config(error)) => {
                    let found = error
                        .violations()
                        .iter()
                        .any(|v| v.pointer == pointer && v.message.contains(message));
                    if !found {
                        failures.push(format!(
                            "{name}: expected {pointer:?} {message:?}, got {:?}",
                            error
                                .violations()
                                .iter()
                                .map(|v| (v.pointer.clone(), v.message.clone()))
                                .collect::<Vec<_>>()
                        ));
                    }
                }
                Err(other) => failures.push(format!("{name}: {other}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `<dir>/<task>/<file>`, for messages.
fn sample_name(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .rev()
        .take(3)
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

#[test]
fn each_release_directory_has_valid_and_invalid_samples_of_its_tasks() {
    for (dir, release) in RELEASES.iter().filter(|(dir, _)| *dir != "samples") {
        let mut tasks = 0;
        for task in TASKS {
            let paths = release_samples(&dir_of(dir).join(task));
            if paths.is_empty() {
                continue;
            }
            tasks += 1;
            let names: Vec<String> = paths.iter().map(|path| sample_name(path)).collect();
            for prefix in ["valid-", "invalid-"] {
                assert!(
                    names
                        .iter()
                        .any(|n| n.rsplit('/').next().unwrap().starts_with(prefix)),
                    "{dir}/{task}: no {prefix} sample"
                );
            }
            // The task has a form of its own for that release.
            let entry = Registry::global().get(task).unwrap();
            assert!(
                entry.releases().any(|r| Some(r) == *release),
                "{dir}/{task}: the task has no form for {release:?}"
            );
        }
        assert!(tasks > 0, "{dir}: no samples");
    }
}
