//! Cross-field rules (Debusine's messages at JSON pointers), lookups, and strict input types.

use serde_json::{Value, json};
use taskdef::{Task, TaskConfigError, TaskInput, ViolationKind};
use taskdef_examples::debusine_0_11;
use taskdef_examples::lookup::{LookupItem, LookupSingle, MatcherKind};
use taskdef_examples::tasks::{
    self, Autopkgtest, Debdiff, Lintian, Mmdebstrap, Noop, NoopResult, Sbuild,
};

fn sbuild(extra: Value) -> Value {
    let mut data = json!({
        "input": {"source_artifact": 5},
        "environment": "debian/match:codename=bookworm",
        "build_architecture": "amd64"
    });
    for (key, value) in extra.as_object().unwrap() {
        data[key] = value.clone();
    }
    data
}

fn mmdebstrap(repository: Value) -> Value {
    let mut base = json!({"mirror": "http://deb.debian.org/debian", "suite": "bookworm"});
    for (key, value) in repository.as_object().unwrap() {
        base[key] = value.clone();
    }
    json!({"bootstrap_options": {"architecture": "amd64"}, "bootstrap_repositories": [base]})
}

fn violations(error: &TaskConfigError) -> Vec<(String, String)> {
    error
        .violations()
        .iter()
        .map(|v| (v.pointer.clone(), v.message.clone()))
        .collect()
}

fn rule_violations<T: Task>(data: &Value) -> Vec<(String, String)> {
    let error = T::configure(data).expect_err("must be refused");
    assert!(
        error
            .violations()
            .iter()
            .all(|v| v.kind == ViolationKind::Rule),
        "not only rules: {error}"
    );
    violations(&error)
}

fn pair(pointer: &str, message: &str) -> (String, String) {
    (pointer.to_owned(), message.to_owned())
}

#[test]
fn binnmu_with_arch_all() {
    let data =
        sbuild(json!({"build_components": ["all"], "binnmu": {"changelog": "c", "suffix": "+b1"}}));
    assert_eq!(
        rule_violations::<Sbuild>(&data),
        [pair(
            "",
            "Cannot build architecture-independent packages in a binNMU"
        )]
    );
    let data =
        sbuild(json!({"build_components": ["any"], "binnmu": {"changelog": "c", "suffix": "+b1"}}));
    assert!(Sbuild::configure(&data).is_ok());
}

#[test]
fn several_rules_are_reported_together() {
    let data = sbuild(json!({
        "build_components": ["any", "all"],
        "binnmu": {"changelog": "c", "suffix": "+b1"},
        "extra_repositories": [
            {"url": "http://a.example/", "suite": "bookworm"},
            {"url": "http://b.example/", "suite": "flat/", "components": ["main"]}
        ],
        "input": {"source_artifact": 5, "extra_binary_artifacts": {"collection": "c", "data__x": 1, "data__x__contains": 2}}
    }));
    assert_eq!(
        rule_violations::<Sbuild>(&data),
        [
            pair(
                "",
                "Cannot build architecture-independent packages in a binNMU"
            ),
            pair(
                "/input/extra_binary_artifacts",
                "Conflicting matchers: ['data__x', 'data__x__contains']"
            ),
            pair("/extra_repositories/0", "Components must be specified"),
            pair(
                "/extra_repositories/1",
                "Components cannot be specified for a flat repository (where the suite ends with /)"
            ),
        ]
    );
}

#[test]
fn extra_repository_shapes() {
    for (url, ok) in [
        ("http://example.com", true),
        ("https://user@deb.example.org:8443/debian?x=1", true),
        ("file:/etc/passwd", false),
        ("file:///srv/repo", false),
        ("example.com/debian", false),
        ("http://", false),
    ] {
        let data = sbuild(json!({"extra_repositories": [{"url": url, "suite": "./"}]}));
        assert_eq!(Sbuild::configure(&data).is_ok(), ok, "{url}");
    }
    for (suite, ok) in [
        ("bookworm-backports", true),
        ("a b/c.d/", true),
        ("b@d", false),
        ("", false),
    ] {
        let components = if suite.ends_with('/') {
            json!(null)
        } else {
            json!(["main"])
        };
        let data = sbuild(
            json!({"extra_repositories": [{"url": "http://e.org/", "suite": suite, "components": components}]}),
        );
        assert_eq!(Sbuild::configure(&data).is_ok(), ok, "{suite:?}");
    }
    let data = sbuild(
        json!({"extra_repositories": [{"url": "http://e.org/", "suite": "s", "components": ["non-free", "a/b"]}]}),
    );
    let error = Sbuild::configure(&data).unwrap_err();
    assert_eq!(
        error.violations()[0].pointer,
        "/extra_repositories/0/components/1"
    );
}

