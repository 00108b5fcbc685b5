//! Debusine's artifact API as a worker (and an operator) uses it: an artifact's files
//! downloaded into a directory and checked, an artifact created and its files uploaded in
//! resumable chunks, relations between artifacts.
//!
//! Files are streamed both ways: a 1 GiB file never sits in memory. Every file downloaded is
//! checked against its size and sha256 before it takes its name, and its path must stay
//! inside the target directory (no absolute path, no `..`, no symbolic link on the way).
//! Uploads ask the server what it already holds (`Content-Range: bytes */SIZE`) and resume
//! from there, in chunks of at most 50 MiB, as Debian's client does.
//!
//! Debian's client fetches an artifact of several small files as one `tar.gz`; this one always
//! fetches file by file, so that each file is checked as it arrives and no archive (with its
//! links and odd entries) is unpacked.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::api::{Api, ApiError, Pace, Payload, Streamed};
use super::retry::{Backoff, Transient};
use super::wake::Shutdown;
use crate::execution::{ArtifactId, FetchedArtifact, NewArtifact, RelationType};

/// Debian's client's largest chunk (nginx's `client_max_body_size` in Debusine's setup).
pub(crate) const DEFAULT_CHUNK_SIZE: u64 = 50 * 1024 * 1024;

/// How many times a whole file is sent again after the server found its hash wrong (409).
const CONFLICT_ATTEMPTS: u32 = 3;

/// The buffer a file is copied through.
const COPY_BUFFER: usize = 256 * 1024;

/// Why an artifact could not be downloaded, uploaded or related.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArtifactError {
    /// The call failed (after retries when the failure looked transient).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A file's path in the artifact would not stay inside the target directory.
    #[error("artifact {artifact}: file path `{name}` is refused: {reason}")]
    UnsafePath {
        /// The artifact.
        artifact: ArtifactId,
        /// The path as the server gave it.
        name: String,
        /// Why.
        reason: String,
    },
    /// A downloaded file is not what the artifact says it is; nothing was kept of it.
    #[error(
        "artifact {artifact}: file `{name}`: {what} mismatch: expected {expected}, received {actual}"
    )]
    Mismatch {
        /// The artifact.
        artifact: ArtifactId,
        /// The file's path in the artifact.
        name: String,
        /// `sha256` or `size`.
        what: &'static str,
        /// What the server's description says.
        expected: String,
        /// What arrived.
        actual: String,
    },
    /// A local file could not be read or written.
    #[error("{action} `{}`: {source}", path.display())]
    Local {
        /// What was being done.
        action: &'static str,
        /// The local path.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// The server's reply is not what the endpoint documents.
    #[error("{context}: unexpected reply: {reason}")]
    Reply {
        /// The call or the artifact.
        context: String,
        /// What was wrong.
        reason: String,
    },
    /// The server kept refusing a file's content (409: hash mismatch after upload).
    #[error(
        "artifact {artifact}: file `{name}` from `{}`: the server refused its content {attempts} times (409 Conflict: hash mismatch); was the file changed while uploading?",
        path.display()
    )]
    Conflict {
        /// The artifact.
        artifact: ArtifactId,
        /// The file's path in the artifact.
        name: String,
        /// The local file.
        path: PathBuf,
        /// How many whole-file attempts were made.
        attempts: u32,
    },
}

fn local<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> ArtifactError + 'a {
    move |source| ArtifactError::Local {
        action,
        path: path.to_owned(),
        source,
    }
}

/// One file of an artifact as the server describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteFile {
    /// Its size in bytes.
    pub size: u64,
    /// Its sha256, lowercase hex.
    pub sha256: String,
    /// Where to fetch it (a web URL of the server).
    pub url: String,
}

/// An artifact as `GET /api/1.0/artifact/<id>/` describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RemoteArtifact {
    /// Its id.
    pub id: ArtifactId,
    /// Its workspace.
    pub workspace: String,
    /// Its category.
    pub category: String,
    /// Its data.
    pub data: Value,
    /// Its files, by path in the artifact.
    pub files: BTreeMap<String, RemoteFile>,
}

