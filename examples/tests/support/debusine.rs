//! Real Debusine servers and `taskdef worker` processes for the end-to-end tests: each server is
//! started by `tests/debusine/server` once per test binary, on its own state directory (reused
//! when it is up): Debian stable's (trixie, 0.11.3; `TASKDEF_DEBUSINE_STATE_DIR`) and sid's
//! (0.16.2; `TASKDEF_DEBUSINE_SID_STATE_DIR`). Without a server the tests fail, naming the
//! script: they never skip.
//!
//! Split by what it holds: [`server`] (the servers and calls to them), [`worker`] (`taskdef
//! worker` processes) and [`fakes`] (stand-in tools and task data). A test includes this file
//! and reaches all three through it.

#[path = "debusine/fakes.rs"]
mod fakes;
#[path = "debusine/server.rs"]
mod server;
#[path = "debusine/worker.rs"]
mod worker;

// Each test uses a part of them.
#[allow(unused_imports)]
pub use fakes::*;
#[allow(unused_imports)]
pub use server::*;
#[allow(unused_imports)]
pub use worker::*;
