//! Task data and other input files as the subcommands read them: from a path or standard
//! input, bounded in size, UTF-8, JSON or YAML by `--format`, extension or content.

use std::io::{self, Read};
use std::path::Path;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::answer::{CliError, fail};
use crate::configure::TaskInput;
use crate::locate::SourceFormat;

/// `--format`, for the subcommands that read task data.
#[derive(Debug, Clone, Args)]
pub(crate) struct FormatArg {
    /// The syntax of the task data. Default: by extension (.json; .yaml, .yml), else by
    /// content (JSON if it starts with `{` or `[`).
    #[arg(long, value_enum)]
    pub(crate) format: Option<FormatChoice>,
}

/// The syntaxes `--format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatChoice {
    Json,
    Yaml,
}

/// Task data read from a file or standard input.
pub(crate) struct InputText {
    /// The name to show: the path, or `<stdin>`.
    pub(crate) display: String,
    /// The text as read.
    pub(crate) text: String,
    /// Its syntax.
    pub(crate) format: SourceFormat,
}

impl InputText {
    /// The text as task data to configure.
    pub(crate) fn task_input(&self) -> TaskInput<'_> {
        match self.format {
            SourceFormat::Json => TaskInput::Json(&self.text),
            SourceFormat::Yaml => TaskInput::Yaml(&self.text),
        }
    }

    /// Parses the text as a JSON value (for files that are not task data).
    pub(crate) fn value(&self) -> Result<Value, CliError> {
        // The same strict reading as task data: no repeated keys, YAML 1.2, bounded.
        let parsed = match self.format {
            SourceFormat::Json => crate::parse::parse_json(self.text.as_bytes()),
            SourceFormat::Yaml => crate::parse::parse_yaml(&self.text),
        }
        .map_err(|error| error.to_string());
        parsed.map_err(|error| {
            fail(format!(
                "`{}` is not valid {}: {error}",
                self.display,
                self.format.as_str().to_uppercase()
            ))
        })
    }
}

/// Reads `path` (`-`: standard input) in `format`, or the format its extension or content
/// says.
pub(crate) fn read_input(path: &Path, format: Option<FormatChoice>) -> Result<InputText, CliError> {
    let stdin = path.as_os_str() == "-";
    let display = if stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    // Read at most one byte past the limit, so a huge input costs no more memory than that.
    let limit = crate::parse::MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    let read = if stdin {
        io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|error| fail(format!("cannot read `{display}`: {error}")))?;
    if bytes.len() as u64 == limit {
        return Err(fail(format!(
            "`{display}` is larger than the limit of {} bytes for task data",
            crate::parse::MAX_INPUT_BYTES
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|error| fail(format!("`{display}` is not UTF-8 text: {error}")))?;
    let format = match format {
        Some(FormatChoice::Json) => SourceFormat::Json,
        Some(FormatChoice::Yaml) => SourceFormat::Yaml,
        None => (!stdin)
            .then(|| SourceFormat::from_path(path))
            .flatten()
            .unwrap_or_else(|| SourceFormat::sniff(&text)),
    };
    Ok(InputText {
        display,
        text,
        format,
    })
}
