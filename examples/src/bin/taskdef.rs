//! `taskdef`: the command line of taskdef with Debusine's worker tasks linked in.
//!
//! See `taskdef --help`, and [`taskdef::cli`] for the subcommands and exit codes.

// Link the catalogue in: a crate of tasks that nothing names is not linked, and its tasks
// would be missing from the registry.
use taskdef_examples as _;

fn main() -> std::process::ExitCode {
    taskdef::cli::main()
}