#[test]
fn debusine_and_external_repositories() {
    // Without a `url`, a repository is hosted by Debusine: its suite is a lookup.
    for repository in [
        json!({"suite": "trixie-overlay@debian:suite"}),
        json!({"suite": 12, "components": ["main"], "architectures": ["amd64"]}),
        json!({"suite": "flat/", "components": ["main"]}),
        json!({"url": "http://e.org/", "suite": "sid", "components": ["main"], "architectures": []}),
    ] {
        let data = sbuild(json!({"extra_repositories": [repository]}));
        assert!(Sbuild::configure(&data).is_ok(), "{data}");
    }
    let refused = |repository: Value| {
        let data = sbuild(
            json!({"extra_repositories": [{"url": "http://e.org/", "suite": "sid", "components": ["main"]}, repository]}),
        );
        rule_violations::<Sbuild>(&data)
    };
    assert_eq!(
        refused(json!({"url": "http://e.org/", "suite": 12, "components": ["main"]})),
        [pair(
            "/extra_repositories/1/suite",
            "Input should be a valid string: an external repository's suite is a string"
        )]
    );
    assert_eq!(
        refused(json!({"url": "http://e.org/", "suite": "b@d", "components": ["main"]})),
        [pair(
            "/extra_repositories/1/suite",
            "String should match pattern '^(\\w|[./ -])+$'"
        )]
    );
    assert_eq!(
        refused(json!({"suite": "overlay@debian:suite", "signing_key": null})),
        [pair(
            "/extra_repositories/1/signing_key",
            "Extra inputs are not permitted: a repository without a `url` is hosted by Debusine, and has no `signing_key`"
        )]
    );
    for bad in [
        json!({"suite": true}),
        json!({"suite": "x", "architectures": ["a b"]}),
        json!({"suite": "x", "mirror": "y"}),
    ] {
        let data = sbuild(json!({"extra_repositories": [bad]}));
        assert!(Sbuild::configure(&data).is_err(), "{data}");
    }
}

#[test]
fn lintian_needs_an_input() {
    let data = json!({"input": {"source_artifact": null, "binary_artifacts": []}});
    assert_eq!(
        rule_violations::<Lintian>(&data),
        [pair(
            "/input",
            "One of source_artifact or binary_artifacts must be set"
        )]
    );
    assert!(Lintian::configure(json!({"input": {"binary_artifacts": {"collection": 3}}})).is_ok());
}

#[test]
fn debdiff_needs_exactly_one_pair() {
    let base = json!({"build_architecture": "amd64", "environment": 1});
    let with = |input: Value| {
        let mut data = base.clone();
        data["input"] = input;
        data
    };
    let message = "Exactly one of source_artifacts or binary_artifacts must be set";
    assert_eq!(
        rule_violations::<Debdiff>(&with(json!({}))),
        [pair("/input", message)]
    );
    assert_eq!(
        rule_violations::<Debdiff>(&with(
            json!({"source_artifacts": [1, 2], "binary_artifacts": [[1], [2]]})
        )),
        [pair("/input", message)]
    );
    assert!(Debdiff::configure(with(json!({"source_artifacts": [1, "b"]}))).is_ok());
    assert!(Debdiff::configure(with(json!({"source_artifacts": [1]}))).is_err());
    assert!(
        Debdiff::configure(with(json!({"binary_artifacts": [[1], {"collection": 2}]}))).is_ok()
    );
    // 0.11's form checks the rule with 0.11.3's own message (which lacks a space).
    let error = Debdiff::configure_in(
        "0.11",
        json!({"host_architecture": "amd64", "environment": 1, "input": {}}),
    )
    .unwrap_err();
    assert_eq!(
        violations(&error),
        [pair(
            "/input",
            "Exactly one of source_artifactsor binary_artifacts must be set"
        )]
    );
    let data = json!({"host_architecture": "i386", "environment": 1, "input": {"source_artifacts": [1, 2]}});
    let task = Debdiff::configure_in("0.11", &data).unwrap();
    assert_eq!(task.build_architecture, "i386");
    // The conversion alone gives the same.
    let old: debusine_0_11::Debdiff = serde_json::from_value(data).unwrap();
    assert_eq!(tasks::Debdiff::try_from(old).unwrap(), task);
}

