//! One small pair of schemas per class of change.

use serde_json::{Value, json};

use super::*;

fn object(properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
        "required": required,
    })
}

/// The changes as (pointer, class, what).
fn classes(old: Value, new: Value) -> Vec<(String, Class, What)> {
    compare(&old, &new)
        .into_iter()
        .map(|change| (change.pointer, change.class, change.what))
        .collect()
}

fn one(pointer: &str, class: Class, what: What) -> Vec<(String, Class, What)> {
    vec![(pointer.to_owned(), class, what)]
}

#[test]
fn the_same_schema_has_no_change() {
    let schema = object(json!({"a": {"type": "string"}}), &["a"]);
    assert_eq!(compare(&schema, &schema), []);
}

#[test]
fn a_new_optional_key_with_a_default_is_compatible() {
    let old = object(json!({"a": {"type": "string"}}), &["a"]);
    let new = object(
        json!({"a": {"type": "string"}, "b": {"type": "integer", "default": 3}}),
        &["a"],
    );
    let changes = compare(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].pointer, "/b");
    assert_eq!(changes[0].class, Class::Compatible);
    assert_eq!(changes[0].what, What::KeyAdded);
    assert!(
        changes[0].detail.contains("default `3`"),
        "{}",
        changes[0].detail
    );
}

#[test]
fn a_new_key_where_other_keys_were_accepted_must_accept_what_they_could_be() {
    let old = json!({"type": "object", "properties": {}});
    let new = json!({"type": "object", "properties": {"b": {"type": "integer"}}});
    assert_eq!(
        classes(old, new),
        [
            ("/b".to_owned(), Class::Compatible, What::KeyAdded),
            ("/b".to_owned(), Class::Breaking, What::TypeNarrowed),
        ]
    );
}

#[test]
fn a_new_required_key_is_breaking() {
    let old = object(json!({"a": {"type": "string"}}), &["a"]);
    let new = object(
        json!({"a": {"type": "string"}, "b": {"type": "string"}}),
        &["a", "b"],
    );
    assert_eq!(
        classes(old, new),
        one("/b", Class::Breaking, What::NowRequired)
    );
}

#[test]
fn a_removed_or_renamed_key_is_breaking() {
    let old = object(
        json!({"environment_id": {"type": "integer"}}),
        &["environment_id"],
    );
    let new = object(
        json!({"environment": {"type": "integer"}}),
        &["environment"],
    );
    assert_eq!(
        classes(old, new),
        [
            (
                "/environment_id".to_owned(),
                Class::Breaking,
                What::KeyRemoved
            ),
            (
                "/environment".to_owned(),
                Class::Breaking,
                What::NowRequired
            ),
        ]
    );
}

#[test]
fn a_key_made_optional_is_compatible_and_made_required_is_breaking() {
    let optional = object(json!({"a": {"type": "string"}}), &[]);
    let required = object(json!({"a": {"type": "string"}}), &["a"]);
    assert_eq!(
        classes(required.clone(), optional.clone()),
        one("/a", Class::Compatible, What::NoLongerRequired)
    );
    assert_eq!(
        classes(optional, required),
        one("/a", Class::Breaking, What::NowRequired)
    );
}

#[test]
fn a_narrowed_type_is_breaking_and_a_widened_one_compatible() {
    let number = json!({"type": "number"});
    let integer = json!({"type": "integer"});
    assert_eq!(
        classes(number.clone(), integer.clone()),
        one("", Class::Breaking, What::TypeNarrowed)
    );
    assert_eq!(classes(integer, number), []);
    assert_eq!(
        classes(
            json!({"type": "string"}),
            json!({"type": ["string", "integer"]})
        ),
        one("", Class::Compatible, What::TypeWidened)
    );
}

#[test]
fn a_new_any_of_alternative_is_compatible() {
    let old = json!({"$defs": {"A": {"type": "integer"}}, "anyOf": [{"$ref": "#/$defs/A"}]});
    let new = json!({
        "$defs": {"A": {"type": "integer"}},
        "anyOf": [{"$ref": "#/$defs/A"}, {"type": "string"}]
    });
    assert_eq!(
        classes(old, new),
        one("", Class::Compatible, What::TypeWidened)
    );
}

#[test]
fn null_refused_is_breaking_in_both_nullable_forms() {
    let as_type = json!({"type": ["string", "null"], "default": null});
    let as_any_of = json!({"anyOf": [{"type": "string"}, {"type": "null"}], "default": null});
    let not_null = json!({"type": "string", "default": null});
    for nullable in [&as_type, &as_any_of] {
        assert_eq!(
            classes(nullable.clone(), not_null.clone()),
            one("", Class::Breaking, What::NullRefused)
        );
        assert_eq!(
            classes(not_null.clone(), nullable.clone()),
            one("", Class::Compatible, What::NullAccepted)
        );
    }
    // The two forms accept the same values: no change.
    assert_eq!(compare(&as_type, &as_any_of), []);
}

