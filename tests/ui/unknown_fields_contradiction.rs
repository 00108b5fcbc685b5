// `allow_unknown_fields` next to `deny_unknown_fields`, and with a value it does not take.
use schemars::JsonSchema;
use serde::Deserialize;
use taskdef::Task;

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[serde(deny_unknown_fields)]
#[task(version = 1, allow_unknown_fields)]
pub struct Both {}

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[task(version = 1, allow_unknown_fields = true)]
pub struct Valued {}

#[derive(Debug, Deserialize, JsonSchema, Task)]
#[task(version = 1, allow_unknown_fields, allow_unknown_fields)]
pub struct Twice {}

fn main() {}