#[test]
fn debdiff_dynamic_data_has_one_list_of_ids() {
    let both = json!({"environment_id": 1, "input_source_artifacts_ids": [1, 2],
                      "input_binary_artifacts_ids": [[3], [4]]});
    let error = Debdiff::configure_dynamic_data(&both).unwrap_err();
    assert_eq!(
        violations(&error),
        [pair(
            "",
            "Only one of 'input_source_artifacts_ids' or 'input_binary_artifacts_ids' may be set (not both)."
        )]
    );
    // Null for the other, or neither (the data of older servers), is fine.
    for data in [
        json!({"environment_id": 1, "input_source_artifacts_ids": [1, 2], "input_binary_artifacts_ids": null}),
        json!({"environment_id": 1, "input_binary_artifacts_ids": [[3], [4, 5]]}),
        json!({"environment_id": 1}),
    ] {
        assert!(Debdiff::configure_dynamic_data(&data).is_ok(), "{data}");
    }
    // Exactly two sets of binary ids, as 0.16 has it (0.11 took any number).
    let three = json!({"environment_id": 1, "input_binary_artifacts_ids": [[3], [4], [5]]});
    assert_eq!(
        Debdiff::configure_dynamic_data(&three)
            .unwrap_err()
            .violations()[0]
            .pointer,
        "/input_binary_artifacts_ids"
    );
}

#[test]
fn keyring_rules() {
    let message = "file:// URLs for keyrings must be under /usr/share/keyrings/ or /usr/local/share/keyrings/";
    for (url, ok) in [
        (
            "file:///usr/share/keyrings/debian-archive-keyring.gpg",
            true,
        ),
        ("file:///usr/local/share/keyrings/local.gpg", true),
        ("file://localhost/usr/share/keyrings/a.gpg", true),
        ("file:///usr/share/keyrings/./sub/../a.gpg", true),
        ("https://example.org/keyring.gpg", true),
        ("file:///usr/share/keyrings/../escape", false),
        ("file:///usr/share/keyrings/%2e%2e/%2e%2e/etc/passwd", false),
        ("file:///usr/share/keyrings", false),
        ("file:///usr/share/keyrings-evil/a.gpg", false),
        ("FILE:///etc/passwd", false),
        ("file:///etc/passwd", false),
    ] {
        let data = mmdebstrap(json!({"check_signature_with": "external", "keyring": {"url": url}}));
        match Mmdebstrap::configure(&data) {
            Ok(_) => assert!(ok, "{url} accepted"),
            Err(error) => {
                assert!(!ok, "{url} refused: {error}");
                assert_eq!(
                    violations(&error),
                    [pair("/bootstrap_repositories/0/keyring/url", message)],
                    "{url}"
                );
            }
        }
    }
    let data = mmdebstrap(json!({"check_signature_with": "external"}));
    assert_eq!(
        rule_violations::<Mmdebstrap>(&data),
        [pair(
            "/bootstrap_repositories/0",
            "repository requires 'keyring': 'check_signature_with' is set to 'external'"
        )]
    );
    let data = mmdebstrap(json!({"check_signature_with": "no-check"}));
    assert!(Mmdebstrap::configure(&data).is_ok());
}

#[test]
fn single_lookups_are_integers_or_strings() {
    for (value, ok) in [
        (json!(5), true),
        (json!(-1), true),
        (json!("debian/match:codename=bookworm"), true),
        (json!("5"), true),
        (json!(true), false),
        (json!(5.5), false),
        (json!(null), false),
        (json!({"collection": 1}), false),
        (json!([5]), false),
    ] {
        let data = sbuild(json!({"environment": value}));
        assert_eq!(Sbuild::configure(&data).is_ok(), ok, "{value}");
    }
    let task = Sbuild::configure(sbuild(json!({"environment": "5"}))).unwrap();
    assert_eq!(task.environment, LookupSingle::Path("5".into()));
}

