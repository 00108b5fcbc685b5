//! `schedule_pass` gives exactly `reference_pass`'s result (assignments and failures, in order)
//! on many random inputs, over passes applied one after the other.
//!
//! The tasks are defined here, in a registry of their own, so that the catalogue's evolution
//! cannot change what is tested: worker, server and signing tasks, one name shared by a worker
//! and a signing task, a task with a host architecture, one whose own check reads a bootstrap
//! architecture, a cross-field rule, and worker probes.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use taskdef::keys;
use taskdef::schedule::{PendingRequest, SchedulePass, Worker, reference_pass, schedule_pass};
use taskdef::{
    Execute, Registry, Task, TaskConfigError, TaskContext, TaskEntry, TaskError, TaskKind, Unmet,
    WorkerMetadata,
};
use taskdef_bench::Rng;

/// Builds a package.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 2)]
struct Build {
    host_architecture: String,
    #[serde(default)]
    backend: Option<String>,
    #[serde(default)]
    binnmu: bool,
    #[serde(default)]
    all: bool,
}

impl Execute for Build {
    fn validate(&self) -> Result<(), TaskConfigError> {
        if self.binnmu && self.all {
            return Err(TaskConfigError::rule("", "no binNMU of arch:all"));
        }
        Ok(())
    }
    fn host_architecture(&self) -> Option<&str> {
        Some(&self.host_architecture)
    }
    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        worker.require_flag("build:available")?;
        let backend = self.backend.as_deref().unwrap_or("unshare");
        worker.require_flag(&keys::executor_available(backend))
    }
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// Checks a package; the architecture is optional.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
struct Lint {
    #[serde(default)]
    host_architecture: Option<String>,
    #[serde(default)]
    strict: bool,
}

impl Execute for Lint {
    fn host_architecture(&self) -> Option<&str> {
        self.host_architecture.as_deref()
    }
    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        if self.strict {
            worker.require_flag("lint:available")?;
        }
        Ok(())
    }
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// Bootstraps an image: no host architecture, but its own architecture check.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1)]
struct Image {
    architecture: String,
}

impl Execute for Image {
    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        worker.require_architecture(&self.architecture)
    }
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

/// A server task.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, kind = server)]
struct Publish {
    #[serde(default)]
    suite: Option<String>,
}

impl Execute for Publish {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(self.suite.as_deref() != Some("fail"))
    }
}

/// A signing task sharing its name with the worker task `lint`.
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, kind = signing, name = "lint")]
struct SignLint {
    #[serde(default)]
    key: Option<String>,
}

impl Execute for SignLint {
    fn check_worker(&self, worker: &WorkerMetadata) -> Result<(), Unmet> {
        match &self.key {
            Some(_) => worker.require_flag("signing:lint:available"),
            None => Ok(()),
        }
    }
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(true)
    }
}

static ENTRIES: [TaskEntry; 5] = [
    TaskEntry::of::<Build>(),
    TaskEntry::of::<Lint>(),
    TaskEntry::of::<Image>(),
    TaskEntry::of::<Publish>(),
    TaskEntry::of::<SignLint>(),
];

fn registry() -> Registry {
    Registry::from_entries(ENTRIES.iter())
}

const ARCHITECTURES: [&str; 4] = ["amd64", "arm64", "i386", "riscv64"];
const NAMES: [&str; 7] = [
    "build", "lint", "image", "publish", "Build", "LINT", "nosuch",
];

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.index(items.len())]
}

fn random_worker(rng: &mut Rng, id: u64) -> Worker {
    let mut metadata = WorkerMetadata::default();
    match rng.below(10) {
        0..=5 => metadata.insert(keys::WORKER_TYPE, "external"),
        6..=7 => metadata.insert(keys::WORKER_TYPE, "celery"),
        8 => metadata.insert(keys::WORKER_TYPE, "signing"),
        _ => &mut metadata,
    };
    let architectures: Vec<&str> = ARCHITECTURES
        .iter()
        .copied()
        .filter(|_| rng.percent(40))
        .collect();
    if !rng.percent(5) {
        metadata.insert(keys::ARCHITECTURES, architectures);
    }
    for (key, version) in [
        ("build:version", 2),
        ("lint:version", 1),
        ("image:version", 1),
        ("server:publish:version", 1),
        ("signing:lint:version", 1),
    ] {
        match rng.below(10) {
            0 => {}
            1 => {
                metadata.insert(key, version + 1);
            }
            _ => {
                metadata.insert(key, version);
            }
        }
    }
    for flag in [
        "build:available",
        "lint:available",
        "signing:lint:available",
        "executor:unshare:available",
        "executor:qemu:available",
    ] {
        if rng.percent(75) {
            metadata.insert(flag, true);
        }
    }
    let names = |rng: &mut Rng| -> Vec<&str> {
        (0..1 + rng.index(2)).map(|_| *pick(rng, &NAMES)).collect()
    };
    match rng.below(10) {
        0 => {
            let list = names(rng);
            metadata.insert(keys::TASKS_ALLOWLIST, list);
        }
        1 => {
            let list = names(rng);
            metadata.insert(keys::TASKS_DENYLIST, list);
        }
        2 => {
            let allow = names(rng);
            let deny = names(rng);
            metadata.insert(keys::TASKS_ALLOWLIST, allow);
            metadata.insert(keys::TASKS_DENYLIST, deny);
        }
        _ => {}
    }
    // Few distinct CPU counts, so that workers often share their metadata.
    metadata.insert(keys::CPU_COUNT, 1 + rng.below(2));
    let capacity = rng.index(4);
    let running = if capacity == 0 {
        0
    } else {
        rng.index(capacity + 1)
    };
    Worker {
        id,
        metadata,
        capacity,
        running,
    }
}

