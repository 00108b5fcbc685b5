//! Worker metadata and `can_run_on`: the seed's version check plus Debusine's base checks.

use serde_json::{Map, Value, json};
use taskdef::{
    DynTask, Registry, RunCheckFailure, Task, TaskKind, WorkerMetadata, WorkerType, can_run_on,
    check_can_run_on, system_metadata,
};
use taskdef_tests::{ServerNoop, SigningNoop, TestBuildTask, TestDelay, TestNoop};

fn worker(value: Value) -> WorkerMetadata {
    WorkerMetadata::from_value(value).unwrap()
}

/// An external amd64 worker with every test task at its current version.
fn matching_worker() -> WorkerMetadata {
    let mut metadata = worker(json!({
        "system:worker_type": "external",
        "system:architectures": ["amd64", "i386"],
    }));
    for (key, value) in Registry::global().analyze_worker_all_tasks() {
        metadata.insert(key, value);
    }
    metadata
}

fn build(arch: &str) -> TestBuildTask {
    TestBuildTask::configure(json!({"host_architecture": arch})).unwrap()
}

#[test]
fn version_keys_follow_debusine_prefix_rule() {
    assert_eq!(TestNoop::version_key(), "testnoop:version");
    assert_eq!(ServerNoop::version_key(), "server:servernoop:version");
    assert_eq!(SigningNoop::version_key(), "signing:testnoop:version");
    assert_eq!(TestDelay::version_key(), "wait:testdelay:version");
    assert_eq!(
        TaskKind::Internal.prefix_with_task_name("x", "y"),
        "internal:x:y"
    );
}

#[test]
fn analyze_worker_for_one_task_has_its_version_and_its_own_prefixed_keys() {
    let mut expected = Map::new();
    expected.insert("testnoop:version".into(), 1.into());
    assert_eq!(TestNoop::analyze_worker_metadata(), expected);

    let mut expected = Map::new();
    expected.insert("testbuild:version".into(), 3.into());
    expected.insert("testbuild:available".into(), true.into());
    assert_eq!(TestBuildTask::analyze_worker_metadata(), expected);
}

#[test]
fn analyze_worker_for_all_tasks_merges_every_task() {
    let all = Registry::global().analyze_worker_all_tasks();
    let expected = json!({
        "testnoop:version": 1,
        "testbuild:version": 3,
        "testbuild:available": true,
        "testfailing:version": 1,
        "server:servernoop:version": 2,
        "signing:testnoop:version": 1,
        "wait:testdelay:version": 1,
    });
    assert_eq!(Value::Object(all), expected);
}

#[test]
fn can_run_on_with_matching_and_mismatching_versions() {
    let task = TestNoop::configure("{}").unwrap();
    let mut metadata = matching_worker();
    assert!(can_run_on(&task, &metadata));

    metadata.insert("testnoop:version", 2);
    assert!(!can_run_on(&task, &metadata));
    assert_eq!(
        check_can_run_on(&task, &metadata).unwrap_err().to_string(),
        "`testnoop:version` is `2`, but the task is version 1"
    );

    metadata.insert("testnoop:version", "1");
    assert!(!can_run_on(&task, &metadata), "a string is not a version");

    let mut missing = matching_worker();
    missing.insert("testnoop:version", Value::Null);
    assert!(matches!(
        check_can_run_on(&task, &missing),
        Err(RunCheckFailure::Version {
            found: Some(Value::Null),
            ..
        })
    ));
}

#[test]
fn the_worker_type_must_fit_the_kind() {
    let task = TestNoop::configure("{}").unwrap();
    let mut metadata = matching_worker();
    metadata.insert("system:worker_type", "celery");
    assert_eq!(
        check_can_run_on(&task, &metadata).unwrap_err().to_string(),
        "worker type is `\"celery\"`, but worker tasks need `external`"
    );

    let server = ServerNoop::configure("{}").unwrap();
    assert!(can_run_on(&server, &metadata));

    metadata.insert("system:worker_type", "signing");
    let signing = SigningNoop::configure("{}").unwrap();
    assert!(can_run_on(&signing, &metadata));

    let wait = TestDelay::configure("{}").unwrap();
    assert_eq!(
        check_can_run_on(&wait, &metadata),
        Err(RunCheckFailure::NotSchedulable {
            kind: TaskKind::Wait
        })
    );

    let mut untyped = matching_worker();
    untyped.insert("system:worker_type", json!(["external"]));
    assert!(!can_run_on(&task, &untyped), "a list is not a worker type");
}