impl RemoteArtifact {
    /// Reads the reply of `GET /artifact/<id>/` (or of the creation).
    pub(crate) fn from_reply(context: &str, reply: &Value) -> Result<Self, ArtifactError> {
        let wrong = |reason: String| ArtifactError::Reply {
            context: context.to_owned(),
            reason,
        };
        let id = reply
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| wrong("no numeric `id`".into()))?;
        let text = |key: &str| reply.get(key).and_then(Value::as_str).unwrap_or_default();
        let mut files = BTreeMap::new();
        if let Some(listed) = reply.get("files").filter(|files| !files.is_null()) {
            let listed = listed
                .as_object()
                .ok_or_else(|| wrong("`files` is not an object".into()))?;
            for (name, file) in listed {
                let size = file.get("size").and_then(Value::as_u64);
                let sha256 = file
                    .pointer("/checksums/sha256")
                    .and_then(Value::as_str)
                    .filter(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
                let url = file.get("url").and_then(Value::as_str);
                let (Some(size), Some(sha256), Some(url)) = (size, sha256, url) else {
                    return Err(wrong(format!(
                        "file `{name}` lacks a size, a sha256 of 64 hex digits or a url: {file}"
                    )));
                };
                files.insert(
                    name.clone(),
                    RemoteFile {
                        size,
                        sha256: sha256.to_ascii_lowercase(),
                        url: url.to_owned(),
                    },
                );
            }
        }
        Ok(RemoteArtifact {
            id,
            workspace: text("workspace").to_owned(),
            category: text("category").to_owned(),
            data: reply.get("data").cloned().unwrap_or(Value::Null),
            files,
        })
    }
}

/// What an upload did, so that a resumed upload can be seen to send only what was missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct UploadReport {
    /// File bytes sent in this upload (chunks only; not what the server already held).
    pub bytes_sent: u64,
    /// Files the server asked for.
    pub files_sent: usize,
}

impl Transient for ArtifactError {
    fn is_transient(&self) -> bool {
        matches!(self, ArtifactError::Api(error) if error.is_transient())
    }
}

/// The artifact client of one server, with the caller's token.
#[derive(Debug, Clone)]
pub(crate) struct ArtifactClient {
    api: Api,
    chunk_size: u64,
    retry: Backoff,
    /// The worker's shutdown: a retry does not wait past it.
    shutdown: Option<Shutdown>,
}

impl ArtifactClient {
    /// A client over `api`, with Debian's chunk size and the default retries.
    pub(crate) fn new(api: Api) -> Self {
        ArtifactClient {
            api,
            chunk_size: DEFAULT_CHUNK_SIZE,
            retry: Backoff::CALL,
            shutdown: None,
        }
    }

    /// Retries follow `backoff` instead of [`Backoff::CALL`] (tests).
    #[cfg(test)]
    pub(crate) fn with_retry(mut self, backoff: Backoff) -> Self {
        self.retry = backoff;
        self
    }

    /// Retries end when `shutdown` stops.
    pub(crate) fn with_shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    /// Makes `call` under the retry policy ([`Backoff::CALL`]); a stop during a wait is an
    /// error naming `what`.
    fn retried<T>(
        &self,
        what: &str,
        call: impl FnMut() -> Result<T, ArtifactError>,
    ) -> Result<T, ArtifactError> {
        self.retry
            .run(self.shutdown.as_ref(), what, call)?
            .ok_or_else(|| ArtifactError::Reply {
                context: what.to_owned(),
                reason: "the worker is stopping".to_owned(),
            })
    }

    /// Uploads in chunks of at most `bytes` (at least 1).
    // Used by `taskdef artifact` only (feature `cli`).
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// The API this client calls.
    pub(crate) fn api(&self) -> &Api {
        &self.api
    }

