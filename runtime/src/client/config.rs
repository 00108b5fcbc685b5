//! The worker's configuration directory, read as Debian's `debusine-worker` reads it, so that
//! an existing worker's directory works unchanged.
//!
//! `config.ini` `[General]`: `api-url` (required), `log-file`, `log-level`,
//! `working-directory`, `http-timeout` (seconds, or `connect, read`), and taskdef's own
//! `debusine-version` (the server's release, when it is to be known before the first
//! difference shows); `[Environment]`: variables given to every command of every task (names in
//! upper case, as Debian's worker makes them). Beside it the files `token` and
//! `activation-token`, which must not be readable by group or others.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A secret token: never shown in logs, errors or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token(String);

impl Token {
    /// Wraps a token read or made here.
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Token(text.into())
    }

    /// A fresh token as Debian's worker makes one: 32 random bytes as 64 hex digits.
    pub(crate) fn generate() -> Result<Self, ConfigError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| {
            ConfigError::Other(format!("cannot get random bytes for a token: {error}"))
        })?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token itself, for the `token` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    /// A token file is readable by group or others: Debusine's worker exits with code 3.
    #[error(
        "`{path}` has mode {mode:04o}: a token file must not be accessible by group or others; \
         run `chmod 600 {path}`",
        path = .path.display()
    )]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Anything else, explained.
    #[error("{0}")]
    Other(String),
}

impl ConfigError {
    /// The exit code of Debian's worker for this error: 3 for permissions, else 1.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            ConfigError::Permissions { .. } => 3,
            ConfigError::Other(_) => 1,
        }
    }
}

/// The worker's configuration.
#[derive(Debug, Clone)]
pub(crate) struct WorkerConfig {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `api-url`, without a trailing slash: `https://host/api`.
    pub api_url: String,
    /// `log-file`, if set.
    pub log_file: Option<PathBuf>,
    /// `log-level`, if set.
    pub log_level: Option<String>,
    /// The worker's token, once registered.
    pub token: Option<Token>,
    /// A one-time token an admin gave for registration.
    pub activation_token: Option<Token>,
    /// `working-directory`: where work requests work, if set.
    pub working_directory: Option<PathBuf>,
    /// `http-timeout`, or Debian's default.
    pub http_timeout: HttpTimeout,
    /// `debusine-version`: the server's release as the configuration says it, if it does.
    pub debusine_version: Option<String>,
    /// `[Environment]`: variables for every command, names in upper case, in file order.
    pub environment: Vec<(String, String)>,
}

/// How long an HTTP call may wait: for the connection, and for the server's reply (`requests`'
/// `(connect, read)`, as Debian's worker passes `http-timeout` on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpTimeout {
    /// For the TCP (and TLS) connection.
    pub connect: Duration,
    /// For the reply.
    pub read: Duration,
}

impl Default for HttpTimeout {
    /// Debian's `DEFAULT_REQUEST_TIMEOUT`: 5 s to connect, 30 s for the reply.
    fn default() -> Self {
        HttpTimeout {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(30),
        }
    }
}

impl HttpTimeout {
    /// `N` (both) or `CONNECT, READ`, whole seconds, as Debian's `parse_timeout` reads them.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let seconds = |part: &str| part.trim().parse::<u64>().ok().map(Duration::from_secs);
        match text.split_once(',') {
            Some((connect, read)) => Some(HttpTimeout {
                connect: seconds(connect)?,
                read: seconds(read)?,
            }),
            None => {
                let both = seconds(text)?;
                Some(HttpTimeout {
                    connect: both,
                    read: both,
                })
            }
        }
    }
}

/// The directories looked at, in order, when `--config-dir` is not given.
pub(crate) fn default_directories() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(home) = std::env::var_os("HOME").filter(|home| !home.is_empty()) {
        dirs.push(PathBuf::from(home).join(".config/debusine/worker"));
    }
    dirs.push(PathBuf::from("/etc/debusine/worker"));
    dirs
}

