//! The catalogue against Debusine's own verdicts (`../shared/conformance/debusine-cases.jsonl`),
//! read in release 0.11.
//!
//! The cases are Debusine's data and are not copied into this repository: the test reads them
//! from the `shared/` folder beside the project and, where it is absent, says so and checks
//! nothing.

use std::path::PathBuf;

use serde_json::Value;
use taskdef::{ConfigureByNameError, Registry, Violation, ViolationKind};
use taskdef_examples as _;

/// The cases are Debusine 0.12's data and verdicts: the catalogue reads them in release 0.11
/// (whose forms are 0.11.3's, ≈ 0.12's), in which a task that names no release has its only
/// form.
const RELEASE: &str = "0.11";

/// Cases of Debusine 0.12 data that neither 0.11.3 nor 0.16.2 accepts: 0.12 added
/// `build_dep_resolver` and `aspcud_criteria` to sbuild (0.11.3 refuses them), and 0.16
/// renamed `host_architecture`. Each must still be refused.
const ONLY_0_12: &[&str] = &["sbuild-valid-tests-profiles-resolver"];

fn cases_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/debusine-cases.jsonl")
}

/// Debusine's `loc -> path: text (type=...)`, split into a JSON pointer and the text.
fn split_debusine_message(message: &str) -> (Vec<String>, String) {
    let (loc, rest) = message.split_once(": ").unwrap_or(("", message));
    let text = rest
        .rfind(" (type=")
        .map_or(rest, |index| &rest[..index])
        .to_owned();
    let segments = loc
        .split(" -> ")
        .filter(|segment| !segment.is_empty() && *segment != "__root__")
        .map(str::to_owned)
        .collect();
    (segments, text)
}

/// Loose agreement of one of our violations with one of Debusine's messages: the same text, or
/// the same place (our pointer equal to Debusine's location, a non-empty prefix of it or an
/// extension of it, or the document with the offending key named in our message).
fn agrees(ours: &Violation, segments: &[String], text: &str) -> bool {
    if ours.message.contains(text) {
        return true;
    }
    let theirs = segments.iter().map(|s| format!("/{s}")).collect::<String>();
    if ours.pointer == theirs {
        return true;
    }
    if !ours.pointer.is_empty() && theirs.starts_with(&format!("{}/", ours.pointer)) {
        return true;
    }
    if !theirs.is_empty() && ours.pointer.starts_with(&format!("{theirs}/")) {
        return true;
    }
    ours.pointer.is_empty()
        && segments.first().is_some_and(|key| {
            ours.message.contains(&format!("\"{key}\""))
                || ours.message.contains(&format!("'{key}'"))
        })
}

#[test]
fn catalogue_agrees_with_debusine() {
    let path = cases_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "note: {} is absent (a fresh clone without shared/): no conformance case checked",
            path.display()
        );
        return;
    };
    let registry = Registry::global();
    let mut verdict_mismatches = Vec::new();
    let mut message_mismatches = Vec::new();
    let mut total = 0;
    let mut exact_text = 0;
    for (line_number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("line {}: {error}", line_number + 1));
        total += 1;
        let id = case["id"].as_str().unwrap_or("?");
        let task = case["task"].as_str().expect("task");
        let expected = case["valid"].as_bool().expect("valid");
        let outcome: Result<(), Vec<Violation>> =
            match registry.configure_in(task, RELEASE, &case["data"]) {
                Ok(_) => Ok(()),
                Err(ConfigureByNameError::Config(error)) => Err(error.violations().to_vec()),
                Err(other) => {
                    verdict_mismatches.push(format!("{id}: {other}"));
                    continue;
                }
            };
        let violations: Vec<Violation> = outcome.clone().err().unwrap_or_default();
        if ONLY_0_12.contains(&id) {
            if outcome.is_ok() {
                verdict_mismatches.push(format!("{id}: 0.12 only, but accepted"));
            }
            continue;
        }
        if outcome.is_ok() != expected {
            verdict_mismatches.push(format!(
                "{id}: Debusine says {}, taskdef says {}: {:?}",
                if expected { "valid" } else { "invalid" },
                if outcome.is_ok() { "valid" } else { "invalid" },
                violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        if expected {
            continue;
        }
        let theirs: Vec<(Vec<String>, String)> = case["debusine_errors"]
            .as_array()
            .expect("debusine_errors")
            .iter()
            .map(|message| split_debusine_message(message.as_str().expect("message")))
            .collect();
        if theirs
            .iter()
            .any(|(_, text)| violations.iter().any(|v| v.message.contains(text.as_str())))
        {
            exact_text += 1;
        }
        let loosely = theirs
            .iter()
            .any(|(segments, text)| violations.iter().any(|ours| agrees(ours, segments, text)));
        // Our own rules use Debusine's wording: each must be one of Debusine's messages.
        let foreign_rules: Vec<&Violation> = violations
            .iter()
            .filter(|v| v.kind == ViolationKind::Rule)
            .filter(|v| !theirs.iter().any(|(_, text)| *text == v.message))
            .collect();
        if !loosely || !foreign_rules.is_empty() {
            message_mismatches.push(format!(
                "{id}: Debusine {:?}, taskdef {:?}",
                case["debusine_errors"],
                violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ));
        }
    }
    println!(
        "{} of {total} verdicts agree; {exact_text} rejections carry Debusine's exact text",
        total - verdict_mismatches.len()
    );
    assert!(
        verdict_mismatches.is_empty() && message_mismatches.is_empty(),
        "{} verdict mismatch(es):\n{}\n{} message mismatch(es):\n{}",
        verdict_mismatches.len(),
        verdict_mismatches.join("\n"),
        message_mismatches.len(),
        message_mismatches.join("\n")
    );
}
