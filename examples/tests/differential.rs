//! `configure` accepts exactly what the published schema plus the task's rules accept.
//!
//! For every catalogue task, thousands of payloads are made by mutating the sample task data
//! (values of other types, boundary numbers, broken patterns, duplicates, unknown and missing
//! keys, and text-level changes such as repeated keys and `1.0` for `1`). Each payload is judged
//! three ways, which must agree:
//! - the published schema, by a validator built here from `Task::schema()`, then the rules;
//! - the general path of `configure` (parse, validate, deserialize);
//! - the fast path (one guided typed pass), which may decline but never accept what the
//!   others refuse, and when it accepts must give the same struct.
//!
//! It also checks that serde never refuses what the schema accepts: any such payload is a
//! disagreement between the type and its schema, and is listed.

use std::fmt::Debug;
use std::path::Path;

use serde_json::{Map, Value, json};
use taskdef::{Task, TaskInput};
use taskdef::{fast_path, general_path};
use taskdef_examples::tasks::{
    Autopkgtest, Blhc, Debdiff, Lintian, MakeSourcePackageUpload, Mmdebstrap, Noop, Piuparts,
    Sbuild, SimpleSystemImageBuild,
};

/// Payloads per task.
const CASES: usize = 5_000;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// Values that probe types, bounds, patterns and formats.
fn interesting_values(rng: &mut Rng, near: &Value) -> Value {
    let mut candidates = vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(1),
        json!(3),
        json!(4),
        json!(1.0),
        json!(2.5),
        json!(1e30),
        json!(""),
        json!("amd64"),
        json!("main"),
        json!("b@d suite"),
        json!("flat/"),
        json!("./"),
        json!("http://example.org/debian"),
        json!("http://"),
        json!("file:///usr/share/keyrings/debian.gpg"),
        json!("file:///etc/passwd"),
        json!("2024-05-01T12:00:00Z"),
        json!("yesterday"),
        json!("Foo Bar <foo@example.org>"),
        json!("any"),
        json!("all"),
        json!("deb"),
        json!("--all"),
        json!("true"),
        json!("5"),
        json!("ü-ñ"),
        json!([]),
        json!([1, 1]),
        json!(["any", "any"]),
        json!(["deb", "deb-src"]),
        json!({}),
        json!({"collection": "debian/trixie", "name": "x"}),
        json!({"collection": 1, "name__startswith": "x", "name": "y"}),
        json!({"collection": "c", "data__package": "p", "lookup__same": 1}),
        json!({"collection": "c", "name__exact": "x"}),
    ];
    // Variations of the value being replaced: same type, different content.
    match near {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                candidates.extend([json!(i + 1), json!(i - 1), json!(i as f64)]);
            }
        }
        Value::String(s) => {
            candidates.extend([
                json!(format!("{s}/")),
                json!(format!(" {s}")),
                json!(s.to_uppercase()),
            ]);
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                let mut doubled = items.clone();
                doubled.push(first.clone());
                candidates.push(Value::Array(doubled));
                candidates.push(first.clone());
            }
        }
        _ => {}
    }
    rng.pick(&candidates).clone()
}

