//! Debusine's system metadata key names.

/// Number of CPUs (int).
pub const CPU_COUNT: &str = "system:cpu_count";
/// Total physical memory in bytes (int).
pub const TOTAL_PHYSICAL_MEMORY: &str = "system:total_physical_memory";
/// `external`, `celery` or `signing`.
pub const WORKER_TYPE: &str = "system:worker_type";
/// `dpkg --print-architecture`; absent without dpkg.
pub const HOST_ARCHITECTURE: &str = "system:host_architecture";
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