    /// A JSON call with any status outside `expected` an error, retried when transient.
    fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&Value>,
        expected: &[u16],
    ) -> Result<Value, ArtifactError> {
        let url = self.api.url(path);
        let reply = self.retried(&format!("{method} {url}"), || {
            let payload = body.map_or(Payload::Empty, Payload::Json);
            let reply = self.api.send(method, &url, &[], payload, Pace::Call)?;
            if !expected.contains(&reply.status) {
                return Err(reply.into_status_error().into());
            }
            Ok(reply.into_reply()?)
        })?;
        if reply.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        crate::parse::parse_json(reply.body.as_bytes()).map_err(|error| ArtifactError::Reply {
            context: format!("{method} {url}"),
            reason: format!("not JSON: {error}"),
        })
    }

    /// `GET /1.0/artifact/<id>/`.
    pub(crate) fn get(&self, id: ArtifactId) -> Result<RemoteArtifact, ArtifactError> {
        let path = format!("/1.0/artifact/{id}/");
        let reply = self.call("GET", &path, None, &[200])?;
        let artifact = RemoteArtifact::from_reply(&format!("artifact {id}"), &reply)?;
        if artifact.id != id {
            return Err(ArtifactError::Reply {
                context: format!("artifact {id}"),
                reason: format!("the server described artifact {} instead", artifact.id),
            });
        }
        Ok(artifact)
    }

    /// Downloads artifact `id` into `into` (created if missing): every file checked against
    /// its size and sha256, every path kept inside `into`. Every path is checked before
    /// anything is written.
    pub(crate) fn download(
        &self,
        id: ArtifactId,
        into: &Path,
    ) -> Result<FetchedArtifact, ArtifactError> {
        let artifact = self.get(id)?;
        for name in artifact.files.keys() {
            check_relative(name).map_err(|reason| ArtifactError::UnsafePath {
                artifact: id,
                name: name.clone(),
                reason,
            })?;
        }
        fs::create_dir_all(into).map_err(local("creating", into))?;
        let mut paths = Vec::new();
        for (name, file) in &artifact.files {
            let target = place(into, name).map_err(|reason| ArtifactError::UnsafePath {
                artifact: id,
                name: name.clone(),
                reason,
            })?;
            let url = self.file_url(&file.url);
            tracing::debug!(artifact = id, file = %name, size = file.size, "downloading");
            self.retried(&format!("GET {url}"), || {
                self.download_file(id, name, file, &url, &target)
            })?;
            paths.push(target);
        }
        paths.sort();
        Ok(FetchedArtifact {
            id,
            category: artifact.category,
            data: artifact.data,
            dir: into.to_owned(),
            files: paths,
        })
    }

    /// The URL a file is fetched from: the path of `url` on the API's own host, so that the
    /// token goes nowhere else.
    fn file_url(&self, url: &str) -> String {
        let path = match url.find("://") {
            Some(scheme_end) => {
                let rest = &url[scheme_end + 3..];
                rest.find('/').map_or("/", |at| &rest[at..])
            }
            None => url,
        };
        // The server writes file names into its URLs as they are: escape what a URI cannot hold.
        let mut escaped = String::with_capacity(path.len());
        for byte in path.bytes() {
            if byte.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&byte) {
                escaped.push(byte as char);
            } else {
                escaped.push_str(&format!("%{byte:02X}"));
            }
        }
        format!("{}{escaped}", self.api.origin())
    }

    /// One file, streamed into a fresh partial file beside `target`, hashed as it arrives,
    /// and renamed to `target` only when its size and sha256 match.
    fn download_file(
        &self,
        id: ArtifactId,
        name: &str,
        file: &RemoteFile,
        url: &str,
        target: &Path,
    ) -> Result<(), ArtifactError> {
        let reply = self
            .api
            .send("GET", url, &[], Payload::Empty, Pace::Transfer)?;
        if reply.status != 200 {
            return Err(reply.into_status_error().into());
        }
        let partial = partial_path(target);
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .mode(0o644)
            .open(&partial)
            .map_err(local("creating", &partial))?;
        let result =
            copy_hashed(reply, &mut out, file.size, &partial).and_then(|(size, sha256)| {
                let mismatch = |what, expected: String, actual: String| ArtifactError::Mismatch {
                    artifact: id,
                    name: name.to_owned(),
                    what,
                    expected,
                    actual,
                };
                if size != file.size {
                    return Err(mismatch(
                        "size",
                        file.size.to_string(),
                        format!("{size} or more"),
                    ));
                }
                if sha256 != file.sha256 {
                    return Err(mismatch("sha256", file.sha256.clone(), sha256));
                }
                out.sync_data().map_err(local("writing", &partial))?;
                fs::rename(&partial, target).map_err(local("renaming into place", target))
            });
        if result.is_err() {
            let _ = fs::remove_file(&partial);
        }
        result
    }

    /// Creates `artifact` in `workspace` (the server's default when `None`), attached to
    /// `work_request` (a worker's token only), and uploads the files the server asks for.
    pub(crate) fn upload(
        &self,
        artifact: &NewArtifact,
        workspace: Option<&str>,
        work_request: Option<i64>,
    ) -> Result<(ArtifactId, UploadReport), ArtifactError> {
        let mut files = Map::new();
        let mut locals = BTreeMap::new();
        for file in &artifact.files {
            check_relative(&file.name).map_err(|reason| ArtifactError::UnsafePath {
                artifact: 0,
                name: file.name.clone(),
                reason,
            })?;
            let (size, sha256) = hash_file(&file.path)?;
            files.insert(
                file.name.clone(),
                json!({"type": "file", "size": size, "checksums": {"sha256": sha256}}),
            );
            locals.insert(file.name.as_str(), (file.path.as_path(), size));
        }
        let mut body = json!({
            "category": artifact.category,
            "files": files,
            "data": if artifact.data.is_null() { json!({}) } else { artifact.data.clone() },
        });
        if let Some(workspace) = workspace {
            body["workspace"] = json!(workspace);
        }
        if let Some(work_request) = work_request {
            body["work_request"] = json!(work_request);
        }
        // Not retried: a second POST would create a second artifact.
        let url = self.api.url("/1.0/artifact/");
        let reply = self
            .api
            .send("POST", &url, &[], Payload::Json(&body), Pace::Call)?;
        if reply.status != 201 {
            return Err(reply.into_status_error().into());
        }
        let context = format!("POST {url}");
        let reply = reply.into_reply()?;
        let created = crate::parse::parse_json(reply.body.as_bytes()).map_err(|error| {
            ArtifactError::Reply {
                context: context.clone(),
                reason: format!("not JSON: {error}"),
            }
        })?;
        let id = created
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| ArtifactError::Reply {
                context: context.clone(),
                reason: "no numeric `id`".into(),
            })?;
        let wanted: Vec<String> = match created.get("files_to_upload") {
            Some(Value::Array(names)) => names
                .iter()
                .map(|name| name.as_str().map(str::to_owned))
                .collect::<Option<_>>(),
            _ => None,
        }
        .ok_or_else(|| ArtifactError::Reply {
            context: context.clone(),
            reason: "`files_to_upload` is not a list of paths".into(),
        })?;
        tracing::info!(
            artifact = id,
            category = %artifact.category,
            files = artifact.files.len(),
            to_upload = wanted.len(),
            "created"
        );
        let mut report = UploadReport::default();
        for name in &wanted {
            let Some((path, size)) = locals.get(name.as_str()) else {
                return Err(ArtifactError::Reply {
                    context: format!("artifact {id}"),
                    reason: format!("the server asks for file `{name}`, which it was not given"),
                });
            };
            report.bytes_sent += self.upload_file(id, name, path, *size)?;
            report.files_sent += 1;
        }
        Ok((id, report))
    }

    /// Sends file `name` of artifact `id` from `path` (`size` bytes), resuming from what the
    /// server holds; the bytes sent.
    pub(crate) fn upload_file(
        &self,
        id: ArtifactId,
        name: &str,
        path: &Path,
        size: u64,
    ) -> Result<u64, ArtifactError> {
        let url = self
            .api
            .url(&format!("/1.0/artifact/{id}/files/{}/", quote_path(name)));
        let mut sent = 0;
        for _ in 0..CONFLICT_ATTEMPTS {
            let done = self.retried(&format!("PUT {url}"), || {
                self.send_missing(&url, path, size, &mut sent)
            })?;
            if done {
                tracing::debug!(artifact = id, file = %name, bytes_sent = sent, "uploaded");
                return Ok(sent);
            }
            tracing::warn!(
                artifact = id,
                file = %name,
                "the server refused the file's content (409); sending it again"
            );
        }
        Err(ArtifactError::Conflict {
            artifact: id,
            name: name.to_owned(),
            path: path.to_owned(),
            attempts: CONFLICT_ATTEMPTS,
        })
    }

    /// Asks the server what it holds of the file, then sends the rest chunk by chunk: true
    /// when the server has the whole file, false on a 409 (the whole file must go again).
    fn send_missing(
        &self,
        url: &str,
        path: &Path,
        size: u64,
        sent: &mut u64,
    ) -> Result<bool, ArtifactError> {
        let status = self.api.send(
            "PUT",
            url,
            &[("Content-Range", format!("bytes */{size}"))],
            Payload::Empty,
            Pace::Call,
        )?;
        let mut offset = match status.status {
            200 => return Ok(true),
            206 => held(&status, size)?,
            _ => return Err(status.into_status_error().into()),
        };
        drop(status);
        let mut file = File::open(path).map_err(local("opening", path))?;
        loop {
            if offset >= size {
                // Only an empty file gets here: the server completes those itself.
                return Ok(true);
            }
            let end = (offset + self.chunk_size).min(size) - 1;
            let length = end - offset + 1;
            file.seek(SeekFrom::Start(offset))
                .map_err(local("reading", path))?;
            let mut chunk = (&mut file).take(length);
            let reply = self.api.send(
                "PUT",
                url,
                &[("Content-Range", format!("bytes {offset}-{end}/{size}"))],
                Payload::Stream {
                    reader: &mut chunk,
                    length,
                },
                Pace::Transfer,
            )?;
            if chunk.limit() != 0 {
                return Err(ArtifactError::Local {
                    action: "reading",
                    path: path.to_owned(),
                    source: io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the file is shorter than the {size} bytes it had"),
                    ),
                });
            }
            *sent += length;
            tracing::debug!(url, range = %format!("bytes {offset}-{end}/{size}"), status = reply.status, "sent a chunk");
            match reply.status {
                201 => return Ok(true),
                200 => {
                    let next = held(&reply, size)?;
                    if next <= offset {
                        return Err(ArtifactError::Reply {
                            context: format!("PUT {url}"),
                            reason: format!(
                                "the server holds {next} bytes after a chunk ending at {end}"
                            ),
                        });
                    }
                    offset = next;
                }
                409 => return Ok(false),
                _ => return Err(reply.into_status_error().into()),
            }
        }
    }

    /// `POST /1.0/artifact-relation/`: `artifact` `relation` `target` (an existing relation
    /// is not an error).
    pub(crate) fn relate(
        &self,
        artifact: ArtifactId,
        target: ArtifactId,
        relation: RelationType,
    ) -> Result<(), ArtifactError> {
        let body = json!({"artifact": artifact, "target": target, "type": relation.as_str()});
        self.call("POST", "/1.0/artifact-relation/", Some(&body), &[200, 201])
            .map(drop)
    }
}

