//! The catalogue's dynamic data: what Debusine's scheduler sends each task (0.11/0.12's
//! `build_dynamic_data`, 0.16's `compute_dynamic_data`, serialized with `exclude_unset`, so a
//! field set to `None` arrives as `null`) is accepted and typed, and a document missing a
//! required id is refused.

use serde_json::{Value, json};
use taskdef::{Registry, TaskKind};
use taskdef_examples::debusine_0_11;
use taskdef_examples::dynamic_data::BaseDynamicData;
use taskdef_examples::tasks::autopkgtest::AutopkgtestDynamicData;
use taskdef_examples::tasks::blhc::BlhcDynamicData;
use taskdef_examples::tasks::debdiff::DebdiffDynamicData;
use taskdef_examples::tasks::lintian::LintianDynamicData;
use taskdef_examples::tasks::makesourcepackageupload::MakeSourcePackageUploadDynamicData;
use taskdef_examples::tasks::piuparts::PiupartsDynamicData;
use taskdef_examples::tasks::sbuild::SbuildDynamicData;
use taskdef_examples::tasks::{Autopkgtest, Sbuild};

/// The pointer of the first violation, if `T` refuses `data` as its dynamic data.
fn first_pointer<T: taskdef::Task>(data: Value) -> Option<String> {
    T::configure_dynamic_data(data)
        .err()
        .map(|error| error.violations()[0].pointer.clone())
}

/// Configures `data` as the dynamic data of the task `name`, through the registry.
fn configure(name: &str, data: Value) -> Result<taskdef::AnyDynamicData, taskdef::TaskConfigError> {
    Registry::global()
        .get_of_kind(TaskKind::Worker, name)
        .unwrap()
        .configure_dynamic_data(&data)
}

#[test]
fn sbuild_gets_its_ids() {
    let data = configure(
        "sbuild",
        json!({
            "environment_id": 12, "input_source_artifact_id": 40,
            "input_extra_binary_artifacts_ids": [41, 42],
            "binnmu_maintainer": "Debusine <noreply@debusine.example.org>",
            "subject": "hello", "runtime_context": "any+source:amd64:amd64",
            "configuration_context": "bookworm",
        }),
    )
    .unwrap();
    let sbuild = data.downcast_ref::<SbuildDynamicData>().unwrap();
    assert_eq!(sbuild.environment_id, Some(12));
    assert_eq!(sbuild.input_source_artifact_id, 40);
    assert_eq!(sbuild.input_extra_binary_artifacts_ids, [41, 42]);
    assert_eq!(sbuild.base.subject.as_deref(), Some("hello"));
    assert_eq!(
        sbuild.binnmu_maintainer.as_deref(),
        Some("Debusine <noreply@debusine.example.org>")
    );
}

#[test]
fn sbuild_without_its_source_is_refused_at_the_object() {
    let error = configure("sbuild", json!({"environment_id": 12})).unwrap_err();
    assert_eq!(
        error.nested_under("/dynamic_task_data").to_string(),
        "/dynamic_task_data: \"input_source_artifact_id\" is a required property"
    );
    let error = first_pointer::<Sbuild>(json!({"input_source_artifact_id": "40"}));
    assert_eq!(error, Some("/input_source_artifact_id".to_owned()));
}

#[test]
fn autopkgtest_needs_its_environment() {
    let sent = json!({
        "environment_id": 12, "input_source_artifact_id": 40,
        "input_binary_artifacts_ids": [41], "input_context_artifacts_ids": [],
        "subject": "hello", "runtime_context": "amd64:unshare",
        "configuration_context": "bookworm",
    });
    let data = configure("autopkgtest", sent.clone()).unwrap();
    let typed = data.downcast_ref::<AutopkgtestDynamicData>().unwrap();
    assert_eq!(typed.environment_id, 12);
    assert_eq!(typed.input_binary_artifacts_ids, [41]);
    let mut without = sent;
    without.as_object_mut().unwrap().remove("environment_id");
    assert_eq!(first_pointer::<Autopkgtest>(without), Some(String::new()));
}

