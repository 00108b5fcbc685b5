//! The registry: the seed's `class_from_name`, `is_valid_task_name`, `task_names` and duplicates.

use taskdef::{ConfigureByNameError, LookupError, Registry, Task, TaskEntry, TaskKind};
use taskdef_tests::{ServerNoop, SigningNoop, TestBuildTask, TestDelay, TestFailing, TestNoop};

#[test]
fn derived_tasks_are_registered_under_their_lowercase_names() {
    let registry = Registry::global();
    assert_eq!(
        registry.names(),
        [
            "servernoop",
            "testbuild",
            "testdelay",
            "testfailing",
            "testnoop"
        ]
    );
    assert_eq!(TestNoop::NAME, "testnoop");
    assert_eq!(
        TestBuildTask::NAME,
        "testbuild",
        "name = overrides the type name"
    );
}

#[test]
fn lookup_is_case_insensitive() {
    let registry = Registry::global();
    for spelling in ["testnoop", "TestNoop", "TESTNOOP", "tEsTnOoP"] {
        let entry = registry.get(spelling).unwrap();
        assert_eq!(entry.type_name, TestNoop::TYPE_NAME, "{spelling}");
        assert!(registry.contains(spelling), "{spelling}");
    }
}

#[test]
fn unknown_names_give_the_seed_message_in_lowercase() {
    let error = Registry::global().get("DoesNotExist").unwrap_err();
    assert_eq!(
        error.to_string(),
        "'doesnotexist' is not a registered task_name"
    );
    assert!(!Registry::global().contains("DoesNotExist"));
}

#[test]
fn a_misspelled_name_gets_the_closest_registered_one() {
    let registry = Registry::global();
    let error = registry.get("TestNop").unwrap_err();
    assert_eq!(
        error,
        LookupError::Unknown {
            name: "testnop".into(),
            did_you_mean: Some("testnoop"),
        }
    );
    assert_eq!(
        error.to_string(),
        "'testnop' is not a registered task_name (did you mean 'testnoop'?)"
    );
    let Err(ConfigureByNameError::Lookup(error)) = registry.configure("testnoopp", "{}") else {
        panic!("a misspelled name is refused");
    };
    assert_eq!(
        error.to_string(),
        "'testnoopp' is not a registered task_name (did you mean 'testnoop'?)"
    );
    // Only names of the kind looked in are suggested.
    let error = registry
        .get_of_kind(TaskKind::Server, "servernop")
        .unwrap_err();
    assert!(error.to_string().ends_with("(did you mean 'servernoop'?)"));
    let error = registry
        .get_of_kind(TaskKind::Worker, "servernop")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "'servernop' is not a registered Worker task_name"
    );
}

#[test]
fn lookup_by_kind_uses_debusine_message() {
    let registry = Registry::global();
    let error = registry
        .get_of_kind(TaskKind::Worker, "servernoop")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "'servernoop' is not a registered Worker task_name"
    );
    let server = registry
        .get_of_kind(TaskKind::Server, "ServerNoop")
        .unwrap();
    assert_eq!(server.type_name, ServerNoop::TYPE_NAME);
}

#[test]
fn a_worker_and_a_signing_task_may_share_a_name() {
    let registry = Registry::global();
    assert_eq!(registry.conflicts().len(), 0);
    let worker = registry.get_of_kind(TaskKind::Worker, "testnoop").unwrap();
    let signing = registry.get_of_kind(TaskKind::Signing, "testnoop").unwrap();
    assert_eq!(worker.type_name, TestNoop::TYPE_NAME);
    assert_eq!(signing.type_name, SigningNoop::TYPE_NAME);
    assert_eq!(
        registry.get("testnoop").unwrap().kind,
        TaskKind::Worker,
        "a plain lookup prefers the worker task"
    );
    assert_eq!(
        registry
            .names()
            .iter()
            .filter(|n| **n == "testnoop")
            .count(),
        1,
        "names are deduplicated"
    );
}

#[test]
fn entries_describe_each_task() {
    let entry = Registry::global().get("testbuild").unwrap();
    assert_eq!(entry.name, "testbuild");
    assert_eq!(entry.kind, TaskKind::Worker);
    assert_eq!(entry.version, 3);
    assert_eq!(entry.type_name, "taskdef_tests::TestBuildTask");
    assert_eq!(
        entry.summary(),
        "Build something for an architecture, with a cross-field rule and a worker probe."
    );
    assert_eq!(entry.schema()["description"], entry.description);
    assert_eq!(entry.version_key(), "testbuild:version");
    let names: Vec<_> = Registry::global()
        .entries()
        .map(|e| (e.name, e.kind))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries iterate in name order");
}

