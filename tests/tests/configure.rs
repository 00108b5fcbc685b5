//! `configure`: schema, then serde, then the task's own rules, with every violation reported.

use serde_json::json;
use taskdef::{Position, Task, TaskConfigError, TaskInput, ViolationKind};
use taskdef_tests::{Component, TestBuildTask, TestNoop};

#[test]
fn accepts_valid_data_from_text_bytes_values_and_yaml() {
    let text = r#"{"host_architecture": "amd64", "build_components": ["any", "source"]}"#;
    let value = serde_json::from_str::<serde_json::Value>(text).unwrap();
    let yaml = "host_architecture: amd64\nbuild_components: [any, source]\n";
    let tasks = [
        TestBuildTask::configure(text).unwrap(),
        TestBuildTask::configure(text.as_bytes()).unwrap(),
        TestBuildTask::configure(&value).unwrap(),
        TestBuildTask::configure(value.clone()).unwrap(),
        TestBuildTask::configure(TaskInput::yaml(yaml)).unwrap(),
    ];
    for task in tasks {
        assert_eq!(task.host_architecture, "amd64");
        assert_eq!(task.build_components, [Component::Any, Component::Source]);
        assert_eq!(task.debug_level, 0, "the default applies");
    }
}

#[test]
fn defaults_fill_missing_fields() {
    let task = TestNoop::configure("{}").unwrap();
    assert!(task.result);
    let task = TestBuildTask::configure(json!({"host_architecture": "i386"})).unwrap();
    assert_eq!(task.build_components, [Component::Any]);
    assert_eq!(task.binnmu, None);
}

#[test]
fn a_missing_required_field_is_named() {
    let error = TestBuildTask::configure("{}").unwrap_err();
    assert_eq!(
        error.message(),
        "(root): \"host_architecture\" is a required property"
    );
    let [violation] = error.violations() else {
        panic!("one violation expected: {error}");
    };
    assert_eq!(
        violation.kind,
        ViolationKind::MissingKey {
            name: "host_architecture".into()
        }
    );
    assert_eq!(violation.pointer, "", "the object that lacks the key");
    assert_eq!(violation.schema_path, "/required");
}

#[test]
fn every_violation_is_collected_with_pointer_and_schema_path() {
    let error = TestBuildTask::configure(json!({
        "host_architecture": 5,
        "debug_level": 4,
        "build_components": ["foo"],
        "extra": 1,
    }))
    .unwrap_err();
    let mut found: Vec<(&str, &str, &str)> = error
        .violations()
        .iter()
        .map(|v| {
            (
                v.pointer.as_str(),
                v.schema_path.as_str(),
                v.message.as_str(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "/build_components/0",
                "/$defs/Component/oneOf",
                "\"foo\" is not one of the permitted values: \"any\", \"all\", \"source\""
            ),
            (
                "/debug_level",
                "/properties/debug_level/maximum",
                "4 is greater than the maximum of 3"
            ),
            (
                "/extra",
                "/additionalProperties",
                "Additional properties are not allowed ('extra' was unexpected)"
            ),
            (
                "/host_architecture",
                "/properties/host_architecture/type",
                "5 is not of type \"string\""
            ),
        ]
    );
    let display = error.to_string();
    assert_eq!(
        display.lines().count(),
        5,
        "summary then one line each:\n{display}"
    );
    assert!(display.contains("(and 3 more)"), "{display}");
}

#[test]
fn strings_are_never_taken_as_booleans() {
    for data in [
        r#"{"result": "True"}"#,
        r#"{"result": "no"}"#,
        r#"{"result": 1}"#,
    ] {
        let error = TestNoop::configure(data).unwrap_err();
        assert_eq!(error.violations()[0].pointer, "/result", "{data}");
        assert_eq!(error.violations()[0].schema_path, "/properties/result/type");
    }
}

#[test]
fn cross_field_rules_run_after_the_schema() {
    let error = TestBuildTask::configure(json!({
        "host_architecture": "amd64",
        "binnmu": "+b1",
        "build_components": ["any", "all"],
    }))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Cannot build architecture-independent packages in a binNMU"
    );
    assert_eq!(error.violations()[0].kind, ViolationKind::Rule);

    let schema_first = TestBuildTask::configure(json!({
        "binnmu": "+b1",
        "build_components": ["all"],
    }))
    .unwrap_err();
    assert_eq!(
        schema_first.violations()[0].kind,
        ViolationKind::MissingKey {
            name: "host_architecture".into()
        },
        "the rule does not run on data the schema rejects"
    );
}

