//! Faults while running: panics and errors are contained, and aborts leave no process behind.

use std::time::{Duration, Instant};

use taskdef_tests as _;

use taskdef::{
    AbortHandle, CommandLine, CommandRunner, ProcessRunner, Registry, TaskContext, TaskError,
    execute_logging_errors,
};

#[test]
fn a_panicking_task_does_not_stop_the_next_ones() {
    let ctx = TaskContext::new("testfailing", std::env::temp_dir());
    for round in 0..3 {
        let panicking = Registry::global()
            .configure("testfailing", r#"{"how": "panic"}"#)
            .unwrap();
        let error = execute_logging_errors(panicking.as_ref(), &ctx).unwrap_err();
        assert!(matches!(error, TaskError::Panicked(_)), "round {round}");
        let fine = Registry::global().configure("testnoop", "{}").unwrap();
        assert!(
            execute_logging_errors(fine.as_ref(), &ctx)
                .unwrap()
                .is_success(),
            "round {round}"
        );
    }
}

/// Process ids of every process in group `pgid`, zombies included.
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // After the command name (which ends with ')'): state ppid pgrp ...
            let rest = &stat[stat.rfind(')')? + 2..];
            (rest.split_whitespace().nth(2)? == pgid.to_string()).then_some(pid)
        })
        .collect()
}

#[test]
fn aborting_a_hundred_times_leaves_no_survivor() {
    const ROUNDS: usize = 100;
    let runner = ProcessRunner {
        grace_period: Duration::from_millis(100),
        poll_interval: Duration::from_millis(5),
        ..ProcessRunner::default()
    };
    let dir = std::env::temp_dir().join(format!("taskdef-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut groups = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let pid_file = dir.join(format!("{round}.pid"));
        // The shell ignores SIGTERM, and so does its background grandchild.
        let script = format!(
            "trap '' TERM; sh -c 'trap \"\" TERM; sleep 30' & echo $$ > {}; sleep 30; wait",
            pid_file.display()
        );
        let abort = AbortHandle::new();
        let remote = abort.clone();
        let watcher = std::thread::spawn(move || {
            // Abort once the script has started its grandchild and written its pid.
            let deadline = Instant::now() + Duration::from_secs(10);
            while !pid_file.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            remote.abort();
            pid_file
        });
        let result = runner.run(&CommandLine::new("sh").args(["-c", &script]), &abort);
        let pid_file = watcher.join().unwrap();
        assert!(
            matches!(result, Err(TaskError::Aborted)),
            "round {round}: {result:?}"
        );
        let pgid: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        groups.push(pgid);
    }
    std::fs::remove_dir_all(&dir).unwrap();
    // SIGKILL is delivered asynchronously; orphaned grandchildren are reaped by init.
    let deadline = Instant::now() + Duration::from_secs(10);
    let survivors = loop {
        let survivors: Vec<u32> = groups.iter().flat_map(|&g| group_members(g)).collect();
        if survivors.is_empty() || Instant::now() > deadline {
            break survivors;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        survivors,
        Vec::<u32>::new(),
        "processes outlived their abort"
    );
}
