//! `configure` by name from 16 threads at once, starting with the very first call, which builds
//! the registry and the cached validators: results must equal the single-threaded ones.
//!
//! This file holds one test so that nothing else in its process builds the caches first.

use std::sync::{Arc, Barrier};

use taskdef::Registry;
// Nothing else names the crate of test tasks: without this, it is not linked (see the README).
use taskdef_tests as _;

const THREADS: usize = 16;

/// Inputs mixing valid and invalid data for several tasks, and unknown names.
fn inputs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("testnoop", r#"{"result": false}"#),
        ("TestNoop", r#"{"result": "no"}"#),
        ("testbuild", r#"{"host_architecture": "amd64"}"#),
        (
            "testbuild",
            r#"{"host_architecture": "amd64", "debug_level": 9}"#,
        ),
        (
            "testbuild",
            r#"{"host_architecture": "amd64", "binnmu": "+b1", "build_components": ["all"]}"#,
        ),
        ("servernoop", "{}"),
        ("testfailing", r#"{"how": "panic"}"#),
        ("nosuchtask", "{}"),
    ]
}

/// A comparable summary of one outcome.
fn outcome(name: &str, data: &str) -> String {
    match Registry::global().configure(name, data) {
        Ok(task) => format!("ok {} {:?}", task.name(), task),
        Err(error) => format!("error {error}"),
    }
}

#[test]
fn configure_from_sixteen_threads_at_first_use_matches_one_thread() {
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut inputs = inputs();
                // Each thread starts at a different task, so first uses race on every cache.
                let start = thread % inputs.len();
                inputs.rotate_left(start);
                barrier.wait();
                let mut results: Vec<(String, String)> = inputs
                    .into_iter()
                    .map(|(name, data)| (format!("{name} {data}"), outcome(name, data)))
                    .collect();
                results.sort();
                results
            })
        })
        .collect();
    let concurrent: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    let mut sequential: Vec<(String, String)> = inputs()
        .into_iter()
        .map(|(name, data)| (format!("{name} {data}"), outcome(name, data)))
        .collect();
    sequential.sort();
    assert_eq!(
        sequential
            .iter()
            .filter(|(_, o)| o.starts_with("ok"))
            .count(),
        4
    );
    for (thread, results) in concurrent.iter().enumerate() {
        assert_eq!(results, &sequential, "thread {thread}");
    }
}
