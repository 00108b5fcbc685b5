//! What a subcommand answers: an exit code after its output, or the error that stops it
//! before it can answer (reported on standard error with exit code 2).

use std::fmt;
use std::io::{self, Write};

use super::exit;

/// What stops a command before it can answer: reported on stderr, exit code 2.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Writing the output failed.
    Io(io::Error),
    /// Anything else, explained.
    Message(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io(error) => write!(f, "cannot write the output: {error}"),
            CliError::Message(message) => f.write_str(message),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(error: io::Error) -> Self {
        CliError::Io(error)
    }
}

/// A [`CliError`] that explains itself with `message`.
pub(crate) fn fail(message: impl Into<String>) -> CliError {
    CliError::Message(message.into())
}

/// A subcommand's exit code (see [`exit`]), or what stopped it.
pub(crate) type CliResult = Result<u8, CliError>;

/// Writes `text` to standard output; exit code 0.
pub(crate) fn out(text: &str) -> CliResult {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(exit::SUCCESS)
}
