//! Turning task data (JSON, YAML or a `Value`) into a typed task, with every error reported.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use jsonschema::{Draft, Validator};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use crate::guided::{Guide, ReadTask, Walk, WalkError};
use crate::parse::{MAX_INPUT_BYTES, parse_json, parse_yaml};
use crate::task::{DynTask, Task};

/// Task data before it is parsed: JSON text, JSON bytes, YAML text, or an already parsed value.
#[derive(Debug, Clone)]
pub enum TaskInput<'a> {
    /// JSON text (see [`crate::parse`] for the rules).
    Json(&'a str),
    /// JSON as bytes (must be UTF-8).
    JsonBytes(&'a [u8]),
    /// YAML text (YAML 1.2: `no` and `on` are strings; see [`crate::parse`]).
    Yaml(&'a str),
    /// A parsed JSON value.
    Value(Cow<'a, Value>),
}

impl<'a> TaskInput<'a> {
    /// YAML text to configure from.
    pub fn yaml(text: &'a str) -> TaskInput<'a> {
        TaskInput::Yaml(text)
    }

    /// Parses the input into a JSON value, reporting syntax errors with line and column.
    pub fn into_value(self) -> Result<Cow<'a, Value>, TaskConfigError> {
        match self {
            TaskInput::Value(value) => Ok(value),
            TaskInput::Json(text) => parse_json(text.as_bytes()).map(Cow::Owned),
            TaskInput::JsonBytes(bytes) => parse_json(bytes).map(Cow::Owned),
            TaskInput::Yaml(text) => parse_yaml(text).map(Cow::Owned),
        }
    }
}

impl<'a> From<&'a str> for TaskInput<'a> {
    fn from(text: &'a str) -> Self {
        TaskInput::Json(text)
    }
}

impl<'a> From<&'a String> for TaskInput<'a> {
    fn from(text: &'a String) -> Self {
        TaskInput::Json(text)
    }
}

impl<'a> From<&'a [u8]> for TaskInput<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        TaskInput::JsonBytes(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for TaskInput<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        TaskInput::JsonBytes(bytes)
    }
}

impl<'a> From<&'a Value> for TaskInput<'a> {
    fn from(value: &'a Value) -> Self {
        TaskInput::Value(Cow::Borrowed(value))
    }
}

impl From<Value> for TaskInput<'_> {
    fn from(value: Value) -> Self {
        TaskInput::Value(Cow::Owned(value))
    }
}

/// A line and column (both 1-based) in the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Which stage found a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    /// The text is not valid JSON or YAML.
    Syntax,
    /// The data does not match the task's JSON Schema.
    Schema,
    /// The data matched the schema but could not become the typed struct.
    Deserialize,
    /// A cross-field rule of the task (its `validate` hook).
    Rule,
}

/// One thing wrong with task data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The stage that found it.
    pub kind: ViolationKind,
    /// JSON pointer to the offending value (`""` is the whole document).
    pub pointer: String,
    /// JSON pointer into the schema to the keyword that failed (empty if not a schema error).
    pub schema_path: String,
    /// What is wrong, in words.
    pub message: String,
    /// Where in the input text, when known.
    pub position: Option<Position>,
}

