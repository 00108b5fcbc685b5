#!/usr/bin/env python3
"""One pass of Debusine's scheduler in plain Python, on the workload written by
`bench/src/bin/workload.rs`, timed, and checked against the Rust result.

Written as a Debusine developer would: dicts, each request configured as the walk reaches it
(schema validation with `jsonschema`, then the task's cross-field rules), the base
`can_run_on` checks then the task's own. Same semantics as `taskdef::schedule::reference_pass`:

- each idle worker (running < capacity), in order, walks the pending requests of its type
  (Worker on external, Server on celery, Signing on signing) by priority, then creation, then id;
- keeps only `tasks_allowlist` names if set, else drops `tasks_denylist` names (exact match);
- configures each: an unknown name or invalid data fails the request (`configure-failed`),
  never retried;
- assigns the first whose `can_run_on` holds; one assignment per worker per pass.

The schemas are those of the Rust registry (what `taskdef schema NAME` prints), carried in the
workload JSON. `--configure` picks how data is validated, so other modes can be added and
compared: `validate` (the seed: `jsonschema.validate` on every call, which rebuilds the
validator) and `compiled` (one validator per task, built once).
"""

import argparse
import json
import posixpath
import sys
import time

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

WORKER_TYPES = {"Worker": "external", "Server": "celery", "Signing": "signing"}
FORMAT_CHECKER = FormatChecker()


class TaskConfigError(Exception):
    """Invalid task data (Debusine's TaskConfigError)."""


def prefix_with_task_name(task_type, name, text):
    if task_type == "Worker":
        return f"{name}:{text}"
    return f"{task_type.lower()}:{name}:{text}"


# --- Cross-field rules: what Debusine's models check beyond the schema. ---------------------


def lookup_objects(value):
    """Every lookup object (a dict with `collection`) anywhere in the data."""
    if isinstance(value, dict):
        if "collection" in value:
            yield value
        for item in value.values():
            yield from lookup_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from lookup_objects(item)


def check_matchers(data):
    for lookup in lookup_objects(data):
        targets = {}
        for key in lookup:
            if key.startswith(("name", "data__")):
                parts = key.split("__")
                if parts[-1] in ("contains", "endswith", "startswith"):
                    parts = parts[:-1]
                targets.setdefault("__".join(parts), []).append(key)
        for keys in targets.values():
            if len(keys) > 1:
                raise TaskConfigError(f"Conflicting matchers: {sorted(keys)}")


def check_extra_repositories(data):
    for repository in data.get("extra_repositories") or []:
        components = repository.get("components") or None
        if repository["suite"].endswith("/"):
            if components:
                raise TaskConfigError(
                    "Components cannot be specified for a flat repository "
                    "(where the suite ends with /)"
                )
        elif not components:
            raise TaskConfigError("Components must be specified")


def check_bootstrap(data):
    for repository in data["bootstrap_repositories"]:
        if repository.get("check_signature_with") == "external" and not repository.get(
            "keyring"
        ):
            raise TaskConfigError(
                "repository requires 'keyring': 'check_signature_with' is set to 'external'"
            )
        keyring = repository.get("keyring")
        if keyring and keyring["url"].startswith("file://"):
            path = posixpath.normpath(keyring["url"][len("file://") :])
            if not path.startswith(("/usr/share/keyrings/", "/usr/local/share/keyrings/")):
                raise TaskConfigError(
                    "file:// URLs for keyrings must be under /usr/share/keyrings/ or "
                    "/usr/local/share/keyrings/"
                )


def rules_sbuild(data):
    if data.get("binnmu") is not None and "all" in data.get("build_components", ["any"]):
        raise TaskConfigError("Cannot build architecture-independent packages in a binNMU")
    check_extra_repositories(data)


def rules_lintian(data):
    source = data["input"].get("source_artifact")
    binaries = data["input"].get("binary_artifacts", [])
    if source is None and binaries in ([], None):
        raise TaskConfigError("One of source_artifact or binary_artifacts must be set")


def rules_debdiff(data):
    sources = data["input"].get("source_artifacts")
    binaries = data["input"].get("binary_artifacts")
    if (sources is None) == (binaries is None):
        raise TaskConfigError("Exactly one of source_artifacts or binary_artifacts must be set")


RULES = {
    ("Worker", "sbuild"): rules_sbuild,
    ("Worker", "lintian"): rules_lintian,
    ("Worker", "debdiff"): rules_debdiff,
    ("Worker", "autopkgtest"): check_extra_repositories,
    ("Worker", "piuparts"): check_extra_repositories,
    ("Worker", "mmdebstrap"): check_bootstrap,
    ("Worker", "simplesystemimagebuild"): check_bootstrap,
}


# --- Tasks' own worker checks. ---------------------------------------------------------------


def flag(metadata, key):
    return metadata.get(key) is True


def in_architectures(metadata, architecture):
    architectures = metadata.get("system:architectures")
    return isinstance(architectures, list) and architecture in architectures


def backend_available(metadata, data):
    backend = data.get("backend", "auto")
    if backend == "auto":
        backend = "unshare"
    return flag(metadata, f"executor:{backend}:available"), backend


def can_run_sbuild(data, metadata):
    if not flag(metadata, "sbuild:available"):
        return False
    available, backend = backend_available(metadata, data)
    if not available:
        return False
    return backend == "unshare" or flag(metadata, "autopkgtest:available")


def can_run_autopkgtest(data, metadata):
    return backend_available(metadata, data)[0] and flag(metadata, "autopkgtest:available")