/// The end of the range the server holds, from its `Range: bytes=0-N` header (N bytes held).
fn held(reply: &Streamed, size: u64) -> Result<u64, ArtifactError> {
    let wrong = |reason: String| ArtifactError::Reply {
        context: format!("{} {}", reply.method, reply.url),
        reason,
    };
    let header = reply
        .header("Range")
        .ok_or_else(|| wrong(format!("HTTP {} without a Range header", reply.status)))?;
    let end = header
        .strip_prefix("bytes=")
        .and_then(|range| range.split_once('-'))
        .and_then(|(_, end)| end.trim().parse::<u64>().ok())
        .ok_or_else(|| wrong(format!("Range `{header}` is not `bytes=S-E`")))?;
    if end > size {
        return Err(wrong(format!(
            "Range `{header}` goes past the file's {size} bytes"
        )));
    }
    Ok(end)
}

/// Copies `reply`'s body into `out`, hashing it; reads at most `expected + 1` bytes so that a
/// longer body is seen without being stored. Returns the size read and its sha256.
fn copy_hashed(
    reply: Streamed,
    out: &mut File,
    expected: u64,
    partial: &Path,
) -> Result<(u64, String), ArtifactError> {
    let (method, url) = (reply.method, reply.url.clone());
    let mut body = reply.body.into_reader().take(expected.saturating_add(1));
    let mut hasher = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buffer = vec![0u8; COPY_BUFFER];
    let mut size = 0u64;
    loop {
        let read = match body.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                return Err(ArtifactError::Api(ApiError::Transport {
                    method,
                    url,
                    reason: format!("reading the file: {error}"),
                }));
            }
        };
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read])
            .map_err(local("writing", partial))?;
        size += read as u64;
    }
    Ok((size, hex(hasher.finish().as_ref())))
}

