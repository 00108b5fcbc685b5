//! A command line as the strings a process would get, program first, for comparing with what a
//! test expects.

use taskdef::CommandLine;

pub fn argv(command: &CommandLine) -> Vec<String> {
    std::iter::once(&command.program)
        .chain(&command.args)
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}
