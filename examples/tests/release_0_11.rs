//! The Debusine 0.11 forms of sbuild, autopkgtest, piuparts and lintian
//! (`taskdef_examples::debusine_0_11`): the samples of `samples-0.11/<task>/` get their verdicts,
//! and each form converts into the task's own (0.16) struct, task data and dynamic data.
//!
//! Until the runtime reads a task's older forms (`#[task(older(...))]`, `configure_in`), this
//! test reads a sample as the runtime will: the 0.11 form's schema (checked by the `jsonschema`
//! validator, draft 2020-12, as taskdef sets it up), then serde, then the conversion, then the
//! task's own rules. A refused sample's `.expect` pointer must be that of a violation; its
//! message is checked for the rules (the schema's wording is the runtime's, which this test does
//! not reproduce: the samples test will, once it reads `samples-0.11`).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use taskdef::{Execute, TaskInput};
use taskdef_examples::debusine_0_11;
use taskdef_examples::tasks::autopkgtest::AutopkgtestDynamicData;
use taskdef_examples::tasks::lintian::Severity;
use taskdef_examples::tasks::piuparts::PiupartsDynamicData;
use taskdef_examples::tasks::sbuild::SbuildDynamicData;
use taskdef_examples::tasks::{Autopkgtest, Lintian, Piuparts, Sbuild};

/// A violation: pointer, message, and whether a rule (not the schema) found it.
type Found = (String, String, bool);

/// Reads `value` as the 0.11 form `Old` and converts it into `New`, checking `New`'s rules.
fn read<Old, New>(value: &Value) -> Result<New, Vec<Found>>
where
    Old: DeserializeOwned + schemars::JsonSchema,
    New: From<Old> + Execute,
{
    let schema = serde_json::to_value(schemars::schema_for!(Old)).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    let mut found = Vec::new();
    for error in validator.iter_errors(value) {
        let mut pointer = error.instance_path().as_str().to_owned();
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            error.kind()
        {
            pointer = format!("{pointer}/{}", unexpected[0]);
        }
        found.push((pointer, error.to_string(), false));
    }
    if !found.is_empty() {
        return Err(found);
    }
    let old: Old = serde_json::from_value(value.clone())
        .map_err(|error| vec![(String::new(), error.to_string(), false)])?;
    let new = New::from(old);
    match new.validate() {
        Ok(()) => Ok(new),
        Err(error) => Err(error
            .violations()
            .iter()
            .map(|v| (v.pointer.clone(), v.message.clone(), true))
            .collect()),
    }
}

fn samples(task: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples-0.11")
        .join(task);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
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

fn check_samples<Old, New>(task: &str, failures: &mut Vec<String>)
where
    Old: DeserializeOwned + schemars::JsonSchema,
    New: From<Old> + Execute,
{
    let paths = samples(task);
    assert!(paths.len() >= 4, "{task}: only {} samples", paths.len());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let input = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => TaskInput::yaml(&text),
            _ => TaskInput::Json(&text),
        };
        let value = input.into_value().unwrap().into_owned();
        let verdict = read::<Old, New>(&value);
        if name.starts_with("valid-") {
            if let Err(found) = verdict {
                failures.push(format!("{task}/{name}: refused: {found:?}"));
            }
            continue;
        }
        let expect = std::fs::read_to_string(path.with_extension("expect")).unwrap();
        let mut lines = expect.lines();
        let pointer = lines.next().unwrap_or_default();
        let message = lines.next().unwrap_or_default();
        match verdict {
            Ok(_) => failures.push(format!("{task}/{name}: accepted")),
            Err(found) => {
                let matched = found
                    .iter()
                    .any(|(at, text, rule)| at == pointer && (!rule || text.contains(message)));
                if !matched {
                    failures.push(format!(
                        "{task}/{name}: expected {pointer:?} {message:?}, got {found:?}"
                    ));
                }
            }
        }
    }
}

