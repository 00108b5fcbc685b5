#!/usr/bin/env python3
"""`configure` in Python on every catalogue sample, timed three ways, and set beside Rust.

For each sample file `examples/samples/<task>/{valid,invalid}-*.json`, the same text the Rust
side (`bench/src/bin/configure_times.rs`) is timed on:

- `seed_us`: the seed's configure, `json.loads` then `jsonschema.validate(data, schema)`
  (which checks the schema and builds a validator on every call);
- `precompiled_us`: `json.loads` then `.validate` of one `Draft202012Validator(schema,
  format_checker=...)` built beforehand;
- `pydantic_us`: `Model.model_validate_json(text)` with the models of `models.py`;
- for invalid samples, `pydantic_error_us`: `model_validate_json` until `str(error)`.

The schemas are the Rust registry's, as generated into `docs/tasks/<name>.schema.json`. The
jsonschema timings are of the schema alone: the cross-field rules (cheap, a few µs) are not
timed, which favours Python. Before timing, the script checks that the models and the schemas
give every sample the verdict its name says (a valid sample validates everywhere; an invalid one
is refused by the models, and by the schema or the rules of `schedule.py`), and stops if not.

    configure.py [--rust rust.json] [--out python.json] [--seconds S] [--seed-seconds S]

With `--rust` (the output of `configure_times`), prints the comparison table and the verdicts
on the targets of the issue "Performance".
"""

import argparse
import glob
import json
import os
import statistics
import sys
import timeit

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import ValidationError

from models import MODELS
from schedule import RULES, TaskConfigError, check_matchers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "examples", "samples")
SCHEMAS = os.path.join(ROOT, "docs", "tasks")

# Refused by taskdef; the models must refuse them too (beyond the sample files).
EXTRA_INVALID = [
    ("noop", '{"result": 1}'),
    ("noop", '{"task_configuration": true}'),
    ("noop", '{"surprise": 1}'),
    ("blhc", '{"input": {"artifact": 5.5}}'),
    ("blhc", '{"input": {"artifact": 1, "extra": 2}}'),
    ("lintian", '{"input": {"binary_artifacts": [{"collection": 1, "name__exact": "x"}]}}'),
    ("lintian", '{"input": {"binary_artifacts": [{"collection": 1, "names": "x"}]}}'),
    ("lintian", '{"input": {"binary_artifacts": [{"collection": 1, "data__a__b__c": "x"}]}}'),
    (
        "lintian",
        '{"input": {"binary_artifacts": {"collection": 1, "data__p": 1, "data__p__contains": 2}}}',
    ),
    ("lintian", '{"input": {"binary_artifacts": [{"collection": 1, "lookup__x": true}]}}'),
    ("mmdebstrap", '{"bootstrap_options": {"architecture": "amd64", "use_signed_by": "true"},'
     ' "bootstrap_repositories": [{"mirror": "m", "suite": "s"}]}'),
    ("mmdebstrap", '{"bootstrap_options": {"architecture": "amd64"},'
     ' "bootstrap_repositories": [{"mirror": "m", "suite": "s", "types": []}]}'),
    ("sbuild", '{"input": {"source_artifact": 1}, "environment": 1, "host_architecture": "a",'
     ' "binnmu": {"changelog": "c", "suffix": "s", "timestamp": "2024-13-01T00:00:00Z"}}'),
    ("sbuild", '{"input": {"source_artifact": 1}, "environment": 1, "host_architecture": "a",'
     ' "binnmu": {"changelog": "c", "suffix": "s", "maintainer": "nobody"}}'),
    ("autopkgtest", '{"input": {"source_artifact": 1, "binary_artifacts": []}, "environment": 1,'
     ' "host_architecture": "a", "timeout": {"global": -1}}'),
    ("debdiff", '{"input": {"source_artifacts": [1]}, "environment": 1, "host_architecture": "a"}'),
]  # fmt: skip


