//! A value of task data that must not be shown: a token, a password.
//!
//! A field of type `Secret<T>` configures as `T` does (same schema, same checks), but the
//! schema marks it `writeOnly` (a client sends it, nothing echoes it back), `Debug` and
//! serialization write `[redacted]` instead of the value, so the task's logs, its debug-log
//! artifact and anything that prints the task data never hold it. The value is reached only
//! through [`Secret::expose`], which says at the call site that it leaves the box.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What `Debug` and `Serialize` write in place of a secret value.
pub const REDACTED: &str = "[redacted]";

/// A value of task data that is never printed: see the [module](self) docs.
///
/// ```
/// use schemars::JsonSchema;
/// use serde::Deserialize;
/// use taskdef::{Execute, Secret, Task, TaskContext, TaskError};
///
/// /// Upload to a mirror.
/// #[derive(Debug, Deserialize, JsonSchema, Task)]
/// #[serde(deny_unknown_fields)]
/// #[task(version = 1)]
/// pub struct Mirror {
///     /// The mirror's API token.
///     pub token: Secret<String>,
/// }
/// # impl Execute for Mirror {
/// #     fn execute(&self, _: &TaskContext) -> Result<bool, TaskError> { Ok(true) }
/// # }
///
/// let task = Mirror::configure(r#"{"token": "s3cr3t"}"#).unwrap();
/// assert_eq!(task.token.expose(), "s3cr3t");
/// assert_eq!(format!("{task:?}"), r#"Mirror { token: [redacted] }"#);
/// assert_eq!(Mirror::schema()["properties"]["token"]["writeOnly"], true);
/// assert!(Mirror::configure(r#"{"token": 12}"#).is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// The value itself: the one way to it, so that each use is visible in the code.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value, out of the box.
    pub fn into_exposed(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Secret<T> {
        Secret(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret<T>, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

impl<T> Serialize for Secret<T> {
    /// As [`REDACTED`]: task data written back (a log, a report) never holds the value.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<T: JsonSchema> JsonSchema for Secret<T> {
    fn inline_schema() -> bool {
        // `writeOnly` belongs to this field, not to every use of `T`.
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Secret_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = generator.subschema_for::<T>();
        schema.insert("writeOnly".to_owned(), true.into());
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::{REDACTED, Secret};

    #[test]
    fn debug_and_serialization_never_show_the_value() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(
            format!("{:#?}", Some(&secret)),
            format!("Some(\n    {REDACTED},\n)")
        );
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            format!("\"{REDACTED}\"")
        );
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(secret.into_exposed(), "hunter2");
    }

    #[test]
    fn it_reads_as_its_value_does() {
        let secret: Secret<u32> = serde_json::from_str("7").unwrap();
        assert_eq!(*secret.expose(), 7);
        assert!(serde_json::from_str::<Secret<u32>>("\"7\"").is_err());
    }
}
