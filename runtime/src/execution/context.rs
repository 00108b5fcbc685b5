//! What a running task may use from its surroundings: work directory, abort flag, server, commands.

use std::any::Any;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::abort::AbortHandle;
use super::artifact::{
    ArtifactId, FetchedArtifact, NewArtifact, RecordedArtifacts, RelationType, files_under,
};
use super::command::{CommandLine, CommandRunner, CommandStatus, ProcessRunner};
use super::dynamic_data::AnyDynamicData;
use super::error::TaskError;
use crate::types::compare_releases;

/// Access to the Debusine server, for tasks that fetch or upload artifacts.
///
/// A trait so that workers, tests and offline runs can supply their own.
pub trait ServerClient: fmt::Debug + Send + Sync {
    /// Sends a request to the server's API (`path` relative to `/api/1.0/`) and returns the JSON reply.
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, TaskError>;

    /// Downloads artifact `id` into the directory `into` (created if missing), every file
    /// checked against its sha256 and kept inside `into`.
    ///
    /// The default refuses: a client that only sends requests cannot download.
    fn download_artifact(&self, id: ArtifactId, into: &Path) -> Result<FetchedArtifact, TaskError> {
        let _ = into;
        Err(TaskError::other(format!(
            "artifact {id}: this server client cannot download artifacts"
        )))
    }

    /// Creates `artifact` on the server (attached to the running work request) and uploads its
    /// files; returns the new artifact's id.
    ///
    /// The default refuses: a client that only sends requests cannot upload.
    fn upload_artifact(&self, artifact: &NewArtifact) -> Result<ArtifactId, TaskError> {
        Err(TaskError::other(format!(
            "artifact of category {}: this server client cannot upload artifacts",
            artifact.category
        )))
    }

    /// Records that `artifact` relates to `target` as `relation`.
    ///
    /// The default refuses: a client that only sends requests cannot relate artifacts.
    fn relate_artifacts(
        &self,
        artifact: ArtifactId,
        target: ArtifactId,
        relation: RelationType,
    ) -> Result<(), TaskError> {
        Err(TaskError::other(format!(
            "relation {artifact} {relation} {target}: this server client cannot relate artifacts"
        )))
    }
}

/// Everything a running task may use from its surroundings.
#[derive(Debug, Clone)]
pub struct TaskContext {
    task_name: String,
    abort: AbortHandle,
    server: Option<Arc<dyn ServerClient>>,
    work_dir: PathBuf,
    runner: Arc<dyn CommandRunner>,
    dynamic_data: Option<AnyDynamicData>,
    release: Option<String>,
    recorded: Arc<Mutex<RecordedArtifacts>>,
}

impl TaskContext {
    /// A context for task `task_name` working in `work_dir`, running commands as real processes,
    /// with no server access.
    pub fn new(task_name: impl Into<String>, work_dir: impl Into<PathBuf>) -> Self {
        TaskContext {
            task_name: task_name.into(),
            abort: AbortHandle::new(),
            server: None,
            work_dir: work_dir.into(),
            runner: Arc::new(ProcessRunner::default()),
            dynamic_data: None,
            release: None,
            recorded: Arc::default(),
        }
    }

    /// Hands the task the dynamic data the server computed for it, already validated and typed.
    ///
    /// A task reads it back with `Self::dynamic_data(ctx)` ([`Task::dynamic_data`](crate::Task::dynamic_data)).
    pub fn with_dynamic_data<D: Any + Send + Sync>(self, data: D) -> Self {
        self.with_any_dynamic_data(AnyDynamicData::new(data))
    }

    /// [`with_dynamic_data`](TaskContext::with_dynamic_data) for data typed through the
    /// registry ([`TaskEntry::configure_dynamic_data`](crate::TaskEntry::configure_dynamic_data)).
    pub fn with_any_dynamic_data(mut self, data: AnyDynamicData) -> Self {
        self.dynamic_data = Some(data);
        self
    }

    /// The dynamic data of type `D`, if the run has some (an offline run without a work request
    /// has none, and the task resolves its lookups locally). A task reads its own with
    /// [`Task::dynamic_data`](crate::Task::dynamic_data), which names the type for it.
    pub fn dynamic_data<D: Any>(&self) -> Option<&D> {
        self.dynamic_data.as_ref()?.downcast_ref()
    }