#[test]
fn multiple_lookups_and_matchers() {
    let with = |lookup: Value| {
        sbuild(json!({"input": {"source_artifact": 1, "extra_binary_artifacts": lookup}}))
    };
    for (lookup, ok) in [
        (json!([]), true),
        (json!([1, "2@artifacts", {"collection": "c"}]), true),
        (
            json!({"collection": "c", "name": "x", "data__a_b": [1], "data__a_b__endswith": "z"}),
            false,
        ),
        (
            json!({"collection": "c", "name__contains": "x", "data__package__startswith": "lib"}),
            true,
        ),
        (
            json!({"collection": "c", "lookup__same_source": [1, {"collection": 2}]}),
            true,
        ),
        (json!({"collection": "c", "lookup__same_source": 3}), true),
        (
            json!({"collection": "c", "child_type": "artifact-or-promise", "category": "debian:binary-package"}),
            true,
        ),
        (json!({"collection": "c", "name__exact": "x"}), false),
        (
            json!({"collection": "c", "data__a__b__contains": "x"}),
            false,
        ),
        // Debusine splits keys at `__`: an empty field is a field (both releases take it).
        (json!({"collection": "c", "data__": "x"}), true),
        (json!({"collection": "c", "data___x__in": "x"}), true),
        (json!({"collection": "c", "data__x___contains": "x"}), false),
        (json!({"collection": "c", "name": 5}), true),
        (json!({"collection": "c", "name_matcher": null}), true),
        (
            json!({"collection": "c", "name__in": ["a", "b"], "error_on_empty": true}),
            true,
        ),
        (json!({"collection": "c", "error_on_empty": null}), false),
        (
            json!({"collection": "c", "data_matchers": {"a": {"kind": "exact", "value": 1}}}),
            true,
        ),
        (json!({"collection": "c", "data_matchers": {}}), false),
        (json!({"collection": "c", "unknown": "x"}), false),
        (json!({"name": "x"}), false),
        (json!({"collection": true}), false),
        (json!("foo"), false),
        (json!(5), false),
        (json!([true]), false),
        (
            json!({"collection": "c", "name_matcher": {"kind": "endswith", "value": "_all.deb"}}),
            true,
        ),
        (
            json!({"collection": "c", "data_matchers": [["package", {"kind": "exact", "value": "x"}]]}),
            true,
        ),
        (
            json!({"collection": "c", "lookup_filters": [["same_source", [1]]]}),
            true,
        ),
        (
            json!({"collection": "c", "name_matcher": {"kind": "regex", "value": "x"}}),
            false,
        ),
    ] {
        assert_eq!(
            Sbuild::configure(with(lookup.clone())).is_ok(),
            ok,
            "{lookup}"
        );
    }
    let task = Sbuild::configure(with(
        json!({"collection": "c", "name__startswith": "x", "data__v": 2}),
    ))
    .unwrap();
    let [LookupItem::Dict(dict)] = task.input.extra_binary_artifacts.items.as_slice() else {
        panic!("one lookup object");
    };
    assert_eq!(
        dict.name_matcher.as_ref().unwrap().kind,
        MatcherKind::Startswith
    );
    assert_eq!(dict.data_matchers[0].0, "v");
    // Serialized, a lookup is in the server's normalised form, which configures again.
    let normalised = serde_json::to_value(&task).unwrap();
    assert!(
        normalised["input"]["extra_binary_artifacts"][0]
            .get("name_matcher")
            .is_some()
    );
    assert_eq!(Sbuild::configure(&normalised).unwrap(), task);
    // Conflicts inside nested lookups are found, at their pointer; a key and the normalised
    // form's entry for the same target do not conflict (the key wins, as in Debusine).
    let data = with(
        json!([{"collection": "c", "lookup__x": {"collection": "d", "name": "a", "name__contains": "b", "name_matcher": {"kind": "exact", "value": "b"}}}]),
    );
    assert_eq!(
        rule_violations::<Sbuild>(&data),
        [pair(
            "/input/extra_binary_artifacts/0/lookup__x",
            "Conflicting matchers: ['name', 'name__contains']"
        )]
    );
    let task = Sbuild::configure(with(
        json!({"collection": "c", "name": "a", "name_matcher": {"kind": "exact", "value": "b"}}),
    ))
    .unwrap();
    let [LookupItem::Dict(dict)] = task.input.extra_binary_artifacts.items.as_slice() else {
        panic!("one lookup object");
    };
    assert_eq!(dict.name_matcher.as_ref().unwrap().value, "a");
}