/// Every path to a value inside `value`, as lists of keys and indices.
fn paths(value: &Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                prefix.push(PathStep::Key(key.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                prefix.push(PathStep::Index(index));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at_mut<'v>(value: &'v mut Value, path: &[PathStep]) -> &'v mut Value {
    path.iter().fold(value, |value, step| match step {
        PathStep::Key(key) => &mut value[key.as_str()],
        PathStep::Index(index) => &mut value[*index],
    })
}

/// One random change to `value`.
fn mutate(rng: &mut Rng, value: &mut Value, known_keys: &[String]) {
    let mut all = Vec::new();
    paths(value, &mut Vec::new(), &mut all);
    let path = rng.pick(&all).clone();
    let target = at_mut(value, &path);
    match rng.below(6) {
        0 | 1 => *target = interesting_values(rng, target),
        2 => {
            if let Value::Object(map) = target
                && let Some(key) = map.keys().nth(rng.below(map.len().max(1))).cloned()
            {
                map.remove(&key);
            }
        }
        3 => {
            if let Value::Object(map) = target {
                let key = if rng.below(3) == 0 {
                    "unknown_key".to_owned()
                } else {
                    rng.pick(known_keys).clone()
                };
                let near = map.get(&key).cloned().unwrap_or(Value::Null);
                map.insert(key, interesting_values(rng, &near));
            }
        }
        4 => {
            if let Value::Array(items) = target {
                if !items.is_empty() {
                    let item = items[rng.below(items.len())].clone();
                    items.push(item);
                } else {
                    items.push(interesting_values(rng, &Value::Null));
                }
            }
        }
        _ => {
            if let Value::Array(items) = target
                && !items.is_empty()
            {
                items.remove(rng.below(items.len()));
            }
        }
    }
}

/// Text-level changes the `Value` cannot express.
fn mutate_text(rng: &mut Rng, text: &str) -> String {
    match rng.below(5) {
        // Repeat the first key.
        0 => match text.find(':') {
            Some(colon) if text.starts_with('{') && colon > 1 => {
                let key = &text[1..colon];
                let rest = &text[1..];
                format!("{{{key}: null, {rest}")
            }
            _ => text.to_owned(),
        },
        // Integers spelled as floats.
        1 => text.replacen(|c: char| c.is_ascii_digit(), "1.0", 1),
        2 => format!("\u{feff}{text}"),
        3 => format!("{text} x"),
        _ => text.to_owned(),
    }
}

/// Every key name used anywhere in the samples, for inserting known keys in wrong places.
fn key_names(samples: &[Value]) -> Vec<String> {
    let mut keys = Vec::new();
    for sample in samples {
        let mut all = Vec::new();
        paths(sample, &mut Vec::new(), &mut all);
        for path in all {
            if let Some(PathStep::Key(key)) = path.last()
                && !keys.contains(key)
            {
                keys.push(key.clone());
            }
        }
    }
    keys
}

fn samples(task: &str) -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(task);
    let mut samples = Vec::new();
    for entry in std::fs::read_dir(dir).expect("samples folder") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            let text = std::fs::read_to_string(&path).expect("readable sample");
            samples.push(serde_json::from_str(&text).expect("sample is JSON"));
        }
    }
    samples
}

/// The tally of one task's run.
#[derive(Debug, Default)]
struct Tally {
    accepted: usize,
    refused: usize,
    fast_accepted: usize,
    disagreements: Vec<String>,
}

fn check_task<T: Task + PartialEq + Debug>(seed: u64) -> Tally {
    let schema = T::schema();
    let published = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("the published schema compiles");
    let samples = samples(T::NAME);
    assert!(!samples.is_empty(), "{}: no samples", T::NAME);
    let known_keys = key_names(&samples);
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    for case in 0..CASES {
        let mut value = rng.pick(&samples).clone();
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut value, &known_keys);
        }
        let mut text = serde_json::to_string(&value).expect("serializable");
        if rng.below(4) == 0 {
            text = mutate_text(&mut rng, &text);
        }

        // The published schema's verdict on the parsed text, then the rules.
        let parsed = TaskInput::Json(&text).into_value();
        let schema_valid = parsed.as_ref().is_ok_and(|value| published.is_valid(value));
        let general = general_path::<T>(TaskInput::Json(&text));
        if let (true, Err(error)) = (schema_valid, &general) {
            tally.disagreements.push(format!(
                "case {case}: the schema accepts, serde refuses: {text}\n  {error}"
            ));
            continue;
        }
        if !schema_valid && general.is_ok() {
            tally.disagreements.push(format!(
                "case {case}: the schema refuses, configure accepts: {text}"
            ));
            continue;
        }
        let expected = general.and_then(|task| task.validate().map(|()| task));

        if let Some(fast) = fast_path::<T>(&TaskInput::Json(&text)) {
            tally.fast_accepted += 1;
            match &expected {
                Ok(general) if *general == fast => {}
                Ok(general) => tally.disagreements.push(format!(
                    "case {case}: the paths give different structs for {text}\n  fast: {fast:?}\n  general: {general:?}"
                )),
                // Refused by a rule only: the fast path does not run rules.
                Err(_) if schema_valid => {}
                Err(error) => tally.disagreements.push(format!(
                    "case {case}: the fast path accepts what the schema refuses: {text}\n  {error}"
                )),
            }
        }
        let configured = T::configure(text.as_str());
        if configured.is_ok() != expected.is_ok() {
            tally.disagreements.push(format!(
                "case {case}: configure says {:?}, schema and rules say {:?}: {text}",
                configured.is_ok(),
                expected.is_ok()
            ));
        }
        if expected.is_ok() {
            tally.accepted += 1;
        } else {
            tally.refused += 1;
        }
    }
    tally
}

