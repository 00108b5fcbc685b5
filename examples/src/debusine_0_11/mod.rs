//! The task data of Debusine 0.11 (trixie's 0.11.3), where it differs from 0.16's.
//!
//! One struct per task (a "release form"), field for field Debusine 0.11.3's pydantic model,
//! and its conversion into the task's own struct (Debusine 0.16's data), which `execute` is
//! written against. The same for dynamic data where it differs.
//!
//! Shared by every 0.11 form: `task_configuration` defaults to null (0.16's default is
//! `default@debusine:task-configuration`).

pub mod blhc;
pub mod debdiff;
pub mod makesourcepackageupload;
pub mod mmdebstrap;
pub mod noop;
pub mod simplesystemimagebuild;

pub use blhc::{Blhc, BlhcDynamicData};
pub use debdiff::{Debdiff, DebdiffDynamicData};
pub use makesourcepackageupload::MakeSourcePackageUpload;
pub use mmdebstrap::Mmdebstrap;
pub use noop::Noop;
pub use simplesystemimagebuild::SimpleSystemImageBuild;
