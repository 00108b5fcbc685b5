//! can_run_on over arbitrary worker metadata, for a configured task of every kind of check:
//! never a panic, and a "yes" only when the version and worker type really match.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskdef::{Registry, WorkerMetadata, WorkerType};

mod common;

/// A valid document per task, so the checks after configure are reached.
const SAMPLES: [(&str, &str); 4] = [
    ("noop", "{}"),
    (
        "sbuild",
        r#"{"input": {"source_artifact": 1}, "environment": 2, "host_architecture": "amd64"}"#,
    ),
    (
        "autopkgtest",
        r#"{"input": {"source_artifact": 1, "binary_artifacts": [2]}, "environment": 3, "host_architecture": "arm64", "backend": "qemu"}"#,
    ),
    (
        "mmdebstrap",
        r#"{"bootstrap_options": {"architecture": "i386"}, "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "bookworm"}]}"#,
    ),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (name, sample) = SAMPLES[usize::from(selector) % SAMPLES.len()];
    let task = Registry::global()
        .configure(name, sample)
        .expect("the sample is valid");
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(rest) else {
        return;
    };
    let Some(worker) = WorkerMetadata::from_value(value) else {
        return;
    };
    if task.check_can_run_on(&worker).is_ok() {
        let key = format!("{name}:version");
        assert_eq!(worker.version(&key), Some(u64::from(task.version())));
        assert_eq!(worker.worker_type(), Some(WorkerType::External));
    }
});
