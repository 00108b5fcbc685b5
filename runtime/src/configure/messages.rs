//! The messages of schema violations: those a schema declares under `x-error-messages`, and
//! schemars' enums of `const`s named by their values.

use serde_json::Value;

use crate::schema::const_values;

/// The schema keyword holding messages for other keywords; see `declared_message`.
pub const ERROR_MESSAGES: &str = "x-error-messages";

/// The message a schema declares for a keyword, under `x-error-messages` beside it
/// (`{"pattern": "...", "x-error-messages": {"pattern": "Invalid suite {instance}"}}`) or in
/// an enclosing schema, keyed by the path below it (`{"items/pattern": "..."}`). In the
/// message, `{instance}` is the offending value (a string without its quotes).
///
/// This is how a task keeps Debusine's wording for errors that its schema, not a rule, finds.
pub(super) fn declared_message(
    schema: &Value,
    schema_path: &str,
    instance: &Value,
) -> Option<String> {
    let mut split = schema_path.len();
    // The keyword's own schema, then up to two enclosing levels.
    for _ in 0..3 {
        split = schema_path[..split].rfind('/')?;
        let (parent, relative) = (&schema_path[..split], &schema_path[split + 1..]);
        let template = schema
            .pointer(parent)
            .and_then(|schema| schema.get(ERROR_MESSAGES)?.get(relative)?.as_str());
        if let Some(template) = template {
            let instance = match instance {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            return Some(template.replace("{instance}", &instance));
        }
    }
    None
}

/// schemars writes documented enums as a `oneOf` of `const`s, for which the validator says
/// only "not valid under any of the schemas"; name the accepted values instead.
pub(super) fn explain_choice(
    schema: &Value,
    schema_path: &str,
    instance: &Value,
) -> Option<String> {
    if !schema_path.ends_with("/oneOf") && !schema_path.ends_with("/anyOf") {
        return None;
    }
    let choices = schema.pointer(schema_path)?.as_array()?;
    let values: Vec<String> = const_values(choices)?
        .into_iter()
        .map(Value::to_string)
        .collect();
    Some(format!(
        "{instance} is not one of the permitted values: {}",
        values.join(", ")
    ))
}
