//! The generated schemas: closed objects at every level, Debusine's enums and defaults.

use serde_json::{Value, json};
use taskdef::Task;
use taskdef_examples::tasks::{
    AssembleSignedSource, Autopkgtest, Blhc, Debdiff, ExtractForSigning, Lintian,
    MakeSourcePackageUpload, MergeUploads, Mmdebstrap, Noop, Piuparts, Sbuild,
    SimpleSystemImageBuild,
};

fn all_schemas() -> Vec<(&'static str, &'static Value)> {
    vec![
        (Noop::NAME, Noop::schema()),
        (Sbuild::NAME, Sbuild::schema()),
        (Lintian::NAME, Lintian::schema()),
        (Autopkgtest::NAME, Autopkgtest::schema()),
        (Mmdebstrap::NAME, Mmdebstrap::schema()),
        (
            SimpleSystemImageBuild::NAME,
            SimpleSystemImageBuild::schema(),
        ),
        (Piuparts::NAME, Piuparts::schema()),
        (Blhc::NAME, Blhc::schema()),
        (Debdiff::NAME, Debdiff::schema()),
        (
            MakeSourcePackageUpload::NAME,
            MakeSourcePackageUpload::schema(),
        ),
        (ExtractForSigning::NAME, ExtractForSigning::schema()),
        (AssembleSignedSource::NAME, AssembleSignedSource::schema()),
        (MergeUploads::NAME, MergeUploads::schema()),
    ]
}

/// Follows `$ref`s (and a single-item `allOf`) to the schema they name.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").expect("local ref");
        return resolve(root, &root["$defs"][name]);
    }
    match schema.get("allOf").and_then(Value::as_array) {
        Some(list) if list.len() == 1 => resolve(root, &list[0]),
        _ => schema,
    }
}

/// The schema of the property at `path` (object keys), through refs and nullable `anyOf`s.
fn property<'a>(root: &'a Value, path: &[&str]) -> &'a Value {
    let mut schema = root;
    for key in path {
        let object = non_null(root, resolve(root, schema));
        schema = &object["properties"][*key];
        assert!(!schema.is_null(), "no property {key} in {path:?}");
    }
    schema
}

fn non_null<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("anyOf").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .map(|s| resolve(root, s))
            .find(|s| s.get("type") != Some(&json!("null")))
            .unwrap_or(schema),
        None => resolve(root, schema),
    }
}

fn enum_of(root: &Value, schema: &Value) -> Vec<String> {
    let schema = non_null(root, schema);
    let schema = if schema.get("items").is_some() && schema.get("enum").is_none() {
        non_null(root, &schema["items"])
    } else {
        schema
    };
    schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum in {schema}"))
        .iter()
        .map(|v| v.as_str().expect("string enum").to_owned())
        .collect()
}

/// Every object schema (one with `properties`) must refuse unknown keys. Maps (objects whose
/// `additionalProperties` is a schema and that have no `properties`) are the only open objects.
fn check_closed(path: &str, schema: &Value, problems: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") || map.get("type") == Some(&json!("object")) {
                let closed = map.get("additionalProperties") == Some(&Value::Bool(false));
                let is_map = !map.contains_key("properties")
                    && map
                        .get("additionalProperties")
                        .is_some_and(Value::is_object);
                if !closed && !is_map {
                    problems.push(path.to_owned());
                }
            }
            for (key, value) in map {
                check_closed(&format!("{path}/{key}"), value, problems);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                check_closed(&format!("{path}/{index}"), value, problems);
            }
        }
        _ => {}
    }
}

#[test]
fn every_object_refuses_unknown_keys() {
    let mut problems = Vec::new();
    for (name, schema) in all_schemas() {
        assert_eq!(schema["additionalProperties"], json!(false), "{name}");
        check_closed(name, schema, &mut problems);
    }
    assert!(problems.is_empty(), "open objects: {problems:#?}");
}

#[test]
fn every_task_has_task_configuration_with_its_default() {
    for (name, schema) in all_schemas() {
        let field = property(schema, &["task_configuration"]);
        assert_eq!(
            field["default"],
            json!("default@debusine:task-configuration"),
            "{name}"
        );
        let types: Vec<&Value> = field["anyOf"].as_array().expect("anyOf").iter().collect();
        assert!(
            types.contains(&&json!({"type": "null"})),
            "{name}: not nullable"
        );
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        assert!(!required.contains(&json!("task_configuration")), "{name}");
    }
}

#[test]
fn descriptions_come_from_doc_comments() {
    for (name, schema) in all_schemas() {
        let description = schema["description"].as_str().unwrap_or_default();
        assert!(!description.is_empty(), "{name}: no description");
        for (key, field) in schema["properties"].as_object().unwrap() {
            assert!(
                field.get("description").is_some(),
                "{name}.{key}: no description"
            );
        }
    }
    assert!(Sbuild::DESCRIPTION.starts_with("Build a Debian source package"));
}