    /// Names the release of the engine whose data the task was configured with (`0.11`,
    /// `0.16.2`): the worker sets the server's, `taskdef run` the one `--release` names.
    pub fn with_release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self
    }

    /// The release of the engine the task runs for, if known. Its data is already in the
    /// task's own form; what differs by release after that is what the task hands back (the
    /// artifacts an older release's server knows, their data), which
    /// [`release_is_before`](TaskContext::release_is_before) tells.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }

    /// Whether the task runs for a release known to be older than `release` (by
    /// [`compare_releases`](crate::compare_releases); `0.11.3` is before `0.16`). `false` when
    /// the release is unknown: a task then answers as its own, newest, release does.
    pub fn release_is_before(&self, release: &str) -> bool {
        self.release()
            .is_some_and(|own| compare_releases(own, release).is_lt())
    }

    /// Uses this abort handle (keep a clone to abort from elsewhere).
    pub fn with_abort(mut self, abort: AbortHandle) -> Self {
        self.abort = abort;
        self
    }

    /// Gives the task access to the server.
    pub fn with_server(mut self, server: Arc<dyn ServerClient>) -> Self {
        self.server = Some(server);
        self
    }

    /// Runs commands through `runner` instead of real processes (tests, dry runs).
    pub fn with_runner(mut self, runner: Arc<dyn CommandRunner>) -> Self {
        self.runner = runner;
        self
    }

    /// The name of the task running.
    pub fn task_name(&self) -> &str {
        &self.task_name
    }

    /// The task's abort handle.
    pub fn abort_handle(&self) -> &AbortHandle {
        &self.abort
    }

    /// Whether the task was aborted.
    pub fn is_aborted(&self) -> bool {
        self.abort.is_aborted()
    }

    /// `Err(TaskError::Aborted)` once aborted: a checkpoint for long tasks.
    pub fn check_aborted(&self) -> Result<(), TaskError> {
        if self.is_aborted() {
            Err(TaskError::Aborted)
        } else {
            Ok(())
        }
    }

    /// The server client, or a clear error for a task that needs one and has none.
    pub fn server(&self) -> Result<&dyn ServerClient, TaskError> {
        self.server
            .as_deref()
            .ok_or_else(|| TaskError::ServerAccessRequired {
                task: self.task_name.clone(),
            })
    }

    /// The directory the task works in.
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// Artifact `id`, its files under `<work dir>/artifacts/<id>`: downloaded through the server
    /// when the task runs under one, else found there (placed by whoever prepared the offline run).
    pub fn fetch_artifact(&self, id: ArtifactId) -> Result<FetchedArtifact, TaskError> {
        self.check_aborted()?;
        let dir = self.work_dir.join("artifacts").join(id.to_string());
        if let Some(server) = &self.server {
            tracing::info!(task = %self.task_name, artifact = id, "downloading");
            return server.download_artifact(id, &dir);
        }
        if !dir.exists() {
            return Err(TaskError::ServerAccessRequired {
                task: self.task_name.clone(),
            });
        }
        let files = files_under(&dir)?;
        Ok(FetchedArtifact {
            id,
            category: String::new(),
            data: Value::Null,
            dir,
            files,
        })
    }

    /// Uploads `artifact` through the server, or records it when the run is offline (see
    /// [`recorded_artifacts`](Self::recorded_artifacts)); returns its id.
    pub fn upload_artifact(&self, artifact: NewArtifact) -> Result<ArtifactId, TaskError> {
        self.check_aborted()?;
        if let Some(server) = &self.server {
            tracing::info!(task = %self.task_name, category = %artifact.category, "uploading");
            return server.upload_artifact(&artifact);
        }
        let mut recorded = self.recorded.lock().unwrap_or_else(PoisonError::into_inner);
        recorded.artifacts.push(artifact);
        Ok(recorded.artifacts.len() as ArtifactId)
    }

    /// Relates two artifacts through the server, or records the relation when offline.
    pub fn relate_artifacts(
        &self,
        artifact: ArtifactId,
        target: ArtifactId,
        relation: RelationType,
    ) -> Result<(), TaskError> {
        if let Some(server) = &self.server {
            return server.relate_artifacts(artifact, target, relation);
        }
        let mut recorded = self.recorded.lock().unwrap_or_else(PoisonError::into_inner);
        recorded.relations.push((artifact, target, relation));
        Ok(())
    }

    /// What an offline run would have uploaded, so that nothing the task made goes unreported.
    pub fn recorded_artifacts(&self) -> RecordedArtifacts {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Runs a command (in the work directory unless it sets its own), stopping it on abort.
    ///
    /// A command that cannot be started because the program is missing gives
    /// [`TaskError::ToolMissing`].
    pub fn run(&self, command: &CommandLine) -> Result<CommandStatus, TaskError> {
        self.check_aborted()?;
        tracing::info!(task = %self.task_name, command = %command, "running");
        let command = if command.cwd.is_none() {
            command.clone().current_dir(&self.work_dir)
        } else {
            command.clone()
        };
        self.runner.run(&command, &self.abort)
    }
}
