//! One pass of Debusine's scheduler, in memory: which idle worker gets which pending work request.
//!
//! Debusine's scheduler (server side) offers each idle worker, in turn, the pending work requests
//! of its type, by priority: it skips a worker at capacity; keeps only the `tasks_allowlist`
//! names if the worker's metadata sets one, else drops the `tasks_denylist` names; configures
//! each request (a configuration error marks the request failed with `configure-failed`; it is
//! never retried); and assigns the first whose `can_run_on(worker)` holds.
//!
//! [`reference_pass`] does exactly that, configuring as it goes. [`schedule_pass`] gives the same
//! result, much faster: it configures each request at most once per pass, only when the walk of
//! some worker reaches it, and it skips whole groups of configured requests that the base checks
//! of `can_run_on` rule out for a worker. Both return a [`SchedulePass`]; neither changes its
//! input, and [`SchedulePass::apply`] does what the server does with the result.
//!
//! # Semantics, decided where the reference text leaves room
//!
//! - **One assignment per worker per pass**, as Debusine's `schedule()` does: it calls its
//!   per-worker function once for each idle worker, and that function returns after assigning
//!   one work request. A worker with free capacity left gets more on the next pass.
//! - **Workers are visited in the order given**; a worker is idle when `running < capacity`.
//! - **Only requests of the worker's type are walked**: Worker requests on `external` workers,
//!   Server on `celery`, Signing on `signing` (Debusine filters the pending requests by task type
//!   before walking them, so a worker never configures a request of another type). A worker
//!   without a readable `system:worker_type` is offered nothing; Wait and Internal requests are
//!   never walked.
//! - **Order**: highest [`PendingRequest::priority`] first, then the oldest
//!   ([`PendingRequest::created`]), then the smallest id, then the position in the input.
//! - **Allow and deny lists** compare the request's `task_name` exactly, as Debusine's database
//!   filter does (the registry lookup itself is case-insensitive).
//! - **Configuring** looks the task up in the registry of the request's kind, then configures it
//!   with the task data. A name that is not registered fails the request like invalid data does,
//!   with the lookup error as its message: it could never be configured.
//!
//! # What [`schedule_pass`] assumes
//!
//! That configuring is a pure function of the request, and `can_run_on` a pure function of the
//! configured task and the worker's metadata: both hold for tasks that follow the rules of
//! [`Execute`](crate::Execute) (`validate` and `check_worker` must not touch the machine).
//! Under that assumption its result is identical to [`reference_pass`]'s, assignments and failures
//! alike, in the same order.
//!
//! How it is fast:
//! - Requests are bucketed by (kind, `task_name`) in priority heaps, built in linear time; only
//!   the requests a walk reaches are ever ordered.
//! - A configured request joins a *class*: same kind, task name, version and host architecture.
//!   The base checks of `can_run_on` (worker type, `<prefix>:version`, host architecture in
//!   `system:architectures`) depend only on the class and the worker's metadata, so once a base
//!   check fails for one request of a class, the whole class is skipped for that metadata.
//! - Workers with identical metadata share what was learnt: the allow/deny decision per name,
//!   the base verdict per class, and how far into each class every request is known not to fit
//!   (a task's own `check_worker` failing), so a fleet of identical workers does not re-check
//!   the same unsuitable requests.
//! - A worker's walk merges the heads of its admitted buckets and classes in priority order, so
//!   it reaches requests in exactly the reference's order and configures the not yet configured
//!   ones at the same point, which is why failures are found in the same order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;
use serde_json::Value;

use crate::metadata::{NameFilter, RunCheckFailure, WorkerMetadata};
use crate::registry::Registry;
use crate::task::DynTask;
use crate::types::{TaskKind, WorkerType};

/// The error code Debusine reports for a request that failed to configure.
pub const CONFIGURE_FAILED: &str = "configure-failed";

/// A worker as the scheduler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    /// The worker's id.
    pub id: u64,
    /// Its metadata: dynamic metadata merged with the administrator's static metadata.
    pub metadata: WorkerMetadata,
    /// How many work requests it may run at once (Debusine's `concurrency`).
    pub capacity: usize,
    /// How many it is running now.
    pub running: usize,
}