#[test]
fn the_0_11_samples_get_their_verdicts() {
    let mut failures = Vec::new();
    check_samples::<debusine_0_11::Sbuild, Sbuild>("sbuild", &mut failures);
    check_samples::<debusine_0_11::Autopkgtest, Autopkgtest>("autopkgtest", &mut failures);
    check_samples::<debusine_0_11::Piuparts, Piuparts>("piuparts", &mut failures);
    check_samples::<debusine_0_11::Lintian, Lintian>("lintian", &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sbuild_of_0_11_is_sbuild_of_0_16_on_its_build_architecture() {
    let old: debusine_0_11::Sbuild = serde_json::from_value(json!({
        "input": {"source_artifact": 5}, "environment": 7, "host_architecture": "arm64",
        "extra_repositories": [{"url": "http://deb.example.org/", "suite": "sid", "components": []}]
    }))
    .unwrap();
    let new = Sbuild::from(old);
    assert_eq!(new.build_architecture, "arm64");
    // 0.11's default task configuration is none; 0.16's is `default@debusine:task-configuration`.
    assert_eq!(new.task_configuration, None);
    assert!(!new.resolve_alternatives && new.build_dep_resolver.is_none());
    let repository = &new.extra_repositories.as_ref().unwrap()[0];
    let external = repository.external().unwrap();
    assert_eq!(
        (
            external.url.as_str(),
            external.components,
            external.architectures
        ),
        ("http://deb.example.org/", None, None)
    );
    // An empty list of components is none, as in both releases: the rule refuses it.
    assert!(new.validate().is_err());
    let defaulted: Sbuild = serde_json::from_value(json!({
        "input": {"source_artifact": 5}, "environment": 7, "build_architecture": "arm64"
    }))
    .unwrap();
    assert_eq!(
        defaulted.task_configuration.unwrap().to_string(),
        "default@debusine:task-configuration"
    );
}

#[test]
fn autopkgtest_piuparts_and_lintian_of_0_11() {
    let old: debusine_0_11::Autopkgtest = serde_json::from_value(json!({
        "input": {"source_artifact": 5, "binary_artifacts": [6]}, "environment": 7,
        "host_architecture": "i386", "task_configuration": "mine@debusine:task-configuration"
    }))
    .unwrap();
    let new = Autopkgtest::from(old);
    assert_eq!(new.build_architecture.as_deref(), Some("i386"));
    assert!(new.pin_packages.is_empty());
    assert_eq!(
        new.task_configuration.unwrap().to_string(),
        "mine@debusine:task-configuration"
    );
    let old: debusine_0_11::Piuparts = serde_json::from_value(json!({
        "input": {"binary_artifacts": [6]}, "environment": 7, "host_architecture": "i386",
        "base_tgz": 8
    }))
    .unwrap();
    assert_eq!(
        Piuparts::from(old).build_architecture.as_deref(),
        Some("i386")
    );
    // Lintian 0.11 fails on nothing by default; 0.16 on errors.
    let old: debusine_0_11::Lintian =
        serde_json::from_value(json!({"input": {"source_artifact": 5}})).unwrap();
    let new = Lintian::from(old);
    assert_eq!(new.fail_on_severity, Severity::None);
    assert_eq!(new.build_architecture, None);
    let current: Lintian =
        serde_json::from_value(json!({"input": {"source_artifact": 5}})).unwrap();
    assert_eq!(current.fail_on_severity, Severity::Error);
}

#[test]
fn the_0_11_dynamic_data_converts_with_no_resolved_repositories() {
    let base = json!({"task_configuration_id": 3, "subject": "hello"});
    let mut sbuild = base.clone();
    sbuild["input_source_artifact_id"] = json!(40);
    sbuild["environment_id"] = json!(12);
    let old: debusine_0_11::SbuildDynamicData = serde_json::from_value(sbuild.clone()).unwrap();
    let new = SbuildDynamicData::from(old);
    assert_eq!(
        (new.input_source_artifact_id, new.environment_id),
        (40, Some(12))
    );
    assert_eq!(new.extra_repositories, None);
    assert_eq!(new.base.task_configuration_id, Some(3));
    // A 0.11 server never sends resolved repositories.
    sbuild["extra_repositories"] = json!([]);
    assert!(serde_json::from_value::<debusine_0_11::SbuildDynamicData>(sbuild).is_err());

    let old: debusine_0_11::AutopkgtestDynamicData = serde_json::from_value(json!({
        "environment_id": 12, "input_source_artifact_id": 40, "input_binary_artifacts_ids": [41]
    }))
    .unwrap();
    let new = AutopkgtestDynamicData::from(old);
    assert_eq!(new.input_binary_artifacts_ids, [41]);
    assert_eq!(new.extra_repositories, None);

    let old: debusine_0_11::PiupartsDynamicData = serde_json::from_value(json!({
        "environment_id": 12, "input_binary_artifacts_ids": [41], "base_tgz_id": 13
    }))
    .unwrap();
    let new = PiupartsDynamicData::from(old);
    assert_eq!((new.base_tgz_id, new.extra_repositories), (13, None));
}