#[test]
fn strings_are_not_booleans_or_integers() {
    assert!(Noop::configure(json!({"result": "true"})).is_err());
    assert!(Noop::configure(json!({"result": 1})).is_err());
    let autopkgtest = |extra: (&str, Value)| {
        let mut data = json!({"input": {"source_artifact": 5, "binary_artifacts": [1]}, "build_architecture": "amd64", "environment": 1});
        data[extra.0] = extra.1;
        Autopkgtest::configure(&data)
    };
    assert!(autopkgtest(("debug_level", json!("2"))).is_err());
    assert!(autopkgtest(("debug_level", json!(2))).is_ok());
    assert!(autopkgtest(("use_packages_from_base_repository", json!("no"))).is_err());
    assert!(autopkgtest(("extra_environment", json!({"A": 1}))).is_err());
    assert!(autopkgtest(("timeout", json!({"global": "60"}))).is_err());
    assert!(Sbuild::configure(sbuild(json!({"build_architecture": 64}))).is_err());
    assert!(Sbuild::configure(sbuild(json!({"build_architecture": null}))).is_err());
    assert!(
        Sbuild::configure(sbuild(
            json!({"binnmu": {"changelog": "c", "suffix": "s", "timestamp": "yesterday"}})
        ))
        .is_err()
    );
    assert!(
        Sbuild::configure(sbuild(
            json!({"binnmu": {"changelog": "c", "suffix": "s", "maintainer": "nobody"}})
        ))
        .is_err()
    );
    assert!(
        Sbuild::configure(sbuild(
            json!({"binnmu": {"changelog": "c", "suffix": "s", "maintainer": "a@b.c"}})
        ))
        .is_ok()
    );
}