impl Worker {
    /// Whether the worker can take another work request (`running < capacity`).
    pub fn is_idle(&self) -> bool {
        self.running < self.capacity
    }
}

/// A pending work request, with what the scheduler reads of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRequest {
    /// The work request's id.
    pub id: u64,
    /// Its `task_type`: only Worker, Server and Signing requests are scheduled on workers.
    pub task_type: TaskKind,
    /// Its `task_name`, as submitted.
    pub task_name: String,
    /// Its `task_data`.
    pub task_data: Value,
    /// `priority_base + priority_adjustment`; higher runs first.
    pub priority: i64,
    /// Creation order (a timestamp or a sequence number); among equal priorities, older first.
    pub created: u64,
}

/// What one scheduling pass decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchedulePass {
    /// `(worker id, request id)`, in the order the workers were visited.
    pub assignments: Vec<(u64, u64)>,
    /// `(request id, message)` of the requests that failed to configure, in the order found;
    /// Debusine marks them completed with result `error` and code [`CONFIGURE_FAILED`].
    pub failed: Vec<(u64, String)>,
}

impl SchedulePass {
    /// Applies the pass as the server does: assigned and failed requests leave `pending`, and
    /// each assigned worker runs one more request.
    pub fn apply(&self, workers: &mut [Worker], pending: &mut Vec<PendingRequest>) {
        let mut gone: Vec<u64> = self
            .assignments
            .iter()
            .map(|&(_, request)| request)
            .collect();
        gone.extend(self.failed.iter().map(|(request, _)| *request));
        gone.sort_unstable();
        pending.retain(|request| gone.binary_search(&request.id).is_err());
        for &(worker_id, _) in &self.assignments {
            if let Some(worker) = workers.iter_mut().find(|worker| worker.id == worker_id) {
                worker.running += 1;
            }
        }
    }
}

/// One pass, plainly: every idle worker walks every pending request of its type in priority
/// order, configuring each as it goes. Slow (a request may be configured once per worker), but
/// it follows the reference text line by line; [`schedule_pass`] must agree with it.
///
/// For the equivalence tests and the benchmarks; not part of the API.
#[doc(hidden)]
pub fn reference_pass(
    registry: &Registry,
    workers: &[Worker],
    pending: &[PendingRequest],
) -> SchedulePass {
    let mut order: Vec<usize> = (0..pending.len())
        .filter(|&index| pending[index].task_type.worker_type().is_some())
        .collect();
    order.sort_by_key(|&index| order_key(pending, index));
    let mut done = vec![false; pending.len()];
    let mut pass = SchedulePass::default();
    for worker in workers {
        if !worker.is_idle() {
            continue;
        }
        let Some(worker_type) = worker.metadata.worker_type() else {
            continue;
        };
        let names = NameFilter::of(&worker.metadata);
        for &index in &order {
            let request = &pending[index];
            if done[index]
                || request.task_type.worker_type() != Some(worker_type)
                || !names.admits(&request.task_name)
            {
                continue;
            }
            match configure(registry, request) {
                Err(message) => {
                    done[index] = true;
                    pass.failed.push((request.id, message));
                }
                Ok(task) => {
                    if task.can_run_on(&worker.metadata) {
                        done[index] = true;
                        pass.assignments.push((worker.id, request.id));
                        break;
                    }
                }
            }
        }
    }
    pass
}

/// One pass, fast; the same result as [`reference_pass`] (see the module documentation).
pub fn schedule_pass(
    registry: &Registry,
    workers: &[Worker],
    pending: &[PendingRequest],
) -> SchedulePass {
    let mut state = State::new(registry, pending);
    let mut pass = SchedulePass::default();
    let mut heap = BinaryHeap::new();
    for worker in workers {
        if !worker.is_idle() {
            continue;
        }
        let Some(worker_type) = worker.metadata.worker_type() else {
            continue;
        };
        let profile = state.profile(&worker.metadata, worker_type);
        if let Some(index) = state.walk(profile, &worker.metadata, &mut heap, &mut pass.failed) {
            pass.assignments.push((worker.id, pending[index].id));
        }
    }
    pass
}

