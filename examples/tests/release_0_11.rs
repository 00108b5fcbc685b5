//! sbuild, autopkgtest, piuparts and lintian in release 0.11 (`taskdef_examples::debusine_0_11`):
//! Debusine 0.11.3's data and dynamic data, read with their own forms and converted into the
//! task's own (0.16) structs. The samples of `samples-0.11/` are checked by the samples test.

use serde_json::{Value, json};
use taskdef::{Task, ViolationKind};
use taskdef_examples::tasks::lintian::Severity;
use taskdef_examples::tasks::{Autopkgtest, Lintian, Piuparts, Sbuild};

fn pointers(error: &taskdef::TaskConfigError) -> Vec<String> {
    error
        .violations()
        .iter()
        .map(|v| v.pointer.clone())
        .collect()
}

#[test]
fn sbuild_of_0_11_is_sbuild_of_0_16_on_its_build_architecture() {
    let new = Sbuild::configure_in(
        "0.11",
        json!({
            "input": {"source_artifact": 5}, "environment": 7, "host_architecture": "arm64",
            "extra_repositories": [{"url": "http://deb.example.org/", "suite": "./", "components": []}]
        }),
    )
    .unwrap();
    assert_eq!(new.build_architecture, "arm64");
    // 0.11's default task configuration is none; 0.16's is `default@debusine:task-configuration`.
    assert_eq!(new.task_configuration, None);
    assert!(!new.resolve_alternatives && new.build_dep_resolver.is_none());
    let external = new.extra_repositories.as_ref().unwrap()[0]
        .external()
        .unwrap();
    // An empty list of components is none, as both releases read it.
    assert_eq!(
        (
            external.url.as_str(),
            external.components,
            external.architectures
        ),
        ("http://deb.example.org/", None, None)
    );
    // The release's point release is found by its prefix.
    let again = Sbuild::configure_in(
        "0.11.3",
        json!({"input": {"source_artifact": 5}, "environment": 7, "host_architecture": "arm64"}),
    )
    .unwrap();
    assert_eq!(again.build_architecture, "arm64");
    let current = Sbuild::configure(
        json!({"input": {"source_artifact": 5}, "environment": 7, "build_architecture": "arm64"}),
    )
    .unwrap();
    assert_eq!(
        current.task_configuration.unwrap().to_string(),
        "default@debusine:task-configuration"
    );
    // Each release refuses the other's architecture key, at its pointer.
    let error = Sbuild::configure_in(
        "0.11",
        json!({"input": {"source_artifact": 5}, "environment": 7, "build_architecture": "arm64"}),
    )
    .unwrap_err();
    assert!(
        pointers(&error).contains(&"/build_architecture".to_owned()),
        "{error}"
    );
    // 0.16's rules run on the converted data, at the same pointers.
    let error = Sbuild::configure_in(
        "0.11",
        json!({
            "input": {"source_artifact": 5}, "environment": 7, "host_architecture": "arm64",
            "extra_repositories": [{"url": "http://deb.example.org/", "suite": "sid"}]
        }),
    )
    .unwrap_err();
    assert_eq!(error.violations()[0].kind, ViolationKind::Rule);
    assert_eq!(pointers(&error), ["/extra_repositories/0"]);
}

#[test]
fn autopkgtest_piuparts_and_lintian_of_0_11() {
    let new = Autopkgtest::configure_in(
        "0.11",
        json!({
            "input": {"source_artifact": 5, "binary_artifacts": [6]}, "environment": 7,
            "host_architecture": "i386", "task_configuration": "mine@debusine:task-configuration"
        }),
    )
    .unwrap();
    assert_eq!(new.build_architecture.as_deref(), Some("i386"));
    assert!(new.pin_packages.is_empty());
    assert_eq!(
        new.task_configuration.unwrap().to_string(),
        "mine@debusine:task-configuration"
    );
    let new = Piuparts::configure_in(
        "0.11",
        json!({"input": {"binary_artifacts": [6]}, "environment": 7, "host_architecture": "i386",
               "base_tgz": 8}),
    )
    .unwrap();
    assert_eq!(new.build_architecture.as_deref(), Some("i386"));
    // Lintian 0.11 fails on nothing by default; 0.16 on errors.
    let new = Lintian::configure_in("0.11", json!({"input": {"source_artifact": 5}})).unwrap();
    assert_eq!(new.fail_on_severity, Severity::None);
    assert_eq!(new.build_architecture, None);
    let current = Lintian::configure(json!({"input": {"source_artifact": 5}})).unwrap();
    assert_eq!(current.fail_on_severity, Severity::Error);
    assert!(
        Lintian::configure_in(
            "0.11",
            json!({"input": {"source_artifact": 5}, "build_architecture": "amd64"})
        )
        .is_err()
    );
}