def load_samples():
    samples = []
    for path in sorted(glob.glob(os.path.join(SAMPLES, "*", "*.json"))):
        name = os.path.basename(path)[: -len(".json")]
        if not name.startswith(("valid", "invalid")):
            continue
        with open(path, encoding="utf-8") as file:
            text = file.read()
        samples.append(
            {
                "task": os.path.basename(os.path.dirname(path)),
                "sample": name,
                "valid": name.startswith("valid"),
                "bytes": len(text.encode()),
                "text": text,
            }
        )
    return samples


def load_schemas(tasks):
    schemas = {}
    for task in tasks:
        with open(os.path.join(SCHEMAS, f"{task}.schema.json"), encoding="utf-8") as file:
            schemas[task] = json.load(file)
    return schemas


def schema_and_rules_accept(validator, task, data):
    if not validator.is_valid(data):
        return False
    try:
        check_matchers(data)
        RULES.get(("Worker", task), lambda _: None)(data)
    except TaskConfigError:
        return False
    return True


def pydantic_accepts(task, text):
    try:
        MODELS[task].model_validate_json(text)
    except ValidationError:
        return False
    return True


def check(samples, validators):
    """Every side gives every sample the verdict its name says; stops otherwise."""
    wrong = []
    for sample in samples:
        task, text, valid = sample["task"], sample["text"], sample["valid"]
        data = json.loads(text)
        if pydantic_accepts(task, text) != valid:
            wrong.append(f"pydantic model: {task}/{sample['sample']}")
        if schema_and_rules_accept(validators[task], task, data) != valid:
            wrong.append(f"jsonschema + rules: {task}/{sample['sample']}")
        if valid:
            jsonschema.validate(data, validators[task].schema)
    for task, text in EXTRA_INVALID:
        if pydantic_accepts(task, text):
            wrong.append(f"pydantic model accepts {task}: {text}")
        if schema_and_rules_accept(validators[task], task, json.loads(text)):
            wrong.append(f"jsonschema + rules accept {task}: {text}")
    if wrong:
        sys.exit("verdicts differ:\n  " + "\n  ".join(wrong))


def time_us(stmt, seconds, rounds=7):
    """Median of `rounds` timeit rounds of about `seconds` / `rounds` each, µs per call."""
    timer = timeit.Timer(stmt)
    number, elapsed = timer.autorange()  # at least 0.2 s
    per_round = seconds / rounds
    number = max(1, int(number * per_round / elapsed))
    times = timer.repeat(repeat=rounds, number=number)
    return statistics.median(times) / number * 1e6


def measure(samples, validators, schemas, seconds, seed_seconds):
    results = []
    for sample in samples:
        task, text = sample["task"], sample["text"]
        model = MODELS[task]
        entry = {k: sample[k] for k in ("task", "sample", "valid", "bytes")}
        if sample["valid"]:
            schema, validator = schemas[task], validators[task]
            entry["seed_us"] = time_us(
                lambda: jsonschema.validate(json.loads(text), schema), seed_seconds, rounds=5
            )
            entry["precompiled_us"] = time_us(
                lambda: validator.validate(json.loads(text)), seconds
            )
            entry["pydantic_us"] = time_us(lambda: model.model_validate_json(text), seconds)
        else:

            def report():
                try:
                    model.model_validate_json(text)
                except ValidationError as error:
                    return str(error)
                raise AssertionError("accepted")

            entry["pydantic_error_us"] = time_us(report, seconds)
        results.append(entry)
        print(f"  {task}/{sample['sample']}", file=sys.stderr)
    return results


