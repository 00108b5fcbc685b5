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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::api::Api;
    use crate::client::config::Token;
    use crate::client::test_server::serve;
    use crate::execution::TaskContext;

    fn context(url: &str, work: &Path) -> TaskContext {
        let api = Api::new(url, Some(Token::new("s3cr3t"))).unwrap();
        let server = TaskServer::new(ArtifactClient::new(api), Some("System".into()), 42, None);
        TaskContext::new("test", work).with_server(Arc::new(server))
    }

    fn artifact(id: u64, name: &str, sha256: &str) -> String {
        serde_json::json!({"id": id, "workspace": "System", "category": "debusine:test",
            "data": {}, "files": {name: {"size": 3, "type": "file",
                "checksums": {"sha256": sha256},
                "url": format!("http://elsewhere.example/debusine/System/artifact/{id}/download/{name}")}}})
        .to_string()
    }

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("taskdef-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("work")).unwrap();
        dir
    }

    #[test]
    fn a_path_with_dotdot_from_the_server_is_refused_and_nothing_is_written() {
        let dir = scratch("dotdot");
        let (url, requests) = serve(vec![(200, artifact(5, "../../escape", ABC))]);
        let error = context(&url, &dir.join("work"))
            .fetch_artifact(5)
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("file path `../../escape` is refused"),
            "{message}"
        );
        assert!(message.contains("`..`"), "{message}");
        assert!(!dir.join("work/artifacts/5").exists());
        assert!(!dir.join("escape").exists() && !dir.join("work/escape").exists());
        let received = requests.recv().unwrap();
        assert_eq!(received.line, "GET /api/1.0/artifact/5/ HTTP/1.1");
        assert_eq!(received.token, "s3cr3t");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_does_not_match_its_sha256_is_refused_and_removed() {
        let dir = scratch("mismatch");
        let (url, requests) = serve(vec![
            (200, artifact(6, "a.txt", ABC)),
            (200, "abd".to_owned()),
        ]);
        let error = context(&url, &dir.join("work"))
            .fetch_artifact(6)
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("file `a.txt`: sha256 mismatch"),
            "{message}"
        );
        assert!(message.contains(ABC), "{message}");
        assert!(!message.contains("s3cr3t"));
        let left: Vec<_> = std::fs::read_dir(dir.join("work/artifacts/6"))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let _ = requests.recv().unwrap();
        // The file is fetched from the API's host, whatever host the URL names.
        let received = requests.recv().unwrap();
        assert_eq!(
            received.line,
            "GET /debusine/System/artifact/6/download/a.txt HTTP/1.1"
        );
        assert_eq!(received.token, "s3cr3t");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