#[test]
fn configure_by_name_gives_a_boxed_task() {
    let task = Registry::global()
        .configure("TestBuild", r#"{"host_architecture": "arm64"}"#)
        .unwrap();
    assert_eq!(task.name(), "testbuild");
    assert_eq!(task.version(), 3);
    assert_eq!(task.host_architecture(), Some("arm64"));
    let typed = task.downcast_ref::<TestBuildTask>().unwrap();
    assert_eq!(typed.build_components.len(), 1);
    assert!(task.downcast_ref::<TestNoop>().is_none());

    let error = Registry::global()
        .configure("nope", "{}")
        .unwrap_err()
        .to_string();
    assert_eq!(error, "'nope' is not a registered task_name");
}

// Two types claiming one name: written by hand, since the derive refuses this at compile time.
macro_rules! hand_written_task {
    ($ty:ident, $name:literal, $kind:expr) => {
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        struct $ty {}
        impl taskdef::Execute for $ty {
            fn execute(&self, _: &taskdef::TaskContext) -> Result<bool, taskdef::TaskError> {
                Ok(true)
            }
        }
        impl Task for $ty {
            const NAME: &'static str = $name;
            const VERSION: u32 = 1;
            const KIND: TaskKind = $kind;
            const DESCRIPTION: &'static str = "";
            const TYPE_NAME: &'static str = concat!("registry::", stringify!($ty));
            type DynamicData = taskdef::BaseDynamicData;
            fn __compiled() -> &'static taskdef::__private::CompiledSchema {
                static COMPILED: std::sync::OnceLock<taskdef::__private::CompiledSchema> =
                    std::sync::OnceLock::new();
                COMPILED.get_or_init(taskdef::__private::CompiledSchema::new::<Self>)
            }
            fn __compiled_dynamic_data() -> &'static taskdef::__private::CompiledSchema {
                static COMPILED: std::sync::OnceLock<taskdef::__private::CompiledSchema> =
                    std::sync::OnceLock::new();
                COMPILED.get_or_init(
                    taskdef::__private::CompiledSchema::new::<taskdef::BaseDynamicData>,
                )
            }
            fn release_forms() -> &'static [taskdef::ReleaseForm] {
                const { &[taskdef::__private::ReleaseForm::own::<Self>(None)] }
            }
        }
    };
}

hand_written_task!(Dup, "dup", TaskKind::Worker);
hand_written_task!(DupUpper, "dup", TaskKind::Worker);
hand_written_task!(DupServer, "dupserver", TaskKind::Server);
hand_written_task!(DupServerWorker, "dupserver", TaskKind::Worker);
hand_written_task!(DupSigning, "testnoop", TaskKind::Signing);

static DUP_ENTRY: TaskEntry = TaskEntry::of::<Dup>();
static DUP_UPPER_ENTRY: TaskEntry = TaskEntry::of::<DupUpper>();
static DUP_SERVER_ENTRY: TaskEntry = TaskEntry::of::<DupServer>();
static DUP_SERVER_WORKER_ENTRY: TaskEntry = TaskEntry::of::<DupServerWorker>();
static NOOP_ENTRY: TaskEntry = TaskEntry::of::<TestNoop>();
static DUP_SIGNING_ENTRY: TaskEntry = TaskEntry::of::<DupSigning>();
static SIGNING_NOOP_ENTRY: TaskEntry = TaskEntry::of::<SigningNoop>();

#[test]
fn two_types_under_one_name_are_reported_with_both_type_names() {
    let registry = Registry::from_entries([&DUP_ENTRY, &DUP_UPPER_ENTRY, &NOOP_ENTRY]);
    let error = registry.get("DUP").unwrap_err();
    assert_eq!(
        error.to_string(),
        "Two Tasks with the same name: 'dup' (registry::Dup, registry::DupUpper)"
    );
    let LookupError::Duplicate(duplicate) = error else {
        panic!("expected a duplicate, got {error:?}");
    };
    assert_eq!(
        duplicate.type_names,
        ["registry::Dup", "registry::DupUpper"]
    );
    assert_eq!(registry.conflicts().count(), 1);
    assert_eq!(
        registry.names(),
        ["testnoop"],
        "the contested name is not usable"
    );
    assert!(registry.get("testnoop").is_ok(), "other tasks stay usable");
}

#[test]
fn a_worker_and_a_server_task_may_not_share_a_name() {
    let registry = Registry::from_entries([&DUP_SERVER_ENTRY, &DUP_SERVER_WORKER_ENTRY]);
    assert!(matches!(
        registry.get_of_kind(TaskKind::Server, "dupserver"),
        Err(LookupError::Duplicate(_))
    ));
}

#[test]
fn two_signing_tasks_under_one_name_conflict_but_leave_the_worker_task_alone() {
    let registry = Registry::from_entries([&NOOP_ENTRY, &DUP_SIGNING_ENTRY, &SIGNING_NOOP_ENTRY]);
    let conflict = registry.conflicts().next().unwrap();
    assert_eq!(
        conflict.type_names,
        ["registry::DupSigning", SigningNoop::TYPE_NAME],
        "only the signing types conflict"
    );
    assert!(matches!(
        registry.get("testnoop"),
        Err(LookupError::Duplicate(_))
    ));
    let worker = registry.get_of_kind(TaskKind::Worker, "testnoop").unwrap();
    assert_eq!(worker.type_name, TestNoop::TYPE_NAME);
    assert_eq!(registry.names(), ["testnoop"]);
}

#[test]
fn the_same_entry_seen_twice_is_not_a_conflict() {
    let registry = Registry::from_entries([&NOOP_ENTRY, &NOOP_ENTRY]);
    assert_eq!(registry.conflicts().count(), 0);
    assert_eq!(registry.names(), ["testnoop"]);
}

#[test]
fn every_kind_of_test_task_is_present() {
    let kinds: Vec<TaskKind> = [
        TestNoop::KIND,
        TestFailing::KIND,
        ServerNoop::KIND,
        SigningNoop::KIND,
        TestDelay::KIND,
    ]
    .to_vec();
    assert_eq!(
        kinds,
        [
            TaskKind::Worker,
            TaskKind::Worker,
            TaskKind::Server,
            TaskKind::Signing,
            TaskKind::Wait
        ]
    );
}
