//! `configure` from JSON text to the typed struct, per catalogue task and per sample file
//! (issue "Performance", target 1).
//!
//! For each valid sample: `floor` (`serde_json::from_str` into the struct, no schema, no
//! rules), `configure` (`Task::configure(&str)`) and `general_path` (parse, validate every
//! keyword, deserialize, rules: what configure falls back on). For each invalid sample:
//! `configure` until the full error report (`unwrap_err().to_string()`).
//!
//! Ids: `configure/<task>/<sample>/<what>`, e.g. `configure/sbuild/valid-minimal/configure`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use taskdef_bench::{catalogue_configurers, load_sample_texts};

fn configure(c: &mut Criterion) {
    let samples = load_sample_texts();
    for configurers in catalogue_configurers() {
        let mut group = c.benchmark_group(format!("configure/{}", configurers.task));
        for sample in samples.iter().filter(|s| s.task == configurers.task) {
            let text = sample.text.as_str();
            let id = &sample.sample;
            if sample.valid {
                assert!((configurers.floor)(text), "{}/{id}: floor", sample.task);
                assert!(
                    (configurers.configure)(text).is_ok(),
                    "{}/{id}",
                    sample.task
                );
                group.bench_function(format!("{id}/floor"), |b| {
                    b.iter(|| (configurers.floor)(black_box(text)))
                });
                group.bench_function(format!("{id}/configure"), |b| {
                    b.iter(|| (configurers.configure)(black_box(text)))
                });
                group.bench_function(format!("{id}/general_path"), |b| {
                    b.iter(|| (configurers.general_path)(black_box(text)))
                });
            } else {
                assert!(
                    (configurers.configure)(text).is_err(),
                    "{}/{id}",
                    sample.task
                );
                group.bench_function(format!("{id}/error_report"), |b| {
                    b.iter(|| {
                        (configurers.configure)(black_box(text))
                            .unwrap_err()
                            .to_string()
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, configure);
criterion_main!(benches);
