//! The catalogue judged by Debusine's own models, release by release.
//!
//! For each Debusine release the tests run (0.16.2 from sid, 0.11.3 from trixie), the release's
//! real pydantic models, extracted from its Debian packages and run in the venv that
//! `tests/debusine/server` builds (`tests/debusine/model-verdicts`, one process per release, all
//! documents through it), judge:
//! - the public conformance cases (`../shared/conformance/debusine-cases.jsonl`), by each
//!   release's models rather than by the verdict recorded in the file;
//! - the catalogue's samples of that release (`samples/<task>/` are 0.16's data,
//!   `samples-0.11/<task>/` 0.11's);
//! - documents generated from each task's JSON Schema, Debusine's (as its pydantic writes it) and
//!   the catalogue's, with a seeded PRNG: instances of the schema, and the same mutated (wrong
//!   types, missing required keys, unknown keys, out-of-range values, wrong enum values, null,
//!   and the spellings pydantic coerces); task data and dynamic data, for all 13 worker tasks;
//! - probes: the valid samples and cases with one value respelt as pydantic coerces it (`"true"`
//!   for `true`, `"2"` for `2`, `2.5` for an integer, a Unix time for a date-time...).
//!
//! The catalogue's verdict for the release must equal Debusine's. The one exception is what
//! taskdef refuses by design (see "Stricter than Debusine" in the crate's docs), by this rule:
//! Debusine accepts, taskdef refuses, and the document with each such value replaced gives a
//! document taskdef accepts. The values ([`Coercion`]): each value that pydantic read as
//! another JSON value by one of the listed coercions (string→bool, int→bool, string→number,
//! number→string, bool→string, bool→int, float→int and float truncation, date spellings, a
//! list of pairs read as an object), replaced by what pydantic read (followed through a lookup
//! object's keys into the normalised form pydantic reads them into); and four values no
//! coercion explains, each replaced as its variant says: a negative id in the dynamic data, a
//! `/` in simplesystemimagebuild's image file name, an entry of a lookup object's normalised
//! form that Debusine drops unread (a later entry or a key replaces it), an integer beyond 64
//! bits. Those are counted and listed, by release, task and kind. Any other disagreement fails
//! the test with the document, both verdicts and both messages, except for the pairs in
//! [`PENDING`] (catalogue ports not landed yet, none today), which are listed and must
//! disagree somewhere (a pair that agrees everywhere must leave the list).
//!
//! The table of agreement and the full list go to `$CARGO_TARGET_TMPDIR/conformance-models.md`
//! and to the test's output. `TASKDEF_CONFORMANCE_SEED=N` explores other documents.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::Instant;

use jsonschema::Validator;
use serde_json::{Map, Value, json};
use taskdef::TaskInput;
use taskdef_examples as _;

#[allow(dead_code)]
#[path = "support/debusine.rs"]
mod debusine;
use debusine::{Server, Suite};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const PROGRAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/debusine/model-verdicts"
);

/// Debusine's worker tasks (the `Worker` registry of both releases).
const WORKER_TASKS: [&str; 13] = [
    "assemblesignedsource",
    "autopkgtest",
    "blhc",
    "debdiff",
    "extractforsigning",
    "lintian",
    "makesourcepackageupload",
    "mergeuploads",
    "mmdebstrap",
    "noop",
    "piuparts",
    "sbuild",
    "simplesystemimagebuild",
];

/// Generated task-data documents per task and release.
const DATA_CASES: usize = 1_600;
/// Coercion probes per task and release: valid documents with one value respelt.
const PROBES: usize = 100;
/// Generated dynamic-data documents per task and release.
const DYNAMIC_CASES: usize = 400;

/// (release, task) pairs whose catalogue form for that release has not landed yet: their
/// disagreements are listed (in the test's output and report) but do not fail the test. Each
/// must disagree somewhere: when a port lands and the pair agrees, the test asks for its
/// removal here. Empty: every task has its form of each release the test runs, and each
/// agrees with that release's models.
const PENDING: &[(&str, &str)] = &[];

// ---------------------------------------------------------------- the catalogue, per release

/// The catalogue as a release sees it: each task's form of that release's data
/// (`TaskEntry::form`, `configure_in`, `configure_dynamic_data_in`; a task that names no
/// release has one form for every release).
mod catalogue {
    use serde_json::Value;
    use taskdef::{Registry, TaskConfigError, TaskEntry, ViolationKind};

    /// The task, if the catalogue has a form of it for `release`.
    fn entry(release: &str, task: &str) -> Option<&'static TaskEntry> {
        Registry::global()
            .get(task)
            .ok()
            .filter(|entry| entry.form(release).is_ok())
    }

    /// The task's data and dynamic-data schemas in `release`, if the catalogue has that form.
    pub fn schemas(release: &str, task: &str) -> Option<(&'static Value, &'static Value)> {
        let form = entry(release, task)?.form(release).ok()?;
        Some((form.schema(), form.dynamic_data_schema()))
    }

    /// The catalogue's verdict on a document.
    pub struct Verdict {
        /// Each violation, prefixed by `data` or `dynamic_data` as the model program prefixes
        /// Debusine's errors; empty: valid.
        pub messages: Vec<String>,
        /// Where each violation is, for grouping: `key pointer keyword`, with list indices as
        /// `*`, the schema keyword that failed (or the missing or unknown key, or a rule's
        /// words without the quoted values).
        pub places: Vec<String>,
        /// Each violation's pointer, as `data /a/0` or `dynamic_data /b` (`data ` for the
        /// document).
        pub pointers: Vec<String>,
    }

    impl Verdict {
        pub fn valid(&self) -> bool {
            self.messages.is_empty()
        }
    }

    /// The catalogue's verdict for `release`: `None` if it has no form of the task for that
    /// release (or no such task). The data goes in
    /// as JSON text, as a worker receives it (`TaskInput::Value` takes an integral float such
    /// as `2.0` as a float; the text parser reads it as the integer 2).
    pub fn judge(
        release: &str,
        task: &str,
        data: Option<&Value>,
        dynamic_data: Option<&Value>,
    ) -> Option<Verdict> {
        let entry = entry(release, task)?;
        let mut verdict = Verdict {
            messages: Vec::new(),
            places: Vec::new(),
            pointers: Vec::new(),
        };
        let mut add = |key: &str, error: TaskConfigError| {
            if error.violations().is_empty() {
                verdict.messages.push(format!("{key}: {error}"));
                verdict.places.push(format!("{key} {error}"));
            }
            for violation in error.violations() {
                verdict.messages.push(format!("{key}: {violation}"));
                verdict
                    .pointers
                    .push(format!("{key} {}", violation.pointer));
                let place = match &violation.kind {
                    ViolationKind::UnknownKey { name } => format!("unknown key {name:?}"),
                    ViolationKind::MissingKey { name } => format!("missing key {name:?}"),
                    // A rule (or a serde refusal): its words, without the values quoted.
                    _ if violation.schema_path.is_empty() => {
                        super::without_quoted(&violation.message)
                    }
                    _ => violation.schema_path.clone(),
                };
                let pointer = if violation.pointer.is_empty() {
                    "(root)".to_owned()
                } else {
                    super::generic_pointer(&violation.pointer)
                };
                verdict.places.push(format!("{key} {pointer} {place}"));
            }
        };
        if let Some(data) = data
            && let Err(error) = entry.configure_in(release, &data.to_string())
        {
            add("data", error);
        }
        if let Some(data) = dynamic_data
            && let Err(error) = entry.configure_dynamic_data_in(release, &data.to_string())
        {
            add("dynamic_data", error);
        }
        verdict.places.sort();
        verdict.places.dedup();
        Some(verdict)
    }
}

// ---------------------------------------------------------------- documents and Debusine

/// One document for a release's models and the catalogue.
struct Document {
    task: String,
    /// Where it comes from: a case id, a sample path, or a generated document's seed, index,
    /// schema and mutations.
    origin: String,
    data: Option<Value>,
    dynamic_data: Option<Value>,
}