#[test]
fn lintian_takes_nulls_for_what_it_did_not_find() {
    let data = configure(
        "lintian",
        json!({
            "environment_id": null, "input_source_artifact_id": null,
            "input_binary_artifacts_ids": [41, 42], "subject": "hello",
            "runtime_context": null, "configuration_context": null,
        }),
    )
    .unwrap();
    let typed = data.downcast_ref::<LintianDynamicData>().unwrap();
    assert_eq!(typed.environment_id, None);
    assert_eq!(typed.input_source_artifact_id, None);
    assert_eq!(typed.input_binary_artifacts_ids, [41, 42]);
}

#[test]
fn blhc_debdiff_piuparts_and_makesourcepackageupload_get_theirs() {
    // Debusine 0.16's: the build log's data too (its dose-debcheck report left out).
    let blhc = configure(
        "blhc",
        json!({"environment_id": 12, "input_artifact_id": 50,
               "input_artifact_data": {"source": "hello", "version": "1.0-1", "architecture": "amd64",
                                       "filename": "hello_1.0-1_amd64.build", "bd_uninstallable": null},
               "subject": "hello", "parameter_summary": "hello_1.0-1 (amd64)", "task_input_fields": {}}),
    )
    .unwrap();
    let typed = blhc.downcast_ref::<BlhcDynamicData>().unwrap();
    assert_eq!(typed.input_artifact_id, 50);
    assert_eq!(typed.environment_id, 12);
    let log = typed.input_artifact_data.as_ref().unwrap();
    assert_eq!(
        (log.source.as_str(), log.architecture.as_deref()),
        ("hello", Some("amd64"))
    );
    // 0.16 requires the environment; the build log's data is strict too.
    let error = configure(
        "blhc",
        json!({"environment_id": null, "input_artifact_id": 50}),
    );
    assert_eq!(
        error.unwrap_err().violations()[0].pointer,
        "/environment_id"
    );
    let error = configure(
        "blhc",
        json!({"environment_id": 1, "input_artifact_id": 50,
               "input_artifact_data": {"source": "a", "version": "1", "filename": "a.build", "x": 1}}),
    );
    assert_eq!(
        error.unwrap_err().violations()[0].pointer,
        "/input_artifact_data"
    );
    // 0.11's form takes a null environment (and has no build log data), through the registry
    // as a worker of a 0.11 server reads it.
    let entry = Registry::global()
        .get_of_kind(TaskKind::Worker, "blhc")
        .unwrap();
    let sent = json!({"environment_id": null, "input_artifact_id": 50, "task_configuration_id": 4});
    let data = entry.configure_dynamic_data_in("0.11", &sent).unwrap();
    let typed = data.downcast_ref::<BlhcDynamicData>().unwrap();
    assert_eq!((typed.environment_id, typed.input_artifact_id), (0, 50));
    // 0.11's form refuses 0.16's key, and 0.16's 0.11's.
    assert!(entry.configure_dynamic_data_in("0.16", &sent).is_err());
    let sent = json!({"environment_id": 1, "input_artifact_id": 50, "input_artifact_data": null});
    assert!(entry.configure_dynamic_data_in("0.11", &sent).is_err());
    // 0.11's debdiff took any number of binary id lists, and both lists.
    let debdiff = Registry::global()
        .get_of_kind(TaskKind::Worker, "debdiff")
        .unwrap();
    let sent = json!({"environment_id": 1, "input_source_artifacts_ids": [1, 2],
                      "input_binary_artifacts_ids": [[3], [4], [5]]});
    assert!(debdiff.configure_dynamic_data_in("0.11", &sent).is_ok());
    assert!(debdiff.configure_dynamic_data_in("0.16", &sent).is_err());
    // The conversion alone.
    let old: debusine_0_11::BlhcDynamicData = serde_json::from_value(
        json!({"environment_id": null, "input_artifact_id": 50, "subject": "hello"}),
    )
    .unwrap();
    let converted = BlhcDynamicData::from(old);
    assert_eq!(
        (
            converted.environment_id,
            converted.input_artifact_id,
            converted.input_artifact_data
        ),
        (0, 50, None)
    );
    let debdiff = configure(
        "debdiff",
        json!({"environment_id": 12, "input_source_artifacts_ids": [40, 41],
               "input_binary_artifacts_ids": null, "subject": "source:hello"}),
    )
    .unwrap();
    let debdiff = debdiff.downcast_ref::<DebdiffDynamicData>().unwrap();
    assert_eq!(debdiff.input_source_artifacts_ids, Some(vec![40, 41]));
    assert_eq!(debdiff.input_binary_artifacts_ids, None);
    let three = configure(
        "debdiff",
        json!({"environment_id": 12, "input_source_artifacts_ids": [40, 41, 42]}),
    )
    .unwrap_err();
    assert_eq!(three.violations()[0].pointer, "/input_source_artifacts_ids");
    let piuparts = configure(
        "piuparts",
        json!({"environment_id": 12, "input_binary_artifacts_ids": [41], "base_tgz_id": 13,
               "subject": "hello", "runtime_context": "bookworm:amd64",
               "configuration_context": "bookworm"}),
    )
    .unwrap();
    assert_eq!(
        piuparts
            .downcast_ref::<PiupartsDynamicData>()
            .unwrap()
            .base_tgz_id,
        13
    );
    let upload = configure(
        "makesourcepackageupload",
        json!({"environment_id": 12, "input_source_artifact_id": 40, "subject": "hello"}),
    )
    .unwrap();
    assert_eq!(
        upload
            .downcast_ref::<MakeSourcePackageUploadDynamicData>()
            .unwrap()
            .input_source_artifact_id,
        40
    );
}