#[test]
fn noop_takes_0_16s_result_names_and_0_11s_booleans_in_its_form() {
    for (data, expected) in [
        (r#"{"result": "success"}"#, NoopResult::Success),
        (r#"{"result": "failure"}"#, NoopResult::Failure),
        (
            r#"{"result": "temporary failure"}"#,
            NoopResult::TemporaryFailure,
        ),
        (r#"{"result": "error"}"#, NoopResult::Error),
        (r#"{"result": "skipped"}"#, NoopResult::Skipped),
        (r#"{"result": ""}"#, NoopResult::Unset),
    ] {
        let task = Noop::configure(data).unwrap();
        assert_eq!(task.result, expected, "{data}");
        // Written back as read.
        assert_eq!(
            serde_json::to_value(&task).unwrap()["result"],
            json!(expected.as_str())
        );
    }
    // 0.11's booleans are 0.11's form's, not 0.16's.
    for data in [
        r#"{"result": true}"#,
        r#"{"result": "aborted"}"#,
        r#"{"result": 1}"#,
    ] {
        let error = Noop::configure(data).unwrap_err();
        assert_eq!(error.violations()[0].pointer, "/result", "{data}: {error}");
    }
    for (result, expected) in [(true, NoopResult::Success), (false, NoopResult::Failure)] {
        let task = Noop::configure_in("0.11", json!({"result": result})).unwrap();
        assert_eq!(task.result, expected);
        // 0.11's default is no task configuration.
        assert_eq!(task.task_configuration, None);
        // 0.11.3, as a server names its version, is 0.11.
        assert_eq!(
            Noop::configure_in("0.11.3", json!({"result": result})).unwrap(),
            task
        );
    }
    for data in [
        json!({"result": "success"}),
        json!({"build_architecture": "amd64"}),
    ] {
        assert!(Noop::configure_in("0.11", &data).is_err(), "{data}");
    }
}

#[test]
fn defaults_and_explicit_nulls() {
    let task = Noop::configure("{}").unwrap();
    assert_eq!(task.result, NoopResult::Success);
    assert_eq!(
        task.task_configuration,
        Some(LookupSingle::Path(
            "default@debusine:task-configuration".into()
        ))
    );
    let task = Noop::configure(r#"{"task_configuration": null}"#).unwrap();
    assert_eq!(task.task_configuration, None);
    let task = Sbuild::configure(sbuild(json!({}))).unwrap();
    assert_eq!(
        task.build_components,
        [taskdef_examples::tasks::sbuild::BuildComponent::Any]
    );
    assert!(task.input.extra_binary_artifacts.is_empty());
    let task = Mmdebstrap::configure(mmdebstrap(json!({}))).unwrap();
    let repository = &task.bootstrap_repositories[0];
    assert_eq!(
        repository.types,
        [taskdef_examples::bootstrap::RepositoryType::Deb]
    );
    assert!(task.bootstrap_options.use_signed_by);
}

#[test]
fn yaml_and_json_give_the_same_task() {
    let yaml = "
input:
  source_artifact: 5
  extra_binary_artifacts:
    - 6
    - collection: bookworm@debian:suite
      name__startswith: hello_
environment: debian/match:codename=bookworm
build_architecture: amd64
build_components: [any, all]
build_profiles: [nocheck]
";
    let json = r#"{"input": {"source_artifact": 5, "extra_binary_artifacts": [6, {"collection": "bookworm@debian:suite", "name__startswith": "hello_"}]},
        "environment": "debian/match:codename=bookworm", "build_architecture": "amd64",
        "build_components": ["any", "all"], "build_profiles": ["nocheck"]}"#;
    assert_eq!(
        Sbuild::configure(TaskInput::yaml(yaml)).unwrap(),
        Sbuild::configure(json).unwrap()
    );
    // YAML 1.2: `no` is a string, so it is not a result name.
    assert!(Noop::configure(TaskInput::yaml("result: no")).is_err());
    assert!(Noop::configure(TaskInput::yaml("result: false")).is_err());
    assert_eq!(
        Noop::configure(TaskInput::yaml("result: temporary failure"))
            .unwrap()
            .result,
        NoopResult::TemporaryFailure
    );
    let error = Sbuild::configure(TaskInput::yaml("input: {source_artifact: 5}\nenvironment: 1\nbuild_architecture: amd64\nbuild_components: [all]\nbinnmu: {changelog: c, suffix: +b1}\n")).unwrap_err();
    assert_eq!(
        violations(&error),
        [pair(
            "",
            "Cannot build architecture-independent packages in a binNMU"
        )]
    );
}

#[test]
fn lookup_objects_are_read_in_key_order_whatever_the_order_written() {
    let with = |lookup: Value| {
        sbuild(json!({"input": {"source_artifact": 1, "extra_binary_artifacts": lookup}}))
    };
    // As Debusine reads them: each list as a map (the last entry of a name wins), the keys over
    // it, sorted by name.
    let task = Sbuild::configure(with(json!({
        "lookup_filters": [["z", 1], ["w", 2], ["y", 1], ["z", 3]],
        "data_matchers": [["d", {"kind": "exact", "value": 4}], ["c", {"kind": "exact", "value": 3}], ["b", {"kind": "exact", "value": 9}]],
        "lookup__y": 2,
        "data__b": 2,
        "collection": "c",
        "data__a__contains": "x",
    })))
    .unwrap();
    let [LookupItem::Dict(dict)] = task.input.extra_binary_artifacts.items.as_slice() else {
        panic!("one lookup object");
    };
    let fields: Vec<&str> = dict.data_matchers.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["a", "b", "c", "d"]);
    assert_eq!(dict.data_matchers[0].1.kind, MatcherKind::Contains);
    assert_eq!(dict.data_matchers[1].1.value, 2, "the key wins");
    let filters: Vec<&str> = dict
        .lookup_filters
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(filters, ["w", "y", "z"]);
    assert_eq!(
        dict.lookup_filters[1].1,
        taskdef_examples::lookup::LookupFilter::Single(2.into()),
        "the key wins"
    );
    assert_eq!(
        dict.lookup_filters[2].1,
        taskdef_examples::lookup::LookupFilter::Single(3.into()),
        "the last entry wins"
    );

    // Conflicts: keys only, one group per target, data fields first, each group sorted.
    let data = with(json!({
        "name__contains": "y",
        "data_matchers": [["a", {"kind": "exact", "value": 1}]],
        "name": "x",
        "collection": "c",
        "data__a": 1,
        "data__a__startswith": 1,
        "data__b": 2,
    }));
    assert_eq!(
        rule_violations::<Sbuild>(&data),
        [
            pair(
                "/input/extra_binary_artifacts",
                "Conflicting matchers: ['data__a', 'data__a__startswith']"
            ),
            pair(
                "/input/extra_binary_artifacts",
                "Conflicting matchers: ['name', 'name__contains']"
            ),
        ]
    );
}