// The checks of file names and the hashes are public, in `taskdef::paths`.
use crate::execution::paths::{check_relative, hash_reader, hex};

/// The size and sha256 of a local file, read once.
pub(crate) fn hash_file(path: &Path) -> Result<(u64, String), ArtifactError> {
    let file = File::open(path).map_err(local("opening", path))?;
    hash_reader(file).map_err(local("reading", path))
}

/// Where file `name` (already checked) goes under `root`: its parent directories are created
/// one by one, and none of them may be a symbolic link or anything but a directory, so that
/// the file cannot land outside `root`. A directory where the file goes is refused too.
fn place(root: &Path, name: &str) -> Result<PathBuf, String> {
    let components: Vec<&str> = name.split('/').collect();
    let (file_name, parents) = components
        .split_last()
        .ok_or_else(|| "it is empty".to_owned())?;
    let mut dir = root.to_owned();
    for parent in parents {
        dir.push(parent);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!("`{}` is a symbolic link", dir.display()));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(format!("`{}` is not a directory", dir.display())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&dir)
                    .map_err(|error| format!("creating `{}`: {error}", dir.display()))?;
            }
            Err(error) => return Err(format!("`{}`: {error}", dir.display())),
        }
    }
    let target = dir.join(file_name);
    if let Ok(meta) = fs::symlink_metadata(&target)
        && meta.is_dir()
    {
        return Err(format!("`{}` is a directory", target.display()));
    }
    Ok(target)
}