impl Violation {
    /// A violation at `pointer`, with no schema path or position.
    pub fn new(
        kind: ViolationKind,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            kind,
            pointer: pointer.into(),
            schema_path: String::new(),
            message: message.into(),
            position: None,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = if self.pointer.is_empty() {
            "(root)"
        } else {
            self.pointer.as_str()
        };
        write!(f, "{location}: {}", self.message)?;
        if let Some(Position { line, column }) = self.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

/// Invalid task data: every violation found, and an overall message.
///
/// `Display` gives the message then one violation per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskConfigError {
    message: String,
    violations: Vec<Violation>,
}

impl TaskConfigError {
    /// An error carrying these violations; the message summarises the first.
    pub fn from_violations(violations: Vec<Violation>) -> Self {
        let message = match violations.as_slice() {
            [] => "invalid task data".to_owned(),
            [only] => only.to_string(),
            [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
        };
        TaskConfigError {
            message,
            violations,
        }
    }

    /// A cross-field rule broken at `pointer` (use `""` for the whole document).
    ///
    /// `message` should be Debusine's wording for the same rule.
    pub fn rule(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        let violation = Violation::new(ViolationKind::Rule, pointer, message);
        TaskConfigError {
            message: violation.message.clone(),
            violations: vec![violation],
        }
    }

    /// Adds the violations of `other` to this error (for collecting several rules).
    pub fn merge(&mut self, other: TaskConfigError) {
        self.violations.extend(other.violations);
        *self = TaskConfigError::from_violations(std::mem::take(&mut self.violations));
    }

    /// The overall message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Every violation, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations, to complete them (e.g. with positions in the input text); the message
    /// is left as it is.
    pub fn violations_mut(&mut self) -> &mut [Violation] {
        &mut self.violations
    }

    /// Prefixes the message with context, as Debusine's `add_parent_message`: `parent: message`.
    pub fn add_parent_message(&mut self, parent: &str) {
        self.message = format!("{parent}: {}", self.message);
    }
}

impl fmt::Display for TaskConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.violations.len() > 1 {
            for violation in &self.violations {
                write!(f, "\n  - {violation}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for TaskConfigError {}

/// The schema keyword holding messages for other keywords; see `declared_message`.
pub const ERROR_MESSAGES: &str = "x-error-messages";

/// A task's schema and its compiled validator, built once per task type.
pub struct CompiledSchema {
    schema: Value,
    validator: Validator,
    /// The schema compiled for the fast path; `None` when the fast path cannot handle it.
    guide: Option<Guide>,
}

impl CompiledSchema {
    /// Generates `T`'s schema (draft 2020-12) and compiles its validator.
    ///
    /// Formats are asserted (`date-time`, `email`, ...); formats the validator does not know,
    /// such as schemars' `uint32`, are ignored, since the type already bounds them.
    pub fn new<T: JsonSchema>() -> CompiledSchema {
        // Generic only as far as it must be: this is compiled again for each task.
        let functions = SchemaFunctions {
            name: T::schema_name,
            id: T::schema_id,
            schema: T::json_schema,
        };
        CompiledSchema::compile(root_schema(functions), std::any::type_name::<T>())
    }

    fn compile(schema: Value, type_name: &str) -> CompiledSchema {
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&schema)
            .unwrap_or_else(|error| {
                // Only reachable if schemars emits an invalid schema: a bug, not bad input.
                panic!("the generated schema of `{type_name}` does not compile: {error}")
            });
        let guide = Guide::new(&schema);
        CompiledSchema {
            schema,
            validator,
            guide,
        }
    }

    /// The schema as JSON.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Every schema violation of `instance`; empty when it is valid.
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(instance)
            .map(|error| {
                let schema_path = error.schema_path().as_str().to_owned();
                let message = self
                    .declared_message(&schema_path, error.instance())
                    .or_else(|| self.explain_choice(&schema_path, error.instance()))
                    .unwrap_or_else(|| error.to_string());
                Violation {
                    kind: ViolationKind::Schema,
                    pointer: error.instance_path().as_str().to_owned(),
                    schema_path,
                    message,
                    position: None,
                }
            })
            .collect()
    }

    /// The message a schema declares for a keyword, under `x-error-messages` beside it
    /// (`{"pattern": "...", "x-error-messages": {"pattern": "Invalid suite {instance}"}}`) or in
    /// an enclosing schema, keyed by the path below it (`{"items/pattern": "..."}`). In the
    /// message, `{instance}` is the offending value (a string without its quotes).
    ///
    /// This is how a task keeps Debusine's wording for errors that its schema, not a rule, finds.
    fn declared_message(&self, schema_path: &str, instance: &Value) -> Option<String> {
        let mut split = schema_path.len();
        // The keyword's own schema, then up to two enclosing levels.
        for _ in 0..3 {
            split = schema_path[..split].rfind('/')?;
            let (parent, relative) = (&schema_path[..split], &schema_path[split + 1..]);
            let template = self
                .schema
                .pointer(parent)
                .and_then(|schema| schema.get(ERROR_MESSAGES)?.get(relative)?.as_str());
            if let Some(template) = template {
                let instance = match instance {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                return Some(template.replace("{instance}", &instance));
            }
        }
        None
    }

    /// schemars writes documented enums as a `oneOf` of `const`s, for which the validator says
    /// only "not valid under any of the schemas"; name the accepted values instead.
    fn explain_choice(&self, schema_path: &str, instance: &Value) -> Option<String> {
        if !schema_path.ends_with("/oneOf") && !schema_path.ends_with("/anyOf") {
            return None;
        }
        let choices = self.schema.pointer(schema_path)?.as_array()?;
        let values: Vec<String> = choices
            .iter()
            .map(|choice| choice.get("const").map(Value::to_string))
            .collect::<Option<_>>()?;
        Some(format!(
            "{instance} is not one of the permitted values: {}",
            values.join(", ")
        ))
    }
}

impl fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledSchema")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// `T`'s JSON Schema, draft 2020-12, with the type's doc comment as description.
///
/// Integers carry the bounds of their Rust type (`format: uint8` gets `maximum: 255`), so that
/// the published schema refuses what the type cannot hold: JSON Schema's `integer` is unbounded.
pub fn schema_for<T: JsonSchema>() -> Value {
    root_schema(SchemaFunctions {
        name: T::schema_name,
        id: T::schema_id,
        schema: T::json_schema,
    })
}

/// The three functions of a `JsonSchema` impl that schemars' root-schema generation calls.
#[derive(Clone, Copy)]
struct SchemaFunctions {
    name: fn() -> Cow<'static, str>,
    id: fn() -> Cow<'static, str>,
    schema: fn(&mut SchemaGenerator) -> Schema,
}

thread_local! {
    /// The type [`StandIn`] stands for while [`root_schema`] runs.
    static STANDING_FOR: Cell<Option<SchemaFunctions>> = const { Cell::new(None) };
}

/// Stands for the type whose root schema is being generated, forwarding to its functions:
/// schemars' root-schema code is generic over the type, and going through this one type
/// compiles it once rather than once per task. The schema is the same: the root's name, id and
/// subschema are the type's own.
struct StandIn;

impl StandIn {
    fn functions() -> SchemaFunctions {
        STANDING_FOR
            .get()
            .expect("StandIn is only used inside root_schema, which sets what it stands for")
    }
}

impl JsonSchema for StandIn {
    fn schema_name() -> Cow<'static, str> {
        (StandIn::functions().name)()
    }

    fn schema_id() -> Cow<'static, str> {
        (StandIn::functions().id)()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        (StandIn::functions().schema)(generator)
    }
}

fn root_schema(functions: SchemaFunctions) -> Value {
    let outer = STANDING_FOR.replace(Some(functions));
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<StandIn>();
    STANDING_FOR.set(outer);
    let mut schema = schema.to_value();
    bound_integer_formats(&mut schema);
    schema
}

fn bound_integer_formats(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let range = object
                .get("format")
                .and_then(Value::as_str)
                .and_then(integer_format_range);
            if let Some((low, high)) = range {
                tighten(object, "minimum", low, |existing, bound| existing >= bound);
                tighten(object, "maximum", high, |existing, bound| existing <= bound);
            }
            object.values_mut().for_each(bound_integer_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integer_formats),
        _ => {}
    }
}

/// Keeps an existing bound when it is already as tight; otherwise sets the format's.
fn tighten(
    object: &mut serde_json::Map<String, Value>,
    keyword: &str,
    bound: Value,
    tighter: fn(f64, f64) -> bool,
) {
    let keep = object
        .get(keyword)
        .and_then(Value::as_f64)
        .zip(bound.as_f64())
        .is_some_and(|(existing, bound)| tighter(existing, bound));
    if !keep {
        object.insert(keyword.to_owned(), bound);
    }
}

fn integer_format_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0.into(), u8::MAX.into()),
        "uint16" => (0.into(), u16::MAX.into()),
        "uint32" => (0.into(), u32::MAX.into()),
        "uint64" => (0.into(), u64::MAX.into()),
        _ => return None,
    })
}