impl Document {
    fn wire(&self) -> Value {
        let mut object = Map::new();
        object.insert("task".into(), Value::from(self.task.as_str()));
        if let Some(data) = &self.data {
            object.insert("data".into(), data.clone());
        }
        if let Some(data) = &self.dynamic_data {
            object.insert("dynamic_data".into(), data.clone());
        }
        Value::Object(object)
    }
}

/// A release's models' verdict on one document.
struct ModelVerdict {
    valid: bool,
    errors: Vec<String>,
    /// What the models read ({"data": ..., "dynamic_data": ...}), for valid documents.
    read: Value,
}

/// A release's models: one `model-verdicts` process, in the release's venv.
struct Models<'s> {
    server: &'s Server,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: std::io::Lines<BufReader<ChildStdout>>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl<'s> Models<'s> {
    fn start(server: &'s Server) -> Models<'s> {
        let mut child = server
            .python(&[PROGRAM])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot run {PROGRAM} through {}: {error}", debusine::SCRIPT)
            });
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Models {
            server,
            stdin: child.stdin.take(),
            stdout: BufReader::new(child.stdout.take().expect("stdout")).lines(),
            child,
            stderr: Some(stderr),
        }
    }

    /// Fails with what the program said on its standard error.
    fn fail(&mut self, what: &str) -> ! {
        drop(self.stdin.take());
        let status = self.child.wait().map(|status| status.to_string());
        let stderr = self
            .stderr
            .take()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default();
        panic!(
            "`{} python {} {PROGRAM}` (Debusine {}'s models): {what}; it exited with {status:?}; \
             its standard error:\n{stderr}",
            debusine::SCRIPT,
            self.server.state,
            self.server.version,
        );
    }

    /// Debusine's JSON Schemas of each task's data and dynamic data, as the release's pydantic
    /// writes them.
    fn schemas(&mut self) -> Value {
        let stdin = self.stdin.as_mut().expect("the program's stdin is open");
        if stdin
            .write_all(b"{\"command\": \"schemas\"}\n")
            .and_then(|()| stdin.flush())
            .is_err()
        {
            self.fail("it does not read");
        }
        match self.stdout.next() {
            Some(Ok(line)) => serde_json::from_str(&line).expect("schemas are JSON"),
            _ => self.fail("no schemas"),
        }
    }

    /// The verdict on every document (what the models read, where `read` says so); the
    /// program ends.
    fn judge(mut self, documents: &[Document], read: &[bool]) -> Vec<ModelVerdict> {
        let mut input = String::new();
        for (document, read) in documents.iter().zip(read) {
            let mut wire = document.wire();
            if *read {
                wire["read"] = Value::Bool(true);
            }
            input.push_str(&wire.to_string());
            input.push('\n');
        }
        let mut stdin = self.stdin.take().expect("the program's stdin is open");
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let mut verdicts = Vec::with_capacity(documents.len());
        for line in self.stdout.by_ref() {
            let Ok(value) = line
                .map_err(drop)
                .and_then(|line| serde_json::from_str::<Value>(&line).map_err(drop))
            else {
                break;
            };
            verdicts.push(ModelVerdict {
                valid: value["valid"].as_bool().unwrap_or(false),
                errors: value["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|error| error.as_str().unwrap_or_default().to_owned())
                    .collect(),
                read: value.get("read").cloned().unwrap_or(Value::Null),
            });
        }
        let written = writer.join().expect("the writer thread");
        let status = self.child.wait().expect("the program ends");
        if !status.success() || written.is_err() || verdicts.len() != documents.len() {
            let what = format!(
                "{} verdicts for {} documents",
                verdicts.len(),
                documents.len()
            );
            self.fail(&what);
        }
        verdicts
    }
}

// ---------------------------------------------------------------- fixed documents

fn conformance_cases() -> Option<Vec<Value>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/debusine-cases.jsonl");
    let text = std::fs::read_to_string(&path).ok()?;
    Some(
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).expect("a conformance case is JSON"))
            .collect(),
    )
}

/// The samples of `release` for `task`: (path relative to the crate, data). A missing
/// directory is no samples (the samples of a release come task by task).
fn samples(release: &str, task: &str) -> Vec<(String, Value)> {
    let dir = if release == "0.16" {
        "samples".to_owned()
    } else {
        format!("samples-{release}")
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(&dir).join(task);
    let Ok(entries) = std::fs::read_dir(&path) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            )
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).expect("a sample is readable");
            let input = if path.extension().is_some_and(|e| e == "yaml") {
                TaskInput::yaml(&text)
            } else {
                TaskInput::Json(&text)
            };
            // A sample that is not JSON or YAML at all is the samples test's business. Both
            // sides get the JSON taskdef reads (YAML 1.2; Debusine's client reads YAML 1.1, a
            // difference the README lists).
            let value = input.into_value().ok()?.into_owned();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            Some((format!("{dir}/{task}/{name}"), value))
        })
        .collect()
}

// ---------------------------------------------------------------- generated documents

/// Values seen in the fixed documents, by the key they were under: generated documents use
/// them often, so that they get past patterns and rules and reach deeper.
#[derive(Default)]
struct Harvest(HashMap<String, Vec<Value>>);

impl Harvest {
    fn add(&mut self, value: &Value) {
        match value {
            Value::Object(object) => {
                for (key, item) in object {
                    let seen = self.0.entry(key.clone()).or_default();
                    if !seen.contains(item) && seen.len() < 32 {
                        seen.push(item.clone());
                    }
                    self.add(item);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.add(item)),
            _ => {}
        }
    }
}

/// Strings tried for a string schema (the first matching its pattern and lengths is used).
const WORDS: &[&str] = &[
    "bookworm",
    "main",
    "amd64",
    "hello",
    "http://deb.debian.org/debian",
    "debian/match:codename=bookworm",
    "1.0-1",
    "+b1",
    "Foo Bar <foo@example.org>",
    "foo@example.org",
    "./",
    "trixie",
    "all",
    "any",
    "source",
    "nocheck",
    "sid",
    "x",
    "2024-05-01T12:00:00Z",
    "12",
    "true",
    "",
];

/// The schema that takes anything.
static ANY: Value = Value::Bool(true);

struct Generator<'a> {
    root: &'a Value,
    rng: Rng,
    harvest: &'a Harvest,
    /// For each pattern met, which of [`WORDS`] match it.
    patterns: HashMap<String, Vec<bool>>,
    /// Every generated node: its pointer and the schema it was generated from.
    sites: Vec<(String, &'a Value)>,
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `text` with each double-quoted part as `"…"`, for grouping.
fn without_quoted(text: &str) -> String {
    let mut out = String::new();
    let mut parts = text.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    for (index, part) in rest.iter().enumerate() {
        if index % 2 == 0 {
            out.push_str("\"…\"");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A pointer with its array indices as `*`, for grouping.
fn generic_pointer(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl<'a> Generator<'a> {
    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent as u64
    }

    /// `schema` with its `$ref`s (and one-element `allOf`s, as pydantic 1 wraps refs) followed.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..32 {
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                match self.root.pointer(reference.trim_start_matches('#')) {
                    Some(target) => schema = target,
                    None => return &ANY,
                }
            } else if let Some([only]) = schema
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                schema = only;
            } else {
                break;
            }
        }
        schema
    }

    fn matches_pattern(&mut self, pattern: &str, word: usize) -> bool {
        self.patterns.entry(pattern.to_owned()).or_insert_with(|| {
            let validator: Option<Validator> =
                jsonschema::validator_for(&json!({ "pattern": pattern })).ok();
            WORDS
                .iter()
                .map(|word| {
                    validator
                        .as_ref()
                        .is_none_or(|validator| validator.is_valid(&Value::from(*word)))
                })
                .collect()
        })[word]
    }

    fn string(&mut self, schema: &Value) -> Value {
        if schema.get("format").and_then(Value::as_str) == Some("date-time") {
            return Value::from(*self.rng.pick(&[
                "2024-05-01T12:00:00Z",
                "2025-01-31T23:59:59+01:00",
                "2024-05-01T12:00:00.5Z",
            ]));
        }
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |max| max as usize);
        let pattern = schema.get("pattern").and_then(Value::as_str);
        let start = self.rng.index(WORDS.len());
        for offset in 0..WORDS.len() {
            let index = (start + offset) % WORDS.len();
            let word = WORDS[index];
            let length = word.chars().count();
            if length < min || length > max {
                continue;
            }
            if pattern.is_none_or(|pattern| self.matches_pattern(pattern, index)) {
                return Value::from(word);
            }
        }
        Value::from("x".repeat(min.max(1)))
    }

