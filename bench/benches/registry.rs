//! Registry lookups by name: exact, in other cases (lookups are case-insensitive), by kind, and
//! of an unknown name.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use taskdef::{Registry, TaskKind};
use taskdef_bench as _;

fn registry(c: &mut Criterion) {
    let registry = Registry::global();
    let mut group = c.benchmark_group("registry");
    group.bench_function("get/sbuild", |b| {
        b.iter(|| registry.get(black_box("sbuild")))
    });
    group.bench_function("get/SBuild", |b| {
        b.iter(|| registry.get(black_box("SBuild")))
    });
    group.bench_function("get_of_kind/Worker/Autopkgtest", |b| {
        b.iter(|| registry.get_of_kind(TaskKind::Worker, black_box("Autopkgtest")))
    });
    group.bench_function("get_of_kind/Signing/noop", |b| {
        b.iter(|| registry.get_of_kind(TaskKind::Signing, black_box("noop")))
    });
    group.bench_function("get/unknown", |b| {
        b.iter(|| registry.get(black_box("nosuchtask")))
    });
    group.finish();
}

criterion_group!(benches, registry);
criterion_main!(benches);