/// Where a request stands in the walk order: smaller is earlier.
type Key = (Reverse<i64>, u64, u64, usize);

fn order_key(pending: &[PendingRequest], index: usize) -> Key {
    let request = &pending[index];
    (
        Reverse(request.priority),
        request.created,
        request.id,
        index,
    )
}

fn configure(registry: &Registry, request: &PendingRequest) -> Result<Box<dyn DynTask>, String> {
    let entry = registry
        .get_of_kind(request.task_type, &request.task_name)
        .map_err(|error| error.to_string())?;
    entry
        .configure(&request.task_data)
        .map_err(|error| error.to_string())
}

/// Whether the failure is one of the base checks, which depend only on the task's class.
fn is_base_failure(failure: &RunCheckFailure) -> bool {
    match failure {
        RunCheckFailure::NotSchedulable { .. }
        | RunCheckFailure::WorkerType { .. }
        | RunCheckFailure::Version { .. }
        | RunCheckFailure::Architecture(_) => true,
        RunCheckFailure::Task(_) => false,
    }
}

const SCHEDULED_KINDS: [TaskKind; 3] = [TaskKind::Worker, TaskKind::Server, TaskKind::Signing];

fn kind_slot(kind: TaskKind) -> Option<usize> {
    SCHEDULED_KINDS
        .iter()
        .position(|&scheduled| scheduled == kind)
}

fn worker_slot(worker_type: WorkerType) -> usize {
    match worker_type {
        WorkerType::External => 0,
        WorkerType::Celery => 1,
        WorkerType::Signing => 2,
    }
}

/// A word-at-a-time multiplicative hash (as rustc's `FxHasher`): bucketing 100,000 task names
/// is hot, and needs no resistance to flooding.
#[derive(Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut word = [0; 8];
        word[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(word));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

fn hash_value_map(metadata: &WorkerMetadata, hasher: &mut Fx) {
    let map = metadata.as_map();
    hasher.write_usize(map.len());
    for (key, item) in map {
        hasher.write(key.as_bytes());
        hash_value(item, hasher);
    }
}

/// Hashes a JSON value by structure: equal values (with keys in the same order) hash equal.
fn hash_value(value: &Value, hasher: &mut Fx) {
    match value {
        Value::Null => hasher.write_u8(0),
        Value::Bool(flag) => hasher.write_u8(1 + u8::from(*flag)),
        Value::Number(number) => {
            hasher.write_u8(3);
            match (number.as_u64(), number.as_i64(), number.as_f64()) {
                (Some(unsigned), _, _) => hasher.write_u64(unsigned),
                (None, Some(signed), _) => hasher.write_u64(signed as u64),
                (None, None, float) => hasher.write_u64(float.map_or(0, f64::to_bits)),
            }
        }
        Value::String(text) => {
            hasher.write_u8(4);
            hasher.write(text.as_bytes());
        }
        Value::Array(items) => {
            hasher.write_usize(items.len());
            items.iter().for_each(|item| hash_value(item, hasher));
        }
        Value::Object(map) => {
            hasher.write_usize(map.len());
            for (key, item) in map {
                hasher.write(key.as_bytes());
                hash_value(item, hasher);
            }
        }
    }
}

/// The requests of one (kind, task name) not configured yet, highest priority on top.
///
/// Every walk that admits the name takes them from the top, in order, and configures each one it
/// takes, so the configured requests of a name are always the ones above what is left here.
struct Bucket<'a> {
    name: &'a str,
    unconfigured: BinaryHeap<Reverse<Key>>,
}

/// Configured requests that share everything the base checks read: bucket (so kind and task
/// name), the task's name, version and host architecture.
struct Class {
    bucket: usize,
    /// Request indices, in walk order (they are configured in that order).
    members: Vec<usize>,
}

/// What workers with identical metadata have learnt during the pass.
struct Profile<'a> {
    metadata: &'a WorkerMetadata,
    slot: usize,
    /// Per bucket: whether the allow/deny lists admit its name.
    admits: Vec<bool>,
    /// Per class: the base verdict and how far the class is known not to fit.
    classes: Vec<ClassView>,
}

