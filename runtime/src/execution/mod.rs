//! What a running task works with: its context, the dynamic data the server computed for it, the
//! one-way abort, external commands, and the errors it returns. Nothing here knows about task types; running one is in [`crate::task`].

mod abort;
mod artifact;
mod command;
mod context;
mod dynamic_data;
mod error;
mod outcome;

pub use abort::AbortHandle;
pub use artifact::{
    ArtifactFile, ArtifactId, FetchedArtifact, NewArtifact, RecordedArtifacts, RelationType,
    files_under,
};
pub use command::{CommandLine, CommandRunner, CommandStatus, ProcessRunner};
pub use context::{ServerClient, TaskContext};
pub use dynamic_data::{AnyDynamicData, BaseDynamicData};
pub use error::TaskError;
pub use outcome::{Outcome, UnknownOutcome};
