//! The task data of Debusine 0.11 (trixie's `python3-debusine` 0.11.3), for the tasks whose
//! data differs from Debusine 0.16's: one struct per task, field for field as 0.11's
//! `debusine/tasks/models.py` has it, converted into the catalogue's (0.16) struct, which
//! `execute` is written against.

pub mod assemblesignedsource;
pub mod extractforsigning;
pub mod mergeuploads;

pub use assemblesignedsource::{AssembleSignedSource, AssembleSignedSourceDynamicData};
pub use extractforsigning::ExtractForSigning;
pub use mergeuploads::{MergeUploads, MergeUploadsDynamicData};
