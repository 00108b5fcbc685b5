//! One scheduling pass over 1,000 workers and 100,000 pending requests (the performance target:
//! under 50 ms on one core), and the plain reference pass on a smaller workload for scale.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use taskdef::Registry;
use taskdef::schedule::{reference_pass, schedule_pass};
use taskdef_bench::scheduling_workload;

fn schedule(c: &mut Criterion) {
    let registry = Registry::global();
    let mut group = c.benchmark_group("schedule");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));

    let large = scheduling_workload(1_000, 100_000, 42);
    group.bench_function("schedule_pass/1000x100000", |b| {
        b.iter(|| {
            schedule_pass(
                registry,
                black_box(&large.workers),
                black_box(&large.pending),
            )
        })
    });

    let small = scheduling_workload(100, 10_000, 42);
    group.bench_function("schedule_pass/100x10000", |b| {
        b.iter(|| {
            schedule_pass(
                registry,
                black_box(&small.workers),
                black_box(&small.pending),
            )
        })
    });
    group.bench_function("reference_pass/100x10000", |b| {
        b.iter(|| {
            reference_pass(
                registry,
                black_box(&small.workers),
                black_box(&small.pending),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, schedule);
criterion_main!(benches);