#[test]
fn tasks_without_their_own_take_what_every_task_gets() {
    for (name, sent) in [
        ("noop", json!({})),
        (
            "mmdebstrap",
            json!({"subject": "bookworm", "runtime_context": "amd64:minbase:",
                   "configuration_context": "amd64"}),
        ),
        (
            "simplesystemimagebuild",
            json!({"subject": "bookworm", "runtime_context": "amd64:minbase:",
                   "configuration_context": "amd64"}),
        ),
    ] {
        let data = configure(name, sent).unwrap();
        assert!(data.downcast_ref::<BaseDynamicData>().is_some(), "{name}");
        let error = configure(name, json!({"environment_id": 1})).unwrap_err();
        assert_eq!(error.violations()[0].pointer, "/environment_id", "{name}");
    }
}

#[test]
fn debusine_0_16s_task_input_fields_are_taken_by_every_task() {
    // 0.16 sends it to every task, `{}` when the task has no input fields to resolve; never
    // null. 0.11 has none, and has `task_configuration_id`, which 0.16 refuses.
    for name in ["noop", "mmdebstrap"] {
        let data = configure(name, json!({"task_input_fields": {"x": 1}})).unwrap();
        let base = data.downcast_ref::<BaseDynamicData>().unwrap();
        assert_eq!(base.task_input_fields["x"], 1, "{name}");
        assert!(configure(name, json!({"task_input_fields": null})).is_err());
        assert!(configure(name, json!({"task_configuration_id": 1})).is_err());
        let entry = Registry::global()
            .get_of_kind(TaskKind::Worker, name)
            .unwrap();
        let old = entry
            .configure_dynamic_data_in("0.11", json!({"task_configuration_id": 1, "subject": "x"}))
            .unwrap();
        let base = old.downcast_ref::<BaseDynamicData>().unwrap();
        assert_eq!(base.subject.as_deref(), Some("x"));
        assert!(
            entry
                .configure_dynamic_data_in("0.11", json!({"task_input_fields": {}}))
                .is_err()
        );
    }
    let sbuild = configure(
        "sbuild",
        json!({"input_source_artifact_id": 5, "task_input_fields": {"x": 1}}),
    );
    assert!(sbuild.is_ok(), "{sbuild:?}");
}

#[test]
fn every_worker_task_publishes_a_strict_dynamic_data_schema() {
    for entry in Registry::global().entries() {
        if entry.kind != TaskKind::Worker {
            continue;
        }
        let schema = entry.dynamic_data_schema();
        assert_eq!(
            schema["additionalProperties"],
            json!(false),
            "{}: {schema}",
            entry.name
        );
        assert!(
            schema["properties"]["subject"].is_object(),
            "{}: every task's dynamic data holds the base keys",
            entry.name
        );
    }
}