#[test]
fn syntax_errors_have_a_position() {
    let error = TestNoop::configure("{\n  \"result\": true,\n}").unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(violation.kind, ViolationKind::Syntax);
    assert_eq!(violation.message, "invalid JSON: trailing comma");
    assert_eq!(violation.position, Some(Position { line: 3, column: 1 }));

    let error = TestNoop::configure(&b"\xff"[..]).unwrap_err();
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax);

    let error = TestNoop::configure(TaskInput::yaml("result: [")).unwrap_err();
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax);
    assert!(error.message().contains("invalid YAML"), "{error}");
}

#[test]
fn a_top_level_that_is_not_an_object_is_refused() {
    for data in ["[]", "null", "1", "\"x\""] {
        let error = TestNoop::configure(data).unwrap_err();
        assert_eq!(
            error.violations()[0].schema_path,
            "/type",
            "{data}: {error}"
        );
    }
}

#[test]
fn integers_follow_json_schema_not_the_spelling() {
    // JSON Schema counts 1.0 as an integer; so does configure.
    let task = TestBuildTask::configure(r#"{"host_architecture": "amd64", "debug_level": 1.0}"#);
    assert_eq!(task.unwrap().debug_level, 1);
    let error = TestBuildTask::configure(r#"{"host_architecture": "amd64", "debug_level": 1.5}"#)
        .unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(
        violation.kind,
        ViolationKind::Type {
            expected: vec!["integer".into()]
        }
    );
    assert_eq!(violation.pointer, "/debug_level");
    assert_eq!(violation.schema_path, "/properties/debug_level/type");
}

#[test]
fn numbers_beyond_64_bits_are_refused_with_a_pointer() {
    // Beyond u64, the value stays a float, and is out of range.
    let error = TestBuildTask::configure(r#"{"host_architecture": "amd64", "debug_level": 1e30}"#)
        .unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(violation.pointer, "/debug_level");
}

#[test]
fn add_parent_message_prefixes_the_message_like_debusine() {
    let mut error = TaskConfigError::rule(
        "/input",
        "One of source_artifact or binary_artifacts must be set",
    );
    error.add_parent_message("input");
    assert_eq!(
        error.to_string(),
        "input: One of source_artifact or binary_artifacts must be set"
    );
    assert_eq!(
        error.violations()[0].pointer,
        "/input",
        "violations are kept as they were"
    );
}

#[test]
fn merged_errors_keep_every_violation() {
    let mut error = TaskConfigError::rule("/a", "first");
    error.merge(TaskConfigError::rule("/b", "second"));
    assert_eq!(error.violations().len(), 2);
    assert_eq!(
        error.to_string(),
        "/a: first (and 1 more)\n  - /a: first\n  - /b: second"
    );
}

#[test]
fn the_schema_is_draft_2020_12_with_the_doc_comments() {
    let schema = TestBuildTask::schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["description"], TestBuildTask::DESCRIPTION);
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        schema["properties"]["host_architecture"]["description"],
        "Architecture to build for."
    );
    assert_eq!(schema["required"], json!(["host_architecture"]));
    assert!(
        std::ptr::eq(schema, TestBuildTask::schema()),
        "the schema is built once and cached"
    );
}

#[test]
fn formats_are_asserted() {
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1, name = "formatted")]
    struct Formatted {
        #[schemars(extend("format" = "date-time"))]
        when: String,
    }
    impl taskdef::Execute for Formatted {
        fn execute(&self, _: &taskdef::TaskContext) -> Result<bool, taskdef::TaskError> {
            Ok(!self.when.is_empty())
        }
    }
    assert!(Formatted::configure(r#"{"when": "2024-05-01T12:00:00Z"}"#).is_ok());
    let error = Formatted::configure(r#"{"when": "yesterday"}"#).unwrap_err();
    assert_eq!(error.violations()[0].schema_path, "/properties/when/format");
}

#[test]
fn integer_schemas_carry_the_bounds_of_their_rust_type() {
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1, name = "bounded")]
    struct Bounded {
        small: u16,
        #[schemars(range(min = 10))]
        signed: i8,
    }
    impl taskdef::Execute for Bounded {
        fn execute(&self, _: &taskdef::TaskContext) -> Result<bool, taskdef::TaskError> {
            Ok(self.small > 0 && self.signed > 0)
        }
    }
    let properties = &Bounded::schema()["properties"];
    assert_eq!(properties["small"]["minimum"], 0);
    assert_eq!(properties["small"]["maximum"], 65535);
    assert_eq!(
        properties["signed"]["minimum"], 10,
        "a tighter bound is kept"
    );
    assert_eq!(properties["signed"]["maximum"], 127);

    let error = Bounded::configure(r#"{"small": 65536, "signed": 10}"#).unwrap_err();
    assert_eq!(
        error.violations()[0].kind,
        ViolationKind::Range {
            keyword: "maximum".into(),
            limit: json!(65535)
        }
    );
    assert_eq!(
        error.violations()[0].schema_path,
        "/properties/small/maximum"
    );
    assert!(Bounded::configure(r#"{"small": 65535, "signed": 127}"#).is_ok());
}

#[test]
fn schemas_can_declare_the_message_of_a_keyword() {
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1, name = "worded")]
    struct Worded {
        #[schemars(
            regex(pattern = "^[a-z]+$"),
            extend("x-error-messages" = {"pattern": "Invalid suite {instance}"})
        )]
        suite: String,
        #[schemars(
            inner(range(max = 9)),
            extend("x-error-messages" = {"items/maximum": "{instance} is too big"})
        )]
        digits: Vec<u8>,
    }
    impl taskdef::Execute for Worded {
        fn execute(&self, _: &taskdef::TaskContext) -> Result<bool, taskdef::TaskError> {
            Ok(!self.suite.is_empty() && self.digits.is_empty())
        }
    }
    let error = Worded::configure(r#"{"suite": "B@D", "digits": [1, 12]}"#).unwrap_err();
    let mut messages: Vec<(&str, &str)> = error
        .violations()
        .iter()
        .map(|v| (v.pointer.as_str(), v.message.as_str()))
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            ("/digits/1", "12 is too big"),
            ("/suite", "Invalid suite B@D")
        ]
    );
}

