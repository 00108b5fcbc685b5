//! Compile-fail and compile-pass cases of `#[derive(Task)]` (`tests/ui`), checked with trybuild.
//!
//! The expected `.stderr` files are rustc's output, which changes between compiler releases, so
//! the cases run only on the toolchain they were written for. Regenerate them with
//! `TRYBUILD=overwrite cargo test -p taskdef-tests --test ui` and read every diff.

/// The compiler the `.stderr` files were generated with.
const PINNED: &str = "rustc 1.95.";

#[test]
fn ui() {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    if !version.starts_with(PINNED) {
        eprintln!("skipping the ui cases: they expect {PINNED}x, this is {version}");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/*.rs");
}
