//! Newer Debusine's worker tags (`provided_tags`, read by the 0.16 scheduler), derived from the
//! flat metadata that Debusine 0.11 and 0.12 read, so that one metadata object serves both.
//!
//! A 0.16 server gives a work request only to a worker that provides every tag the work request
//! requires: `worker:task:<kind>:<name>:version:<version>` for the task, and for some tasks a
//! capability such as `worker:cap:sbuild`. Debian's 0.16 worker sends the same tags as built
//! here (`debusine/worker/system_information.py` and each task's `get_provided_worker_tags`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::keys;
use super::system::program_on_path;
use crate::types::TaskKind;

/// `worker:type:<type>`; the server adds it from its own records and drops the worker's.
const WORKER_TYPE_PREFIX: &str = "worker:type:";
/// `worker:build-arch:<architecture>`, for the native architecture and every one it runs.
const BUILD_ARCH_PREFIX: &str = "worker:build-arch:";
/// `worker:executor:<backend>`, for each available executor backend.
const EXECUTOR_PREFIX: &str = "worker:executor:";
/// `worker:task:<kind>:<name>:version:<version>`, for each task this worker runs.
const TASK_PREFIX: &str = "worker:task:";
/// `worker:cap:<tool>`, for each task whose tool is installed.
const CAP_PREFIX: &str = "worker:cap:";

/// One task, as the tags name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaggedTask<'a> {
    /// The registry it belongs to.
    pub kind: TaskKind,
    /// The registered name.
    pub name: &'a str,
    /// The task's version.
    pub version: u32,
}

/// Tasks whose capability Debusine 0.16 names after another program than the task: the task,
/// and the program whose presence provides `worker:cap:<program>`
/// (`simplesystemimagebuild.py`'s `get_provided_worker_tags`).
const CAP_BY_PROGRAM: [(&str, &str); 1] = [("simplesystemimagebuild", "mmdebstrap")];

/// Programs an executor backend needs for 0.16's `worker:executor:<backend>` on top of what
/// its `executor:<backend>:available` (0.11's probe) checks: 0.16's unshare executor also
/// runs `ip`.
const EXECUTOR_EXTRA_PROGRAMS: [(&str, &str); 1] = [("unshare", "ip")];

/// The sorted tags a worker with `metadata` (system keys and the tasks' own keys) provides for
/// `tasks`, with programs looked up on `PATH`.
///
/// A task whose `<task>:available` probe is true provides `worker:cap:<task>`: Debusine names
/// the capability after the tool, which is the task's name for sbuild, autopkgtest and
/// mmdebstrap; simplesystemimagebuild provides `worker:cap:mmdebstrap` when mmdebstrap is
/// installed, as Debian's does.
pub(crate) fn provided_tags<'a>(
    metadata: &Map<String, Value>,
    tasks: impl IntoIterator<Item = TaggedTask<'a>>,
) -> Vec<String> {
    provided_tags_with(metadata, tasks, &program_on_path)
}

/// [`provided_tags`], with `on_path` saying whether a program is installed.
pub(crate) fn provided_tags_with<'a>(
    metadata: &Map<String, Value>,
    tasks: impl IntoIterator<Item = TaggedTask<'a>>,
    on_path: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut tags = BTreeSet::new();
    if let Some(Value::String(worker_type)) = metadata.get(keys::WORKER_TYPE) {
        tags.insert(format!("{WORKER_TYPE_PREFIX}{worker_type}"));
    }
    if let Some(Value::String(native)) = metadata.get(keys::NATIVE_ARCHITECTURE) {
        tags.insert(format!("{BUILD_ARCH_PREFIX}{native}"));
    }
    if let Some(Value::Array(architectures)) = metadata.get(keys::ARCHITECTURES) {
        for architecture in architectures.iter().filter_map(Value::as_str) {
            tags.insert(format!("{BUILD_ARCH_PREFIX}{architecture}"));
        }
    }
    for backend in keys::EXECUTOR_BACKENDS {
        let extra = EXECUTOR_EXTRA_PROGRAMS
            .iter()
            .filter(|(name, _)| *name == backend)
            .all(|(_, program)| on_path(program));
        if extra && metadata.get(&keys::executor_available(backend)) == Some(&Value::Bool(true)) {
            tags.insert(format!("{EXECUTOR_PREFIX}{backend}"));
        }
    }
    for task in tasks {
        tags.insert(format!(
            "{TASK_PREFIX}{}:{}:version:{}",
            task.kind.as_str(),
            task.name,
            task.version
        ));
        let available = task.kind.prefix_with_task_name(task.name, "available");
        if metadata.get(&available) == Some(&Value::Bool(true)) {
            tags.insert(format!("{CAP_PREFIX}{}", task.name));
        }
        for (name, program) in CAP_BY_PROGRAM {
            if task.kind == TaskKind::Worker && task.name == name && on_path(program) {
                tags.insert(format!("{CAP_PREFIX}{program}"));
            }
        }
    }
    tags.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_are_those_debians_worker_sends() {
        let metadata = json!({
            "system:worker_type": "external",
            "system:native_architecture": "amd64",
            "system:architectures": ["amd64", "i386"],
            "executor:unshare:available": true,
            "executor:qemu:available": false,
            "sbuild:available": true,
            "mmdebstrap:available": false,
        });
        let task = |name| TaggedTask {
            kind: TaskKind::Worker,
            name,
            version: 1,
        };
        let tags = provided_tags_with(
            metadata.as_object().unwrap(),
            [task("noop"), task("sbuild"), task("mmdebstrap")],
            &|program| program == "ip",
        );
        assert_eq!(
            tags,
            [
                "worker:build-arch:amd64",
                "worker:build-arch:i386",
                "worker:cap:sbuild",
                "worker:executor:unshare",
                "worker:task:worker:mmdebstrap:version:1",
                "worker:task:worker:noop:version:1",
                "worker:task:worker:sbuild:version:1",
                "worker:type:external",
            ]
        );
    }

    #[test]
    fn unshare_needs_ip_and_simplesystemimagebuild_provides_mmdebstrap() {
        let metadata = json!({"executor:unshare:available": true});
        let task = |name| TaggedTask {
            kind: TaskKind::Worker,
            name,
            version: 1,
        };
        let with = |installed: &'static [&'static str]| {
            provided_tags_with(
                metadata.as_object().unwrap(),
                [task("simplesystemimagebuild")],
                &move |program: &str| installed.contains(&program),
            )
        };
        assert_eq!(
            with(&["ip", "mmdebstrap"]),
            [
                "worker:cap:mmdebstrap",
                "worker:executor:unshare",
                "worker:task:worker:simplesystemimagebuild:version:1",
            ]
        );
        assert_eq!(
            with(&[]),
            ["worker:task:worker:simplesystemimagebuild:version:1"]
        );
    }
}
