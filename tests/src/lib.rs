//! Small tasks used by taskdef's integration tests.
