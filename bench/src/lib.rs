//! Shared workloads for taskdef's benchmarks, so that every bench, and the Python side, measure
//! the same input.
//!
//! Everything here is deterministic: a workload is a function of its sizes and a seed, drawn
//! with [`Rng`] (SplitMix64) from Debusine's worker task catalogue (`taskdef-examples`) and its
//! sample task data under `examples/samples/`. [`Workload::to_json`] writes it, with the JSON
//! Schema of every task it names, for `bench/python/`.
//!
//! The catalogue has worker tasks only. So that `celery` and `signing` workers have something to
//! take, as in a real Debusine, this crate adds two trivial tasks: the server task
//! [`ServerNoop`] and the signing task [`SigningNoop`] (registered as a signing `noop`, beside the
//! worker `noop`, as in Debusine).
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use taskdef::keys;
use taskdef::schedule::{PendingRequest, Worker};
use taskdef::{TaskInput, general_path};

use taskdef::{
    Execute, Registry, Task, TaskConfigError, TaskContext, TaskError, TaskKind, WorkerMetadata,
};

// The catalogue's tasks register themselves only if the crate is linked.
use taskdef_examples as _;

/// A server task that does nothing (Debusine's `servernoop`).
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, kind = server)]
pub struct ServerNoop {
    /// The result to report.
    #[serde(default = "yes")]
    pub result: bool,
}

/// A signing task that does nothing (Debusine's signing `noop`).
#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, kind = signing, name = "noop")]
pub struct SigningNoop {
    /// The result to report.
    #[serde(default = "yes")]
    pub result: bool,
}

fn yes() -> bool {
    true
}

impl Execute for ServerNoop {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(self.result)
    }
}

impl Execute for SigningNoop {
    fn execute(&self, _ctx: &TaskContext) -> Result<bool, TaskError> {
        Ok(self.result)
    }
}

/// SplitMix64: a small, fast, seedable generator; enough for drawing workloads.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        // Lemire's multiply-shift; the bias is negligible for these bounds.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// An index into a slice of length `len` (> 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (non-empty), each weighted.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, weight)| weight).sum();
        let mut pick = self.below(total);
        for (item, weight) in items {
            if pick < *weight {
                return item;
            }
            pick -= weight;
        }
        &items[items.len() - 1].0
    }
}

/// The sample task data of one task: valid and invalid documents.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Data the task accepts.
    pub valid: Vec<Value>,
    /// Data the task refuses.
    pub invalid: Vec<Value>,
}

/// The catalogue's sample directory, `examples/samples/`.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/samples")
}

/// Every task's JSON samples (`valid-*.json`, `invalid-*.json`), by task name, sorted.
///
/// # Panics
///
/// If the sample directory cannot be read or a sample is not JSON: the benches need them.
pub fn load_samples() -> BTreeMap<String, Samples> {
    let dir = samples_dir();
    let mut samples = BTreeMap::new();
    let mut tasks: Vec<PathBuf> = read_dir(&dir);
    tasks.retain(|path| path.is_dir());
    for task in tasks {
        let name = file_name(&task);
        let mut entry = Samples::default();
        for file in read_dir(&task) {
            let file_name = file_name(&file);
            if !file_name.ends_with(".json") {
                continue;
            }
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("reading {}: {error}", file.display()));
            let value: Value = serde_json::from_str(&text)
                .unwrap_or_else(|error| panic!("parsing {}: {error}", file.display()));
            if file_name.starts_with("valid") {
                entry.valid.push(value);
            } else if file_name.starts_with("invalid") {
                entry.invalid.push(value);
            }
        }
        samples.insert(name, entry);
    }
    samples
}

/// One sample file, as text: what `configure` is timed on.
#[derive(Debug, Clone)]
pub struct SampleText {
    /// The task's name (the sample's directory).
    pub task: String,
    /// The file's name without `.json` (`valid-minimal`).
    pub sample: String,
    /// Whether the task accepts it (`valid-*`) or refuses it (`invalid-*`).
    pub valid: bool,
    /// The file's text.
    pub text: String,
}

