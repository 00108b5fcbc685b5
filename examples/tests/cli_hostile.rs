//! Hostile input through the `taskdef` command: a clear error and exit code every time, never a
//! panic, and a huge file refused without being read whole.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskdef-cli-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `taskdef validate noop PATH`.
fn validate_file(path: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["validate", "noop"])
        .arg(path)
        .output()
        .unwrap()
}

fn validate_bytes(name: &str, bytes: &[u8]) -> Output {
    let path = temp_dir().join(format!("{name}.json"));
    std::fs::write(&path, bytes).unwrap();
    let output = validate_file(&path);
    std::fs::remove_file(&path).unwrap();
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 1 (invalid) with a message containing `expected`, and no panic.
fn assert_refused(output: &Output, code: i32, expected: &str) {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_json_is_reported_with_its_reason() {
    let cases: [(&str, &[u8], i32, &str); 10] = [
        ("empty", b"", 1, "EOF while parsing a value"),
        ("truncated", b"{\"result\": tr", 1, "EOF while parsing"),
        ("array", b"[true]", 1, "is not of type \"object\""),
        ("utf8", b"{\"result\": \"\xff\"}", 2, "is not UTF-8 text"),
        ("nan", b"{\"result\": NaN}", 1, "invalid JSON"),
        (
            "huge-number",
            b"{\"result\": 1e400}",
            1,
            "number out of range",
        ),
        (
            "duplicate",
            b"{\"result\": \"success\", \"result\": \"failure\"}",
            1,
            "appears twice",
        ),
        ("nul", b"{\"result\": \"\x00\"}", 1, "control character"),
        (
            "bigint",
            b"{\"result\": 123456789012345678901234567890}",
            1,
            "/result",
        ),
        ("negative-zero", b"{\"result\": -0}", 1, "/result"),
    ];
    for (name, bytes, code, expected) in cases {
        assert_refused(&validate_bytes(name, bytes), code, expected);
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let output = validate_bytes("bom", b"\xEF\xBB\xBF{\"result\": \"success\"}");
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let text = format!("{{\"result\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    assert_refused(
        &validate_bytes("deep", text.as_bytes()),
        1,
        "recursion limit exceeded",
    );
}

#[test]
fn a_very_long_key_is_named_as_unknown() {
    let key = "k".repeat(100_000);
    let text = format!("{{\"{key}\": 1}}");
    assert_refused(&validate_bytes("long-key", text.as_bytes()), 1, &key[..200]);
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read_whole() {
    // 100 MB of whitespace inside an otherwise valid document.
    let path = temp_dir().join("huge.json");
    {
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"{\"result\": true").unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..100 {
            file.write_all(&chunk).unwrap();
        }
        file.write_all(b"}").unwrap();
    }
    let output = validate_file(&path);
    std::fs::remove_file(&path).unwrap();
    assert_refused(&output, 2, "is larger than the limit of 8388608 bytes");

    // The same through standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["validate", "noop", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 1 << 20];
        // The command stops reading at the limit: a broken pipe here is expected.
        for _ in 0..100 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_refused(&output, 2, "is larger than the limit");
}

#[test]
fn yaml_bombs_and_several_documents_are_refused() {
    let dir = temp_dir();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = if level == 1 {
            "a".to_owned()
        } else {
            format!("b{}", level - 1)
        };
        let refs = vec![format!("*{previous}"); 10].join(", ");
        bomb.push_str(&format!("b{level}: &b{level} [{refs}]\n"));
    }
    for (name, text, expected) in [
        ("bomb.yaml", bomb.as_str(), "invalid YAML"),
        (
            "multi.yaml",
            "result: true\n---\nresult: false\n",
            "invalid YAML",
        ),
        (
            "tag.yaml",
            "result: !!python/object:os.system x\n",
            "invalid YAML",
        ),
        ("yes.yaml", "result: yes\n", "/result"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let output = validate_file(&path);
        assert_refused(&output, 1, expected);
    }
}

#[test]
fn hostile_task_names_are_not_found() {
    for name in [
        "",
        "NOOP\u{307}",
        "ｎｏｏｐ",
        "noop:version",
        &"x".repeat(100_000),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
            .args(["schema", name])
            .output()
            .unwrap();
        assert_refused(&output, 2, "is not a registered task_name");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["schema", "NoOp"])
        .output()
        .unwrap();
    assert!(output.status.success(), "ASCII case folding still applies");
}

/// Runs a work request document and returns the completion payload's first error code.
fn work_request_error_code(request: &serde_json::Value) -> (Option<i32>, String) {
    let dir = temp_dir().join(format!("request-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("request.json");
    std::fs::write(&path, request.to_string()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(["run", "--work-request"])
        .arg(&path)
        .arg("--work-dir")
        .arg(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", stderr(&output)));
    let code = payload["output_data"]["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (output.status.code(), code)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn broken_work_requests_get_debusine_error_codes() {
    use serde_json::json;
    let cases = [
        (
            json!({"task_type": "Worker", "task_name": "noop"}),
            "configure-failed",
        ),
        (
            json!({"task_type": "Worker", "task_name": "noop", "task_data": "result: true"}),
            "configure-failed",
        ),
        (
            json!({"task_type": "Worker", "task_name": "noop", "task_data": [true]}),
            "configure-failed",
        ),
        (
            json!({"task_type": "Bogus", "task_name": "noop", "task_data": {}}),
            "wrong-task-type",
        ),
        (
            json!({"task_type": "worker", "task_name": "noop", "task_data": {}}),
            "wrong-task-type",
        ),
        (
            json!({"task_type": "Worker", "task_name": "noop:version", "task_data": {}}),
            "setup-failed",
        ),
        (
            json!({"task_type": "Worker", "task_name": "", "task_data": {}}),
            "setup-failed",
        ),
    ];
    for (request, expected) in cases {
        let (status, code) = work_request_error_code(&request);
        assert_eq!(code, expected, "{request}");
        assert_eq!(status, Some(1), "{request}");
    }
}