#[test]
fn serde_errors_after_the_schema_say_where() {
    /// A string that serde refuses when empty, while its schema says only "string".
    #[derive(Debug)]
    struct NonEmpty(String);
    impl<'de> serde::Deserialize<'de> for NonEmpty {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = String::deserialize(d)?;
            if text.is_empty() {
                return Err(serde::de::Error::custom("may not be empty"));
            }
            Ok(NonEmpty(text))
        }
    }
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
    struct Item {
        #[schemars(with = "String")]
        value: NonEmpty,
    }
    #[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
    #[serde(deny_unknown_fields)]
    #[task(version = 1, name = "lenient")]
    struct Lenient {
        items: Vec<Item>,
    }
    impl taskdef::Execute for Lenient {
        fn execute(&self, _: &taskdef::TaskContext) -> Result<bool, taskdef::TaskError> {
            Ok(self.items.iter().all(|item| !item.value.0.is_empty()))
        }
    }
    let error = Lenient::configure(r#"{"items": [{"value": "a"}, {"value": ""}]}"#).unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(violation.kind, ViolationKind::Deserialize);
    assert_eq!(violation.pointer, "/items/1/value");
    assert_eq!(violation.message, "may not be empty");
    assert!(Lenient::configure(r#"{"items": [{"value": "a"}]}"#).is_ok());
}

/// A task whose schema has every kind of keyword a violation can name.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema, taskdef::Task)]
#[task(version = 1, name = "shaped")]
#[serde(deny_unknown_fields)]
struct Shaped {
    #[schemars(regex(pattern = r"^[a-z]+$"))]
    suite: String,
    input: ShapedInput,
    #[serde(default)]
    limit: Option<Limit>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ShapedInput {
    source: u32,
}

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum Limit {
    Count(u32),
    Name(String),
}

impl taskdef::Execute for Shaped {
    fn execute(&self, _: &taskdef::TaskContext) -> Result<bool, taskdef::TaskError> {
        Ok(self.input.source > 0 && !self.suite.is_empty() && self.limit.is_some())
    }
}

/// The violations of `Shaped` for `data`, as (kind, pointer), in the order found.
fn shaped_violations(data: serde_json::Value) -> Vec<(ViolationKind, String)> {
    Shaped::configure(data)
        .unwrap_err()
        .violations()
        .iter()
        .map(|violation| (violation.kind.clone(), violation.pointer.clone()))
        .collect()
}

#[test]
fn an_unknown_key_is_named_and_pointed_at_itself() {
    let mut found = shaped_violations(json!({
        "suite": "bookworm",
        "input": {"source": 1, "extra/key": 2, "other": 3},
        "simulat": true,
    }));
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        [
            (
                ViolationKind::UnknownKey {
                    name: "extra/key".into()
                },
                "/input/extra~1key".into()
            ),
            (
                ViolationKind::UnknownKey {
                    name: "other".into()
                },
                "/input/other".into()
            ),
            (
                ViolationKind::UnknownKey {
                    name: "simulat".into()
                },
                "/simulat".into()
            ),
        ],
        "one violation per key, each at the key's own pointer"
    );
}

#[test]
fn a_missing_key_is_named_at_the_object_that_lacks_it() {
    let found = shaped_violations(json!({"suite": "sid", "input": {}}));
    assert_eq!(
        found,
        [(
            ViolationKind::MissingKey {
                name: "source".into()
            },
            "/input".into()
        )]
    );
}

#[test]
fn pattern_range_and_type_carry_their_data() {
    let mut found = shaped_violations(json!({"suite": "Sid!", "input": {"source": -1}}));
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        [
            (
                ViolationKind::Range {
                    keyword: "minimum".into(),
                    limit: json!(0)
                },
                "/input/source".into()
            ),
            (
                ViolationKind::Pattern {
                    pattern: "^[a-z]+$".into()
                },
                "/suite".into()
            ),
        ]
    );
    let found = shaped_violations(json!({"suite": 4, "input": {"source": 1}}));
    assert_eq!(
        found,
        [(
            ViolationKind::Type {
                expected: vec!["string".into()]
            },
            "/suite".into()
        )]
    );
}

#[test]
fn enum_violations_list_the_permitted_values() {
    let error = TestBuildTask::configure(json!({
        "host_architecture": "amd64",
        "build_components": ["foo"],
    }))
    .unwrap_err();
    let violation = &error.violations()[0];
    assert_eq!(
        violation.kind,
        ViolationKind::Enum {
            allowed: vec![json!("any"), json!("all"), json!("source")]
        }
    );
    assert_eq!(violation.pointer, "/build_components/0");
}

#[test]
fn an_any_of_mismatch_says_what_was_expected() {
    let error = Shaped::configure(json!({"suite": "sid", "input": {"source": 1}, "limit": true}))
        .unwrap_err();
    let [violation] = error.violations() else {
        panic!("one violation expected: {error}");
    };
    assert_eq!(violation.pointer, "/limit");
    assert_eq!(
        violation.kind,
        ViolationKind::Schema {
            keyword: "anyOf".into()
        }
    );
    assert_eq!(
        violation.message,
        "true matches none of the alternatives: an integer, a string, null"
    );
    let task = Shaped::configure(json!({"suite": "sid", "input": {"source": 1}, "limit": "x"}));
    assert_eq!(task.unwrap().limit, Some(Limit::Name("x".into())));
}