/// The configuration directory: `explicit`, else the first of [`default_directories`] that
/// exists.
pub(crate) fn resolve_directory(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    let candidates = default_directories();
    candidates
        .iter()
        .find(|dir| dir.is_dir())
        .cloned()
        .ok_or_else(|| {
            ConfigError::Other(format!(
                "no worker configuration directory: none of {} exists (or give --config-dir)",
                candidates
                    .iter()
                    .map(|dir| format!("`{}`", dir.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

impl WorkerConfig {
    /// Reads `dir/config.ini` and the token files.
    pub(crate) fn read(dir: &Path) -> Result<Self, ConfigError> {
        let ini_path = dir.join("config.ini");
        let text = fs::read_to_string(&ini_path).map_err(|error| {
            ConfigError::Other(format!("cannot read `{}`: {error}", ini_path.display()))
        })?;
        let general = parse_section(&text, "General");
        let get = |key: &str| {
            general
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let api_url = get("api-url").filter(|url| !url.is_empty()).ok_or_else(|| {
            ConfigError::Other(format!(
                "`{}`: section [General] has no `api-url` (e.g. `api-url = https://debusine.example.org/api`)",
                ini_path.display()
            ))
        })?;
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            return Err(ConfigError::Other(format!(
                "`{}`: `api-url` is `{api_url}`; expected an http:// or https:// URL",
                ini_path.display()
            )));
        }
        let http_timeout = match get("http-timeout").filter(|v| !v.is_empty()) {
            None => HttpTimeout::default(),
            Some(text) => HttpTimeout::parse(&text).unwrap_or_else(|| {
                // As Debian's worker: a warning, and the default.
                tracing::warn!(
                    "`{}`: http-timeout `{text}` is not N or CONNECT, READ (seconds); using \
                     the default 5, 30",
                    ini_path.display()
                );
                HttpTimeout::default()
            }),
        };
        let environment = parse_section(&text, "Environment")
            .into_iter()
            .map(|(key, value)| (key.to_uppercase(), value))
            .collect();
        Ok(WorkerConfig {
            dir: dir.to_path_buf(),
            working_directory: get("working-directory")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            http_timeout,
            debusine_version: get("debusine-version").filter(|v| !v.is_empty()),
            environment,
            api_url: api_url.trim_end_matches('/').to_owned(),
            log_file: get("log-file").filter(|v| !v.is_empty()).map(PathBuf::from),
            log_level: get("log-level").filter(|v| !v.is_empty()),
            token: read_token(&dir.join("token"))?,
            activation_token: read_token(&dir.join("activation-token"))?,
        })
    }

    /// Writes a new `token` file atomically (a temporary file in the same directory, mode 0600,
    /// synced, then renamed over it).
    pub(crate) fn write_token(&self, token: &Token) -> Result<(), ConfigError> {
        let path = self.dir.join("token");
        let temporary = self.dir.join(".token.new");
        let write = || -> io::Result<()> {
            let _ = fs::remove_file(&temporary);
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temporary)?;
            file.write_all(token.expose().as_bytes())?;
            file.sync_all()?;
            fs::rename(&temporary, &path)?;
            fs::File::open(&self.dir)?.sync_all()
        };
        write().map_err(|error| {
            let _ = fs::remove_file(&temporary);
            ConfigError::Other(format!("cannot write `{}`: {error}", path.display()))
        })
    }
}

/// A token file's content, trimmed; `None` when the file is missing or empty. A file that
/// group or others may access is refused.
fn read_token(path: &Path) -> Result<Option<Token>, ConfigError> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(ConfigError::Other(format!(
                "cannot read `{}`: {error}",
                path.display()
            )));
        }
    };
    let mode = metadata.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::Permissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    let text = fs::read_to_string(path).map_err(|error| {
        ConfigError::Other(format!("cannot read `{}`: {error}", path.display()))
    })?;
    let text = text.trim();
    Ok((!text.is_empty()).then(|| Token::new(text)))
}

/// The `key = value` (or `key: value`) pairs of section `[name]`, as Python's configparser
/// reads them: keys lowercased, `#` and `;` comment lines skipped. (configparser's `%`
/// interpolation is not done: a value is taken as written.)
fn parse_section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut in_general = false;
    let mut pairs = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(section) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            in_general = section.trim() == name;
            continue;
        }
        if !in_general {
            continue;
        }
        let split = trimmed.find(['=', ':']);
        if let Some(at) = split {
            let key = trimmed[..at].trim().to_lowercase();
            let value = trimmed[at + 1..].trim().to_owned();
            pairs.push((key, value));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("taskdef-config-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_general_section_is_read_as_configparser_reads_it() {
        let pairs = parse_section(
            "[Other]\napi-url = wrong\n[General]\n# comment\nAPI-URL = https://x/api/\nlog-level: DEBUG\n",
            "General",
        );
        assert_eq!(
            pairs,
            vec![
                ("api-url".to_owned(), "https://x/api/".to_owned()),
                ("log-level".to_owned(), "DEBUG".to_owned())
            ]
        );
    }

    #[test]
    fn a_token_readable_by_others_is_refused_with_exit_code_3() {
        let dir = temp_dir("mode");
        fs::write(
            dir.join("config.ini"),
            "[General]\napi-url = http://h/api/\n",
        )
        .unwrap();
        fs::write(dir.join("token"), "secret-token\n").unwrap();
        fs::set_permissions(dir.join("token"), fs::Permissions::from_mode(0o640)).unwrap();
        let error = WorkerConfig::read(&dir).unwrap_err();
        assert_eq!(error.exit_code(), 3);
        let message = error.to_string();
        assert!(message.contains("0640"), "{message}");
        assert!(!message.contains("secret-token"), "{message}");

        fs::set_permissions(dir.join("token"), fs::Permissions::from_mode(0o600)).unwrap();
        let config = WorkerConfig::read(&dir).unwrap();
        assert_eq!(config.api_url, "http://h/api");
        assert_eq!(config.token, Some(Token::new("secret-token")));
        assert!(!format!("{config:?}").contains("secret-token"));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_new_token_is_written_with_mode_0600_and_is_64_hex_digits() {
        let dir = temp_dir("write");
        fs::write(
            dir.join("config.ini"),
            "[General]\napi-url = https://h/api\n",
        )
        .unwrap();
        let config = WorkerConfig::read(&dir).unwrap();
        assert_eq!(config.token, None);
        let token = Token::generate().unwrap();
        assert_eq!(token.expose().len(), 64);
        assert!(token.expose().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(token, Token::generate().unwrap());
        config.write_token(&token).unwrap();
        let mode = fs::metadata(dir.join("token")).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(WorkerConfig::read(&dir).unwrap().token, Some(token));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_api_url_is_named() {
        let dir = temp_dir("noapi");
        fs::write(dir.join("config.ini"), "[General]\nlog-level = INFO\n").unwrap();
        let message = WorkerConfig::read(&dir).unwrap_err().to_string();
        assert!(message.contains("api-url"), "{message}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_environment_timeouts_and_directories_are_read() {
        let dir = temp_dir("env");
        fs::write(
            dir.join("config.ini"),
            "[General]\napi-url = https://h/api\nworking-directory = /srv/work\n\
             http-timeout = 10, 120\ndebusine-version = 0.16.2\n\
             [Environment]\nhttp_proxy = http://proxy:3128\nDEB_BUILD_OPTIONS = parallel=2\n",
        )
        .unwrap();
        let config = WorkerConfig::read(&dir).unwrap();
        assert_eq!(config.working_directory, Some(PathBuf::from("/srv/work")));
        assert_eq!(
            config.http_timeout,
            HttpTimeout {
                connect: Duration::from_secs(10),
                read: Duration::from_secs(120)
            }
        );
        assert_eq!(config.debusine_version.as_deref(), Some("0.16.2"));
        assert_eq!(
            config.environment,
            [
                ("HTTP_PROXY".to_owned(), "http://proxy:3128".to_owned()),
                ("DEB_BUILD_OPTIONS".to_owned(), "parallel=2".to_owned())
            ]
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn http_timeouts_are_read_as_debian_reads_them() {
        assert_eq!(
            HttpTimeout::parse("7"),
            Some(HttpTimeout {
                connect: Duration::from_secs(7),
                read: Duration::from_secs(7)
            })
        );
        assert_eq!(HttpTimeout::parse("5,x"), None);
        assert_eq!(HttpTimeout::parse("soon"), None);
        assert_eq!(HttpTimeout::default().read, Duration::from_secs(30));
    }
}
