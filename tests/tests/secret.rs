//! A `Secret` field never reaches any output of a run: standard output and error (logs at
//! debug level included, the output of the commands the task runs, which is what the
//! debug-log artifact holds under a server), and every file the run leaves in its work
//! directory.

use std::path::{Path, PathBuf};
use std::process::Command;

const SECRET: &str = "tok-7f3a9c-never-print-me";

fn every_file_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn a_secret_is_in_no_output_of_a_run() {
    let dir = std::env::temp_dir().join(format!("taskdef-secret-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let data = dir.join("mirror.json");
    std::fs::write(
        &data,
        format!(r#"{{"url": "https://mirror.example/", "token": "{SECRET}"}}"#),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_taskdef-secret"))
        .args(["run", "--log-level", "debug", "--work-dir"])
        .arg(&work)
        .arg("mirror")
        .arg(&data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The task ran (and failed, as it does on purpose): its log lines are there, redacted.
    assert!(
        stdout.contains("\"result\": \"failure\""),
        "{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("pushing") && stderr.contains("[redacted]"),
        "{stderr}"
    );
    assert!(!stdout.contains(SECRET), "stdout: {stdout}");
    assert!(!stderr.contains(SECRET), "stderr: {stderr}");
    // The command's output (the task echoes its own `Debug`), as the debug-log artifact's
    // `cmd-output.log` would hold it.
    let echoed = r#"echo 'Mirror { url: "https://mirror.example/", token: [redacted] }'"#;
    assert!(stderr.contains(echoed), "{stderr}");
    for file in every_file_under(&work) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains(SECRET),
            "{} holds the secret:\n{text}",
            file.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
