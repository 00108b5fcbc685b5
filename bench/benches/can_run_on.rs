//! `can_run_on` of configured catalogue tasks against worker metadata: a fit, and a miss at each
//! stage (worker type, version, architecture, the task's own check).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use taskdef::keys;
use taskdef::{Registry, WorkerMetadata};
use taskdef_bench as _;

fn can_run_on(c: &mut Criterion) {
    let registry = Registry::global();
    let sbuild = registry
        .configure(
            "sbuild",
            json!({
                "input": {"source_artifact": "hello_1.0-1@artifacts"},
                "environment": "debian/match:codename=bookworm",
                "build_architecture": "amd64",
            }),
        )
        .expect("the sbuild data is valid");
    let mut fit = WorkerMetadata::new(registry.analyze_worker_all_tasks());
    fit.insert(keys::WORKER_TYPE, "external")
        .insert(keys::HOST_ARCHITECTURE, "amd64")
        .insert(keys::ARCHITECTURES, vec!["amd64", "i386"])
        .insert("sbuild:available", true)
        .insert(keys::executor_available("unshare"), true);
    let mut celery = fit.clone();
    celery.insert(keys::WORKER_TYPE, "celery");
    let mut stale = fit.clone();
    stale.insert("sbuild:version", 0);
    let mut arm = fit.clone();
    arm.insert(keys::ARCHITECTURES, vec!["arm64", "armhf"]);
    let mut no_sbuild = fit.clone();
    no_sbuild.insert("sbuild:available", false);

    let mut group = c.benchmark_group("can_run_on/sbuild");
    for (name, worker) in [
        ("fits", &fit),
        ("worker_type", &celery),
        ("version", &stale),
        ("architecture", &arm),
        ("check_worker", &no_sbuild),
    ] {
        group.bench_function(name, |b| b.iter(|| sbuild.can_run_on(black_box(worker))));
    }
    group.finish();
}

criterion_group!(benches, can_run_on);
criterion_main!(benches);
