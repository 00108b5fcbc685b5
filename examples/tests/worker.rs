//! Worker metadata keys and the checks of `can_run_on`.

use serde_json::{Value, json};
use taskdef::{DynTask, Registry, RunCheckFailure, WorkerMetadata};
use taskdef_examples as _;

fn worker(extra: Value) -> WorkerMetadata {
    let mut metadata = WorkerMetadata::new(Registry::global().analyze_worker_all_tasks());
    metadata
        .insert("system:worker_type", "external")
        .insert("system:architectures", json!(["amd64", "i386"]));
    for backend in ["unshare", "incus-lxc", "incus-vm", "qemu"] {
        metadata.insert(format!("executor:{backend}:available"), true);
    }
    for probe in [
        "sbuild:available",
        "autopkgtest:available",
        "mmdebstrap:available",
        "simplesystemimagebuild:available",
    ] {
        metadata.insert(probe, true);
    }
    for (key, value) in extra.as_object().unwrap() {
        metadata.insert(key.clone(), value.clone());
    }
    metadata
}

fn task(name: &str, data: Value) -> Box<dyn DynTask> {
    Registry::global()
        .configure(name, &data)
        .expect("valid task data")
}

fn unmet(task: &dyn DynTask, worker: &WorkerMetadata) -> String {
    match task.check_can_run_on(worker) {
        Ok(()) => "ok".to_owned(),
        Err(failure) => failure.to_string(),
    }
}

fn sbuild(backend: &str, architecture: &str) -> Box<dyn DynTask> {
    task(
        "sbuild",
        json!({"input": {"source_artifact": 1}, "environment": 2, "build_architecture": architecture, "backend": backend}),
    )
}

#[test]
fn metadata_keys_use_debusines_names() {
    let metadata = Registry::global().analyze_worker_all_tasks();
    for name in [
        "noop",
        "sbuild",
        "lintian",
        "autopkgtest",
        "mmdebstrap",
        "simplesystemimagebuild",
        "piuparts",
        "blhc",
        "debdiff",
        "makesourcepackageupload",
    ] {
        assert_eq!(
            metadata.get(&format!("{name}:version")),
            Some(&json!(1)),
            "{name}"
        );
    }
    for probe in [
        "sbuild:available",
        "autopkgtest:available",
        "mmdebstrap:available",
        "simplesystemimagebuild:available",
    ] {
        assert!(
            metadata.get(probe).is_some_and(Value::is_boolean),
            "{probe}"
        );
    }
    assert_eq!(
        metadata["simplesystemimagebuild:available"],
        json!(
            metadata["mmdebstrap:available"] == json!(true)
                && taskdef::program_on_path(
                    taskdef_examples::tasks::simplesystemimagebuild::DEBEFIVM_CREATE
                )
        ),
        "the image needs mmdebstrap and debefivm-create"
    );
    assert!(metadata.get("lintian:available").is_none());
}

#[test]
fn sbuild_worker_checks() {
    let all = worker(json!({}));
    assert_eq!(unmet(&*sbuild("auto", "amd64"), &all), "ok");
    assert_eq!(
        unmet(
            &*sbuild("auto", "amd64"),
            &worker(json!({"sbuild:available": false}))
        ),
        "`sbuild:available` is `false`, not true"
    );
    // auto means unshare.
    assert_eq!(
        unmet(
            &*sbuild("auto", "amd64"),
            &worker(json!({"executor:unshare:available": false}))
        ),
        "`executor:unshare:available` is `false`, not true"
    );
    assert_eq!(
        unmet(
            &*sbuild("incus-vm", "amd64"),
            &worker(json!({"executor:incus-vm:available": false}))
        ),
        "`executor:incus-vm:available` is `false`, not true"
    );
    // A backend other than unshare also needs autopkgtest; unshare does not.
    let no_autopkgtest = worker(json!({"autopkgtest:available": false}));
    assert_eq!(unmet(&*sbuild("unshare", "amd64"), &no_autopkgtest), "ok");
    assert_eq!(
        unmet(&*sbuild("qemu", "amd64"), &no_autopkgtest),
        "`autopkgtest:available` is `false`, not true"
    );
    // The base check on the host architecture comes first.
    let task = sbuild("auto", "arm64");
    assert!(matches!(
        task.check_can_run_on(&all),
        Err(RunCheckFailure::Architecture(_))
    ));
    assert_eq!(task.host_architecture(), Some("arm64"));
}