#[test]
fn executor_fields() {
    for (name, schema) in all_schemas() {
        let Some(backend) = schema["properties"].get("backend") else {
            continue;
        };
        assert_eq!(backend["default"], json!("auto"), "{name}");
        assert_eq!(
            enum_of(schema, backend),
            ["auto", "unshare", "incus-lxc", "incus-vm", "qemu"],
            "{name}"
        );
    }
    let required = |schema: &Value| schema["required"].as_array().cloned().unwrap_or_default();
    for schema in [Sbuild::schema(), Autopkgtest::schema(), Piuparts::schema()] {
        assert!(required(schema).contains(&json!("environment")));
        assert!(!required(schema).contains(&json!("host_architecture")));
    }
    // Debusine 0.16: `build_architecture`, required by sbuild, blhc and debdiff (autopkgtest,
    // piuparts, lintian, makesourcepackageupload and noop take the executor fields' optional
    // one); no task has `host_architecture`.
    for schema in [Sbuild::schema(), Blhc::schema(), Debdiff::schema()] {
        assert!(required(schema).contains(&json!("build_architecture")));
    }
    for schema in [Blhc::schema(), Debdiff::schema()] {
        assert!(required(schema).contains(&json!("environment")));
    }
    for schema in [
        Autopkgtest::schema(),
        Piuparts::schema(),
        Lintian::schema(),
        MakeSourcePackageUpload::schema(),
        Noop::schema(),
    ] {
        assert!(!required(schema).contains(&json!("build_architecture")));
        assert_eq!(
            property(schema, &["build_architecture"])["type"],
            json!(["string", "null"])
        );
    }
    for schema in [
        Sbuild::schema(),
        Autopkgtest::schema(),
        Piuparts::schema(),
        Lintian::schema(),
        Blhc::schema(),
        Debdiff::schema(),
        MakeSourcePackageUpload::schema(),
        Noop::schema(),
    ] {
        assert!(schema["properties"].get("host_architecture").is_none());
    }
    assert!(required(MakeSourcePackageUpload::schema()).contains(&json!("environment")));
    assert!(!required(Lintian::schema()).contains(&json!("environment")));
    assert!(!required(Noop::schema()).contains(&json!("environment")));
}

#[test]
fn sbuild_enums_and_defaults() {
    let schema = Sbuild::schema();
    let components = property(schema, &["build_components"]);
    assert_eq!(components["default"], json!(["any"]));
    assert_eq!(enum_of(schema, components), ["any", "all", "source"]);
    assert_eq!(
        enum_of(schema, property(schema, &["build_dep_resolver"])),
        ["apt", "aptitude", "aspcud", "xapt"]
    );
    assert_eq!(
        property(schema, &["input", "extra_binary_artifacts"])["default"],
        json!([])
    );
    assert_eq!(
        property(schema, &["binnmu", "timestamp"])["format"],
        json!("date-time")
    );
}

#[test]
fn lintian_enums_and_defaults() {
    let schema = Lintian::schema();
    let severity = property(schema, &["fail_on_severity"]);
    assert_eq!(severity["default"], json!("error"));
    assert_eq!(
        enum_of(schema, severity),
        [
            "error",
            "warning",
            "info",
            "pedantic",
            "experimental",
            "overridden",
            "none"
        ]
    );
    assert_eq!(
        property(schema, &["target_distribution"])["default"],
        json!("debian:unstable")
    );
    assert_eq!(
        property(schema, &["output"])["default"],
        json!({"source_analysis": true, "binary_all_analysis": true, "binary_any_analysis": true})
    );
}