def can_run_bootstrap(probe):
    def check(data, metadata):
        return flag(metadata, probe) and in_architectures(
            metadata, data["bootstrap_options"]["architecture"]
        )

    return check


WORKER_CHECKS = {
    ("Worker", "sbuild"): can_run_sbuild,
    ("Worker", "autopkgtest"): can_run_autopkgtest,
    ("Worker", "mmdebstrap"): can_run_bootstrap("mmdebstrap:available"),
    ("Worker", "simplesystemimagebuild"): can_run_bootstrap("simplesystemimagebuild:available"),
}


# --- The task registry. ----------------------------------------------------------------------


class Task:
    def __init__(self, task_type, name, version, data):
        self.task_type = task_type
        self.name = name
        self.version = version
        self.data = data

    def can_run_on(self, metadata):
        if metadata.get("system:worker_type") != WORKER_TYPES[self.task_type]:
            return False
        found = metadata.get(prefix_with_task_name(self.task_type, self.name, "version"))
        if not isinstance(found, int) or isinstance(found, bool) or found != self.version:
            return False
        host_architecture = self.data.get("host_architecture")
        if host_architecture is not None and not in_architectures(metadata, host_architecture):
            return False
        check = WORKER_CHECKS.get((self.task_type, self.name))
        return check is None or check(self.data, metadata)


class Registry:
    def __init__(self, schemas, mode):
        self.tasks = {
            (task_type, name): entry
            for task_type, by_name in schemas.items()
            for name, entry in by_name.items()
        }
        self.mode = mode
        self.validators = {}

    def validate(self, key, data):
        schema = self.tasks[key]["schema"]
        if self.mode == "validate":
            jsonschema.validate(
                data, schema, cls=Draft202012Validator, format_checker=FORMAT_CHECKER
            )
            return
        validator = self.validators.get(key)
        if validator is None:
            validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
            self.validators[key] = validator
        validator.validate(data)

    def configure(self, task_type, task_name, data):
        key = (task_type, task_name.lower())
        if key not in self.tasks:
            raise TaskConfigError(f"'{task_name.lower()}' is not a registered {task_type} task_name")
        try:
            self.validate(key, data)
        except jsonschema.ValidationError as error:
            raise TaskConfigError(error.message) from error
        check_matchers(data)
        rule = RULES.get(key)
        if rule is not None:
            rule(data)
        return Task(task_type, key[1], self.tasks[key]["version"], data)


# --- The scheduler. --------------------------------------------------------------------------


def string_list(value):
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def schedule_pass(registry, workers, requests):
    """One pass; returns (assignments, failed) as lists of (worker id, request id) and request ids."""
    pending = sorted(
        (
            (-request["priority"], request["created"], request["id"], index, request)
            for index, request in enumerate(requests)
            if request["task_type"] in WORKER_TYPES
        ),
        key=lambda entry: entry[:4],
    )
    done = set()
    assignments = []
    failed = []
    for worker in workers:
        if worker["running"] >= worker["capacity"]:
            continue
        metadata = worker["metadata"]
        worker_type = metadata.get("system:worker_type")
        if worker_type not in WORKER_TYPES.values():
            continue
        allowlist = string_list(metadata.get("tasks_allowlist"))
        denylist = string_list(metadata.get("tasks_denylist")) or []
        for *_, index, request in pending:
            if index in done or WORKER_TYPES[request["task_type"]] != worker_type:
                continue
            name = request["task_name"]
            if allowlist is not None:
                if name not in allowlist:
                    continue
            elif name in denylist:
                continue
            try:
                task = registry.configure(request["task_type"], name, request["task_data"])
            except TaskConfigError as error:
                done.add(index)
                failed.append((request["id"], str(error)))
                continue
            if task.can_run_on(metadata):
                done.add(index)
                assignments.append((worker["id"], request["id"]))
                break
    return assignments, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", required=True, help="workload.json from the workload binary")
    parser.add_argument("--rust", help="rust-result.json to compare with")
    parser.add_argument("--configure", choices=["validate", "compiled"], default="validate")
    parser.add_argument("--repeat", type=int, default=1, help="passes to time (default 1)")
    parser.add_argument("--out", help="write the timings and result here as JSON")
    args = parser.parse_args()

    with open(args.workload) as file:
        workload = json.load(file)
    times = []
    for _ in range(max(1, args.repeat)):
        registry = Registry(workload["schemas"], args.configure)
        start = time.perf_counter()
        assignments, failed = schedule_pass(registry, workload["workers"], workload["requests"])
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    median = times[len(times) // 2]
    print(
        f"python schedule pass ({args.configure}): median {median:.1f} ms, min {times[0]:.1f} ms "
        f"over {len(times)} runs; {len(assignments)} assignments, {len(failed)} failed"
    )
    status = 0
    if args.rust:
        with open(args.rust) as file:
            rust = json.load(file)
        rust_assignments = [tuple(pair) for pair in rust["assignments"]]
        rust_failed = [request for request, _ in rust["failed"]]
        same_assignments = rust_assignments == assignments
        same_failed = rust_failed == [request for request, _ in failed]
        print(f"same assignments as Rust: {same_assignments}; same failures: {same_failed}")
        if not (same_assignments and same_failed):
            for position, (ours, theirs) in enumerate(zip(assignments, rust_assignments)):
                if ours != theirs:
                    print(f"first difference at assignment {position}: python {ours}, rust {theirs}")
                    break
            status = 1
    if args.out:
        with open(args.out, "w") as file:
            json.dump(
                {
                    "configure": args.configure,
                    "pass_ms": times,
                    "median_ms": median,
                    "assignments": assignments,
                    "failed": failed,
                },
                file,
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