/// A fresh name beside `target` for the file while it arrives.
fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// A path in an artifact as it goes into a URL: every byte but unreserved ones and `/`
/// percent-encoded (Python's `urllib.parse.quote`, as Debian's client does).
pub(crate) fn quote_path(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            quoted.push(byte as char);
        } else {
            quoted.push_str(&format!("%{byte:02X}"));
        }
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_directory_are_refused() {
        for (name, reason) in [
            ("../etc/passwd", "`..`"),
            ("a/../../b", "`..`"),
            ("/etc/passwd", "absolute"),
            ("a//b", "empty component"),
            ("./a", "`.`"),
            ("", "empty"),
            ("a\0b", "NUL"),
        ] {
            let error = check_relative(name).unwrap_err();
            assert!(error.contains(reason), "{name:?}: {error}");
        }
        check_relative("pool/main/h/hello_1.0.dsc").unwrap();
        check_relative("..hidden").unwrap();
    }

    #[test]
    fn a_symbolic_link_on_the_way_is_refused() {
        let root = std::env::temp_dir().join(format!("taskdef-place-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink("/tmp", root.join("escape")).unwrap();
        let error = place(&root, "escape/file").unwrap_err();
        assert!(error.contains("symbolic link"), "{error}");
        let placed = place(&root, "sub/dir/file").unwrap();
        assert_eq!(placed, root.join("sub/dir/file"));
        assert!(root.join("sub/dir").is_dir());
        fs::create_dir(root.join("taken")).unwrap();
        assert!(
            place(&root, "taken")
                .unwrap_err()
                .contains("is a directory")
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn paths_are_quoted_as_debian_quotes_them() {
        assert_eq!(quote_path("a b/c+d.deb"), "a%20b/c%2Bd.deb");
        assert_eq!(quote_path("hello_1.0~rc1.dsc"), "hello_1.0~rc1.dsc");
    }

    #[test]
    fn a_reply_with_a_bad_file_is_refused_naming_the_file() {
        let reply = json!({"id": 5, "workspace": "System", "category": "debusine:test",
            "data": {}, "files": {"a": {"size": 3, "checksums": {"sha256": "xyz"}, "url": "/a"}}});
        let error = RemoteArtifact::from_reply("artifact 5", &reply).unwrap_err();
        assert!(error.to_string().contains("file `a`"), "{error}");
    }

    #[test]
    fn file_urls_go_to_the_api_host() {
        let client = ArtifactClient::new(Api::new("http://127.0.0.1:8000/api", None).unwrap());
        assert_eq!(
            client.file_url("http://elsewhere.example:9/debusine/System/artifact/5/raw/a?x=1"),
            "http://127.0.0.1:8000/debusine/System/artifact/5/raw/a?x=1"
        );
        assert_eq!(
            client.file_url("/debusine/System/artifact/5/download/a b/é"),
            "http://127.0.0.1:8000/debusine/System/artifact/5/download/a%20b/%C3%A9"
        );
    }

    #[test]
    fn sha256_of_a_file() {
        let path = std::env::temp_dir().join(format!("taskdef-hash-{}", std::process::id()));
        fs::write(&path, b"abc").unwrap();
        let (size, sha256) = hash_file(&path).unwrap();
        fs::remove_file(&path).unwrap();
        assert_eq!(size, 3);
        assert_eq!(
            sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
