//! Compile-fail and compile-pass cases of `#[derive(Task)]` (`tests/ui`), checked with trybuild.
//!
//! The expected `.stderr` files are rustc's output, which changes between compiler releases, so
//! they hold only for the toolchain pinned in `rust-toolchain.toml`. On another compiler this
//! test fails and says so, rather than passing without checking anything; set
//! `TASKDEF_UI=skip` to skip the cases on purpose. Regenerate the files with
//! `TRYBUILD=overwrite cargo test -p taskdef-tests --test ui` and read every diff.

use std::path::Path;

/// The `channel` of `rust-toolchain.toml`: the compiler the `.stderr` files were written with.
fn pinned_channel() -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rust-toolchain.toml");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
    text.lines()
        .find_map(|line| {
            let value = line.trim().strip_prefix("channel")?.trim_start();
            let value = value.strip_prefix('=')?.trim();
            Some(value.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| panic!("{} has no `channel = \"...\"` line", file.display()))
}

/// `rustc --version` of the compiler the cases would be built with.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    match std::process::Command::new(&rustc).arg("--version").output() {
        Ok(output) => String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        Err(error) => panic!("cannot run {}: {error}", rustc.to_string_lossy()),
    }
}

#[test]
fn ui() {
    let pinned = pinned_channel();
    let version = rustc_version();
    if !version.starts_with(&format!("rustc {pinned} ")) {
        let message = format!(
            "the ui cases expect rustc {pinned} (rust-toolchain.toml), but this is `{version}`"
        );
        if std::env::var("TASKDEF_UI").as_deref() == Ok("skip") {
            eprintln!("skipping the ui cases (TASKDEF_UI=skip): {message}");
            return;
        }
        panic!(
            "{message}: run the tests with the pinned toolchain, or set TASKDEF_UI=skip to skip \
             these cases knowingly"
        );
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/*.rs");
}

/// The pin is read, not repeated here: a changed `rust-toolchain.toml` moves the check with it.
#[test]
fn the_pinned_channel_is_read_from_the_toolchain_file() {
    let pinned = pinned_channel();
    assert!(
        pinned.split('.').count() == 3 && pinned.split('.').all(|part| part.parse::<u32>().is_ok()),
        "a pinned release such as 1.95.0, not {pinned:?}"
    );
}
