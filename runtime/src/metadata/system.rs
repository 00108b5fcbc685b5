//! This machine's system metadata, probed.

use serde_json::{Map, Value};

use super::keys;
use crate::types::WorkerType;

/// This machine's system metadata, with Debusine's key names.
///
/// Both Debusine 0.11's and 0.16's keys, which each version tolerates: `system:host_architecture`
/// and `system:native_architecture` come from `dpkg --print-architecture` and are absent without
/// dpkg; `system:worker_version` names taskdef and its version;
/// `system:architectures` is the sorted output of `arch-test -n` where available, else `[host]`.
pub fn system_metadata(worker_type: WorkerType) -> Map<String, Value> {
    let mut map = Map::new();
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    map.insert(keys::CPU_COUNT.into(), cpus.into());
    if let Some(bytes) = total_physical_memory() {
        map.insert(keys::TOTAL_PHYSICAL_MEMORY.into(), bytes.into());
    }
    map.insert(keys::WORKER_TYPE.into(), worker_type.as_str().into());
    map.insert(
        keys::WORKER_VERSION.into(),
        concat!("taskdef ", env!("CARGO_PKG_VERSION")).into(),
    );
    if let Some(host) = command_output("dpkg", &["--print-architecture"]) {
        let host = host.trim().to_owned();
        let mut architectures: Vec<String> = command_output("arch-test", &["-n"])
            .map(|text| text.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        if architectures.is_empty() {
            architectures.push(host.clone());
        }
        architectures.sort();
        map.insert(keys::HOST_ARCHITECTURE.into(), host.clone().into());
        map.insert(keys::NATIVE_ARCHITECTURE.into(), host.into());
        map.insert(keys::ARCHITECTURES.into(), architectures.into());
    }
    for backend in keys::EXECUTOR_BACKENDS {
        map.insert(
            keys::executor_available(backend),
            executor_available(backend).into(),
        );
    }
    map
}

/// Whether an executor backend can run here, as Debusine's `ExecutorInterface.available`
/// decides (the same in 0.11 and 0.16): `unshare` for unshare; for the incus backends `incus`
/// and `autopkgtest-virt-incus`, and `incus info` listing the backend's driver (`lxc`,
/// `qemu`); for qemu `qemu-system-<cpu>` and a writable `/dev/kvm`.
fn executor_available(backend: &str) -> bool {
    match backend {
        "unshare" => program_on_path("unshare"),
        "incus-lxc" => incus_has_driver("lxc"),
        "incus-vm" => incus_has_driver("qemu"),
        "qemu" => {
            program_on_path(&format!("qemu-system-{}", std::env::consts::ARCH))
                && std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/kvm")
                    .is_ok()
        }
        _ => false,
    }
}

fn incus_has_driver(driver: &str) -> bool {
    program_on_path("incus")
        && program_on_path("autopkgtest-virt-incus")
        && command_output("incus", &["info"])
            .is_some_and(|info| incus_drivers(&info).contains(&driver))
}

/// The drivers of `incus info`'s `environment.driver: lxc | qemu`.
fn incus_drivers(info: &str) -> Vec<&str> {
    let mut in_environment = false;
    for line in info.lines() {
        if !line.starts_with(' ') {
            in_environment = line.trim_end() == "environment:";
            continue;
        }
        if in_environment && let Some(drivers) = line.trim().strip_prefix("driver:") {
            return drivers.split('|').map(str::trim).collect();
        }
    }
    Vec::new()
}

/// Whether an executable file called `program` is on `PATH` (for tool probes such as
/// `sbuild:available`).
pub fn program_on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(program))
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    })
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

fn total_physical_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incus_drivers_are_read_from_its_environment() {
        let info = "config: {}\napi_extensions:\n- storage\nenvironment:\n  addresses: []\n  \
                    driver: lxc | qemu\n  driver_version: 6.0.4 | 9.2.1\n";
        assert_eq!(incus_drivers(info), ["lxc", "qemu"]);
        assert!(incus_drivers("environment:\n  driver_version: 1\n").is_empty());
        assert!(incus_drivers("other:\n  driver: lxc\n").is_empty());
    }
}