#[test]
fn autopkgtest_worker_checks() {
    let task = task(
        "autopkgtest",
        json!({"input": {"source_artifact": 1, "binary_artifacts": [2]}, "environment": 3, "build_architecture": "i386", "backend": "incus-lxc"}),
    );
    assert_eq!(unmet(&*task, &worker(json!({}))), "ok");
    assert_eq!(
        unmet(
            &*task,
            &worker(json!({"executor:incus-lxc:available": false}))
        ),
        "`executor:incus-lxc:available` is `false`, not true"
    );
    assert_eq!(
        unmet(&*task, &worker(json!({"autopkgtest:available": null}))),
        "`autopkgtest:available` is `null`, not true"
    );
}

#[test]
fn bootstrap_worker_checks() {
    let repositories = json!([{"mirror": "http://deb.debian.org/debian", "suite": "bookworm"}]);
    let mmdebstrap = task(
        "mmdebstrap",
        json!({"bootstrap_options": {"architecture": "arm64"}, "bootstrap_repositories": repositories}),
    );
    // No host architecture: the bootstrap architecture is checked by the task itself.
    assert_eq!(mmdebstrap.host_architecture(), None);
    let failure = mmdebstrap.check_can_run_on(&worker(json!({}))).unwrap_err();
    assert!(matches!(failure, RunCheckFailure::Task(_)), "{failure:?}");
    assert!(
        failure
            .to_string()
            .contains("architecture `arm64` is not in"),
        "{failure}"
    );
    let arm = worker(json!({"system:architectures": ["amd64", "arm64"]}));
    assert_eq!(unmet(&*mmdebstrap, &arm), "ok");
    assert_eq!(
        unmet(
            &*mmdebstrap,
            &worker(json!({"system:architectures": ["arm64"], "mmdebstrap:available": false}))
        ),
        "`mmdebstrap:available` is `false`, not true"
    );

    let image = task(
        "simplesystemimagebuild",
        json!({"bootstrap_options": {"architecture": "amd64"}, "bootstrap_repositories": repositories,
               "disk_image": {"format": "raw", "partitions": [{"size": 2, "filesystem": "ext4"}]}}),
    );
    assert_eq!(unmet(&*image, &worker(json!({}))), "ok");
    assert_eq!(
        unmet(
            &*image,
            &worker(json!({"simplesystemimagebuild:available": false}))
        ),
        "`simplesystemimagebuild:available` is `false`, not true"
    );
}

#[test]
fn optional_host_architecture() {
    let any = task(
        "makesourcepackageupload",
        json!({"input": {"source_artifact": 1}, "environment": 2}),
    );
    assert_eq!(any.host_architecture(), None);
    assert_eq!(unmet(&*any, &worker(json!({}))), "ok");
    // blhc's build_architecture is required; converted from 0.11 data (which has none), it is
    // `""`, no condition on the worker.
    let blhc = task(
        "blhc",
        json!({"input": {"artifact": 1}, "environment": 2, "build_architecture": "arm64"}),
    );
    assert_eq!(blhc.host_architecture(), Some("arm64"));
    assert!(matches!(
        blhc.check_can_run_on(&worker(json!({}))),
        Err(RunCheckFailure::Architecture(_))
    ));
    let old: taskdef_examples::debusine_0_11::Blhc =
        serde_json::from_value(json!({"input": {"artifact": 1}})).unwrap();
    let converted = taskdef_examples::tasks::Blhc::from(old);
    assert_eq!(taskdef::Execute::host_architecture(&converted), None);
    // noop's build_architecture is no condition either, as in Debusine (noop needs no
    // executor).
    let noop = task("noop", json!({"build_architecture": "arm64"}));
    assert_eq!(unmet(&*noop, &worker(json!({}))), "ok");
    let arm = task(
        "lintian",
        json!({"input": {"source_artifact": 1}, "build_architecture": "arm64"}),
    );
    assert!(matches!(
        arm.check_can_run_on(&worker(json!({}))),
        Err(RunCheckFailure::Architecture(_))
    ));
    let noop = task("noop", json!({}));
    assert_eq!(unmet(&*noop, &worker(json!({}))), "ok");
    assert!(!noop.can_run_on(&worker(json!({"system:worker_type": "signing"}))));
}
