//! The syntax of a task-data text, and places in it.

use std::fmt;
use std::path::Path;

use crate::types::Position;

/// The syntax of a task-data text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// JSON.
    Json,
    /// YAML (1.2).
    Yaml,
}

impl SourceFormat {
    /// By extension: `.json` is JSON, `.yaml` and `.yml` are YAML, anything else is unknown.
    pub fn from_path(path: &Path) -> Option<SourceFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(SourceFormat::Json),
            "yaml" | "yml" => Some(SourceFormat::Yaml),
            _ => None,
        }
    }

    /// By content: JSON if the first significant character opens an object or array, else YAML.
    ///
    /// (A YAML flow mapping such as `{a: 1}` is therefore read as JSON; name the format
    /// explicitly for such text.)
    pub fn sniff(text: &str) -> SourceFormat {
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('{' | '[') => SourceFormat::Json,
            _ => SourceFormat::Yaml,
        }
    }

    /// `json` or `yaml`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Json => "json",
            SourceFormat::Yaml => "yaml",
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a pointer's value is, and the key that leads to it when its parent is an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The first character of the value.
    pub value: Position,
    /// The first character of the key (its opening quote in JSON), if the parent is an object.
    pub key: Option<Position>,
}
