//! Release forms: one task taking the data of several releases of its engine, each read with its
//! own struct and schema, converted into the one `execute` is written against.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use taskdef::{
    Execute, Outcome, Registry, Task, TaskConfigError, TaskContext, TaskEntry, TaskError,
    ViolationKind, execute_logging_errors,
};

/// What the server found, as release 2 sends it.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelBuildDynamicData {
    /// The environment.
    pub environment_id: u64,
    /// Extra repositories, resolved (new in release 2).
    #[serde(default)]
    pub extra_repositories: Vec<String>,
}

/// Build for one architecture, as release 2 sends it.
#[derive(Debug, PartialEq, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(
    version = 1,
    dynamic_data = RelBuildDynamicData,
    release = "2.0",
    older(release = "1.4", data = v1::RelBuild, dynamic_data = v1::RelBuildDynamicData),
    older(release = "1.0", data = v1::RelBuild, dynamic_data = v1::RelBuildDynamicData)
)]
pub struct RelBuild {
    /// The architecture to build for.
    pub build_architecture: String,
    /// How many jobs (release 2 has no limit in its schema).
    #[serde(default)]
    pub jobs: u32,
}

impl Execute for RelBuild {
    fn validate(&self) -> Result<(), TaskConfigError> {
        // A rule of the task itself: applies to every release's data once converted.
        if self.build_architecture == "all" {
            return Err(TaskConfigError::rule(
                "/build_architecture",
                "cannot build for `all`",
            ));
        }
        Ok(())
    }

    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        self.execute_outcome(ctx).map(Outcome::is_success)
    }

    fn execute_outcome(&self, ctx: &TaskContext) -> Result<Outcome, TaskError> {
        let environment = Self::dynamic_data(ctx).map(|data| data.environment_id);
        Ok(match environment {
            Some(7) => Outcome::Success,
            Some(_) => Outcome::Failure,
            None => Outcome::TemporaryFailure,
        })
    }
}

/// Release 1's forms.
pub mod v1 {
    use schemars::JsonSchema;
    use serde::Deserialize;
    use taskdef::TaskConfigError;

    /// Build, as release 1 sends it.
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RelBuild {
        /// The architecture to build for.
        pub host_architecture: String,
        /// How many jobs; release 1 allowed at most 8.
        #[serde(default)]
        pub jobs: u32,
    }

    impl TryFrom<RelBuild> for super::RelBuild {
        type Error = TaskConfigError;

        fn try_from(old: RelBuild) -> Result<super::RelBuild, TaskConfigError> {
            if old.jobs > 8 {
                return Err(TaskConfigError::rule(
                    "/jobs",
                    "release 1 runs at most 8 jobs",
                ));
            }
            Ok(super::RelBuild {
                build_architecture: old.host_architecture,
                jobs: old.jobs,
            })
        }
    }

    /// What the server found, as release 1 sends it.
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RelBuildDynamicData {
        /// The environment.
        pub environment_id: u64,
    }

    impl From<RelBuildDynamicData> for super::RelBuildDynamicData {
        fn from(old: RelBuildDynamicData) -> super::RelBuildDynamicData {
            super::RelBuildDynamicData {
                environment_id: old.environment_id,
                extra_repositories: Vec::new(),
            }
        }
    }
}

/// A task with one form of data: what it was before releases existed.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct RelPlain {
    /// Anything.
    pub value: u32,
}

impl Execute for RelPlain {
    fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> {
        Ok(self.value > 0)
    }
}

fn entry(name: &str) -> &'static TaskEntry {
    Registry::global().get(name).expect("linked in")
}

#[test]
fn each_release_reads_its_own_data_into_the_one_struct() {
    let new = RelBuild::configure_in("2.0", json!({"build_architecture": "arm64"})).unwrap();
    let old = RelBuild::configure_in("1.0", json!({"host_architecture": "arm64"})).unwrap();
    assert_eq!(new, old);
    assert_eq!(new.build_architecture, "arm64");
    // The own form is also what the release-free `configure` reads.
    assert_eq!(
        RelBuild::configure(json!({"build_architecture": "arm64"})).unwrap(),
        new
    );
}

