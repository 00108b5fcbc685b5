//! Dynamic data: declared with `#[task(dynamic_data = Type)]`, validated as strictly as task
//! data, and handed to `execute` typed, by type or through the registry by name.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use taskdef::{
    BaseDynamicData, Execute, Registry, Task, TaskContext, TaskError, ViolationKind,
    execute_logging_errors,
};

/// What the server found for a `dynbuild` task.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynBuildDynamicData {
    /// What every task receives.
    #[serde(flatten)]
    pub base: BaseDynamicData,
    /// The environment.
    pub environment_id: u64,
    /// Extra packages.
    #[serde(default)]
    pub input_extra_binary_artifacts_ids: Vec<u64>,
}

/// Succeeds when its dynamic data names environment 7.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, dynamic_data = DynBuildDynamicData)]
pub struct DynBuild {}

impl Execute for DynBuild {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        let data = Self::dynamic_data(ctx)
            .ok_or_else(|| TaskError::other("no dynamic data in the context"))?;
        Ok(data.environment_id == 7)
    }
}

/// Has no dynamic data of its own: succeeds when the context holds none, or the base alone.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct DynPlain {}

impl Execute for DynPlain {
    fn execute(&self, ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(Self::dynamic_data(ctx).is_none_or(|base| base.subject.as_deref() == Some("bookworm")))
    }
}

fn context() -> TaskContext {
    TaskContext::new("dynbuild", std::env::temp_dir())
}

#[test]
fn valid_dynamic_data_is_typed() {
    let data = DynBuild::configure_dynamic_data(json!({
        "environment_id": 7,
        "input_extra_binary_artifacts_ids": [3, 4],
        "subject": "hello",
        "parameter_summary": "hello_1.0",
    }))
    .unwrap();
    assert_eq!(data.environment_id, 7);
    assert_eq!(data.input_extra_binary_artifacts_ids, [3, 4]);
    assert_eq!(data.base.subject.as_deref(), Some("hello"));
    assert_eq!(data.base.parameter_summary.as_deref(), Some("hello_1.0"));
    assert_eq!(data.base.runtime_context, None);
}

#[test]
fn a_missing_required_id_is_refused_at_the_object() {
    let error = DynBuild::configure_dynamic_data(r#"{"subject": "hello"}"#).unwrap_err();
    let [violation] = error.violations() else {
        panic!("one violation expected: {error}");
    };
    assert_eq!(violation.pointer, "");
    assert_eq!(
        violation.kind,
        ViolationKind::MissingKey {
            name: "environment_id".into()
        }
    );
    let nested = error.nested_under("/dynamic_task_data");
    assert_eq!(
        nested.to_string(),
        "/dynamic_task_data: \"environment_id\" is a required property"
    );
}

#[test]
fn unknown_keys_and_wrong_types_are_refused_with_their_pointers() {
    let error = DynBuild::configure_dynamic_data(json!({
        "environment_id": "7",
        "input_extra_binary_artifacts_ids": [3, -4],
        "environment": 7,
    }))
    .unwrap_err();
    let mut pointers: Vec<&str> = error
        .violations()
        .iter()
        .map(|violation| violation.pointer.as_str())
        .collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        [
            "/environment",
            "/environment_id",
            "/input_extra_binary_artifacts_ids/1"
        ],
        "{error}"
    );
    assert!(
        error.violations().iter().any(|violation| matches!(
            &violation.kind,
            ViolationKind::UnknownKey { name } if name == "environment"
        )),
        "{error}"
    );
}

