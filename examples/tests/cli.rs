//! Tests of the `taskdef` binary: every subcommand, run as a user would.

use std::process::Command;

#[test]
fn help_names_the_exit_codes() {
    let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("130"));
}
