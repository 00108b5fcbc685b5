//! `analyze_worker_all_tasks`: every task's worker metadata, merged (tool probes search `PATH`).

use criterion::{Criterion, criterion_group, criterion_main};
use taskdef::Registry;
use taskdef_bench as _;

fn metadata(c: &mut Criterion) {
    let registry = Registry::global();
    c.bench_function("metadata/analyze_worker_all_tasks", |b| {
        b.iter(|| registry.analyze_worker_all_tasks())
    });
}

criterion_group!(benches, metadata);
criterion_main!(benches);
