// `crate = ...` must be a path to the taskdef crate.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::Task;

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, crate = 1)]
pub struct Number {}

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, crate = "not a path")]
pub struct Words {}

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, crate = framework::taskdef::<u8>)]
pub struct Generic {}

fn main() {}