fn random_data(rng: &mut Rng, name: &str) -> Value {
    let architecture = *pick(rng, &ARCHITECTURES);
    let valid = rng.percent(85);
    match (name.to_ascii_lowercase().as_str(), valid) {
        ("build", true) => {
            let backend = *pick(rng, &[None, Some("unshare"), Some("qemu")]);
            let binnmu = rng.percent(20);
            let all = rng.percent(30);
            json!({"host_architecture": architecture, "backend": backend, "binnmu": binnmu, "all": all})
        }
        ("lint", true) => match rng.below(3) {
            0 => json!({}),
            1 => json!({"host_architecture": architecture, "strict": rng.percent(50)}),
            _ => json!({"key": "k", "strict": true}),
        },
        ("image", true) => json!({"architecture": architecture}),
        ("publish", true) => json!({"suite": "unstable"}),
        _ => match rng.below(4) {
            0 => json!({"host_architecture": 5}),
            1 => json!({"unknown": true}),
            2 => json!([]),
            _ => json!({"strict": "yes", "key": 1}),
        },
    }
}

fn random_request(rng: &mut Rng, id: u64) -> PendingRequest {
    let task_type = *pick(
        rng,
        &[
            TaskKind::Worker,
            TaskKind::Worker,
            TaskKind::Worker,
            TaskKind::Server,
            TaskKind::Signing,
            TaskKind::Wait,
        ],
    );
    let task_name = (*pick(rng, &NAMES)).to_owned();
    let task_data = random_data(rng, &task_name);
    PendingRequest {
        id,
        task_type,
        task_name,
        task_data,
        priority: rng.below(4) as i64 - 1,
        created: rng.below(8),
    }
}

/// Runs up to three passes of both implementations on one random input; returns the number of
/// passes compared.
fn check_case(registry: &Registry, seed: u64) -> usize {
    let mut rng = Rng::new(seed);
    let mut workers: Vec<Worker> = (0..rng.below(12))
        .map(|id| random_worker(&mut rng, id + 1))
        .collect();
    // Identical workers, as in a real fleet, exercise what workers with the same metadata share.
    if !workers.is_empty() && rng.percent(50) {
        for _ in 0..rng.below(6) {
            let mut twin = workers[rng.index(workers.len())].clone();
            twin.id = workers.len() as u64 + 1;
            workers.push(twin);
        }
        for position in (1..workers.len()).rev() {
            workers.swap(position, rng.index(position + 1));
        }
    }
    let mut pending: Vec<PendingRequest> = (0..rng.below(60))
        .map(|id| random_request(&mut rng, id + 1))
        .collect();
    for pass_number in 0..3 {
        let fast = schedule_pass(registry, &workers, &pending);
        let plain = reference_pass(registry, &workers, &pending);
        assert_eq!(
            fast, plain,
            "seed {seed}, pass {pass_number}\nworkers: {workers:#?}\npending: {pending:#?}"
        );
        if fast == SchedulePass::default() {
            return pass_number + 1;
        }
        fast.apply(&mut workers, &mut pending);
    }
    3
}

#[test]
fn schedule_pass_matches_reference_pass_on_random_inputs() {
    let registry = registry();
    let passes: usize = (0..3_000).map(|seed| check_case(&registry, seed)).sum();
    println!("{passes} passes compared");
    assert!(passes >= 3_000);
}

#[test]
fn random_inputs_exercise_assignments_and_failures() {
    // Guards the generator: the comparison above is only worth something if passes do assign
    // and do fail requests.
    let registry = registry();
    let (mut assignments, mut failures) = (0, 0);
    for seed in 0..300 {
        let mut rng = Rng::new(seed);
        let workers: Vec<Worker> = (0..rng.below(12))
            .map(|id| random_worker(&mut rng, id + 1))
            .collect();
        let pending: Vec<PendingRequest> = (0..rng.below(60))
            .map(|id| random_request(&mut rng, id + 1))
            .collect();
        let pass = reference_pass(&registry, &workers, &pending);
        assignments += pass.assignments.len();
        failures += pass.failed.len();
    }
    assert!(assignments > 300, "{assignments} assignments");
    assert!(failures > 300, "{failures} failures");
}

#[test]
fn one_assignment_per_worker_per_pass_in_priority_order() {
    let registry = registry();
    let mut metadata = WorkerMetadata::default();
    metadata
        .insert(keys::WORKER_TYPE, "external")
        .insert(keys::ARCHITECTURES, vec!["amd64"])
        .insert("lint:version", 1);
    let worker = Worker {
        id: 7,
        metadata,
        capacity: 3,
        running: 0,
    };
    let request = |id, priority, created, data: Value| PendingRequest {
        id,
        task_type: TaskKind::Worker,
        task_name: "lint".to_owned(),
        task_data: data,
        priority,
        created,
    };
    let pending = vec![
        request(1, 0, 0, json!({})),
        request(2, 5, 3, json!({"host_architecture": "arm64"})),
        request(3, 5, 2, json!({"strict": "no"})),
        request(4, 5, 4, json!({})),
        request(5, 5, 4, json!({})),
    ];
    let pass = schedule_pass(&registry, std::slice::from_ref(&worker), &pending);
    assert_eq!(pass.assignments, vec![(7, 4)]);
    assert_eq!(
        pass.failed.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![3]
    );
    assert_eq!(
        pass,
        reference_pass(&registry, std::slice::from_ref(&worker), &pending)
    );
}