    fn number(&mut self, schema: &Value, integer: bool) -> Value {
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
        let low = bound("minimum")
            .or(bound("exclusiveMinimum").map(|b| b + 1.0))
            .unwrap_or(-2.0);
        let high = bound("maximum")
            .or(bound("exclusiveMaximum").map(|b| b - 1.0))
            .unwrap_or(low.max(0.0) + 100.0);
        let choices = [low, high, low + (high - low) / 2.0, low.max(0.0).min(high)];
        let value = *self.rng.pick(&choices);
        if integer {
            Value::from(value.round() as i64)
        } else {
            json!(value)
        }
    }

    /// An instance of `schema` at `pointer`, under the object key `key`.
    fn instance(
        &mut self,
        schema: &'a Value,
        pointer: &str,
        key: Option<&str>,
        depth: usize,
    ) -> Value {
        let schema = self.resolve(schema);
        if let Some(key) = key
            && let Some(seen) = self.harvest.0.get(key)
            && self.chance(35)
        {
            return self.rng.pick(seen).clone();
        }
        match schema {
            Value::Bool(false) => return Value::Null,
            Value::Bool(true) => {
                return self
                    .rng
                    .pick(&[json!("x"), json!(1), json!(true), json!(null)])
                    .clone();
            }
            _ => {}
        }
        for union in ["anyOf", "oneOf"] {
            if let Some(branches) = schema.get(union).and_then(Value::as_array)
                && !branches.is_empty()
            {
                let branch = if depth > 5 {
                    // Deep down, the simplest branch (a scalar) keeps documents finite.
                    branches
                        .iter()
                        .find(|branch| {
                            let branch = self.resolve(branch);
                            branch.get("properties").is_none() && branch.get("items").is_none()
                        })
                        .unwrap_or(&branches[0])
                } else {
                    self.rng.pick(branches)
                };
                return self.instance(branch, pointer, key, depth);
            }
        }
        if let Some(Value::Array(all)) = schema.get("allOf")
            && let Some(first) = all.first()
        {
            return self.instance(first, pointer, key, depth);
        }
        self.sites.push((pointer.to_owned(), schema));
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        if let Some(Value::Array(values)) = schema.get("enum")
            && !values.is_empty()
        {
            return self.rng.pick(values).clone();
        }
        let mut types: Vec<&str> = match schema.get("type") {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ if schema.get("properties").is_some() => vec!["object"],
            _ if schema.get("items").is_some() || schema.get("prefixItems").is_some() => {
                vec!["array"]
            }
            _ => vec!["string", "integer", "boolean"],
        };
        if types.len() > 1 && types.contains(&"null") && self.chance(85) {
            types.retain(|kind| *kind != "null");
        }
        match *self.rng.pick(&types) {
            "object" => {
                let mut object = Map::new();
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|keys| keys.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(Value::Object(properties)) = schema.get("properties") {
                    for (name, property) in properties {
                        let wanted = required.contains(&name.as_str())
                            || (depth < 6 && self.chance(if depth == 0 { 55 } else { 35 }));
                        if wanted {
                            let at = format!("{pointer}/{}", escape(name));
                            let value = self.instance(property, &at, Some(name), depth + 1);
                            object.insert(name.clone(), value);
                        }
                    }
                }
                Value::Object(object)
            }
            "array" => {
                let mut items = Vec::new();
                if let Some(Value::Array(prefix)) = schema.get("prefixItems") {
                    for (index, item) in prefix.iter().enumerate() {
                        items.push(self.instance(
                            item,
                            &format!("{pointer}/{index}"),
                            None,
                            depth + 1,
                        ));
                    }
                    return Value::Array(items);
                }
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let max = schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .map_or(min + 3, |max| (max as usize).min(min + 3));
                let count = if depth > 5 {
                    min
                } else {
                    min + self.rng.index(max - min + 1)
                };
                let item = match schema.get("items") {
                    Some(item @ Value::Object(_)) => item,
                    _ => &ANY,
                };
                for index in 0..count {
                    items.push(self.instance(item, &format!("{pointer}/{index}"), None, depth + 1));
                }
                if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                    let mut unique = Vec::new();
                    for item in items {
                        if !unique.contains(&item) {
                            unique.push(item);
                        }
                    }
                    items = unique;
                }
                Value::Array(items)
            }
            "string" => self.string(schema),
            "integer" => self.number(schema, true),
            "number" => self.number(schema, false),
            "boolean" => Value::Bool(self.chance(50)),
            _ => Value::Null,
        }
    }

    /// One mutation of `value` at one of the generated sites; what was done, in words.
    fn mutate(&mut self, value: &mut Value) -> Option<String> {
        // Dates are few among the sites: a fifth of the mutations go to one when there is one.
        let dates: Vec<usize> = (0..self.sites.len())
            .filter(|index| self.sites[*index].1.get("format").is_some())
            .collect();
        let site = if !dates.is_empty() && self.chance(20) {
            *self.rng.pick(&dates)
        } else {
            self.rng.index(self.sites.len())
        };
        let (pointer, schema) = self.sites[site].clone();
        let current = value.pointer(&pointer)?.clone();
        let parent = pointer
            .rsplit_once('/')
            .map(|(parent, _)| parent.to_owned());
        let mut kinds = vec!["type", "null", "unknown key", "missing key"];
        let has = |key: &str| schema.get(key).is_some();
        if has("minimum")
            || has("maximum")
            || has("exclusiveMinimum")
            || has("minItems")
            || has("maxItems")
            || has("minLength")
        {
            kinds.extend(["range", "range"]);
        }
        if has("enum") {
            kinds.extend(["enum", "enum"]);
        }
        if matches!(
            current,
            Value::Bool(_) | Value::Number(_) | Value::String(_)
        ) {
            kinds.extend(["coercion", "coercion"]);
        }
        let kind = *self.rng.pick(&kinds);
        let replacement = match kind {
            "type" => {
                let others: Vec<Value> = [
                    json!(null),
                    json!(true),
                    json!(7),
                    json!(2.5),
                    json!("text"),
                    json!([]),
                    json!({}),
                ]
                .into_iter()
                .filter(|other| std::mem::discriminant(other) != std::mem::discriminant(&current))
                .collect();
                self.rng.pick(&others).clone()
            }
            "null" => Value::Null,
            "unknown key" => {
                let target = if current.is_object() {
                    pointer.clone()
                } else {
                    parent.clone()?
                };
                let object = value.pointer_mut(&target)?.as_object_mut()?;
                let known: Vec<String> = object.keys().cloned().collect();
                let name = match self.rng.pick(&[0, 1, 2]) {
                    0 if !known.is_empty() => format!("{}s", self.rng.pick(&known)),
                    1 if !known.is_empty() => self.rng.pick(&known).to_uppercase(),
                    _ => "unknown_key".to_owned(),
                };
                if object.contains_key(&name) {
                    return None;
                }
                object.insert(name.clone(), json!("x"));
                return Some(format!("unknown key {name:?} at {target:?}"));
            }
            "missing key" => {
                let required: Vec<String> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|keys| {
                        keys.iter()
                            .filter_map(|k| k.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if current.is_object() && !required.is_empty() {
                    let name = self.rng.pick(&required).clone();
                    value
                        .pointer_mut(&pointer)?
                        .as_object_mut()?
                        .remove(&name)?;
                    return Some(format!("required key {name:?} removed at {pointer:?}"));
                }
                let (parent, key) = pointer.rsplit_once('/')?;
                let key = key.replace("~1", "/").replace("~0", "~");
                value.pointer_mut(parent)?.as_object_mut()?.remove(&key)?;
                return Some(format!("key removed: {pointer:?}"));
            }
            "range" => {
                let number = |key: &str| schema.get(key).and_then(Value::as_f64);
                let count = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n as usize);
                match &current {
                    Value::Number(_) => {
                        let mut options = Vec::new();
                        if let Some(min) = number("minimum") {
                            options.push(min - 1.0);
                        }
                        if let Some(max) = number("maximum") {
                            options.push(max + 1.0);
                        }
                        if let Some(bound) =
                            number("exclusiveMinimum").or(number("exclusiveMaximum"))
                        {
                            options.push(bound);
                        }
                        if options.is_empty() {
                            return None;
                        }
                        let chosen = *self.rng.pick(&options);
                        if chosen.fract() == 0.0 && (current.is_i64() || current.is_u64()) {
                            Value::from(chosen as i64)
                        } else {
                            json!(chosen)
                        }
                    }
                    Value::Array(items) => {
                        let mut items = items.clone();
                        match (count("minItems"), count("maxItems")) {
                            (Some(min), _)
                                if min > 0 && (self.chance(50) || count("maxItems").is_none()) =>
                            {
                                items.truncate(min - 1);
                            }
                            (_, Some(max)) => {
                                let filler = items.first().cloned().unwrap_or(json!("x"));
                                while items.len() <= max {
                                    items.push(filler.clone());
                                }
                            }
                            _ => return None,
                        }
                        Value::Array(items)
                    }
                    Value::String(_) if count("minLength").is_some_and(|min| min > 0) => json!(""),
                    _ => return None,
                }
            }
            "enum" => {
                let values: Vec<String> = schema["enum"]
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                if values.is_empty() {
                    return None;
                }
                let base = self.rng.pick(&values).clone();
                let candidate = match self.rng.below(3) {
                    0 => base.to_uppercase(),
                    1 => format!("{base}x"),
                    _ => format!(" {base}"),
                };
                if values.contains(&candidate) {
                    return None;
                }
                Value::from(candidate)
            }
            _ => match &current {
                // The spellings pydantic coerces.
                Value::Bool(_) => self
                    .rng
                    .pick(&[
                        json!("true"),
                        json!("false"),
                        json!("yes"),
                        json!("no"),
                        json!("on"),
                        json!("1"),
                        json!(0),
                        json!(1),
                    ])
                    .clone(),
                Value::Number(number) => {
                    // Floats only where they are exact (|n| < 2^53).
                    let n = number.as_f64().unwrap_or(1.0);
                    let mut options = vec![json!(number.to_string()), json!(true), json!(false)];
                    if n.abs() < 9.0e15 {
                        options.extend([json!(n.trunc() + 0.5), json!(n.trunc())]);
                        if n.fract() != 0.0 {
                            options.push(json!(n.trunc() as i64));
                        }
                    }
                    self.rng.pick(&options).clone()
                }
                Value::String(_)
                    if schema.get("format").and_then(Value::as_str) == Some("date-time") =>
                {
                    self.rng
                        .pick(&[
                            json!("2024-05-01"),
                            json!("2024-05-01 12:00:00"),
                            json!("2024-05-01T12:00"),
                            json!(1_714_564_800),
                            json!("1714564800"),
                            json!("01/05/2024"),
                        ])
                        .clone()
                }
                Value::String(_) => self
                    .rng
                    .pick(&[json!(12), json!(1.5), json!(true), json!(0)])
                    .clone(),
                _ => return None,
            },
        };
        let description = format!("{kind}: {pointer:?} = {replacement}");
        if pointer.is_empty() {
            *value = replacement;
        } else {
            *value.pointer_mut(&pointer)? = replacement;
        }
        Some(description)
    }
}

