// Several tasks in one crate: distinct names, a name shared by kinds that Debusine keeps apart,
// `kind` as a string, a raw identifier, doc comments in several forms, no doc comment, a task
// in a function body; the generated code is warning-free.
#![deny(warnings)]
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::{Execute, Registry, Task, TaskContext, TaskError, TaskKind};

macro_rules! execute {
    ($($task:ty),*) => {$(
        impl Execute for $task {
            fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
                Ok(true)
            }
        }
    )*};
}

/// Do nothing.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
pub struct Noop {}

/// # Signing noop
/// Do nothing, on a signing worker.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 2)]
#[task(name = "noop", kind = "signing")]
pub struct SigningNoop {}

#[doc = "Wait "]
#[doc = concat!("for ", "a delay.")]
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 0, kind = wait)]
pub struct r#Delay {
    pub seconds: u64,
}

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 4294967295, kind = internal)]
pub struct Undocumented {}

mod inner {
    /// Lives in a module.
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1)]
    pub struct Nested {}
}

execute!(Noop, SigningNoop, Delay, Undocumented, inner::Nested);

fn same_description<T: Task>() {
    let schema = T::schema();
    let described = schema.get("description").and_then(|d| d.as_str()).unwrap_or("");
    assert_eq!(T::DESCRIPTION, described, "{}", T::NAME);
}

fn main() {
    /// Defined in a function, as tests do.
    #[derive(Debug, Deserialize, JsonSchema, Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1)]
    struct Local {}
    execute!(Local);

    let registry = Registry::global();
    assert_eq!(
        registry.names(),
        ["delay", "local", "nested", "noop", "undocumented"]
    );
    assert_eq!(registry.conflicts().len(), 0);
    assert_eq!(registry.get_of_kind(TaskKind::Signing, "noop").unwrap().version, 2);
    assert_eq!(registry.get("noop").unwrap().kind, TaskKind::Worker);
    assert_eq!(Delay::TYPE_NAME, concat!(module_path!(), "::Delay"));
    assert_eq!(inner::Nested::TYPE_NAME, concat!(module_path!(), "::inner::Nested"));
    assert_eq!(Undocumented::VERSION, u32::MAX);
    assert_eq!(SigningNoop::DESCRIPTION, "Do nothing, on a signing worker.");
    assert_eq!(SigningNoop::schema()["title"], "Signing noop");
    assert_eq!(Delay::DESCRIPTION, "Wait \nfor a delay.");
    assert_eq!(Undocumented::DESCRIPTION, "");
    same_description::<Noop>();
    same_description::<SigningNoop>();
    same_description::<Delay>();
    same_description::<Undocumented>();
    same_description::<inner::Nested>();
}