#[test]
fn configure_accepts_exactly_what_the_schema_and_rules_accept() {
    let tallies = [
        ("noop", check_task::<Noop>(1)),
        ("sbuild", check_task::<Sbuild>(2)),
        ("lintian", check_task::<Lintian>(3)),
        ("autopkgtest", check_task::<Autopkgtest>(4)),
        ("mmdebstrap", check_task::<Mmdebstrap>(5)),
        (
            "simplesystemimagebuild",
            check_task::<SimpleSystemImageBuild>(6),
        ),
        ("piuparts", check_task::<Piuparts>(7)),
        ("blhc", check_task::<Blhc>(8)),
        ("debdiff", check_task::<Debdiff>(9)),
        (
            "makesourcepackageupload",
            check_task::<MakeSourcePackageUpload>(10),
        ),
    ];
    let mut problems = Vec::new();
    for (task, tally) in &tallies {
        eprintln!(
            "{task:>24}: {} accepted, {} refused, fast path took {}",
            tally.accepted, tally.refused, tally.fast_accepted
        );
        // Mutations must exercise both verdicts, or the test proves little.
        assert!(
            tally.accepted > 20,
            "{task}: only {} accepted",
            tally.accepted
        );
        assert!(
            tally.refused > 100,
            "{task}: only {} refused",
            tally.refused
        );
        problems.extend(tally.disagreements.iter().map(|d| format!("{task}: {d}")));
    }
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems[..problems.len().min(20)].join("\n")
    );
}

#[test]
fn the_fast_path_takes_every_valid_sample() {
    // Not a verdict but a performance property: valid catalogue samples need no second pass.
    fn check<T: Task>(declined: &mut Vec<String>) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(T::NAME);
        for entry in std::fs::read_dir(dir).expect("samples folder") {
            let path = entry.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("valid-") && name.ends_with(".json") {
                let text = std::fs::read_to_string(&path).expect("readable");
                if fast_path::<T>(&TaskInput::Json(&text)).is_none() {
                    declined.push(format!("{}/{name}", T::NAME));
                }
            }
        }
    }
    let mut declined = Vec::new();
    check::<Noop>(&mut declined);
    check::<Sbuild>(&mut declined);
    check::<Lintian>(&mut declined);
    check::<Autopkgtest>(&mut declined);
    check::<Mmdebstrap>(&mut declined);
    check::<SimpleSystemImageBuild>(&mut declined);
    check::<Piuparts>(&mut declined);
    check::<Blhc>(&mut declined);
    check::<Debdiff>(&mut declined);
    check::<MakeSourcePackageUpload>(&mut declined);
    assert_eq!(declined, Vec::<String>::new());
}

#[test]
fn unknown_keys_and_empty_objects_are_judged_alike() {
    // A hand-picked case of each kind, so a failure here reads plainly.
    let text = r#"{"input": {"source_artifact": 5}, "environment": 1, "build_architecture": "amd64", "bogus": 1}"#;
    assert!(fast_path::<Sbuild>(&TaskInput::Json(text)).is_none());
    assert!(Sbuild::configure(text).is_err());
    let map = Map::new();
    assert!(Noop::configure(Value::Object(map)).is_ok());
}
