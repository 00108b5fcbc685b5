//! The server as a running task sees it: the [`ServerClient`] the worker hands to the task's
//! context, bound to the work request (its workspace and id), so that what the task uploads is
//! created by that work request, what it fetches is noted for the debug logs, and each step is
//! logged in `stages.log`.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::artifacts::ArtifactClient;
use super::debug_log::DebugLog;
use crate::execution::{
    ArtifactId, FetchedArtifact, NewArtifact, RelationType, ServerClient, TaskError,
};

/// A [`ServerClient`] bound to one work request.
#[derive(Debug)]
pub(crate) struct TaskServer {
    client: ArtifactClient,
    workspace: Option<String>,
    work_request: i64,
    debug_log: Option<Arc<DebugLog>>,
}

impl TaskServer {
    /// The server for work request `work_request` of `workspace` (the server's default when
    /// `None`), noting stages and fetched artifacts in `debug_log` when there is one.
    pub(crate) fn new(
        client: ArtifactClient,
        workspace: Option<String>,
        work_request: i64,
        debug_log: Option<Arc<DebugLog>>,
    ) -> Self {
        TaskServer {
            client,
            workspace,
            work_request,
            debug_log,
        }
    }

    fn stage(&self, message: &str) {
        if let Some(log) = &self.debug_log {
            log.stage(message);
        }
    }
}

impl ServerClient for TaskServer {
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, TaskError> {
        ServerClient::request(self.client.api(), method, path, body)
    }

    fn download_artifact(&self, id: ArtifactId, into: &Path) -> Result<FetchedArtifact, TaskError> {
        self.stage(&format!("Fetching input (artifact {id})"));
        let fetched = self.client.download(id, into).map_err(TaskError::other)?;
        if let Some(log) = &self.debug_log {
            log.fetched(id);
        }
        Ok(fetched)
    }

    fn upload_artifact(&self, artifact: &NewArtifact) -> Result<ArtifactId, TaskError> {
        self.stage(&format!("Uploading artifacts ({})", artifact.category));
        self.client
            .upload(artifact, self.workspace.as_deref(), Some(self.work_request))
            .map(|(id, _)| id)
            .map_err(TaskError::other)
    }

    fn relate_artifacts(
        &self,
        artifact: ArtifactId,
        target: ArtifactId,
        relation: RelationType,
    ) -> Result<(), TaskError> {
        self.client
            .relate(artifact, target, relation)
            .map_err(TaskError::other)
    }
}
