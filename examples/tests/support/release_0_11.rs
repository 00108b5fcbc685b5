//! Task data of Debusine 0.11 configured through the catalogue's 0.11 forms
//! (`taskdef_examples::debusine_0_11`): the form's schema, serde, the conversion into the
//! task's own struct, then the task's rules.
// TODO(releases): `Registry::configure_in(task, "0.11", data)` once the lead's framework lands;
// then this file goes.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;
use taskdef::{Execute, TaskConfigError};
use taskdef_examples::debusine_0_11 as old;
use taskdef_examples::tasks;

fn through<Old, New>(
    data: &Value,
    convert: fn(Old) -> Result<New, TaskConfigError>,
) -> Result<(), TaskConfigError>
where
    Old: DeserializeOwned + JsonSchema,
    New: Execute,
{
    let violations = taskdef::__private::CompiledSchema::new::<Old>().violations(data);
    if !violations.is_empty() {
        return Err(TaskConfigError::from_violations(violations));
    }
    let old: Old = serde_json::from_value(data.clone())
        .map_err(|error| TaskConfigError::rule("", error.to_string()))?;
    convert(old)?.validate()
}

/// `data` configured as the 0.11 form of `task`; `None` when the task has none here.
pub fn configure_0_11(task: &str, data: &Value) -> Option<Result<(), TaskConfigError>> {
    Some(match task {
        "noop" => through::<old::Noop, tasks::Noop>(data, |old| Ok(old.into())),
        "blhc" => through::<old::Blhc, tasks::Blhc>(data, |old| Ok(old.into())),
        "debdiff" => through::<old::Debdiff, tasks::Debdiff>(data, TryFrom::try_from),
        "makesourcepackageupload" => through::<
            old::MakeSourcePackageUpload,
            tasks::MakeSourcePackageUpload,
        >(data, |old| Ok(old.into())),
        "mmdebstrap" => through::<old::Mmdebstrap, tasks::Mmdebstrap>(data, |old| Ok(old.into())),
        "simplesystemimagebuild" => through::<
            old::SimpleSystemImageBuild,
            tasks::SimpleSystemImageBuild,
        >(data, |old| Ok(old.into())),
        _ => return None,
    })
}