#[test]
fn blhc_takes_the_build_logs_dose_report_as_debusine_models_it() {
    // dose-debcheck's keys with hyphens, a missing dependency and a conflict (from Debusine's
    // sbuild tests); each change below is refused by Debusine 0.16.2's model too.
    let dose = json!({"output-version": "1.2", "native-architecture": "amd64", "report": [{"package": "sbuild-build-depends-main-dummy", "version": "0.invalid.0", "architecture": "amd64", "status": "broken", "reasons": [{"missing": {"pkg": {"package": "sbuild-build-depends-main-dummy", "version": "0.invalid.0", "architecture": "amd64", "unsat-dependency": "debhelper-compat:amd64 (= 14)"}}}, {"conflict": {"pkg1": {"package": "a", "version": "1", "unsat-conflict": "b"}, "pkg2": {"package": "b", "version": "2"}, "depchain1": [{"depchain": [{"package": "c", "version": "3", "depends": "a"}]}]}}]}], "background-packages": 66137, "foreground-packages": 1, "total-packages": 66138, "broken-packages": 1});
    let with = |dose: &Value| {
        json!({"environment_id": 12, "input_artifact_id": 50,
               "input_artifact_data": {"source": "hello", "version": "1.0-1",
                                       "filename": "hello_1.0-1_amd64.build", "bd_uninstallable": dose}})
    };
    let data = configure("blhc", with(&dose)).unwrap();
    let log = data
        .downcast_ref::<BlhcDynamicData>()
        .unwrap()
        .input_artifact_data
        .clone()
        .unwrap();
    let report = log.bd_uninstallable.unwrap();
    assert_eq!(report.output_version, "1.2");
    assert_eq!(report.report[0].reasons.len(), 2);
    let mut underscore = dose.clone();
    let version = underscore
        .as_object_mut()
        .unwrap()
        .remove("output-version")
        .unwrap();
    underscore["output_version"] = version;
    let mut status = dose.clone();
    status["report"][0]["status"] = json!("fine");
    let mut package = dose.clone();
    package["report"][0]["reasons"][0]["missing"]["pkg"]["unsat_dependency"] = json!("x");
    for refused in [underscore, status, package] {
        assert!(configure("blhc", with(&refused)).is_err(), "{refused}");
    }
}

#[test]
fn debusine_0_16_sends_the_resolved_repositories() {
    // As Debusine 0.16's scheduler serializes them (`ExtraExternalRepository.model_dump`).
    let resolved = json!([{"url": "https://deb.example.org/debusine/overlay/", "suite": "sid",
                           "components": ["main"], "architectures": ["amd64"], "signing_key": "KEY"}]);
    let data = configure(
        "sbuild",
        json!({"environment_id": 12, "input_source_artifact_id": 40,
               "extra_repositories": resolved, "task_input_fields": {}}),
    )
    .unwrap();
    let sbuild = data.downcast_ref::<SbuildDynamicData>().unwrap();
    let repositories = sbuild.extra_repositories.as_ref().unwrap();
    assert_eq!(repositories[0].suite, "sid");
    assert!(repositories[0].is_for(Some("amd64")) && !repositories[0].is_for(Some("arm64")));
    for name in ["autopkgtest", "piuparts"] {
        let mut data = json!({"environment_id": 12, "input_binary_artifacts_ids": [41],
                              "extra_repositories": null});
        match name {
            "piuparts" => data["base_tgz_id"] = json!(13),
            _ => data["input_source_artifact_id"] = json!(40),
        }
        assert!(configure(name, data.clone()).is_ok(), "{name}");
        // A resolved repository is external: it has a URL.
        data["extra_repositories"] = json!([{"suite": "sid", "components": ["main"]}]);
        let error = configure(name, data).unwrap_err();
        assert_eq!(
            error.violations()[0].pointer,
            "/extra_repositories/0",
            "{name}: {error}"
        );
    }
}