/// Every task's JSON sample files as text, sorted by task then file name.
///
/// # Panics
///
/// If the sample directory cannot be read.
pub fn load_sample_texts() -> Vec<SampleText> {
    let mut samples = Vec::new();
    for task in read_dir(&samples_dir()) {
        if !task.is_dir() {
            continue;
        }
        for file in read_dir(&task) {
            let name = file_name(&file);
            let Some(sample) = name.strip_suffix(".json") else {
                continue;
            };
            let valid = if sample.starts_with("valid") {
                true
            } else if sample.starts_with("invalid") {
                false
            } else {
                continue;
            };
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("reading {}: {error}", file.display()));
            samples.push(SampleText {
                task: file_name(&task),
                sample: sample.to_owned(),
                valid,
                text,
            });
        }
    }
    samples
}

/// The ways of turning JSON text into one catalogue task that the configure benches compare,
/// as plain functions so that the benches can loop over the catalogue. Each drops the task it
/// builds; the floor and `configure` pay the same drop.
#[derive(Debug, Clone, Copy)]
pub struct Configurers {
    /// The task's registered name.
    pub task: &'static str,
    /// The floor: `serde_json::from_str` into the struct, no schema, no rules.
    pub floor: fn(&str) -> bool,
    /// `Task::configure(&str)`: the fast path, the general path if needed, then the rules.
    pub configure: fn(&str) -> Result<(), TaskConfigError>,
    /// The general path alone (parse, validate, deserialize), then the rules.
    pub general_path: fn(&str) -> Result<(), TaskConfigError>,
}

impl Configurers {
    /// The functions for task type `T`.
    pub fn of<T: Task>() -> Configurers {
        Configurers {
            task: T::NAME,
            floor: |text| {
                serde_json::from_str::<T>(text)
                    .map(std::hint::black_box)
                    .is_ok()
            },
            configure: |text| T::configure(text).map(|task| drop(std::hint::black_box(task))),
            general_path: |text| {
                let task = general_path::<T>(TaskInput::Json(text))?;
                task.validate()?;
                drop(std::hint::black_box(task));
                Ok(())
            },
        }
    }
}

/// [`Configurers`] for every task of the catalogue, in name order.
pub fn catalogue_configurers() -> Vec<Configurers> {
    use taskdef_examples::tasks::*;
    let mut all = vec![
        Configurers::of::<Autopkgtest>(),
        Configurers::of::<Blhc>(),
        Configurers::of::<Debdiff>(),
        Configurers::of::<Lintian>(),
        Configurers::of::<MakeSourcePackageUpload>(),
        Configurers::of::<Mmdebstrap>(),
        Configurers::of::<Noop>(),
        Configurers::of::<Piuparts>(),
        Configurers::of::<Sbuild>(),
        Configurers::of::<SimpleSystemImageBuild>(),
    ];
    all.sort_by_key(|configurers| configurers.task);
    all
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()));
    paths.sort();
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Workers and pending requests for one scheduling pass.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The workers, in the order the scheduler visits them.
    pub workers: Vec<Worker>,
    /// The pending work requests.
    pub pending: Vec<PendingRequest>,
}

/// Architectures a request may ask for, weighted.
const REQUEST_ARCHITECTURES: &[(&str, u64)] = &[
    ("amd64", 55),
    ("arm64", 15),
    ("i386", 10),
    ("armhf", 6),
    ("riscv64", 5),
    ("s390x", 4),
    ("ppc64el", 4),
    ("mips64el", 1),
];

/// What a worker can run (`system:architectures`), weighted; the first is its host.
const WORKER_ARCHITECTURES: &[(&[&str], u64)] = &[
    (&["amd64", "i386"], 45),
    (&["amd64"], 15),
    (&["arm64", "armhf"], 15),
    (&["arm64"], 5),
    (&["i386"], 3),
    (&["riscv64"], 6),
    (&["s390x"], 5),
    (&["ppc64el"], 6),
];

/// How often each catalogue task is requested; tasks not listed get weight 5.
const TASK_WEIGHTS: &[(&str, u64)] = &[
    ("sbuild", 30),
    ("autopkgtest", 18),
    ("lintian", 14),
    ("piuparts", 6),
    ("blhc", 6),
    ("debdiff", 5),
    ("makesourcepackageupload", 5),
    ("mmdebstrap", 3),
    ("simplesystemimagebuild", 2),
    ("noop", 3),
];