/// Schema, then serde, then the task's `validate`: the pipeline behind [`Task::configure`].
///
/// Valid JSON usually takes the fast path ([`fast_path`]): one typed pass checked against the
/// schema on the way. Anything else takes the general path ([`general_path`]), which decides.
///
/// JSON text goes straight to the fast path: only a caller of `T::configure` compiles this (the
/// derive and the registry go through [`configure_entry`]), so it can afford to skip the
/// type-erased plumbing, which costs a noticeable part of the time of a small payload.
pub(crate) fn configure_typed<T: Task>(input: TaskInput<'_>) -> Result<T, TaskConfigError> {
    let compiled = T::__compiled();
    let task = match (&compiled.guide, fast_text_borrowed(&input)) {
        (Some(guide), Some(text)) => match guide.deserialize_checked::<T>(text) {
            Some(task) => task,
            // The fast path has had its go: not twice.
            None => read_task::<T>(input, Paths::GeneralOnly)?,
        },
        _ => read_task::<T>(input, Paths::Both)?,
    };
    task.validate()?;
    Ok(task)
}

/// The input as JSON text, when it is text already.
fn fast_text_borrowed<'a>(input: &TaskInput<'a>) -> Option<&'a str> {
    match *input {
        TaskInput::Json(text) if text.len() <= MAX_INPUT_BYTES => Some(text),
        TaskInput::JsonBytes(bytes) if bytes.len() <= MAX_INPUT_BYTES => {
            std::str::from_utf8(bytes).ok()
        }
        _ => None,
    }
}