def fmt(value, digits=2):
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def table(python, rust):
    """The comparison, in Markdown, and the verdicts on the targets."""
    by_key = {(r["task"], r["sample"]): r for r in rust["samples"]}
    lines = [
        "| task | sample | bytes | floor µs | configure µs | ratio to floor | pydantic µs "
        "| speed-up | precompiled µs | speed-up | seed µs | speed-up |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    worst = {"ratio": 0.0, "pydantic": float("inf"), "precompiled": float("inf"),
             "seed": float("inf"), "error": 0.0}  # fmt: skip
    misses = []
    for p in python:
        r = by_key[(p["task"], p["sample"])]
        if not p["valid"]:
            continue
        conf, floor = r["configure_us"], r["floor_us"]
        ratio = conf / floor
        ups = {k: p[f"{k}_us"] / conf for k in ("pydantic", "precompiled", "seed")}
        worst["ratio"] = max(worst["ratio"], ratio)
        for k, v in ups.items():
            worst[k] = min(worst[k], v)
        name = f"{p['task']}/{p['sample']}"
        if ratio > 2:
            misses.append(f"{name}: {ratio:.2f}x the floor")
        if ups["pydantic"] < 5:
            misses.append(f"{name}: {ups['pydantic']:.1f}x pydantic")
        if ups["seed"] < 1000:
            misses.append(f"{name}: {ups['seed']:.0f}x the seed")
        lines.append(
            f"| {p['task']} | {p['sample']} | {p['bytes']} | {fmt(floor)} | {fmt(conf)} "
            f"| {ratio:.2f} | {fmt(p['pydantic_us'])} | {ups['pydantic']:.1f}x "
            f"| {fmt(p['precompiled_us'])} | {ups['precompiled']:.0f}x "
            f"| {fmt(p['seed_us'])} | {ups['seed']:,.0f}x |"
        )
    lines += [
        "",
        "| task | invalid sample | bytes | Rust error report µs | pydantic error µs | report |",
        "|---|---|--:|--:|--:|---|",
    ]
    for p in python:
        if p["valid"]:
            continue
        r = by_key[(p["task"], p["sample"])]
        worst["error"] = max(worst["error"], r["error_us"])
        if r["error_us"] >= 10:
            misses.append(f"{p['task']}/{p['sample']}: error report {r['error_us']:.1f} µs")
        first = r["error"].splitlines()[0].replace("|", "\\|")
        if len(first) > 70:
            first = first[:67] + "..."
        lines.append(
            f"| {p['task']} | {p['sample']} | {p['bytes']} | {fmt(r['error_us'])} "
            f"| {fmt(p['pydantic_error_us'])} | {first} |"
        )
    lines += [
        "",
        f"Worst cases: ratio to floor {worst['ratio']:.2f} (target <= 2); speed-up vs pydantic "
        f"{worst['pydantic']:.1f}x (>= 5x); vs precompiled jsonschema "
        f"{worst['precompiled']:.0f}x; vs the seed {worst['seed']:,.0f}x (>= 1,000x); "
        f"slowest error report {worst['error']:.2f} µs (< 10 µs).",
        "Targets: " + ("all met" if not misses else "MISSED: " + "; ".join(misses)),
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rust", help="configure_times output, to compare with")
    parser.add_argument("--out", help="where to write the Python figures (JSON)")
    parser.add_argument("--seconds", type=float, default=1.0, help="per sample and way")
    parser.add_argument("--seed-seconds", type=float, default=1.0, help="for the seed way")
    parser.add_argument("--python", help="reuse these Python figures instead of measuring")
    args = parser.parse_args()

    samples = load_samples()
    tasks = sorted({s["task"] for s in samples})
    schemas = load_schemas(tasks)
    validators = {
        task: Draft202012Validator(schemas[task], format_checker=FormatChecker())
        for task in tasks
    }
    check(samples, validators)
    if args.python:
        with open(args.python, encoding="utf-8") as file:
            python = json.load(file)["samples"]
    else:
        python = measure(samples, validators, schemas, args.seconds, args.seed_seconds)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            json.dump({"samples": python}, file, indent=1)
    if args.rust:
        with open(args.rust, encoding="utf-8") as file:
            rust = json.load(file)
        print(table(python, rust))
    elif not args.out:
        json.dump({"samples": python}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