#[derive(Clone, Copy, Default)]
struct ClassView {
    /// `Some(false)` once a base check failed: the whole class is out for this metadata.
    base: Option<bool>,
    /// Members before this one are assigned, or fail this metadata's `can_run_on`.
    cursor: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Bucket(usize),
    Class(usize),
}

type ClassKey<'a> = (usize, &'static str, u32, TaskKind, Option<String>);

struct State<'a> {
    registry: &'a Registry,
    pending: &'a [PendingRequest],
    buckets: Vec<Bucket<'a>>,
    buckets_of: [Vec<usize>; 3],
    classes: Vec<Class>,
    classes_of: [Vec<usize>; 3],
    class_index: HashMap<ClassKey<'a>, usize>,
    tasks: FxMap<usize, Box<dyn DynTask>>,
    assigned: Vec<bool>,
    profiles: Vec<Profile<'a>>,
    profile_index: FxMap<u64, Vec<usize>>,
}

impl<'a> State<'a> {
    fn new(registry: &'a Registry, pending: &'a [PendingRequest]) -> Self {
        // Two passes, so that each bucket's keys are allocated once, at their final size.
        let mut bucket_index: FxMap<(usize, &'a str), usize> = FxMap::default();
        let mut buckets: Vec<Bucket<'a>> = Vec::new();
        let mut sizes: Vec<usize> = Vec::new();
        let mut buckets_of: [Vec<usize>; 3] = Default::default();
        let bucket_of: Vec<usize> = pending
            .iter()
            .map(|request| {
                let Some(slot) = kind_slot(request.task_type) else {
                    return usize::MAX;
                };
                let name = request.task_name.as_str();
                let bucket = *bucket_index.entry((slot, name)).or_insert_with(|| {
                    buckets.push(Bucket {
                        name,
                        unconfigured: BinaryHeap::new(),
                    });
                    sizes.push(0);
                    buckets_of[slot].push(buckets.len() - 1);
                    buckets.len() - 1
                });
                sizes[bucket] += 1;
                bucket
            })
            .collect();
        let mut keys: Vec<Vec<Reverse<Key>>> = sizes.into_iter().map(Vec::with_capacity).collect();
        for (index, &bucket) in bucket_of.iter().enumerate() {
            if bucket != usize::MAX {
                keys[bucket].push(Reverse(order_key(pending, index)));
            }
        }
        for (bucket, keys) in buckets.iter_mut().zip(keys) {
            bucket.unconfigured = BinaryHeap::from(keys);
        }
        State {
            registry,
            pending,
            buckets,
            buckets_of,
            classes: Vec::new(),
            classes_of: Default::default(),
            class_index: HashMap::new(),
            tasks: FxMap::default(),
            assigned: vec![false; pending.len()],
            profiles: Vec::new(),
            profile_index: FxMap::default(),
        }
    }

    /// The profile of workers with exactly this metadata.
    fn profile(&mut self, metadata: &'a WorkerMetadata, worker_type: WorkerType) -> usize {
        let mut hasher = Fx::default();
        hash_value_map(metadata, &mut hasher);
        let hash = hasher.finish();
        let same = self.profile_index.entry(hash).or_default();
        if let Some(&profile) = same
            .iter()
            .find(|&&profile| self.profiles[profile].metadata == metadata)
        {
            return profile;
        }
        same.push(self.profiles.len());
        let names = NameFilter::of(metadata);
        let admits = self
            .buckets
            .iter()
            .map(|bucket| names.admits(bucket.name))
            .collect();
        self.profiles.push(Profile {
            metadata,
            slot: worker_slot(worker_type),
            admits,
            classes: Vec::new(),
        });
        self.profiles.len() - 1
    }

    /// The first member of `class` at or after `cursor` that is not assigned.
    fn next_member(&self, class: usize, mut cursor: usize) -> usize {
        let members = &self.classes[class].members;
        while cursor < members.len() && self.assigned[members[cursor]] {
            cursor += 1;
        }
        cursor
    }

    /// One worker's walk: the index of the request it gets, if any.
    fn walk(
        &mut self,
        profile: usize,
        metadata: &WorkerMetadata,
        heap: &mut BinaryHeap<Reverse<(Key, Source)>>,
        failed: &mut Vec<(u64, String)>,
    ) -> Option<usize> {
        heap.clear();
        let slot = self.profiles[profile].slot;
        let class_count = self.classes.len();
        self.profiles[profile]
            .classes
            .resize(class_count, ClassView::default());
        for &bucket in &self.buckets_of[slot] {
            if !self.profiles[profile].admits[bucket] {
                continue;
            }
            if let Some(&Reverse(key)) = self.buckets[bucket].unconfigured.peek() {
                heap.push(Reverse((key, Source::Bucket(bucket))));
            }
        }
        for position in 0..self.classes_of[slot].len() {
            let class = self.classes_of[slot][position];
            let view = self.profiles[profile].classes[class];
            if view.base == Some(false)
                || !self.profiles[profile].admits[self.classes[class].bucket]
            {
                continue;
            }
            let cursor = self.next_member(class, view.cursor);
            self.profiles[profile].classes[class].cursor = cursor;
            if let Some(&member) = self.classes[class].members.get(cursor) {
                let key = order_key(self.pending, member);
                heap.push(Reverse((key, Source::Class(class))));
            }
        }
        while let Some(Reverse((key, source))) = heap.pop() {
            match source {
                Source::Bucket(bucket) => {
                    let taken = self.buckets[bucket].unconfigured.pop();
                    debug_assert_eq!(taken, Some(Reverse(key)));
                    if let Some(&Reverse(next)) = self.buckets[bucket].unconfigured.peek() {
                        heap.push(Reverse((next, Source::Bucket(bucket))));
                    }
                    let index = key.3;
                    let request = &self.pending[index];
                    match configure(self.registry, request) {
                        Err(message) => failed.push((request.id, message)),
                        Ok(task) => {
                            let class = self.class_of(bucket, slot, task.as_ref());
                            self.tasks.insert(index, task);
                            self.classes[class].members.push(index);
                            let views = &mut self.profiles[profile].classes;
                            if views.len() <= class {
                                views.resize(class + 1, ClassView::default());
                            }
                            let view = views[class];
                            // Every earlier member of the class was before `key` in the walk.
                            debug_assert!(
                                view.base == Some(false)
                                    || self.next_member(class, view.cursor)
                                        == self.classes[class].members.len() - 1
                            );
                            if view.base != Some(false) {
                                heap.push(Reverse((key, Source::Class(class))));
                            }
                        }
                    }
                }
                Source::Class(class) => {
                    let cursor = self.profiles[profile].classes[class].cursor;
                    let index = self.classes[class].members[cursor];
                    debug_assert_eq!(index, key.3);
                    let task = self
                        .tasks
                        .get(&index)
                        .map(Box::as_ref)
                        .expect("every member of a class is configured");
                    match task.check_can_run_on(metadata) {
                        Ok(()) => {
                            self.profiles[profile].classes[class].base = Some(true);
                            self.assigned[index] = true;
                            return Some(index);
                        }
                        Err(failure) if is_base_failure(&failure) => {
                            self.profiles[profile].classes[class].base = Some(false);
                        }
                        Err(_) => {
                            let cursor = self.next_member(class, cursor + 1);
                            let view = &mut self.profiles[profile].classes[class];
                            view.base = Some(true);
                            view.cursor = cursor;
                            if let Some(&member) = self.classes[class].members.get(cursor) {
                                let key = order_key(self.pending, member);
                                heap.push(Reverse((key, Source::Class(class))));
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// The class of a task just configured from `bucket`, created if new.
    fn class_of(&mut self, bucket: usize, slot: usize, task: &dyn DynTask) -> usize {
        let key = (
            bucket,
            task.name(),
            task.version(),
            task.kind(),
            task.host_architecture().map(str::to_owned),
        );
        if let Some(&class) = self.class_index.get(&key) {
            return class;
        }
        self.classes.push(Class {
            bucket,
            members: Vec::new(),
        });
        let class = self.classes.len() - 1;
        self.classes_of[slot].push(class);
        self.class_index.insert(key, class);
        class
    }
}