/// Reads a task's struct from a walk into a box: the registry entry's reader for `T`, and the
/// only code configuring through the registry compiles for each task.
pub(crate) type ReadBoxed =
    fn(&mut Walk<'_, '_>, &mut Option<Box<dyn DynTask>>) -> Result<(), WalkError>;

/// The [`ReadBoxed`] of `T`.
pub(crate) fn read_boxed<T: Task>(
    walk: &mut Walk<'_, '_>,
    task: &mut Option<Box<dyn DynTask>>,
) -> Result<(), WalkError> {
    match T::deserialize(walk.root()) {
        Ok(data) => {
            *task = Some(Box::new(data));
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// [`configure_typed`] for the registry, boxed, with the task's schema and reader.
pub(crate) fn configure_entry(
    compiled: &CompiledSchema,
    read: ReadBoxed,
    input: TaskInput<'_>,
) -> Result<Box<dyn DynTask>, TaskConfigError> {
    let mut task = None;
    read_with(compiled, input, Paths::Both, &mut |walk| {
        read(walk, &mut task)
    })?;
    validated(task)
}

/// The task `read_with` read, once its rules pass.
fn validated(task: Option<Box<dyn DynTask>>) -> Result<Box<dyn DynTask>, TaskConfigError> {
    let task = task.ok_or_else(nothing_read)?;
    task.validate()?;
    Ok(task)
}

/// The fast path alone, without the task's `validate`: the struct if the input is JSON that is
/// valid for the schema and was checked in one typed pass, `None` if it could not tell.
///
/// Public so that tests and benchmarks can hold it to the general path.
pub fn fast_path<T: Task>(input: &TaskInput<'_>) -> Option<T> {
    let input = match *input {
        TaskInput::Json(text) => TaskInput::Json(text),
        TaskInput::JsonBytes(bytes) => TaskInput::JsonBytes(bytes),
        TaskInput::Value(ref value) => TaskInput::Value(Cow::Borrowed(value)),
        TaskInput::Yaml(_) => return None,
    };
    read_task::<T>(input, Paths::FastOnly).ok()
}

/// The general path alone, without the task's `validate`: parse, check every schema keyword,
/// deserialize. The authority on what is valid, and the path that explains what is not.
///
/// The struct is read from the validated value written back as text, through the same
/// deserializer as the fast path (checks off): one instantiation of each task's `Deserialize`
/// serves both paths, which keeps the code generated per task small.
pub fn general_path<T: Task>(input: TaskInput<'_>) -> Result<T, TaskConfigError> {
    read_task::<T>(input, Paths::GeneralOnly)
}

/// Which of the two paths [`read_with`] may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paths {
    Both,
    FastOnly,
    GeneralOnly,
}

/// Reads `T` by the given paths: generic only in the closure that deserializes `T` from a
/// walk; everything else is [`read_with`], compiled once.
fn read_task<T: Task>(input: TaskInput<'_>, paths: Paths) -> Result<T, TaskConfigError> {
    let mut task = None;
    read_with(T::__compiled(), input, paths, &mut |walk| {
        task = Some(T::deserialize(walk.root())?);
        Ok(())
    })?;
    match task {
        Some(task) => Ok(task),
        None => Err(nothing_read()),
    }
}

/// `read_with` returned `Ok` but its reader kept nothing: it returns `Ok` only once the reader
/// has succeeded, so this is a bug, reported rather than panicking.
fn nothing_read() -> TaskConfigError {
    deserialize_error(String::new(), "no value was read".to_owned())
}

/// The fast path, then (unless `paths` excludes it) the general path; `read` deserializes the
/// task's struct from the walk each path provides.
fn read_with(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
    paths: Paths,
    read: &mut ReadTask<'_>,
) -> Result<(), TaskConfigError> {
    if paths != Paths::GeneralOnly {
        if let Some(guide) = &compiled.guide
            && fast_text(&input).is_some_and(|text| guide.read_checked(&text, read))
        {
            return Ok(());
        }
        if paths == Paths::FastOnly {
            return Err(deserialize_error(
                String::new(),
                "left to the general path".to_owned(),
            ));
        }
    }
    let text = validated_text(compiled, input)?;
    Guide::read_unchecked(&text, read)
        .map_err(|(pointer, message)| deserialize_error(pointer, message))
}

/// The JSON text the fast path reads, if it reads this input: a `Value` through text, so that
/// each task's `Deserialize` is compiled for one deserializer.
fn fast_text<'a>(input: &TaskInput<'a>) -> Option<Cow<'a, str>> {
    match *input {
        TaskInput::Value(ref value) => serde_json::to_string(value).ok().map(Cow::Owned),
        _ => fast_text_borrowed(input).map(Cow::Borrowed),
    }
}

/// The general path up to serde: parsed, validated, written back as compact text.
fn validated_text(
    compiled: &CompiledSchema,
    input: TaskInput<'_>,
) -> Result<String, TaskConfigError> {
    let value = input.into_value()?;
    let violations = compiled.violations(&value);
    if !violations.is_empty() {
        return Err(TaskConfigError::from_violations(violations));
    }
    serde_json::to_string(&value)
        .map_err(|error| deserialize_error(String::new(), error.to_string()))
}

/// The error of a value the schema accepts and serde refuses.
fn deserialize_error(pointer: String, message: String) -> TaskConfigError {
    TaskConfigError::from_violations(vec![Violation::new(
        ViolationKind::Deserialize,
        pointer,
        message,
    )])
}