/// `count` documents for `task` from `schema` (Debusine's or the catalogue's, named by
/// `source`), under `key` (`data` or `dynamic_data`): a quarter as generated, the rest mutated
/// once or twice.
#[allow(clippy::too_many_arguments)]
fn generate(
    out: &mut Vec<Document>,
    task: &str,
    schema: &Value,
    source: &str,
    key: &str,
    count: usize,
    seed: u64,
    harvest: &Harvest,
) {
    let mut generator = Generator {
        root: schema,
        rng: Rng::new(seed),
        harvest,
        patterns: HashMap::new(),
        sites: Vec::new(),
    };
    for index in 0..count {
        generator.sites.clear();
        let mut value = generator.instance(schema, "", None, 0);
        if !value.is_object() {
            value = json!({});
        }
        let mut how = Vec::new();
        if generator.rng.below(4) != 0 && !generator.sites.is_empty() {
            for _ in 0..=generator.rng.below(2) {
                if let Some(change) = generator.mutate(&mut value) {
                    how.push(change);
                }
            }
        }
        let origin = format!(
            "generated {key} #{index} (seed {seed:#x}) from {source}'s schema{}",
            if how.is_empty() {
                String::new()
            } else {
                format!(", {}", how.join("; "))
            }
        );
        let (data, dynamic_data) = if key == "data" {
            (Some(value), None)
        } else {
            (None, Some(value))
        };
        out.push(Document {
            task: task.to_owned(),
            origin,
            data,
            dynamic_data,
        });
    }
}

/// Up to `count` documents for `task`, each one of `bases` with one scalar respelt as pydantic
/// would coerce it (and as a mutation could hardly isolate in a generated document).
fn probe(out: &mut Vec<Document>, task: &str, bases: &[(String, Value)], count: usize, seed: u64) {
    fn leaves(value: &Value, at: String, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(object) => {
                for (key, item) in object {
                    leaves(item, format!("{at}/{}", escape(key)), out);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    leaves(item, format!("{at}/{index}"), out);
                }
            }
            Value::Null => {}
            scalar => out.push((at, scalar.clone())),
        }
    }
    let mut candidates = Vec::new();
    for (origin, base) in bases {
        let mut found = Vec::new();
        leaves(base, String::new(), &mut found);
        for (pointer, value) in found {
            let spellings: Vec<Value> = match &value {
                Value::Bool(true) => vec![json!("true"), json!("yes"), json!(1)],
                Value::Bool(false) => vec![json!("false"), json!("no"), json!(0)],
                Value::Number(number) if number.is_i64() || number.is_u64() => {
                    let text = number.to_string();
                    let mut out = vec![json!(text)];
                    if let Some(small) = number.as_i64().filter(|n| n.abs() < 1 << 50) {
                        out.push(json!(small as f64 + 0.5));
                        if small == 0 || small == 1 {
                            out.push(json!(small == 1));
                        }
                    }
                    out
                }
                Value::Number(number) => vec![json!(number.to_string())],
                Value::String(text) if is_date_time(text) => vec![
                    json!(text.replacen('T', " ", 1).trim_end_matches('Z')),
                    json!(1_714_564_800),
                    json!(&text[..10]),
                ],
                Value::String(text) => match text.parse::<i64>() {
                    Ok(number) => vec![json!(number)],
                    Err(_) => vec![],
                },
                _ => vec![],
            };
            for spelling in spellings {
                candidates.push((origin.clone(), pointer.clone(), base, spelling));
            }
        }
    }
    let mut rng = Rng::new(seed);
    for _ in 0..count.min(candidates.len()) {
        let (origin, pointer, base, spelling) = candidates.swap_remove(rng.index(candidates.len()));
        let mut data = base.clone();
        if let Some(slot) = data.pointer_mut(&pointer) {
            *slot = spelling.clone();
        }
        out.push(Document {
            task: task.to_owned(),
            origin: format!("probe of {origin}, {pointer:?} = {spelling}"),
            data: Some(data),
            dynamic_data: None,
        });
    }
}

// ---------------------------------------------------------------- coercions

