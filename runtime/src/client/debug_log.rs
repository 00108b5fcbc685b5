//! The debug logs of a work request, as Debian's worker keeps them: a directory of log files
//! (`stages.log`, the commands' `cmd-output.log`, `execution.log` when the task erred)
//! uploaded as one `debusine:work-request-debug-logs` artifact before the completion is
//! reported, related to every artifact the task fetched (`relates-to`).
//!
//! As in Debian's worker, every task that executes gets the artifact, and `stages.log` is
//! dropped when the task succeeded (it is for failures), so that a successful noop uploads an
//! artifact without files. Where Debian's worker reports `error` when the upload fails, losing
//! the task's result, this one logs the failure and reports the result.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::json;

use super::artifacts::{ArtifactClient, ArtifactError};
use super::clock::iso_utc;
use super::live_log::LiveLog;
use super::work_request::{Completion, Outcome};
use crate::execution::{ArtifactId, NewArtifact, RelationType};

/// Debusine's category of the artifact.
pub(crate) const CATEGORY: &str = "debusine:work-request-debug-logs";

/// The file stages are logged in, one `<ISO 8601 UTC time> <stage>` line each.
const STAGES: &str = "stages.log";

/// The file each command's output goes to (Debian's `RunCommandTask.CMD_LOG_FILENAME`).
const COMMANDS: &str = "cmd-output.log";

/// The file an error of the task is described in (Debian's `<stage>.log` of an exception).
const EXECUTION: &str = "execution.log";

/// A work request's debug-log directory, filled while its task runs.
#[derive(Debug)]
pub(crate) struct DebugLog {
    dir: PathBuf,
    fetched: Mutex<Vec<ArtifactId>>,
    /// Where each stage is announced as it begins (Debusine 0.16's live log).
    live: Option<LiveLog>,
}

impl DebugLog {
    /// A fresh directory `dir` (emptied if it exists).
    pub(crate) fn create(dir: &Path) -> io::Result<Self> {
        match fs::remove_dir_all(dir) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        fs::create_dir_all(dir)?;
        Ok(DebugLog {
            dir: dir.to_owned(),
            fetched: Mutex::default(),
            live: None,
        })
    }

    /// Announces each stage in `live` too, as Debian's 0.16 worker does (stream `internal`).
    pub(crate) fn with_live(mut self, live: Option<LiveLog>) -> Self {
        self.live = live;
        self
    }

    /// The file the task's commands write their output to.
    pub(crate) fn command_log(&self) -> PathBuf {
        self.dir.join(COMMANDS)
    }

    /// Appends `<now> <message>` to `stages.log`, as Debian's `log_stage` does; a failure to
    /// write loses only the line.
    pub(crate) fn stage(&self, message: &str) {
        if let Some(live) = &self.live {
            live.stage(message);
        }
        let line = format!("{} {message}\n", iso_utc(SystemTime::now()));
        let written = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(STAGES))
            .and_then(|mut file| file.write_all(line.as_bytes()));
        if let Err(error) = written {
            tracing::warn!("cannot write {STAGES}: {error}");
        }
    }

    /// Notes that the task fetched artifact `id`: the debug logs will relate to it.
    pub(crate) fn fetched(&self, id: ArtifactId) {
        let mut fetched = self.fetched.lock().unwrap_or_else(PoisonError::into_inner);
        if !fetched.contains(&id) {
            fetched.push(id);
        }
    }

    /// Describes the task's error in `execution.log`.
    pub(crate) fn error(&self, code: &str, message: &str) {
        let text = format!("Error code: {code}\nMessage: {message}\n");
        if let Err(error) = fs::write(self.dir.join(EXECUTION), text) {
            tracing::warn!("cannot write {EXECUTION}: {error}");
        }
    }

    /// The artifact to upload once the task ended (`success`: `stages.log` is dropped).
    fn artifact(&self, success: bool) -> io::Result<NewArtifact> {
        if success {
            match fs::remove_file(self.dir.join(STAGES)) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
                _ => {}
            }
        }
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names
            .into_iter()
            .fold(NewArtifact::new(CATEGORY, json!({})), |artifact, name| {
                let path = self.dir.join(&name);
                artifact.with_file(name, path)
            }))
    }

    /// Uploads the debug logs of the task (which ended with `success` or not) as work request
    /// `work_request` of `workspace`, and relates them to what the task fetched. Returns the
    /// artifact's id. The directory goes when the log is dropped.
    pub(crate) fn upload(
        &self,
        client: &ArtifactClient,
        workspace: Option<&str>,
        work_request: i64,
        success: bool,
    ) -> Result<ArtifactId, ArtifactError> {
        let artifact = self
            .artifact(success)
            .map_err(|source| ArtifactError::Local {
                action: "reading the debug logs in",
                path: self.dir.clone(),
                source,
            })?;
        let (id, _) = client.upload(&artifact, workspace, Some(work_request))?;
        let fetched = self
            .fetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for source in fetched {
            client.relate(id, source, RelationType::RelatesTo)?;
        }
        Ok(id)
    }
}

/// Ends the debug logs of a task that ended with `completion` and uploads them, before the
/// completion is reported. A failed upload is logged and the result reported anyway.
pub(crate) fn finish(
    log: &DebugLog,
    client: &ArtifactClient,
    workspace: Option<&str>,
    work_request: i64,
    completion: &Completion,
) {
    if let Outcome::Error(error) = &completion.outcome {
        log.error(error.code.as_str(), &error.message);
    }
    log.stage("Cleaning up");
    let success = completion.outcome.is_success();
    match log.upload(client, workspace, work_request, success) {
        Ok(id) => tracing::info!(artifact = id, "uploaded the debug logs"),
        Err(error) => tracing::error!(
            result = completion.result(),
            "cannot upload the debug logs: {error}; reporting the result without them"
        ),
    }
}

impl Drop for DebugLog {
    fn drop(&mut self) {
        if let Err(error) = fs::remove_dir_all(&self.dir)
            && error.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove `{}`: {error}", self.dir.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_kept_for_a_failure_and_dropped_for_a_success() {
        let dir = std::env::temp_dir().join(format!("taskdef-debug-log-{}", std::process::id()));
        let log = DebugLog::create(&dir).unwrap();
        log.stage("Running");
        fs::write(log.command_log(), "cmd: true\n").unwrap();
        let failed = log.artifact(false).unwrap();
        assert_eq!(failed.category, CATEGORY);
        let names: Vec<&str> = failed.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["cmd-output.log", "stages.log"]);
        let stages = fs::read_to_string(dir.join(STAGES)).unwrap();
        let (time, stage) = stages.trim_end().split_once(' ').unwrap();
        assert_eq!(stage, "Running");
        assert!(time.ends_with("+00:00") && time.len() == 32, "{time}");
        let succeeded = log.artifact(true).unwrap();
        let names: Vec<&str> = succeeded.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["cmd-output.log"]);
        drop(log);
        assert!(!dir.exists());
    }
}
