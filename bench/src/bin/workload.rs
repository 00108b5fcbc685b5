//! Writes a scheduling workload as JSON for the Python side, runs the Rust pass on it, and writes
//! the result and its timings.
//!
//! ```text
//! workload [--workers N] [--requests N] [--seed N] [--repeat N] [--no-reference] --out DIR
//! ```
//!
//! Writes `DIR/workload.json` (see `Workload::to_json`) and `DIR/rust-result.json`:
//! `assignments` (`[worker id, request id]`), `failed` (`[request id, message]`), and the pass
//! times in milliseconds: `schedule_pass_ms` (each of `--repeat` runs), `reference_pass_ms`
//! (one run of the plain pass, unless `--no-reference`). Checks that both passes agree.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use taskdef::Registry;
use taskdef::schedule::{reference_pass, schedule_pass};
use taskdef_bench::scheduling_workload;

struct Args {
    workers: usize,
    requests: usize,
    seed: u64,
    repeat: usize,
    reference: bool,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        workers: 1_000,
        requests: 100_000,
        seed: 42,
        repeat: 20,
        reference: true,
        out: PathBuf::new(),
    };
    let mut out = None;
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        if flag == "--no-reference" {
            args.reference = false;
            continue;
        }
        let value = iter.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|error| format!("{flag} {value}: {error}"))
        };
        match flag.as_str() {
            "--workers" => args.workers = number()? as usize,
            "--requests" => args.requests = number()? as usize,
            "--seed" => args.seed = number()?,
            "--repeat" => args.repeat = (number()? as usize).max(1),
            "--out" => out = Some(PathBuf::from(&value)),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    args.out = out.ok_or("--out DIR is required")?;
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("workload: {message}");
            eprintln!(
                "usage: workload [--workers N] [--requests N] [--seed N] [--repeat N] [--no-reference] --out DIR"
            );
            return ExitCode::from(2);
        }
    };
    let registry = Registry::global();
    let workload = scheduling_workload(args.workers, args.requests, args.seed);
    if let Err(error) = std::fs::create_dir_all(&args.out) {
        eprintln!("workload: creating {}: {error}", args.out.display());
        return ExitCode::FAILURE;
    }

    let mut times = Vec::with_capacity(args.repeat);
    let mut pass = None;
    for _ in 0..args.repeat {
        let start = Instant::now();
        let result = schedule_pass(registry, &workload.workers, &workload.pending);
        times.push(start.elapsed().as_secs_f64() * 1e3);
        pass = Some(result);
    }
    let pass = pass.unwrap_or_default();
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    println!(
        "rust schedule_pass: median {median:.2} ms, min {:.2} ms over {} runs; {} assignments, {} failed",
        sorted[0],
        sorted.len(),
        pass.assignments.len(),
        pass.failed.len()
    );

    let mut reference_ms = None;
    if args.reference {
        let start = Instant::now();
        let reference = reference_pass(registry, &workload.workers, &workload.pending);
        let elapsed = start.elapsed().as_secs_f64() * 1e3;
        println!("rust reference_pass: {elapsed:.2} ms");
        reference_ms = Some(elapsed);
        if reference != pass {
            eprintln!("workload: schedule_pass and reference_pass disagree");
            return ExitCode::FAILURE;
        }
    }

    let result = json!({
        "workers": args.workers,
        "requests": args.requests,
        "seed": args.seed,
        "assignments": pass.assignments,
        "failed": pass.failed,
        "schedule_pass_ms": times,
        "schedule_pass_median_ms": median,
        "reference_pass_ms": reference_ms,
    });
    let files = [
        ("workload.json", workload.to_json(registry)),
        ("rust-result.json", result),
    ];
    for (name, value) in files {
        let path = args.out.join(name);
        let text = serde_json::to_string(&value).unwrap_or_default();
        if let Err(error) = std::fs::write(&path, text) {
            eprintln!("workload: writing {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
