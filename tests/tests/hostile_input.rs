//! Bad task data gets a clear error of the right kind, never a panic, and bounded memory.

use taskdef::MAX_INPUT_BYTES;
use taskdef::{Registry, Task, TaskConfigError, TaskInput, ViolationKind};
use taskdef_tests::{TestBuildTask, TestNoop};

fn syntax(data: impl AsRef<[u8]>) -> TaskConfigError {
    let error = TestNoop::configure(data.as_ref()).unwrap_err();
    assert_eq!(
        error.violations()[0].kind,
        ViolationKind::Syntax,
        "expected a syntax error, got {error}"
    );
    error
}

fn yaml_error(text: &str) -> TaskConfigError {
    TestNoop::configure(TaskInput::yaml(text)).unwrap_err()
}

#[test]
fn empty_and_truncated_json() {
    assert_eq!(
        syntax("").message(),
        "(root): invalid JSON: EOF while parsing a value (line 1, column 1)"
    );
    for truncated in ["{", "{\"result\"", "{\"result\":", "{\"result\": tr", "[1,"] {
        let error = syntax(truncated);
        assert!(
            error.message().contains("EOF while parsing"),
            "{truncated}: {error}"
        );
    }
}

#[test]
fn invalid_utf8_and_nul() {
    let error = syntax(b"{\"result\": \"\xff\"}");
    assert!(error.message().contains("invalid unicode"), "{error}");
    // A NUL inside a string is legal JSON when escaped, and must then be kept.
    let error = TestBuildTask::configure(r#"{"host_architecture": "amd\u0000"}"#);
    assert_eq!(error.unwrap().host_architecture, "amd\0");
    // A raw control character is not legal JSON.
    syntax(b"{\"result\": \"\x00\"}");
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let task = TestNoop::configure(&b"\xEF\xBB\xBF{\"result\": false}"[..]).unwrap();
    assert!(!task.result);
}

#[test]
fn non_finite_and_huge_numbers() {
    for data in [
        r#"{"host_architecture": "a", "debug_level": NaN}"#,
        r#"{"host_architecture": "a", "debug_level": Infinity}"#,
        r#"{"host_architecture": "a", "debug_level": 1e400}"#,
    ] {
        let error = TestBuildTask::configure(data).unwrap_err();
        assert_eq!(error.violations()[0].kind, ViolationKind::Syntax, "{data}");
    }
    // Beyond 64 bits: read as a float, then refused where an integer belongs, with the pointer.
    let error = TestBuildTask::configure(
        r#"{"host_architecture": "a", "debug_level": 99999999999999999999999}"#,
    )
    .unwrap_err();
    assert_eq!(error.violations()[0].pointer, "/debug_level");
}

#[test]
fn integral_numbers_are_integers_whatever_their_spelling() {
    for spelling in ["-0", "0.0", "-0.0", "0e5"] {
        let data = format!(r#"{{"host_architecture": "a", "debug_level": {spelling}}}"#);
        assert_eq!(
            TestBuildTask::configure(data.as_str()).unwrap().debug_level,
            0,
            "{spelling}"
        );
    }
    let task = TestBuildTask::configure(r#"{"host_architecture": "a", "debug_level": 2.0}"#);
    assert_eq!(task.unwrap().debug_level, 2);
    let task = TestBuildTask::configure(r#"{"host_architecture": "a", "debug_level": 0.3e1}"#);
    assert_eq!(task.unwrap().debug_level, 3);
}

#[test]
fn duplicate_keys_are_refused_not_collapsed() {
    let error = syntax(r#"{"result": true, "result": false}"#);
    assert_eq!(
        error.violations()[0].message,
        "invalid JSON: the key `result` appears twice in one object"
    );
    let error = yaml_error("result: true\nresult: false\n");
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax, "{error}");
}

#[test]
fn very_long_keys_are_reported_not_truncated() {
    let key = "k".repeat(100_000);
    let error = TestNoop::configure(format!("{{\"{key}\": 1}}").as_str()).unwrap_err();
    assert!(error.violations()[0].message.contains(&key[..1000]));
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let error = syntax(&json);
    assert!(
        error.message().contains("recursion limit exceeded"),
        "{error}"
    );
    let json = format!(
        "{{\"result\": {}{}}}",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    );
    syntax(&json);
    let yaml = format!("result: {}{}", "[".repeat(depth), "]".repeat(depth));
    let error = yaml_error(&yaml);
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax, "{error}");
}

#[test]
fn input_beyond_the_size_limit_is_refused_before_parsing() {
    let mut big = String::from("{\"result\": true, \"padding\": \"");
    big.push_str(&" ".repeat(MAX_INPUT_BYTES));
    big.push_str("\"}");
    let error = syntax(&big);
    assert_eq!(
        error.violations()[0].message,
        format!(
            "task data is {} bytes, more than the limit of {MAX_INPUT_BYTES} bytes",
            big.len()
        )
    );
    assert!(yaml_error(&big).message().contains("more than the limit"));
}

#[test]
fn yaml_booleans_are_yaml_1_2() {
    for word in ["no", "on", "yes", "off", "y", "n"] {
        let error = yaml_error(&format!("result: {word}\n"));
        assert_eq!(
            error.violations()[0].schema_path,
            "/properties/result/type",
            "`{word}` must stay a string: {error}"
        );
    }
    assert!(TestNoop::configure(TaskInput::yaml("result: False\n")).is_ok());
}

#[test]
fn yaml_alias_bombs_are_bounded() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = level - 1;
        bomb.push_str(&format!(
            "b{level}: &b{level} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            p = if previous == 0 {
                "a".to_owned()
            } else {
                format!("b{previous}")
            }
        ));
    }
    let error = yaml_error(&bomb);
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax, "{error}");
}

#[test]
fn yaml_tags_and_several_documents_are_refused() {
    let error = yaml_error("result: !!python/object:os.system true\n");
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax, "{error}");
    let error = yaml_error("result: true\n---\nresult: false\n");
    assert_eq!(error.violations()[0].kind, ViolationKind::Syntax, "{error}");
    // Core-schema tags are fine.
    assert!(TestNoop::configure(TaskInput::yaml("result: !!bool true\n")).is_ok());
}

#[test]
fn names_match_only_by_ascii_lowercase() {
    let registry = Registry::global();
    for name in [
        "",
        "testnoop:version",
        "testnoop ",
        "ｔｅｓｔｎｏｏｐ", // fullwidth letters
        "testnoop\u{0}",
        "tеstnoop", // Cyrillic е
        "TESTNOOP\u{307}",
        &"x".repeat(1_000_000),
    ] {
        assert!(!registry.contains(name), "{name:?}");
        let error = registry.get(name).unwrap_err().to_string();
        assert!(error.contains("' is not a registered task_name"), "{error}");
    }
    // `İ` lowercases to `i̇` in Unicode; only ASCII folding applies, so it matches nothing.
    assert!(!registry.contains("TESTFAİLING"));
    assert!(!registry.contains("testfaİling"));
    assert!(!registry.contains("testfaılıng"), "dotless i is not i");
    assert!(registry.contains("TestFailing"));
}
