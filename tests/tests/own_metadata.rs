//! A task reads its own worker metadata by the names it wrote, without spelling its prefix.

use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{
    Execute, Task, TaskContext, TaskError, TaskMetadata, Unmet, WorkerMetadata, WorkerType,
    check_can_run_on, system_metadata,
};

/// A server task probing for a tool.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 3, kind = server)]
struct Hardening {}

impl Execute for Hardening {
    fn analyze_worker(metadata: &mut TaskMetadata<'_>) {
        metadata.insert("available", true);
        metadata.insert("level", 2);
    }

    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        Self::worker_keys(worker).require_flag("available")
    }

    fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

#[test]
fn what_analyze_worker_wrote_is_read_back_by_the_same_names() {
    let mut worker = WorkerMetadata::new(system_metadata(WorkerType::Celery));
    for (key, value) in Hardening::analyze_worker_metadata() {
        worker.insert(key, value);
    }
    assert_eq!(
        worker.get("server:hardening:available"),
        Some(&true.into()),
        "written under the server prefix"
    );
    let keys = Hardening::worker_keys(&worker);
    assert!(keys.flag("available"));
    assert_eq!(keys.get("level"), Some(&2.into()));
    assert_eq!(keys.version(), Some(3));
    assert_eq!(keys.key("available"), "server:hardening:available");
    let task = Hardening::configure("{}").unwrap();
    assert!(check_can_run_on(&task, &worker).is_ok());

    worker.insert("server:hardening:available", false);
    let failure = check_can_run_on(&task, &worker).unwrap_err();
    assert!(
        failure
            .to_string()
            .contains("`server:hardening:available` is `false`, not true"),
        "the message names the full key: {failure}"
    );
    // The old way, spelling the prefix, still reads the same key.
    assert!(worker.require_flag("server:hardening:available").is_err());
    assert!(!Hardening::worker_keys(&worker).flag("available"));
}