/// A scheduling workload of `workers` workers and `requests` pending requests, drawn from
/// `seed`, over the global registry's tasks and the catalogue's samples.
///
/// Workers: 85% `external`, 10% `celery`, 5% `signing`; architectures from a weighted list of
/// fleets (amd64+i386, arm64+armhf, riscv64, ...); every task's version key, 3% with one stale
/// version; every `*:available` probe drawn (80% true), so the result does not depend on the
/// machine; 5% with a `tasks_allowlist`, 10% with a `tasks_denylist`; capacity 1 to 4, 20% at
/// capacity; CPU count and memory drawn, so nearly all workers' metadata differ.
///
/// Requests: 95% worker tasks (catalogue, weighted), 3% `servernoop`, 2% signing `noop`; data
/// a random sample of the task, invalid in 3% of cases; `host_architecture` (and the bootstrap
/// architecture) rewritten to a weighted architecture; 1% with the name in capitals, 0.3% with
/// an unknown name; priority mostly 0, ties broken by creation order.
pub fn scheduling_workload(workers: usize, requests: usize, seed: u64) -> Workload {
    let registry = Registry::global();
    let mut rng = Rng::new(seed);
    let base_metadata = base_metadata(registry);
    let version_keys: Vec<String> = registry.entries().map(|e| e.version_key()).collect();
    let worker_names: Vec<&'static str> = registry
        .entries()
        .filter(|entry| entry.kind == TaskKind::Worker)
        .map(|entry| entry.name)
        .collect();
    let worker_list = (0..workers)
        .map(|position| {
            draw_worker(
                &mut rng,
                position,
                &base_metadata,
                &version_keys,
                &worker_names,
            )
        })
        .collect();

    let samples = load_samples();
    let tasks: Vec<(&str, u64)> = samples
        .iter()
        .filter(|(name, samples)| {
            !samples.valid.is_empty() && registry.get_of_kind(TaskKind::Worker, name).is_ok()
        })
        .map(|(name, _)| {
            let weight = TASK_WEIGHTS
                .iter()
                .find(|(known, _)| known == name)
                .map_or(5, |(_, weight)| *weight);
            (name.as_str(), weight)
        })
        .collect();
    let noop_data = [
        json!({}),
        json!({"result": false}),
        json!({"result": "yes"}),
    ];
    let pending = (0..requests)
        .map(|position| {
            let roll = rng.below(1000);
            let (task_type, mut task_name, task_data) = if roll < 30 {
                let data = noop_data[rng.index(2) + usize::from(rng.percent(3))].clone();
                (TaskKind::Server, "servernoop".to_owned(), data)
            } else if roll < 50 {
                let data = noop_data[rng.index(2) + usize::from(rng.percent(3))].clone();
                (TaskKind::Signing, "noop".to_owned(), data)
            } else {
                let name = *rng.weighted(&tasks);
                let task_samples = &samples[name];
                let data = if rng.percent(3) && !task_samples.invalid.is_empty() {
                    task_samples.invalid[rng.index(task_samples.invalid.len())].clone()
                } else {
                    task_samples.valid[rng.index(task_samples.valid.len())].clone()
                };
                let architecture = rng.weighted::<&str>(REQUEST_ARCHITECTURES);
                let data = with_architecture(data, architecture);
                (TaskKind::Worker, name.to_owned(), data)
            };
            let odd = rng.below(1000);
            if odd < 10 {
                task_name = task_name.to_ascii_uppercase();
            } else if odd < 13 {
                task_name = format!("{task_name}-renamed");
            }
            let priority = *rng.weighted(&[(0i64, 80), (1, 8), (5, 6), (10, 4), (-5, 2)]);
            PendingRequest {
                id: position as u64 + 1,
                task_type,
                task_name,
                task_data,
                priority,
                created: position as u64,
            }
        })
        .collect();
    Workload {
        workers: worker_list,
        pending,
    }
}

/// Every registered task's metadata (version keys and probes), without the system keys.
fn base_metadata(registry: &Registry) -> Map<String, Value> {
    registry.analyze_worker_all_tasks()
}