/// A difference taskdef makes by design (see "Stricter than Debusine" in the crate's docs):
/// a pydantic coercion it refuses, or one of the two values it refuses where Debusine's models
/// take them but nothing can use them ([`Coercion::NegativeId`], [`Coercion::ImagePath`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Coercion {
    StringToBool,
    IntToBool,
    StringToNumber,
    NumberToString,
    BoolToString,
    BoolToInt,
    FloatToInt,
    FloatTruncation,
    DateSpelling,
    PairsToObject,
    /// A negative integer as an id the server resolved (an artifact's, the task-configuration
    /// collection's), in the dynamic data: Debusine's API serves no such id (its URLs take
    /// `[0-9]+`). Replaced by 0.
    NegativeId,
    /// A `/` in simplesystemimagebuild's `disk_image.filename`: a path, not a file name.
    /// Replaced by `_`.
    ImagePath,
    /// An entry of a lookup object's normalised form (`name_matcher`, an item of
    /// `data_matchers` or `lookup_filters`) that a later entry or a matcher key for the same
    /// target replaces: Debusine drops it unread, taskdef checks it. Removed.
    ReplacedEntry,
    /// An integer beyond 64 bits (`2^63` and above): taskdef's integers are 64-bit, as
    /// Debusine's database ids are. Replaced by `2^63 - 1`.
    Beyond64Bits,
}

impl Coercion {
    fn name(self) -> &'static str {
        match self {
            Coercion::StringToBool => "string→bool",
            Coercion::IntToBool => "int→bool",
            Coercion::StringToNumber => "string→number",
            Coercion::NumberToString => "number→string",
            Coercion::BoolToString => "bool→string",
            Coercion::BoolToInt => "bool→int",
            Coercion::FloatToInt => "float→int (integral)",
            Coercion::FloatTruncation => "float truncation",
            Coercion::DateSpelling => "date spelling",
            Coercion::PairsToObject => "list of pairs→object",
            Coercion::NegativeId => "negative id",
            Coercion::ImagePath => "image file name with a `/`",
            Coercion::ReplacedEntry => "replaced lookup entry",
            Coercion::Beyond64Bits => "integer beyond 64 bits",
        }
    }
}

/// Whether pydantic's dump of a date or date-time looks like this (`2024-05-01`,
/// `2024-05-01T12:00:00`, with or without a fraction or an offset).
fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes.len() == 10 || bytes[10] == b'T')
}

/// RFC 3339 for a dumped date-time (a naive one is taken as UTC).
fn rfc3339(text: &str) -> String {
    let mut text = if text.len() == 10 {
        format!("{text}T00:00:00")
    } else {
        text.to_owned()
    };
    let time = &text[11..];
    if !(time.ends_with('Z') || time.contains('+') || time.contains('-')) {
        text.push('Z');
    }
    text
}

/// The listed coercion by which pydantic read `original` as `read`, if any.
fn coercion(original: &Value, read: &Value) -> Option<(Coercion, Value)> {
    match (original, read) {
        (Value::String(_), Value::Bool(_)) => Some((Coercion::StringToBool, read.clone())),
        (Value::Number(_), Value::Bool(_)) => Some((Coercion::IntToBool, read.clone())),
        (Value::String(text), Value::Number(_)) if text.trim().parse::<f64>().is_ok() => {
            Some((Coercion::StringToNumber, read.clone()))
        }
        // pydantic 1 reads a number as a Unix time, and a boolean as the number it is.
        (Value::Number(_) | Value::Bool(_), Value::String(text)) if is_date_time(text) => {
            Some((Coercion::DateSpelling, Value::from(rfc3339(text))))
        }
        (Value::Number(number), Value::String(text))
            if text.parse::<f64>().ok() == number.as_f64() =>
        {
            Some((Coercion::NumberToString, read.clone()))
        }
        (Value::Bool(_), Value::String(text)) if text == "True" || text == "False" => {
            Some((Coercion::BoolToString, read.clone()))
        }
        (Value::Bool(_), Value::Number(_)) => Some((Coercion::BoolToInt, read.clone())),
        (Value::Number(from), Value::Number(to)) if from.is_f64() && !to.is_f64() => {
            let fraction = from.as_f64().is_some_and(|f| f.fract() != 0.0);
            let kind = if fraction {
                Coercion::FloatTruncation
            } else {
                Coercion::FloatToInt
            };
            Some((kind, read.clone()))
        }
        (Value::String(from), Value::String(to)) if from != to && is_date_time(to) => {
            Some((Coercion::DateSpelling, Value::from(rfc3339(to))))
        }
        _ => None,
    }
}

/// A name of a lookup object's normalised form as pydantic reads it (a string; pydantic 1 also
/// reads a boolean or an integer as one).
fn py_name(name: &Value) -> Option<String> {
    match name {
        Value::String(text) => Some(text.clone()),
        Value::Bool(true) => Some("True".to_owned()),
        Value::Bool(false) => Some("False".to_owned()),
        Value::Number(number) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        _ => None,
    }
}

/// A name of a lookup object's normalised form as a key of a Python dict: `True` and `1` are
/// one key, `"1"` another.
fn py_key(name: &Value) -> Option<String> {
    match name {
        Value::String(text) => Some(format!("str {text}")),
        Value::Bool(flag) => Some(format!("int {}", u8::from(*flag))),
        Value::Number(number) if number.is_i64() || number.is_u64() => {
            Some(format!("int {number}"))
        }
        _ => None,
    }
}

/// `value` without the entries of its lookup objects' normalised forms that Debusine drops
/// unread (`name_matcher` beside a `name...` key; an item of `data_matchers` or
/// `lookup_filters` that a later item or a `data__FIELD...` or `lookup__NAME` key replaces),
/// each recorded as [`Coercion::ReplacedEntry`] at its pointer under `at`.
fn without_replaced(value: &Value, at: &str, found: &mut Vec<(Coercion, String)>) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| without_replaced(item, &format!("{at}/{index}"), found))
                .collect(),
        ),
        Value::Object(object) => {
            let lookup = object.contains_key("collection");
            let keyed = |prefix: &str, exact: bool| -> BTreeSet<String> {
                object
                    .keys()
                    .filter_map(|key| {
                        let parts: Vec<&str> = key.split("__").collect();
                        (parts[0] == prefix && parts.len() >= 2 && (!exact || parts.len() == 2))
                            .then(|| parts[1].to_owned())
                    })
                    .collect()
            };
            let mut out = Map::new();
            for (key, item) in object {
                let here = format!("{at}/{}", escape(key));
                let by_key = match key.as_str() {
                    "data_matchers" if lookup => Some(keyed("data", false)),
                    "lookup_filters" if lookup => Some(keyed("lookup", true)),
                    _ => None,
                };
                if lookup
                    && key == "name_matcher"
                    && object
                        .keys()
                        .any(|key| key == "name" || key.starts_with("name__"))
                {
                    found.push((Coercion::ReplacedEntry, here));
                    continue;
                }
                let item = match (by_key, item) {
                    (Some(by_key), Value::Array(pairs)) => {
                        // Python's dict(): one entry per key (`True` is `1`), the first
                        // entry's key with the last entry's value.
                        let keys: Vec<Option<String>> = pairs
                            .iter()
                            .map(|pair| pair.get(0).and_then(py_key))
                            .collect();
                        let mut kept = Vec::new();
                        for (index, pair) in pairs.iter().enumerate() {
                            let at = format!("{here}/{index}");
                            let Some(key) = &keys[index] else {
                                kept.push(without_replaced(pair, &at, found));
                                continue;
                            };
                            let name = pair.get(0).and_then(py_name).unwrap_or_default();
                            if keys[index + 1..].contains(&keys[index]) || by_key.contains(&name) {
                                found.push((Coercion::ReplacedEntry, at));
                                continue;
                            }
                            let first = keys.iter().position(|other| other.as_ref() == Some(key));
                            let mut pair = without_replaced(pair, &at, found);
                            if let (Some(first), Some(items)) = (first, pair.as_array_mut()) {
                                items[0] = pairs[first][0].clone();
                            }
                            kept.push(pair);
                        }
                        Value::Array(kept)
                    }
                    (Some(by_key), Value::Object(entries)) => Value::Object(
                        entries
                            .iter()
                            .filter(|(name, _)| {
                                let replaced = by_key.contains(*name);
                                if replaced {
                                    found.push((
                                        Coercion::ReplacedEntry,
                                        format!("{here}/{}", escape(name)),
                                    ));
                                }
                                !replaced
                            })
                            .collect::<Vec<_>>()
                            .into_iter()
                            .map(|(name, entry)| {
                                let at = format!("{here}/{}", escape(name));
                                (name.clone(), without_replaced(entry, &at, found))
                            })
                            .collect(),
                    ),
                    (_, item) => without_replaced(item, &here, found),
                };
                out.insert(key.clone(), item);
            }
            Value::Object(out)
        }
        _ => value.clone(),
    }
}

