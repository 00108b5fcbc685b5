//! Times `configure` on every catalogue sample and prints the figures as JSON, for `bench/run`
//! to put beside the Python side's (`bench/python/configure.py`).
//!
//! ```text
//! configure_times [--millis N] [--rounds N] [--only TEXT] [--what floor,configure,general,error]
//! ```
//!
//! For each sample file (`examples/samples/<task>/{valid,invalid}-*.json`): `rounds` rounds of
//! about `millis` / `rounds` ms each, every round timing a batch of calls; the figure is the
//! median round's time per call, in µs. Valid samples: `floor_us` (`serde_json::from_str` into
//! the struct), `configure_us` (`Task::configure(&str)`), `general_us` (the general path, then
//! the rules). Invalid samples: `error_us` (`configure` until `unwrap_err().to_string()`), and
//! `error`, the report. Fails if a valid sample is refused or an invalid one accepted.
//! `--only` keeps the samples whose `task/sample` contains TEXT, `--what` the ways named (all by
//! default): for profiling one.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use taskdef_bench::{catalogue_configurers, load_sample_texts};

/// Median time per call of `f`, in µs, over `rounds` rounds lasting `budget` in all.
fn time_us(budget: Duration, rounds: usize, mut f: impl FnMut()) -> f64 {
    // Calibrate: how many calls make a round of budget / rounds.
    let round = budget / rounds as u32;
    let mut batch = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        let elapsed = start.elapsed();
        if elapsed >= round / 4 || batch >= 1 << 30 {
            let per_call = elapsed.as_secs_f64() / batch as f64;
            batch = ((round.as_secs_f64() / per_call) as u64).max(1);
            break;
        }
        batch *= 2;
    }
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / batch as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() -> ExitCode {
    let mut millis = 300u64;
    let mut rounds = 15usize;
    let mut only = String::new();
    let mut what = "floor,configure,general,error".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let number = value.parse::<u64>().ok();
        match (flag.as_str(), number) {
            ("--millis", Some(number)) => millis = number.max(1),
            ("--rounds", Some(number)) => rounds = number.max(1) as usize,
            ("--only", _) => only = value,
            ("--what", _) => what = value,
            _ => {
                eprintln!(
                    "usage: configure_times [--millis N] [--rounds N] [--only TEXT] \
                     [--what floor,configure,general,error]"
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let budget = Duration::from_millis(millis);
    let timed = |way: &str| what.split(',').any(|named| named == way);
    let samples = load_sample_texts();
    let mut results: Vec<Value> = Vec::new();
    let mut failed = false;
    for configurers in catalogue_configurers() {
        let chosen = samples.iter().filter(|s| {
            s.task == configurers.task && format!("{}/{}", s.task, s.sample).contains(&only)
        });
        for sample in chosen {
            let text = sample.text.as_str();
            let mut entry = json!({
                "task": sample.task,
                "sample": sample.sample,
                "valid": sample.valid,
                "bytes": text.len(),
            });
            let outcome = (configurers.configure)(text);
            if sample.valid {
                if let Err(error) = outcome {
                    eprintln!("{}/{}: refused: {error}", sample.task, sample.sample);
                    failed = true;
                    continue;
                }
                if !(configurers.floor)(text) {
                    eprintln!("{}/{}: serde_json refuses it", sample.task, sample.sample);
                    failed = true;
                    continue;
                }
                entry["floor_us"] = timed("floor")
                    .then(|| {
                        time_us(budget, rounds, || {
                            black_box((configurers.floor)(black_box(text)));
                        })
                    })
                    .into();
                entry["configure_us"] = timed("configure")
                    .then(|| {
                        time_us(budget, rounds, || {
                            let _ = black_box((configurers.configure)(black_box(text)));
                        })
                    })
                    .into();
                entry["general_us"] = timed("general")
                    .then(|| {
                        time_us(budget, rounds, || {
                            let _ = black_box((configurers.general_path)(black_box(text)));
                        })
                    })
                    .into();
            } else {
                let Err(error) = outcome else {
                    eprintln!("{}/{}: accepted", sample.task, sample.sample);
                    failed = true;
                    continue;
                };
                entry["error"] = error.to_string().into();
                entry["error_us"] = timed("error")
                    .then(|| {
                        time_us(budget, rounds, || {
                            let report = (configurers.configure)(black_box(text))
                                .unwrap_err()
                                .to_string();
                            black_box(report);
                        })
                    })
                    .into();
            }
            results.push(entry);
        }
    }
    println!("{}", json!({ "samples": results }));
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