fn draw_worker(
    rng: &mut Rng,
    position: usize,
    base: &Map<String, Value>,
    version_keys: &[String],
    worker_names: &[&'static str],
) -> Worker {
    let worker_type = *rng.weighted(&[("external", 85), ("celery", 10), ("signing", 5)]);
    let architectures = *rng.weighted(WORKER_ARCHITECTURES);
    let mut metadata = WorkerMetadata::new(base.clone());
    for (key, value) in base {
        if key.ends_with(":available") && value.is_boolean() {
            metadata.insert(key.clone(), rng.percent(80));
        }
    }
    for backend in keys::EXECUTOR_BACKENDS {
        let likely = if backend == "unshare" { 95 } else { 40 };
        metadata.insert(keys::executor_available(backend), rng.percent(likely));
    }
    if rng.percent(3) {
        let key = &version_keys[rng.index(version_keys.len())];
        metadata.insert(key.clone(), 0);
    }
    metadata.insert(keys::WORKER_TYPE, worker_type);
    metadata.insert(keys::HOST_ARCHITECTURE, architectures[0]);
    metadata.insert(keys::ARCHITECTURES, architectures.to_vec());
    metadata.insert(keys::CPU_COUNT, 1 << rng.below(7));
    metadata.insert(
        keys::TOTAL_PHYSICAL_MEMORY,
        (1u64 << 30) * (1 + rng.below(256)),
    );
    let list_roll = rng.below(100);
    if list_roll < 5 {
        let names: Vec<&str> = (0..2 + rng.index(2))
            .map(|_| worker_names[rng.index(worker_names.len())])
            .collect();
        metadata.insert(keys::TASKS_ALLOWLIST, names);
    } else if list_roll < 15 {
        let names: Vec<&str> = (0..1 + rng.index(2))
            .map(|_| worker_names[rng.index(worker_names.len())])
            .collect();
        metadata.insert(keys::TASKS_DENYLIST, names);
    }
    let capacity = 1 + rng.index(4);
    let running = if rng.percent(20) {
        capacity
    } else {
        rng.index(capacity)
    };
    Worker {
        id: position as u64 + 1,
        metadata,
        capacity,
        running,
    }
}

/// The data with its architectures rewritten: `build_architecture` (Debusine 0.16) or
/// `host_architecture` (0.11) if it holds a string, and `bootstrap_options.architecture`
/// (mmdebstrap, simplesystemimagebuild).
fn with_architecture(mut data: Value, architecture: &str) -> Value {
    for key in ["build_architecture", "host_architecture"] {
        if let Some(Value::String(host)) = data.get_mut(key) {
            *host = architecture.to_owned();
        }
    }
    if let Some(Value::String(bootstrap)) = data.pointer_mut("/bootstrap_options/architecture") {
        *bootstrap = architecture.to_owned();
    }
    data
}

impl Workload {
    /// The workload as JSON for `bench/python/`: workers, requests (Debusine's field names) and
    /// `schemas`, the JSON Schema of every registered task by `task_type` then name.
    pub fn to_json(&self, registry: &Registry) -> Value {
        let workers: Vec<Value> = self
            .workers
            .iter()
            .map(|worker| {
                json!({
                    "id": worker.id,
                    "metadata": worker.metadata.as_map(),
                    "capacity": worker.capacity,
                    "running": worker.running,
                })
            })
            .collect();
        let requests: Vec<Value> = self
            .pending
            .iter()
            .map(|request| {
                json!({
                    "id": request.id,
                    "task_type": request.task_type.task_type(),
                    "task_name": request.task_name,
                    "task_data": request.task_data,
                    "priority": request.priority,
                    "created": request.created,
                })
            })
            .collect();
        let mut schemas = Map::new();
        for entry in registry.entries() {
            let kind = schemas
                .entry(entry.kind.task_type())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(kind) = kind {
                kind.insert(
                    entry.name.to_owned(),
                    json!({"version": entry.version, "schema": entry.schema()}),
                );
            }
        }
        json!({"workers": workers, "requests": requests, "schemas": schemas})
    }
}