#[test]
fn the_host_architecture_must_be_listed() {
    let metadata = matching_worker();
    assert!(can_run_on(&build("i386"), &metadata));
    let failure = check_can_run_on(&build("arm64"), &metadata).unwrap_err();
    assert_eq!(
        failure.to_string(),
        "host architecture: architecture `arm64` is not in `system:architectures` [\"amd64\", \"i386\"]"
    );

    let mut wrong_type = matching_worker();
    wrong_type.insert("system:architectures", "amd64");
    assert_eq!(
        check_can_run_on(&build("amd64"), &wrong_type)
            .unwrap_err()
            .to_string(),
        "host architecture: `system:architectures` is `\"amd64\"`, not a list of architectures"
    );
}

#[test]
fn the_task_hook_only_adds_conditions() {
    let mut metadata = matching_worker();
    assert!(can_run_on(&build("amd64"), &metadata));

    metadata.insert("testbuild:available", false);
    assert_eq!(
        check_can_run_on(&build("amd64"), &metadata),
        Err(RunCheckFailure::Task(taskdef::Unmet::new(
            "`testbuild:available` is `false`, not true"
        )))
    );

    // The hook would pass, but the base version check still runs first.
    let mut old = matching_worker();
    old.insert("testbuild:version", 2);
    assert!(matches!(
        check_can_run_on(&build("amd64"), &old),
        Err(RunCheckFailure::Version { expected: 3, .. })
    ));
}

#[test]
fn boxed_tasks_check_the_same_way() {
    let task: Box<dyn DynTask> = Registry::global()
        .configure("testbuild", r#"{"host_architecture": "s390x"}"#)
        .unwrap();
    let metadata = matching_worker();
    assert!(!task.can_run_on(&metadata));
    assert!(matches!(
        task.check_can_run_on(&metadata),
        Err(RunCheckFailure::Architecture(_))
    ));
}

#[test]
fn worker_metadata_accessors_never_panic_on_wrong_types() {
    let metadata = worker(json!({
        "system:cpu_count": "four",
        "system:total_physical_memory": -1,
        "system:worker_type": "robot",
        "system:architectures": ["amd64", 3],
        "tasks_allowlist": ["sbuild"],
        "tasks_denylist": "sbuild",
    }));
    assert_eq!(metadata.cpu_count(), None);
    assert_eq!(metadata.total_physical_memory(), None);
    assert_eq!(metadata.worker_type(), None);
    assert_eq!(metadata.architectures(), None);
    assert_eq!(metadata.tasks_allowlist(), Some(vec!["sbuild"]));
    assert_eq!(metadata.tasks_denylist(), None);
    assert!(!can_run_on(&build("amd64"), &metadata));
    assert!(WorkerMetadata::from_value(json!([1])).is_none());
}

#[test]
fn system_metadata_uses_debusine_key_names() {
    let metadata = WorkerMetadata::new(system_metadata(WorkerType::External));
    assert_eq!(metadata.worker_type(), Some(WorkerType::External));
    assert!(metadata.cpu_count().unwrap() >= 1);
    assert!(metadata.total_physical_memory().unwrap() > 0);
    for backend in ["unshare", "incus-lxc", "incus-vm", "qemu"] {
        let key = format!("executor:{backend}:available");
        assert!(metadata.get(&key).is_some_and(Value::is_boolean), "{key}");
    }
    if let Some(host) = metadata.host_architecture() {
        let architectures = metadata.architectures().unwrap();
        assert!(architectures.contains(&host));
        assert!(architectures.is_sorted());
    } else {
        assert!(metadata.get("system:architectures").is_none());
    }
    let celery = WorkerMetadata::new(system_metadata(WorkerType::Celery));
    assert_eq!(celery.worker_type(), Some(WorkerType::Celery));
}