#[test]
fn the_0_11_dynamic_data_converts_with_no_resolved_repositories() {
    let sbuild = json!({"task_configuration_id": 3, "subject": "hello",
                        "input_source_artifact_id": 40, "environment_id": 12});
    let new = Sbuild::configure_dynamic_data_in("0.11", &sbuild).unwrap();
    assert_eq!(
        (new.input_source_artifact_id, new.environment_id),
        (40, Some(12))
    );
    assert_eq!(new.extra_repositories, None);
    // 0.11's `task_configuration_id` is dropped (no task reads it); the rest of the base stays.
    assert_eq!(new.base.subject.as_deref(), Some("hello"));
    // A 0.11 server never sends resolved repositories.
    let mut with_repositories = sbuild.clone();
    with_repositories["extra_repositories"] = json!([]);
    let error = Sbuild::configure_dynamic_data_in("0.11", &with_repositories).unwrap_err();
    assert_eq!(pointers(&error), ["/extra_repositories"]);
    with_repositories
        .as_object_mut()
        .unwrap()
        .remove("task_configuration_id");
    assert!(Sbuild::configure_dynamic_data(&with_repositories).is_ok());

    let new = Autopkgtest::configure_dynamic_data_in(
        "0.11",
        json!({"environment_id": 12, "input_source_artifact_id": 40, "input_binary_artifacts_ids": [41]}),
    )
    .unwrap();
    assert_eq!(new.input_binary_artifacts_ids, [41]);
    assert_eq!(new.extra_repositories, None);

    let new = Piuparts::configure_dynamic_data_in(
        "0.11",
        json!({"environment_id": 12, "input_binary_artifacts_ids": [41], "base_tgz_id": 13}),
    )
    .unwrap();
    assert_eq!((new.base_tgz_id, new.extra_repositories), (13, None));
    // Lintian's dynamic data is the same in both releases but for the base: 0.11 sends
    // `task_configuration_id`, which 0.16 refuses.
    let lintian: Value = json!({"input_source_artifact_id": 40, "task_configuration_id": 2});
    assert!(Lintian::configure_dynamic_data(&lintian).is_err());
    assert_eq!(
        Lintian::configure_dynamic_data_in("0.11", &lintian).unwrap(),
        Lintian::configure_dynamic_data(json!({"input_source_artifact_id": 40})).unwrap()
    );
}

#[test]
fn the_tasks_have_both_releases_newest_first() {
    for releases in [
        Sbuild::releases().collect::<Vec<_>>(),
        Autopkgtest::releases().collect(),
        Piuparts::releases().collect(),
        Lintian::releases().collect(),
    ] {
        assert_eq!(releases, ["0.16", "0.11"]);
    }
}

#[test]
fn lookups_are_read_as_each_release_reads_them() {
    // 0.16 added `in` matchers and `error_on_empty`; 0.11 takes a matcher without a value
    // (pydantic 1 reads a missing `Any` as null), which 0.16 refuses.
    let with = |lookup: Value| {
        json!({"input": {"binary_artifacts": [lookup]}, "environment": 1,
               "build_architecture": "amd64", "host_architecture": "amd64"})
    };
    let lintian = |lookup: Value| {
        let mut data = with(lookup);
        let object = data.as_object_mut().unwrap();
        object.remove("build_architecture");
        object.remove("host_architecture");
        data
    };
    for (lookup, in_0_16, in_0_11) in [
        (json!({"collection": "c", "name__in": ["a"]}), true, false),
        (
            json!({"collection": "c", "data__x__in": ["a"]}),
            true,
            false,
        ),
        (
            json!({"collection": "c", "error_on_empty": true}),
            true,
            false,
        ),
        (
            json!({"collection": "c", "name_matcher": {"kind": "in", "value": ["a"]}}),
            true,
            false,
        ),
        (
            json!({"collection": "c", "name_matcher": {"kind": "exact"}}),
            false,
            true,
        ),
        (
            json!({"collection": "c", "lookup__x": {"collection": "d", "name__in": ["a"]}}),
            true,
            false,
        ),
        (
            json!({"collection": "c", "name__startswith": "a"}),
            true,
            true,
        ),
    ] {
        let data = lintian(lookup.clone());
        assert_eq!(Lintian::configure(&data).is_ok(), in_0_16, "0.16: {lookup}");
        assert_eq!(
            Lintian::configure_in("0.11", &data).is_ok(),
            in_0_11,
            "0.11: {lookup}"
        );
    }
    // Each release's schema says so.
    let kinds = |release: &str| {
        let form = Lintian::release_forms()
            .iter()
            .find(|form| form.release() == Some(release))
            .unwrap();
        form.schema()["$defs"]["MatcherKind"]["enum"].clone()
    };
    assert_eq!(
        kinds("0.16"),
        json!(["exact", "contains", "endswith", "in", "startswith"])
    );
    assert_eq!(
        kinds("0.11"),
        json!(["exact", "contains", "endswith", "startswith"])
    );
}
