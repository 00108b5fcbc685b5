//! `taskdef artifact`: an operator's access to a Debusine server's artifacts through the
//! worker's own client (feature `worker`): download one and check it, upload files as a new
//! artifact, finish an interrupted upload, relate two artifacts.
//!
//! It reads the worker's configuration directory (`config.ini`'s `api-url` and the `token`
//! file). A worker's token may create artifacts only for a work request it runs
//! (`--work-request`); without one the token must be a user's (put it in `token` of a
//! directory of its own).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::answer::{CliResult, fail, out};
use super::exit;
use crate::client::api::Api;
use crate::client::artifacts::{ArtifactClient, DEFAULT_CHUNK_SIZE, UploadReport, hash_file};
use crate::client::config::{WorkerConfig, resolve_directory};
use crate::execution::{ArtifactId, NewArtifact, RelationType};

#[derive(Debug, Args)]
pub(super) struct ArtifactArgs {
    /// The configuration directory (config.ini with [General] api-url, and token). Default:
    /// the first of ~/.config/debusine/worker and /etc/debusine/worker that exists.
    #[arg(long, value_name = "DIR", global = true)]
    config_dir: Option<PathBuf>,
    /// Log each step on standard error.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Download an artifact's files into a directory, each checked against its size and
    /// sha256; prints {id, category, data, files}.
    ///
    /// A file whose path is absolute, has `..`, or would go through a symbolic link is
    /// refused before anything is written.
    Download {
        /// The artifact's id.
        id: ArtifactId,
        /// The directory (created if missing).
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
    },
    /// Create an artifact from local files and upload them; prints {id, files_sent,
    /// bytes_sent}.
    Upload {
        /// Debusine's category, such as debusine:test or debian:package-build-log.
        #[arg(long)]
        category: String,
        /// The workspace (default: the server's).
        #[arg(long)]
        workspace: Option<String>,
        /// The artifact's data, a JSON object.
        #[arg(long, default_value = "{}")]
        data: String,
        /// Attach the artifact to this work request (a worker's token only).
        #[arg(long, value_name = "ID")]
        work_request: Option<i64>,
        #[command(flatten)]
        chunks: ChunkArg,
        /// The files: PATH (named by its file name) or NAME=PATH.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
    /// Send what the server still lacks of files of an existing artifact (an interrupted
    /// upload); prints {id, files_sent, bytes_sent}.
    Resume {
        /// The artifact's id.
        id: ArtifactId,
        #[command(flatten)]
        chunks: ChunkArg,
        /// The files: NAME=PATH, or PATH named by its file name.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
    /// Record that ARTIFACT relates to TARGET.
    Relate {
        /// The artifact the relation goes from.
        artifact: ArtifactId,
        /// The artifact it goes to.
        target: ArtifactId,
        /// The relation.
        #[arg(long = "type", value_enum, default_value_t = RelationArg::RelatesTo)]
        relation: RelationArg,
    },
}

#[derive(Debug, Clone, Args)]
struct ChunkArg {
    /// The largest chunk sent in one request, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_CHUNK_SIZE,
          value_parser = clap::value_parser!(u64).range(1..))]
    chunk_size: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RelationArg {
    RelatesTo,
    Extends,
    BuiltUsing,
}

impl From<RelationArg> for RelationType {
    fn from(arg: RelationArg) -> Self {
        match arg {
            RelationArg::RelatesTo => RelationType::RelatesTo,
            RelationArg::Extends => RelationType::Extends,
            RelationArg::BuiltUsing => RelationType::BuiltUsing,
        }
    }
}

/// `NAME=PATH`, or `PATH` named by its file name.
fn named_file(arg: &str) -> Result<(String, PathBuf), String> {
    if let Some((name, path)) = arg.split_once('=')
        && !name.is_empty()
    {
        return Ok((name.to_owned(), PathBuf::from(path)));
    }
    let path = PathBuf::from(arg);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| format!("`{arg}` has no file name: give NAME=PATH"))?;
    Ok((name, path))
}

fn report(id: ArtifactId, report: UploadReport) -> Value {
    json!({"id": id, "files_sent": report.files_sent, "bytes_sent": report.bytes_sent})
}

pub(super) fn artifact(args: ArtifactArgs) -> CliResult {
    let level = if args.verbose {
        tracing::Level::DEBUG
    } else {
        tracing::Level::WARN
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
    let dir = resolve_directory(args.config_dir.as_deref()).map_err(|e| fail(e.to_string()))?;
    let config = WorkerConfig::read(&dir).map_err(|e| fail(e.to_string()))?;
    let token = config.token.clone().ok_or_else(|| {
        fail(format!(
            "`{}` has no token file: `taskdef artifact` does not register; run `taskdef worker` \
             once, or put a user's token there",
            dir.join("token").display()
        ))
    })?;
    let api = Api::new(&config.api_url, Some(token)).map_err(fail)?;
    let client = ArtifactClient::new(api);
    let result = match args.action {
        Action::Download { id, into } => client.download(id, &into).map(|fetched| {
            let files: Vec<String> = fetched
                .files
                .iter()
                .filter_map(|path| path.strip_prefix(&fetched.dir).ok())
                .map(|path| path.to_string_lossy().into_owned())
                .collect();
            json!({"id": fetched.id, "category": fetched.category, "data": fetched.data,
                   "files": files})
        }),
        Action::Upload {
            category,
            workspace,
            data,
            work_request,
            chunks,
            files,
        } => {
            let data: Value = crate::parse::parse_json(data.as_bytes())
                .map_err(|error| fail(format!("--data is not JSON: {error}")))?;
            if !data.is_object() {
                return Err(fail("--data must be a JSON object"));
            }
            let mut artifact = NewArtifact::new(category, data);
            for file in &files {
                let (name, path) = named_file(file).map_err(fail)?;
                artifact = artifact.with_file(name, path);
            }
            client
                .with_chunk_size(chunks.chunk_size)
                .upload(&artifact, workspace.as_deref(), work_request)
                .map(|(id, sent)| report(id, sent))
        }
        Action::Resume { id, chunks, files } => {
            let client = client.with_chunk_size(chunks.chunk_size);
            let mut sent = UploadReport::default();
            let mut result = Ok(());
            for file in &files {
                let (name, path) = named_file(file).map_err(fail)?;
                result = hash_file(&path)
                    .and_then(|(size, _)| client.upload_file(id, &name, &path, size))
                    .map(|bytes| {
                        sent.bytes_sent += bytes;
                        sent.files_sent += 1;
                    });
                if result.is_err() {
                    break;
                }
            }
            result.map(|()| report(id, sent))
        }
        Action::Relate {
            artifact,
            target,
            relation,
        } => {
            let relation = RelationType::from(relation);
            client.relate(artifact, target, relation).map(
                |()| json!({"artifact": artifact, "target": target, "type": relation.as_str()}),
            )
        }
    };
    match result {
        Ok(value) => out(&format!("{value}\n")),
        Err(error) => {
            eprintln!("error: {error}");
            Ok(exit::NEGATIVE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_their_file_name_or_explicitly() {
        assert_eq!(
            named_file("/tmp/x/hello.dsc").unwrap(),
            ("hello.dsc".to_owned(), PathBuf::from("/tmp/x/hello.dsc"))
        );
        assert_eq!(
            named_file("pool/a.deb=/tmp/a.deb").unwrap(),
            ("pool/a.deb".to_owned(), PathBuf::from("/tmp/a.deb"))
        );
        assert!(named_file("/").unwrap_err().contains("NAME=PATH"));
    }
}