#[test]
fn a_narrowed_enum_is_breaking_and_a_new_value_compatible() {
    let old = json!({"type": "string", "enum": ["a", "b"]});
    let narrowed = json!({"type": "string", "enum": ["a"]});
    let widened = json!({"type": "string", "enum": ["a", "b", "c"]});
    assert_eq!(
        classes(old.clone(), narrowed),
        one("", Class::Breaking, What::ValuesRemoved)
    );
    assert_eq!(
        classes(old, widened),
        one("", Class::Compatible, What::ValuesAdded)
    );
}

#[test]
fn ranges_lengths_and_item_counts_tightened_or_relaxed() {
    let pairs = [
        (
            json!({"type": "integer", "minimum": 0}),
            json!({"type": "integer", "minimum": 1}),
        ),
        (
            json!({"type": "integer", "maximum": 10}),
            json!({"type": "integer", "exclusiveMaximum": 10}),
        ),
        (
            json!({"type": "string"}),
            json!({"type": "string", "maxLength": 5}),
        ),
        (
            json!({"type": "array"}),
            json!({"type": "array", "minItems": 1}),
        ),
        (
            json!({"type": "array"}),
            json!({"type": "array", "uniqueItems": true}),
        ),
        (
            json!({"type": "string"}),
            json!({"type": "string", "pattern": "^a"}),
        ),
        (
            json!({"type": "string"}),
            json!({"type": "string", "format": "date-time"}),
        ),
        (
            json!({"type": "integer"}),
            json!({"type": "integer", "multipleOf": 2}),
        ),
    ];
    for (loose, tight) in pairs {
        assert_eq!(
            classes(loose.clone(), tight.clone()),
            one("", Class::Breaking, What::ConstraintTightened),
            "{loose} -> {tight}"
        );
        assert_eq!(
            classes(tight.clone(), loose.clone()),
            one("", Class::Compatible, What::ConstraintRelaxed),
            "{tight} -> {loose}"
        );
    }
}

#[test]
fn a_changed_pattern_is_undecidable_and_counts_as_breaking() {
    let changes = compare(
        &json!({"type": "string", "pattern": "^a"}),
        &json!({"type": "string", "pattern": "^(a|b)"}),
    );
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].class, Class::Undecidable);
    assert!(changes[0].class.needs_new_version());
}

#[test]
fn a_changed_default_is_breaking_where_the_key_may_be_left_out() {
    let old = object(json!({"a": {"type": "string", "default": "x"}}), &[]);
    let new = object(json!({"a": {"type": "string", "default": "y"}}), &[]);
    assert_eq!(
        classes(old, new),
        one("/a", Class::Breaking, What::DefaultChanged)
    );
}

#[test]
fn documentation_only_is_compatible() {
    let old = object(
        json!({"a": {"type": "string", "description": "old"}}),
        &["a"],
    );
    let new = object(
        json!({"a": {"type": "string", "description": "new"}}),
        &["a"],
    );
    assert_eq!(
        classes(old, new),
        one("/a", Class::Compatible, What::Documentation)
    );
}

#[test]
fn changes_inside_definitions_and_items_are_found_through_refs() {
    let old = json!({
        "$defs": {"Repo": {"type": "object", "properties": {"url": {"type": "string"}}}},
        "type": "object",
        "properties": {"repos": {"type": "array", "items": {"$ref": "#/$defs/Repo"}}}
    });
    let mut new = old.clone();
    new["$defs"]["Repo"]["properties"]["url"]["minLength"] = json!(1);
    assert_eq!(
        classes(old, new),
        one("/repos/*/url", Class::Breaking, What::ConstraintTightened)
    );
}

#[test]
fn a_recursive_definition_is_walked_once() {
    let schema = |leaf: &str| {
        json!({
            "$defs": {"Tree": {"type": "object", "properties": {
                "leaf": {"type": leaf},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
            }}},
            "$ref": "#/$defs/Tree"
        })
    };
    assert_eq!(classes(schema("integer"), schema("number")), []);
    assert_eq!(
        classes(schema("number"), schema("integer")),
        one("/leaf", Class::Breaking, What::TypeNarrowed)
    );
}

#[test]
fn an_unknown_keyword_that_changed_is_undecidable() {
    let changes = compare(
        &json!({"type": "object", "dependentRequired": {"a": ["b"]}}),
        &json!({"type": "object", "dependentRequired": {"a": ["c"]}}),
    );
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].class, Class::Undecidable);
}

#[test]
fn an_unreadable_schema_is_undecidable_not_a_panic() {
    let changes = compare(&json!({"$ref": "#/nowhere"}), &json!({"type": "string"}));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].class, Class::Undecidable);
    assert!(
        changes[0].detail.contains("old schema"),
        "{}",
        changes[0].detail
    );
}

fn task(name: &str, kind: &str, version: u32, schema: Value) -> PublishedTask {
    PublishedTask {
        name: name.to_owned(),
        kind: kind.to_owned(),
        version,
        schema,
        rules: Vec::new(),
        dynamic_data_schema: None,
    }
}

