//! Debusine's system metadata key names.

/// Number of CPUs (int).
pub const CPU_COUNT: &str = "system:cpu_count";
/// Total physical memory in bytes (int).
pub const TOTAL_PHYSICAL_MEMORY: &str = "system:total_physical_memory";
/// `external`, `celery` or `signing`.
pub const WORKER_TYPE: &str = "system:worker_type";
/// `dpkg --print-architecture`; absent without dpkg. Debusine 0.11-0.12's name; 0.16 reads it
/// only as a fallback for [`NATIVE_ARCHITECTURE`].
pub const HOST_ARCHITECTURE: &str = "system:host_architecture";
/// `dpkg --print-architecture` under newer Debusine's name (0.16); absent without dpkg.
pub const NATIVE_ARCHITECTURE: &str = "system:native_architecture";
/// The worker's software and version (0.16; informational, the server does not read it).
pub const WORKER_VERSION: &str = "system:worker_version";
/// The worker's scheduler tags (0.16), such as `worker:task:worker:noop:version:1`.
pub const PROVIDED_TAGS: &str = "provided_tags";
/// Architectures the worker can run (list of strings).
pub const ARCHITECTURES: &str = "system:architectures";
/// Static metadata: only these task names may run here.
pub const TASKS_ALLOWLIST: &str = "tasks_allowlist";
/// Static metadata: these task names may not run here.
pub const TASKS_DENYLIST: &str = "tasks_denylist";

/// Debusine's executor backends, each probed as `executor:<backend>:available`.
pub const EXECUTOR_BACKENDS: [&str; 4] = ["unshare", "incus-lxc", "incus-vm", "qemu"];

/// `executor:<backend>:available`.
pub fn executor_available(backend: &str) -> String {
    format!("executor:{backend}:available")
}
