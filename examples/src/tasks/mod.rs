//! The worker tasks of Debusine's catalogue, one module each.

pub mod assemblesignedsource;
pub mod autopkgtest;
pub mod blhc;
pub mod debdiff;
pub mod extractforsigning;
pub mod lintian;
pub mod makesourcepackageupload;
pub mod mergeuploads;
pub mod mmdebstrap;
pub mod noop;
pub mod piuparts;
pub mod sbuild;
pub mod simplesystemimagebuild;

pub use assemblesignedsource::AssembleSignedSource;
pub use autopkgtest::Autopkgtest;
pub use blhc::Blhc;
pub use debdiff::Debdiff;
pub use extractforsigning::ExtractForSigning;
pub use lintian::Lintian;
pub use makesourcepackageupload::MakeSourcePackageUpload;
pub use mergeuploads::MergeUploads;
pub use mmdebstrap::Mmdebstrap;
pub use noop::{Noop, NoopResult};
pub use piuparts::Piuparts;
pub use sbuild::Sbuild;
pub use simplesystemimagebuild::SimpleSystemImageBuild;