#[test]
fn autopkgtest_ranges_and_defaults() {
    let schema = Autopkgtest::schema();
    let debug = property(schema, &["debug_level"]);
    assert_eq!(
        (debug["minimum"].as_u64(), debug["maximum"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(debug["default"], json!(0));
    assert_eq!(
        enum_of(schema, property(schema, &["needs_internet"])),
        ["run", "try", "skip"]
    );
    assert_eq!(
        property(schema, &["fail_on"])["default"],
        json!({"failed_test": true, "flaky_test": false, "skipped_test": false})
    );
    let timeout = non_null(schema, property(schema, &["timeout"]));
    let keys: Vec<&String> = timeout["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["copy", "factor", "global", "install", "short", "test"]
    );
    assert_eq!(
        property(schema, &["timeout", "global"])["minimum"],
        json!(0)
    );
    assert_eq!(
        property(schema, &["extra_environment"])["additionalProperties"],
        json!({"type": "string"})
    );
}

#[test]
fn bootstrap_enums_and_defaults() {
    let schema = Mmdebstrap::schema();
    let variants = enum_of(schema, property(schema, &["bootstrap_options", "variant"]));
    assert_eq!(
        variants,
        [
            "buildd",
            "minbase",
            "-",
            "apt",
            "custom",
            "debootstrap",
            "essential",
            "extract",
            "important",
            "required",
            "standard"
        ]
    );
    assert_eq!(
        property(schema, &["bootstrap_repositories"])["minItems"],
        json!(1)
    );
    let repositories = &property(schema, &["bootstrap_repositories"])["items"];
    let types = &resolve(schema, repositories)["properties"]["types"];
    assert_eq!(types["default"], json!(["deb"]));
    assert_eq!(types["minItems"], json!(1));
    assert_eq!(types["uniqueItems"], json!(true));
    assert_eq!(enum_of(schema, types), ["deb", "deb-src"]);
    let check = &resolve(schema, repositories)["properties"]["check_signature_with"];
    assert_eq!(check["default"], json!("system"));
    assert_eq!(enum_of(schema, check), ["system", "external", "no-check"]);

    let schema = SimpleSystemImageBuild::schema();
    assert_eq!(
        enum_of(schema, property(schema, &["bootstrap_options", "variant"])),
        ["buildd", "minbase"]
    );
    // Debusine 0.16's gpgv_command, in both tasks: null by default.
    for schema in [Mmdebstrap::schema(), schema] {
        let gpgv = property(schema, &["bootstrap_options", "gpgv_command"]);
        assert_eq!(gpgv["default"], json!(null));
        assert_eq!(enum_of(schema, gpgv), ["gpgv", "gpgv-sq"]);
    }
    assert_eq!(
        enum_of(schema, property(schema, &["disk_image", "format"])),
        ["raw", "qcow2"]
    );
    assert_eq!(
        property(schema, &["disk_image", "filename"])["default"],
        json!("image")
    );
    assert_eq!(
        property(schema, &["disk_image", "partitions"])["minItems"],
        json!(1)
    );
}

#[test]
fn flags_and_pairs() {
    let schema = Blhc::schema();
    assert_eq!(
        enum_of(schema, property(schema, &["extra_flags"])),
        [
            "--all",
            "--bindnow",
            "--buildd",
            "--color",
            "--debian",
            "--line-numbers",
            "--pie"
        ]
    );
    let schema = Debdiff::schema();
    assert_eq!(enum_of(schema, property(schema, &["extra_flags"])).len(), 7);
    let sources = non_null(schema, property(schema, &["input", "source_artifacts"]));
    assert_eq!(
        (sources["minItems"].clone(), sources["maxItems"].clone()),
        (json!(2), json!(2))
    );
}

#[test]
fn lookups_are_integers_or_strings() {
    let schema = Sbuild::schema();
    assert_eq!(
        schema["$defs"]["LookupSingle"]["anyOf"],
        json!([
            {"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX},
            {"type": "string"}
        ])
    );
    let dict = &schema["$defs"]["LookupDict"];
    assert_eq!(dict["additionalProperties"], json!(false));
    assert_eq!(dict["required"], json!(["collection"]));
    // Each matcher key Debusine takes matches exactly one pattern (which keeps the fast
    // path), and a key it refuses none.
    let patterns: Vec<jsonschema::Validator> = dict["patternProperties"]
        .as_object()
        .unwrap()
        .keys()
        .map(|pattern| jsonschema::validator_for(&json!({"pattern": pattern})).unwrap())
        .collect();
    let matching = |key: &str| {
        patterns
            .iter()
            .filter(|pattern| pattern.is_valid(&json!(key)))
            .count()
    };
    for key in [
        "name",
        "name__in",
        "name__contains",
        "data__x",
        "data__x_y__endswith",
        "data__",
        "data___x__in",
        "data__x_",
        "lookup__y",
        "lookup__",
    ] {
        assert_eq!(matching(key), 1, "{key}");
    }
    for key in [
        "name__exact",
        "data__x__y__z",
        "data__x___in",
        "lookup__a__b",
        "data",
    ] {
        assert_eq!(matching(key), 0, "{key}");
    }
}

#[test]
fn every_published_schema_is_valid_draft_2020_12() {
    for entry in taskdef::Registry::global().entries() {
        let schema = entry.schema();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{}",
            entry.name
        );
        let validator = jsonschema::draft202012::meta::validator();
        let errors: Vec<String> = validator
            .iter_errors(schema)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{}", entry.name);
    }
    // The check is real: a schema breaking the meta-schema is refused.
    let broken = serde_json::json!({"type": "objekt", "minItems": -1});
    assert!(!jsonschema::draft202012::meta::is_valid(&broken));
}
