//! The worker tasks of Debusine's catalogue, one module each.

pub mod autopkgtest;
pub mod blhc;
pub mod debdiff;
pub mod lintian;
pub mod makesourcepackageupload;
pub mod mmdebstrap;
pub mod noop;
pub mod piuparts;
pub mod sbuild;
pub mod simplesystemimagebuild;

pub use autopkgtest::Autopkgtest;
pub use blhc::Blhc;
pub use debdiff::Debdiff;
pub use lintian::Lintian;
pub use makesourcepackageupload::MakeSourcePackageUpload;
pub use mmdebstrap::Mmdebstrap;
pub use noop::{Noop, NoopResult};
pub use piuparts::Piuparts;
pub use sbuild::Sbuild;
pub use simplesystemimagebuild::SimpleSystemImageBuild;