#[test]
fn tasks_added_removed_and_rekinded_are_reported_and_do_not_block() {
    let schema = json!({"type": "object"});
    let old = [
        task("gone", "worker", 1, schema.clone()),
        task("moved", "worker", 1, schema.clone()),
        task("same", "worker", 1, schema.clone()),
    ];
    let new = [
        task("same", "worker", 1, schema.clone()),
        task("moved", "signing", 1, schema.clone()),
        task("fresh", "worker", 1, schema.clone()),
    ];
    let reports = compare_tasks(&old, &new);
    let events: Vec<(&str, &TaskEvent)> = reports
        .iter()
        .map(|report| (report.task.as_str(), &report.event))
        .collect();
    assert_eq!(
        events,
        [
            (
                "moved",
                &TaskEvent::KindChanged {
                    old_kind: "worker".to_owned(),
                    old_version: 1,
                    new_version: 1
                }
            ),
            ("fresh", &TaskEvent::Added { version: 1 }),
            ("gone", &TaskEvent::Removed { version: 1 }),
        ]
    );
    assert!(reports.iter().all(|report| !report.blocks()));
}

#[test]
fn a_breaking_change_blocks_until_the_version_goes_up() {
    let old = task("t", "worker", 1, json!({"type": "string"}));
    let narrowed = json!({"type": "string", "maxLength": 3});
    let same_version = compare_tasks(
        std::slice::from_ref(&old),
        &[task("t", "worker", 1, narrowed.clone())],
    );
    assert!(same_version[0].blocks());
    assert_eq!(same_version[0].breaking().count(), 1);
    let bumped = compare_tasks(
        std::slice::from_ref(&old),
        &[task("t", "worker", 2, narrowed)],
    );
    assert!(!bumped[0].blocks());
    let compatible = compare_tasks(
        std::slice::from_ref(&old),
        &[task(
            "t",
            "worker",
            1,
            json!({"type": "string", "description": "text"}),
        )],
    );
    assert!(!compatible[0].blocks());
    let lowered = compare_tasks(
        &[task("t", "worker", 2, json!({}))],
        &[task("t", "worker", 1, json!({}))],
    );
    assert!(lowered[0].blocks(), "a version that went down blocks");
}

#[test]
fn other_keys_refused_is_breaking_and_accepted_is_compatible() {
    let closed = object(json!({"a": {"type": "string"}}), &[]);
    let mut open = closed.clone();
    open.as_object_mut().unwrap().remove("additionalProperties");
    assert_eq!(
        classes(open.clone(), closed.clone()),
        one("", Class::Breaking, What::ConstraintTightened)
    );
    assert_eq!(
        classes(closed, open),
        one("", Class::Compatible, What::ConstraintRelaxed)
    );
}

#[test]
fn keys_matched_by_a_pattern_are_compared_through_it() {
    let with_pattern = |value: Value| {
        json!({
            "type": "object",
            "additionalProperties": false,
            "patternProperties": {"^name(__x)?$": value}
        })
    };
    assert_eq!(
        classes(
            with_pattern(json!({"type": "number"})),
            with_pattern(json!({"type": "integer"}))
        ),
        one("/*", Class::Breaking, What::TypeNarrowed)
    );
    // A key that was only matched by the pattern, now named, keeps the pattern's schema.
    let mut named = with_pattern(json!({"type": "string"}));
    named["properties"] = json!({"name": {"type": "string"}});
    assert_eq!(
        classes(with_pattern(json!({"type": "string"})), named),
        one("/name", Class::Compatible, What::KeyAdded)
    );
}

#[test]
fn dynamic_data_changes_are_compared_under_their_own_pointer_when_both_sides_publish_them() {
    let schema = json!({"type": "object"});
    let ids = |required: &[&str]| {
        object(
            json!({"environment_id": {"type": "integer"}, "extra_id": {"type": "integer"}}),
            required,
        )
    };
    let with_dynamic = |dynamic: Option<Value>| PublishedTask {
        dynamic_data_schema: dynamic,
        ..task("t", "worker", 1, schema.clone())
    };
    // A key the server must now send: old dynamic data lacking it is refused.
    let changes = changes_between(
        &with_dynamic(Some(ids(&["environment_id"]))),
        &with_dynamic(Some(ids(&["environment_id", "extra_id"]))),
    );
    let seen: Vec<(&str, Class, What)> = changes
        .iter()
        .map(|change| (change.pointer.as_str(), change.class, change.what))
        .collect();
    assert_eq!(
        seen,
        [(
            "/dynamic_task_data/extra_id",
            Class::Breaking,
            What::NowRequired
        )]
    );
    let blocked = compare_tasks(
        &[with_dynamic(Some(ids(&["environment_id"])))],
        &[with_dynamic(Some(ids(&["environment_id", "extra_id"])))],
    );
    assert!(blocked[0].blocks(), "{blocked:?}");
    // An old publication without a dynamic data schema compares the task data alone.
    assert!(
        changes_between(
            &with_dynamic(None),
            &with_dynamic(Some(ids(&["environment_id"])))
        )
        .is_empty()
    );
}