/// What pydantic read for `key` of an object it read as `read`: the same key, or, in a lookup
/// object (which pydantic reads into its normalised form), the value of a `name...` key's
/// `name_matcher`, of a `data__FIELD...` key's entry of `data_matchers`, of a `lookup__NAME`
/// key's entry of `lookup_filters`.
fn read_of<'r>(key: &str, read: &'r Map<String, Value>) -> Option<&'r Value> {
    if let Some(value) = read.get(key) {
        return Some(value);
    }
    let entry = |list: &str, name: &str| {
        read.get(list)?
            .as_array()?
            .iter()
            .find(|pair| pair[0] == name)
            .map(|pair| &pair[1])
    };
    match key.split("__").collect::<Vec<_>>().as_slice() {
        ["name", ..] => read.get("name_matcher")?.get("value"),
        ["data", field, ..] => entry("data_matchers", field)?.get("value"),
        ["lookup", name] => entry("lookup_filters", name),
        _ => None,
    }
}

/// `original` with each value pydantic read by a listed coercion replaced by what it read.
/// Each coercion is recorded with the pointer of the value, under `at`.
fn as_read(original: &Value, read: &Value, at: &str, found: &mut Vec<(Coercion, String)>) -> Value {
    match (original, read) {
        (Value::Object(object), Value::Object(read)) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let value = match read_of(key, read) {
                        Some(read) => as_read(value, read, &format!("{at}/{}", escape(key)), found),
                        None => value.clone(),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        // A lookup object alone, read as a multiple lookup of it.
        (Value::Object(_), Value::Array(items)) if items.len() == 1 && items[0].is_object() => {
            as_read(original, &items[0], at, found)
        }
        // An object of a lookup object's normalised form (`data_matchers`, `lookup_filters`),
        // read as its list of pairs.
        (Value::Object(_), Value::Array(pairs))
            if pairs.iter().all(|pair| {
                pair.as_array()
                    .is_some_and(|pair| pair.len() == 2 && pair[0].is_string())
            }) =>
        {
            let read: Map<String, Value> = pairs
                .iter()
                .filter_map(|pair| Some((pair[0].as_str()?.to_owned(), pair[1].clone())))
                .collect();
            as_read(original, &Value::Object(read), at, found)
        }
        // A lookup object's normalised list, which pydantic reads as a map (sorted by name):
        // each pair with the read pair of its name.
        (Value::Array(pairs), Value::Array(read))
            if !pairs.is_empty()
                && pairs.iter().all(|pair| {
                    pair.as_array()
                        .is_some_and(|pair| pair.len() == 2 && py_name(&pair[0]).is_some())
                })
                && read.iter().all(|pair| {
                    pair.as_array()
                        .is_some_and(|pair| pair.len() == 2 && pair[0].is_string())
                }) =>
        {
            Value::Array(
                pairs
                    .iter()
                    .enumerate()
                    .map(|(index, pair)| {
                        let name = py_name(&pair[0]);
                        match read.iter().find(|read| read[0].as_str() == name.as_deref()) {
                            Some(read) => as_read(pair, read, &format!("{at}/{index}"), found),
                            None => pair.clone(),
                        }
                    })
                    .collect(),
            )
        }
        (Value::Array(items), Value::Array(read)) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, value)| match read.get(index) {
                    Some(read) => as_read(value, read, &format!("{at}/{index}"), found),
                    None => value.clone(),
                })
                .collect(),
        ),
        // pydantic 1 reads an object from a list of (key, value) pairs (`dict(value)`).
        (Value::Array(pairs), Value::Object(_))
            if pairs.iter().all(|pair| {
                pair.as_array()
                    .is_some_and(|pair| pair.len() == 2 && pair[0].is_string())
            }) =>
        {
            found.push((Coercion::PairsToObject, at.to_owned()));
            let object: Map<String, Value> = pairs
                .iter()
                .filter_map(|pair| Some((pair[0].as_str()?.to_owned(), pair[1].clone())))
                .collect();
            as_read(&Value::Object(object), read, at, found)
        }
        _ => match coercion(original, read) {
            Some((kind, value)) => {
                found.push((kind, at.to_owned()));
                value
            }
            None => original.clone(),
        },
    }
}

/// The values taskdef refuses by design that are no coercion, replaced in the document by
/// what taskdef takes ([`Coercion::NegativeId`], [`Coercion::ImagePath`]), recorded with their
/// pointers.
fn by_design(
    task: &str,
    mut data: Option<&mut Value>,
    mut dynamic_data: Option<&mut Value>,
    found: &mut Vec<(Coercion, String)>,
) {
    // Each negative id becomes an id found nowhere in its list (some lists are of unique ids).
    fn ids(value: &mut Value, at: String, found: &mut Vec<(Coercion, String)>) {
        match value {
            Value::Array(items) => {
                let mut fresh = items.iter().filter_map(Value::as_u64).max().unwrap_or(0);
                for (index, item) in items.iter_mut().enumerate() {
                    if item.as_i64().is_some_and(|n| n < 0) {
                        fresh += 1;
                        *item = Value::from(fresh);
                        found.push((Coercion::NegativeId, format!("{at}/{index}")));
                    } else {
                        ids(item, format!("{at}/{index}"), found);
                    }
                }
            }
            Value::Number(number) if number.as_i64().is_some_and(|n| n < 0) => {
                *value = Value::from(0);
                found.push((Coercion::NegativeId, at));
            }
            _ => {}
        }
    }
    // Integers beyond 64 bits, anywhere.
    fn wide(value: &mut Value, at: String, found: &mut Vec<(Coercion, String)>) {
        match value {
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    wide(item, format!("{at}/{index}"), found);
                }
            }
            Value::Object(object) => {
                for (key, item) in object.iter_mut() {
                    wide(item, format!("{at}/{}", escape(key)), found);
                }
            }
            Value::Number(number)
                if number.as_i64().is_none()
                    && number
                        .as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f >= 2f64.powi(63)) =>
            {
                *value = Value::from(i64::MAX);
                found.push((Coercion::Beyond64Bits, at));
            }
            _ => {}
        }
    }
    if let Some(data) = data.as_deref_mut() {
        wide(data, "data ".to_owned(), found);
    }
    if let Some(data) = dynamic_data.as_deref_mut() {
        wide(data, "dynamic_data ".to_owned(), found);
    }
    if let Some(Value::Object(object)) = dynamic_data {
        for (key, value) in object.iter_mut() {
            if key.ends_with("_id") || key.ends_with("_ids") {
                ids(value, format!("dynamic_data /{}", escape(key)), found);
            }
        }
    }
    if task == "simplesystemimagebuild"
        && let Some(Value::String(name)) =
            data.and_then(|data| data.pointer_mut("/disk_image/filename"))
        && name.contains('/')
    {
        *name = name.replace('/', "_");
        found.push((Coercion::ImagePath, "data /disk_image/filename".to_owned()));
    }
}

// ---------------------------------------------------------------- comparison

#[derive(Default)]
struct Tally {
    documents: usize,
    agreed: usize,
    strict: usize,
    disagreed: usize,
}

/// Disagreements alike: same release, task, direction and place. A document with several
/// places is in several groups.
struct Group {
    count: usize,
    /// The example with the fewest places, then the shortest document.
    example: String,
    example_rank: (usize, usize),
}