#[test]
fn a_base_key_of_the_wrong_type_is_refused_too() {
    let error =
        DynBuild::configure_dynamic_data(json!({"environment_id": 7, "subject": 1})).unwrap_err();
    assert_eq!(error.violations()[0].pointer, "/subject", "{error}");
    // As text, which the fast path reads first: the same verdicts.
    for (text, pointer) in [
        (r#"{"environment_id": 7, "subject": 1}"#, "/subject"),
        (r#"{"environment_id": 7, "subjects": "x"}"#, "/subjects"),
        (
            r#"{"environment_id": 7, "input_extra_binary_artifacts_ids": [1.5]}"#,
            "/input_extra_binary_artifacts_ids/0",
        ),
        (r#"{"environment_id": null}"#, "/environment_id"),
    ] {
        let error = DynBuild::configure_dynamic_data(text).unwrap_err();
        assert_eq!(error.violations()[0].pointer, pointer, "{text}: {error}");
    }
}

#[test]
fn the_schema_is_published_strict() {
    let schema = DynBuild::dynamic_data_schema();
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["required"], json!(["environment_id"]));
    assert!(schema["properties"]["subject"].is_object(), "{schema}");
    assert_eq!(
        schema["description"],
        "What the server found for a `dynbuild` task."
    );
    let entry = Registry::global().get("dynbuild").unwrap();
    assert_eq!(entry.dynamic_data_schema(), schema);
}

#[test]
fn execute_reads_the_typed_data_from_the_context() {
    let task = DynBuild::configure("{}").unwrap();
    let data = DynBuild::configure_dynamic_data(r#"{"environment_id": 7}"#).unwrap();
    assert!(task.execute(&context().with_dynamic_data(data)).unwrap());
    let other = DynBuild::configure_dynamic_data(r#"{"environment_id": 8}"#).unwrap();
    assert!(!task.execute(&context().with_dynamic_data(other)).unwrap());
    let error = task.execute(&context()).unwrap_err();
    assert_eq!(error.to_string(), "no dynamic data in the context");
}

#[test]
fn a_task_known_by_name_gets_its_dynamic_data_typed() {
    let entry = Registry::global().get("dynbuild").unwrap();
    let task = entry.configure("{}").unwrap();
    let data = entry
        .configure_dynamic_data(r#"{"environment_id": 7, "configuration_context": "amd64"}"#)
        .unwrap();
    let typed = data.downcast_ref::<DynBuildDynamicData>().unwrap();
    assert_eq!(typed.base.configuration_context.as_deref(), Some("amd64"));
    let ctx = context().with_any_dynamic_data(data);
    assert!(
        execute_logging_errors(task.as_ref(), &ctx)
            .unwrap()
            .is_success()
    );

    let error = entry
        .configure_dynamic_data(r#"{"environment_id": 7, "extra": 1}"#)
        .unwrap_err();
    assert_eq!(error.violations()[0].pointer, "/extra", "{error}");
}

#[test]
fn a_task_without_dynamic_data_accepts_what_debusine_sends_every_task() {
    // `{}` for noop; the statistics keys for mmdebstrap and simplesystemimagebuild.
    let entry = Registry::global().get("dynplain").unwrap();
    for sent in [
        json!({}),
        json!({"subject": "bookworm", "runtime_context": "amd64:minbase:",
               "configuration_context": "amd64"}),
        json!({"parameter_summary": null, "task_configuration_id": 12}),
    ] {
        let data = entry.configure_dynamic_data(&sent).unwrap();
        let base = data.downcast_ref::<BaseDynamicData>().unwrap();
        assert_eq!(
            serde_json::to_value(base).unwrap()["task_configuration_id"],
            sent.get("task_configuration_id")
                .cloned()
                .unwrap_or_default()
        );
    }
    let error = DynPlain::configure_dynamic_data(r#"{"environment_id": 7}"#).unwrap_err();
    assert!(
        matches!(&error.violations()[0].kind, ViolationKind::UnknownKey { name } if name == "environment_id"),
        "{error}"
    );
    let task = DynPlain::configure("{}").unwrap();
    assert!(task.execute(&context()).unwrap());
    let base = DynPlain::configure_dynamic_data(r#"{"subject": "bookworm"}"#).unwrap();
    assert!(task.execute(&context().with_dynamic_data(base)).unwrap());
    let other = DynPlain::configure_dynamic_data(r#"{"subject": "trixie"}"#).unwrap();
    assert!(!task.execute(&context().with_dynamic_data(other)).unwrap());
}

#[test]
fn dynamic_data_of_another_type_is_not_mistaken_for_the_task_s() {
    let task = DynBuild::configure("{}").unwrap();
    let ctx = context().with_dynamic_data(BaseDynamicData::default());
    assert!(DynBuild::dynamic_data(&ctx).is_none());
    assert!(task.execute(&ctx).is_err());
}