#[test]
fn each_release_has_its_own_schema_and_refuses_the_others_keys() {
    let error = RelBuild::configure_in("2.0", r#"{"host_architecture": "arm64"}"#).unwrap_err();
    let kinds: Vec<_> = error.violations().iter().map(|v| &v.kind).collect();
    assert!(
        kinds.contains(&&ViolationKind::UnknownKey {
            name: "host_architecture".into()
        }),
        "{error}"
    );
    let error = RelBuild::configure_in("1.0", r#"{"build_architecture": "arm64"}"#).unwrap_err();
    assert!(
        error.violations().iter().any(|v| v.kind
            == ViolationKind::UnknownKey {
                name: "build_architecture".into()
            }),
        "{error}"
    );
    let forms = RelBuild::release_forms();
    assert_eq!(forms.len(), 3);
    assert!(forms[0].schema()["properties"]["build_architecture"].is_object());
    assert!(forms[1].schema()["properties"]["host_architecture"].is_object());
    assert!(
        forms[1].type_name().ends_with("v1::RelBuild"),
        "{}",
        forms[1].type_name()
    );
    assert!(forms[1].dynamic_data_schema()["properties"]["extra_repositories"].is_null());
}

#[test]
fn a_conversion_can_refuse_data_with_the_rules_of_its_release() {
    let error = RelBuild::configure_in("1.0", json!({"host_architecture": "arm64", "jobs": 9}))
        .unwrap_err();
    assert_eq!(error.violations()[0].pointer, "/jobs");
    assert_eq!(error.violations()[0].kind, ViolationKind::Rule);
    assert!(
        RelBuild::configure_in("2.0", json!({"build_architecture": "arm64", "jobs": 9})).is_ok()
    );
}

#[test]
fn the_tasks_own_rules_run_after_the_conversion() {
    for (release, data) in [
        ("2.0", json!({"build_architecture": "all"})),
        ("1.0", json!({"host_architecture": "all"})),
    ] {
        let error = RelBuild::configure_in(release, data).unwrap_err();
        assert_eq!(
            error.violations()[0].message,
            "cannot build for `all`",
            "{release}"
        );
        let error = entry("relbuild")
            .configure_in(
                release,
                r#"{"build_architecture": "all", "host_architecture": "all"}"#,
            )
            .unwrap_err();
        assert!(!error.violations().is_empty(), "{release}");
    }
}

#[test]
fn a_release_is_found_by_name_or_by_a_dotted_prefix_and_never_guessed() {
    // 1.0.7 is 1.0's data; 1.4.2 is 1.4's, the longest prefix, not 1's.
    assert!(RelBuild::configure_in("1.0.7", json!({"host_architecture": "i386"})).is_ok());
    assert_eq!(
        entry("relbuild").form("1.4.2").unwrap().release(),
        Some("1.4")
    );
    for unknown in ["1.2", "2", "20.0", ""] {
        let error =
            RelBuild::configure_in(unknown, json!({"build_architecture": "arm64"})).unwrap_err();
        let [violation] = error.violations() else {
            panic!("one violation for {unknown:?}: {error}");
        };
        assert_eq!(
            violation.kind,
            ViolationKind::Release {
                release: unknown.to_owned(),
                known: vec!["2.0".into(), "1.4".into(), "1.0".into()],
            }
        );
        assert!(
            violation
                .message
                .contains("relbuild has no task data for release")
                && violation.message.contains("2.0, 1.4, 1.0"),
            "{}",
            violation.message
        );
    }
}

#[test]
fn dynamic_data_of_each_release_converts_into_the_tasks() {
    let old = RelBuild::configure_dynamic_data_in("1.0", json!({"environment_id": 7})).unwrap();
    assert_eq!(
        old,
        RelBuildDynamicData {
            environment_id: 7,
            extra_repositories: vec![]
        }
    );
    let error = RelBuild::configure_dynamic_data_in(
        "1.0",
        json!({"environment_id": 7, "extra_repositories": []}),
    )
    .unwrap_err();
    assert_eq!(error.violations()[0].pointer, "/extra_repositories");
    let any = entry("relbuild")
        .configure_dynamic_data_in("1.0", r#"{"environment_id": 7}"#)
        .unwrap();
    let task = entry("relbuild")
        .configure_in("1.0", r#"{"host_architecture": "amd64"}"#)
        .unwrap();
    let ctx = TaskContext::new("relbuild", std::env::temp_dir()).with_any_dynamic_data(any);
    assert_eq!(
        execute_logging_errors(task.as_ref(), &ctx).unwrap(),
        Outcome::Success
    );
    let bare = TaskContext::new("relbuild", std::env::temp_dir());
    assert_eq!(
        execute_logging_errors(task.as_ref(), &bare).unwrap(),
        Outcome::TemporaryFailure
    );
    assert!(!task.execute(&bare).unwrap());
}

#[test]
fn a_task_with_one_form_takes_every_release() {
    for release in ["2.0", "1.0", "anything"] {
        assert_eq!(
            RelPlain::configure_in(release, r#"{"value": 3}"#)
                .unwrap()
                .value,
            3
        );
    }
    assert_eq!(RelPlain::releases().count(), 0);
    let forms = entry("relplain").release_forms();
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].release(), None);
    assert!(std::ptr::eq(
        entry("relplain").form("9.9").unwrap(),
        &forms[0]
    ));
}

#[test]
fn the_registry_lists_releases_newest_first_and_configures_by_name() {
    let registry = Registry::from_entries([entry("relbuild"), entry("relplain")]);
    assert_eq!(registry.releases(), ["2.0", "1.4", "1.0"]);
    assert_eq!(registry.newest_release(), Some("2.0"));
    let task = registry
        .configure_in("RelBuild", "1.0", r#"{"host_architecture": "s390x"}"#)
        .unwrap();
    assert_eq!(
        task.downcast_ref::<RelBuild>().unwrap().build_architecture,
        "s390x"
    );
    assert_eq!(
        Registry::from_entries([entry("relplain")]).newest_release(),
        None
    );
}