struct Report {
    release: String,
    version: String,
    tallies: BTreeMap<String, Tally>,
    /// Documents by kind of origin (conformance case, sample, generated).
    sources: BTreeMap<String, usize>,
    /// (task, coercions) -> (documents, an example).
    strict: BTreeMap<(String, String), (usize, String)>,
    /// (task, direction and place) -> group.
    groups: BTreeMap<(String, String), Group>,
}

/// Debusine's errors with the values and list indices left out, for grouping.
fn debusine_signature(errors: &[String]) -> Vec<String> {
    let mut out: Vec<String> = errors
        .iter()
        .map(|error| {
            // `data: a -> 0 -> b: message (type=kind)`
            let Some((key, rest)) = error.split_once(": ") else {
                return error.clone();
            };
            let (loc, message) = rest.split_once(": ").unwrap_or((rest, ""));
            let kind = message
                .rfind("(type=")
                .map_or("", |index| &message[index..]);
            let loc = loc
                .split(" -> ")
                .map(|part| {
                    if part.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join(" -> ");
            format!("{key} {loc} {kind}")
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn show(data: Option<&Value>, dynamic_data: Option<&Value>) -> String {
    match (data, dynamic_data) {
        (Some(data), None) => format!("data {data}"),
        (None, Some(dynamic)) => format!("dynamic data {dynamic}"),
        (data, dynamic) => format!(
            "data {} dynamic data {}",
            data.map_or("-".into(), Value::to_string),
            dynamic.map_or("-".into(), Value::to_string)
        ),
    }
}

/// One document's comparison.
enum Outcome {
    Agreed,
    Strict(BTreeSet<Coercion>),
    /// Direction, places, and the document taskdef was last asked about (after pydantic's
    /// coercions, when there were some) with its verdict.
    Disagreed {
        direction: &'static str,
        places: Vec<String>,
        coerced: Option<(String, Vec<String>)>,
    },
}

/// The coercions at the values taskdef refused (at, above or below the pointer of one of its
/// violations): those are the ones taskdef refuses by design; others pydantic applied where
/// taskdef took the value as it was (an integral `2.0` for an integer, say).
fn refused_coercions(
    ours: &catalogue::Verdict,
    found: &[(Coercion, String)],
) -> BTreeSet<Coercion> {
    let near = |at: &str| {
        ours.pointers.iter().any(|refused| {
            at == refused
                || at.starts_with(&format!("{refused}/"))
                || refused.starts_with(&format!("{at}/"))
        })
    };
    let refused: BTreeSet<Coercion> = found
        .iter()
        .filter(|(_, at)| near(at))
        .map(|(kind, _)| *kind)
        .collect();
    if refused.is_empty() {
        // A refusal at no coerced place that the coercions still cured: list them all.
        found.iter().map(|(kind, _)| *kind).collect()
    } else {
        refused
    }
}

/// One document's comparison, given the catalogue's verdict `ours` and Debusine's.
fn judge_one(
    release: &str,
    document: &Document,
    ours: Option<&catalogue::Verdict>,
    theirs: &ModelVerdict,
) -> Outcome {
    let task = document.task.as_str();
    match ours {
        Some(ours) if ours.valid() == theirs.valid => Outcome::Agreed,
        None => Outcome::Disagreed {
            direction: "no form of the task for this release in the catalogue",
            places: vec![String::new()],
            coerced: None,
        },
        Some(_) if !theirs.valid => Outcome::Disagreed {
            direction: "Debusine refuses, taskdef accepts",
            places: debusine_signature(&theirs.errors),
            coerced: None,
        },
        Some(ours) => {
            // Debusine accepts, taskdef refuses: by design if taskdef accepts the document as
            // pydantic read it through the listed coercions.
            let mut found = Vec::new();
            let data = document.data.as_ref().map(|data| {
                let data = without_replaced(data, "data ", &mut found);
                as_read(&data, &theirs.read["data"], "data ", &mut found)
            });
            let dynamic_data = document.dynamic_data.as_ref().map(|data| {
                as_read(
                    data,
                    &theirs.read["dynamic_data"],
                    "dynamic_data ",
                    &mut found,
                )
            });
            let (mut data, mut dynamic_data) = (data, dynamic_data);
            by_design(task, data.as_mut(), dynamic_data.as_mut(), &mut found);
            let again = if found.is_empty() {
                None
            } else {
                catalogue::judge(release, task, data.as_ref(), dynamic_data.as_ref())
            };
            match again {
                None => Outcome::Disagreed {
                    direction: "Debusine accepts, taskdef refuses",
                    places: ours.places.clone(),
                    coerced: None,
                },
                Some(again) if again.valid() => Outcome::Strict(refused_coercions(ours, &found)),
                Some(again) => Outcome::Disagreed {
                    direction: "Debusine accepts, taskdef refuses",
                    places: again.places,
                    coerced: Some((show(data.as_ref(), dynamic_data.as_ref()), again.messages)),
                },
            }
        }
    }
}

fn compare(
    release: &str,
    version: &str,
    documents: &[Document],
    ours: &[Option<catalogue::Verdict>],
    verdicts: &[ModelVerdict],
) -> Report {
    let mut report = Report {
        release: release.to_owned(),
        version: version.to_owned(),
        tallies: BTreeMap::new(),
        sources: BTreeMap::new(),
        strict: BTreeMap::new(),
        groups: BTreeMap::new(),
    };
    for ((document, ours), theirs) in documents.iter().zip(ours).zip(verdicts) {
        let source = document.origin.split(' ').next().unwrap_or_default();
        *report.sources.entry(source.to_owned()).or_default() += 1;
        let tally = report.tallies.entry(document.task.clone()).or_default();
        tally.documents += 1;
        let text = show(document.data.as_ref(), document.dynamic_data.as_ref());
        let (direction, places, coerced) = match judge_one(release, document, ours.as_ref(), theirs)
        {
            Outcome::Agreed => {
                tally.agreed += 1;
                continue;
            }
            Outcome::Strict(found) => {
                tally.strict += 1;
                // A document with several coercions counts for each.
                for kind in found {
                    let entry = report
                        .strict
                        .entry((document.task.clone(), kind.name().to_owned()))
                        .or_insert((0, String::new()));
                    entry.0 += 1;
                    if entry.1.is_empty() || text.len() + document.origin.len() + 3 < entry.1.len()
                    {
                        entry.1 = format!("{text} ({})", document.origin);
                    }
                }
                continue;
            }
            Outcome::Disagreed {
                direction,
                places,
                coerced,
            } => (direction, places, coerced),
        };
        tally.disagreed += 1;
        let mut example = format!(
            "{text}\n      from: {}\n      Debusine {version}: {}{}\n      taskdef: {}",
            document.origin,
            if theirs.valid { "valid" } else { "invalid" },
            if theirs.errors.is_empty() {
                String::new()
            } else {
                format!(" {:?}", theirs.errors)
            },
            match ours {
                None => "no such task".to_owned(),
                Some(ours) if ours.valid() => "valid".to_owned(),
                Some(ours) => format!("invalid {:?}", ours.messages),
            }
        );
        if let Some((coerced, messages)) = &coerced {
            let _ = write!(
                example,
                "\n      as pydantic read it: {coerced}\n      taskdef: still invalid {messages:?}"
            );
        }
        let rank = (places.len(), text.len());
        for place in places {
            let key = (
                document.task.clone(),
                format!("{direction}: {place}")
                    .trim_end_matches(": ")
                    .to_owned(),
            );
            let group = report.groups.entry(key).or_insert(Group {
                count: 0,
                example: String::new(),
                example_rank: (usize::MAX, usize::MAX),
            });
            group.count += 1;
            if rank < group.example_rank {
                group.example_rank = rank;
                group.example = example.clone();
            }
        }
    }
    report
}

fn pending(release: &str, task: &str) -> bool {
    PENDING.contains(&(release, task))
}

fn markdown(reports: &[Report], seed: u64, elapsed: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# The catalogue against Debusine's own models\n");
    let _ = writeln!(out, "Seed {seed:#x}; {elapsed:.1} s.\n");
    for report in reports {
        let sources: Vec<String> = report
            .sources
            .iter()
            .map(|(source, count)| format!("{count} {source}"))
            .collect();
        let _ = writeln!(out, "- Debusine {}: {}", report.version, sources.join(", "));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| release | task | documents | agreed | strict by design | disagreed |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for report in reports {
        let mut total = Tally::default();
        for (task, tally) in &report.tallies {
            let mark = if pending(&report.release, task) {
                " (pending)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| {} | {task}{mark} | {} | {} | {} | {} |",
                report.version, tally.documents, tally.agreed, tally.strict, tally.disagreed
            );
            total.documents += tally.documents;
            total.agreed += tally.agreed;
            total.strict += tally.strict;
            total.disagreed += tally.disagreed;
        }
        let _ = writeln!(
            out,
            "| {} | **all** | {} | {} | {} | {} |",
            report.version, total.documents, total.agreed, total.strict, total.disagreed
        );
    }
    for report in reports {
        let _ = writeln!(out, "\n## Strict by design, Debusine {}\n", report.version);
        if report.strict.is_empty() {
            let _ = writeln!(out, "None.");
        }
        for ((task, kinds), (count, example)) in &report.strict {
            let _ = writeln!(out, "- {task}: {kinds}: {count}, e.g. {example}");
        }
        let _ = writeln!(out, "\n## Disagreements, Debusine {}\n", report.version);
        if report.groups.is_empty() {
            let _ = writeln!(out, "None.");
        }
        for ((task, what), group) in &report.groups {
            let mark = if pending(&report.release, task) {
                " (pending)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "- {task}{mark}: {what} ({} documents), e.g.\n      {}",
                group.count, group.example
            );
        }
    }
    out
}

/// The release's short name (`0.16`) from the server's package version (`0.16.2`).
fn release_of(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn documents_for(
    release: &str,
    schemas: &Value,
    cases: Option<&[Value]>,
    seed: u64,
) -> Vec<Document> {
    let mut documents = Vec::new();
    for case in cases.unwrap_or_default() {
        documents.push(Document {
            task: case["task"].as_str().expect("task").to_owned(),
            origin: format!("conformance case {}", case["id"].as_str().unwrap_or("?")),
            data: Some(case["data"].clone()),
            dynamic_data: None,
        });
    }
    for (index, task) in WORKER_TASKS.iter().enumerate() {
        let task_seed =
            seed ^ ((index as u64 + 1) << 40) ^ if release == "0.16" { 0 } else { 1 << 56 };
        let mut harvest = Harvest::default();
        // Documents that may well be valid, for the coercion probes.
        let mut bases = Vec::new();
        for case in cases
            .unwrap_or_default()
            .iter()
            .filter(|case| case["task"] == *task)
        {
            harvest.add(&case["data"]);
            if case["valid"] == true {
                bases.push((
                    format!("conformance case {}", case["id"]),
                    case["data"].clone(),
                ));
            }
        }
        for (path, data) in samples(release, task) {
            harvest.add(&data);
            if path
                .rsplit('/')
                .next()
                .is_some_and(|name| name.starts_with("valid-"))
            {
                bases.push((format!("sample {path}"), data.clone()));
            }
            documents.push(Document {
                task: (*task).to_owned(),
                origin: format!("sample {path}"),
                data: Some(data),
                dynamic_data: None,
            });
        }
        probe(&mut documents, task, &bases, PROBES, task_seed ^ 8);
        let theirs = &schemas["tasks"][*task];
        let ours = catalogue::schemas(release, task);
        for (key, count, turn) in [("data", DATA_CASES, 0), ("dynamic_data", DYNAMIC_CASES, 1)] {
            let theirs = &theirs[key];
            assert!(
                theirs.is_object(),
                "Debusine {release} has no {key} schema for {task}"
            );
            match ours {
                Some((data, dynamic)) => {
                    let ours = if key == "data" { data } else { dynamic };
                    generate(
                        &mut documents,
                        task,
                        theirs,
                        "Debusine",
                        key,
                        count / 2,
                        task_seed ^ turn,
                        &harvest,
                    );
                    generate(
                        &mut documents,
                        task,
                        ours,
                        "taskdef",
                        key,
                        count - count / 2,
                        task_seed ^ turn ^ 2,
                        &harvest,
                    );
                }
                None => generate(
                    &mut documents,
                    task,
                    theirs,
                    "Debusine",
                    key,
                    count,
                    task_seed ^ turn,
                    &harvest,
                ),
            }
        }
    }
    documents
}

#[test]
fn the_catalogue_gives_each_release_s_verdicts() {
    let start = Instant::now();
    let seed = std::env::var("TASKDEF_CONFORMANCE_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(0x0c0f_f0e5_u64);
    let cases = conformance_cases();
    if cases.is_none() {
        println!(
            "note: ../shared/conformance/debusine-cases.jsonl is absent (a fresh clone without \
             shared/): the conformance cases are not among the documents"
        );
    }
    let reports: Vec<Report> = std::thread::scope(|scope| {
        let handles: Vec<_> = [Suite::Sid, Suite::Trixie]
            .into_iter()
            .map(|suite| {
                let cases = cases.as_deref();
                scope.spawn(move || {
                    let phase = Instant::now();
                    let server = debusine::started(suite);
                    let release = release_of(&server.version);
                    let started = phase.elapsed().as_secs_f64();
                    let phase = Instant::now();
                    let mut models = Models::start(&server);
                    let schemas = models.schemas();
                    let schemas_time = phase.elapsed().as_secs_f64();
                    let theirs: Vec<&str> = schemas["tasks"]
                        .as_object()
                        .map(|tasks| tasks.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    assert_eq!(
                        theirs, WORKER_TASKS,
                        "Debusine {}'s worker tasks are not the ones this test knows",
                        server.version
                    );
                    for task in WORKER_TASKS {
                        if samples(&release, task).is_empty() {
                            println!("note: no samples of {task} for Debusine {release} yet");
                        }
                    }
                    let phase = Instant::now();
                    let documents = documents_for(&release, &schemas, cases, seed);
                    let generated = phase.elapsed().as_secs_f64();
                    let phase = Instant::now();
                    let ours: Vec<Option<catalogue::Verdict>> = documents
                        .iter()
                        .map(|document| {
                            catalogue::judge(
                                &release,
                                &document.task,
                                document.data.as_ref(),
                                document.dynamic_data.as_ref(),
                            )
                        })
                        .collect();
                    let catalogue_time = phase.elapsed().as_secs_f64();
                    // What the models read is needed where the catalogue refuses only.
                    let read: Vec<bool> = ours
                        .iter()
                        .map(|ours| ours.as_ref().is_some_and(|ours| !ours.valid()))
                        .collect();
                    let phase = Instant::now();
                    let verdicts = models.judge(&documents, &read);
                    let judged = phase.elapsed().as_secs_f64();
                    let phase = Instant::now();
                    let report = compare(&release, &server.version, &documents, &ours, &verdicts);
                    println!(
                        "Debusine {}: {} documents; server script start {started:.1} s, \
                         its program and schemas {schemas_time:.1} s, generation \
                         {generated:.1} s, the catalogue {catalogue_time:.1} s, its models \
                         {judged:.1} s, the comparison {:.1} s",
                        server.version,
                        documents.len(),
                        phase.elapsed().as_secs_f64()
                    );
                    report
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a release's run"))
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let text = markdown(&reports, seed, elapsed);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-models.md");
    std::fs::write(&path, &text).expect("the report is written");
    println!("{text}\n(written to {})", path.display());

    let mut failures = Vec::new();
    for report in &reports {
        for ((task, what), group) in &report.groups {
            if !pending(&report.release, task) {
                failures.push(format!(
                    "Debusine {} {task}: {what} ({} documents), e.g.\n      {}",
                    report.version, group.count, group.example
                ));
            }
        }
        for (release, task) in PENDING {
            let open = report.groups.keys().any(|(t, _)| t == task);
            if *release == report.release && !open {
                failures.push(format!(
                    "({release:?}, {task:?}) agrees everywhere now: remove it from PENDING"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with Debusine's models beyond pydantic's coercions:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
