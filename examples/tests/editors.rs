//! The published schemas in editors: every schema's `$id` under the base `taskdef docs
//! --base-url` sets, and the schema of a whole work request, checked by two independent real
//! validators: the `check-jsonschema` command and the YAML language server, driven over its
//! language-server protocol as an editor drives it.
//!
//! `tests/editors/install` installs both (pinned, into `target/tmp/editors`, once: later runs
//! find them); without python3, node and npm or the network this test fails, saying which.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BASE: &str = "https://example.org/taskdef/tasks/";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn taskdef(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taskdef"))
        .args(args)
        .current_dir(workspace())
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "editors-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `*.schema.json` under `dir`, by path relative to it.
fn schemas(dir: &Path) -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_str().unwrap().ends_with(".schema.json") {
                let relative = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                found.insert(relative, read_json(&path));
            }
        }
    }
    found
}

fn publish(dir: &Path, base: Option<&str>) {
    let mut args = vec!["docs", "--out", dir.to_str().unwrap()];
    if let Some(base) = base {
        args.extend(["--base-url", base]);
    }
    let output = taskdef(&args);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn every_schema_has_its_id_under_the_base_and_the_work_request_embeds_them() {
    let dir = temp_dir("ids");
    publish(&dir, Some(BASE.trim_end_matches('/')));
    let published = schemas(&dir);
    for release in ["0.16", "0.11"] {
        for name in [
            "sbuild.schema.json",
            "sbuild.dynamic-data.schema.json",
            "work-request.schema.json",
        ] {
            assert!(
                published.contains_key(&format!("{release}/{name}")),
                "{release}/{name}"
            );
        }
    }
    for (path, schema) in &published {
        assert_eq!(schema["$id"], format!("{BASE}{path}"), "{path}");
    }
    for release in ["0.16", "0.11"] {
        let request = &published[&format!("{release}/work-request.schema.json")];
        let names: Vec<&str> = request["properties"]["task_name"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"sbuild") && names.contains(&"noop"),
            "{names:?}"
        );
        // Each task's schema is embedded as it is published beside it, and selected by its name.
        for name in &names {
            let beside = &published[&format!("{release}/{name}.schema.json")];
            assert_eq!(&request["$defs"][name], beside, "{release}: {name}");
            let selected = request["allOf"]
                .as_array()
                .unwrap()
                .iter()
                .find(|branch| branch["if"]["properties"]["task_name"]["const"] == *name)
                .unwrap_or_else(|| panic!("{release}: no branch for {name}"));
            assert_eq!(
                selected["then"]["properties"]["task_data"]["$ref"],
                beside["$id"]
            );
        }
    }

    // Once published under a base, the directory keeps it: `--out` and `--check` without
    // `--base-url` reuse it; another base is drift.
    let output = taskdef(&["docs", "--out", dir.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(BASE),
        "{output:?}"
    );
    assert_eq!(schemas(&dir), published);
    assert!(
        taskdef(&["docs", "--check", dir.to_str().unwrap()])
            .status
            .success()
    );
    let moved = taskdef(&[
        "docs",
        "--check",
        dir.to_str().unwrap(),
        "--base-url",
        "https://example.org/elsewhere/",
    ]);
    assert_eq!(moved.status.code(), Some(1), "{moved:?}");
    assert!(String::from_utf8_lossy(&moved.stderr).contains("0.16/sbuild.schema.json"));
    let bad = taskdef(&[
        "docs",
        "--out",
        dir.to_str().unwrap(),
        "--base-url",
        "tasks/",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--base-url: `tasks/` is not an absolute URL"),
        "{bad:?}"
    );

    // Never published under a base: each `$id` is the schema's own file name.
    let relative = temp_dir("relative-ids");
    publish(&relative, None);
    for (path, schema) in schemas(&relative) {
        let file = path.rsplit('/').next().unwrap();
        assert_eq!(schema["$id"], file, "{path}");
    }

    // Where the docs are published changes no task: `compat` reads no `$id`, and a move to
    // another base records nothing in the tasks' histories.
    for old in [&dir, &relative] {
        let output = taskdef(&["compat", old.to_str().unwrap()]);
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{output:?}");
        assert!(report.contains(", 0 tasks changed, 0 need"), "{report}");
    }
    let history = |dir: &Path| std::fs::read_to_string(dir.join("0.16/sbuild.changes.json"));
    let before = history(&dir).unwrap();
    publish(&dir, Some("https://example.org/moved/"));
    assert_eq!(history(&dir).unwrap(), before);
    let sbuild = read_json(&dir.join("0.16/sbuild.schema.json"));
    assert_eq!(
        sbuild["$id"],
        "https://example.org/moved/0.16/sbuild.schema.json"
    );
}

/// The two validators' commands, installed once per run by `tests/editors/install`.
struct Tools {
    check_jsonschema: PathBuf,
    yaml_language_server: PathBuf,
}

fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let script = workspace().join("tests/editors/install");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("editors");
        let output = Command::new(&script)
            .arg(&dir)
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", script.display()));
        assert!(
            output.status.success(),
            "{} could not install the validators this test needs:\n{}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let path = |name: &str| -> PathBuf {
            stdout
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("{} printed no {name}: {stdout}", script.display()))
                .into()
        };
        Tools {
            check_jsonschema: path("check-jsonschema"),
            yaml_language_server: path("yaml-language-server"),
        }
    })
}

fn check_jsonschema(args: &[&str]) -> Output {
    Command::new(&tools().check_jsonschema)
        .args(args)
        .output()
        .unwrap()
}

fn docs_dir() -> PathBuf {
    workspace().join("docs/tasks")
}

/// Writes each valid sample of a release as the task data of a work request, in YAML, and
/// returns their paths.
fn valid_work_requests(samples: &Path, out: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for task in std::fs::read_dir(samples).unwrap() {
        let task = task.unwrap().path();
        if !task.is_dir() {
            continue;
        }
        let name = task.file_name().unwrap().to_str().unwrap().to_owned();
        for sample in std::fs::read_dir(&task).unwrap() {
            let sample = sample.unwrap().path();
            let file = sample.file_name().unwrap().to_str().unwrap().to_owned();
            if !(file.starts_with("valid-") && file.ends_with(".json")) {
                continue;
            }
            let request = json!({ "task_name": name, "task_data": read_json(&sample) });
            // JSON is YAML: the validators read the file as YAML, by its name.
            let path = out.join(format!("{name}-{}.yaml", file.trim_end_matches(".json")));
            std::fs::write(&path, serde_json::to_string_pretty(&request).unwrap()).unwrap();
            files.push(path.to_str().unwrap().to_owned());
        }
    }
    files.sort();
    files
}

#[test]
fn check_jsonschema_takes_the_schemas_and_judges_work_requests() {
    let docs = docs_dir();
    let published = schemas(&docs);
    assert!(published.len() > 50, "{}", published.len());
    let paths: Vec<String> = published
        .keys()
        .map(|path| docs.join(path).to_str().unwrap().to_owned())
        .collect();
    let mut args = vec!["--check-metaschema"];
    args.extend(paths.iter().map(String::as_str));
    let output = check_jsonschema(&args);
    assert!(
        output.status.success(),
        "the schemas against their metaschema: {output:?}"
    );

    for (release, samples) in [
        ("0.16", "examples/samples"),
        ("0.11", "examples/samples-0.11"),
    ] {
        let out = temp_dir(&format!("valid-{release}"));
        let mut files = valid_work_requests(&workspace().join(samples), &out);
        assert!(files.len() >= 20, "{release}: {files:?}");
        // A task whose keys all have defaults needs no data, as Debusine takes none as `{}`.
        let no_data = out.join("noop-without-data.yaml");
        std::fs::write(&no_data, "task_name: noop\nworkspace: System\n").unwrap();
        files.push(no_data.to_str().unwrap().to_owned());
        let schema = docs.join(release).join("work-request.schema.json");
        let mut args = vec!["--schemafile", schema.to_str().unwrap()];
        args.extend(files.iter().map(String::as_str));
        let output = check_jsonschema(&args);
        assert!(
            output.status.success(),
            "release {release}: valid samples as work requests:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // Invalid work requests, each with the place check-jsonschema must name.
    let out = temp_dir("invalid");
    let sbuild = "  input: {source_artifact: 12}\n  build_architecture: amd64\n  \
                  environment: debian/match:codename=trixie\n";
    let cases: [(&str, String, &str); 5] = [
        (
            "unknown-task",
            "task_name: sbiuld\n".to_owned(),
            "$.task_name",
        ),
        (
            "wrong-backend",
            format!("task_name: sbuild\ntask_data:\n{sbuild}  backend: docker\n"),
            "$.task_data.backend",
        ),
        (
            "unknown-key",
            format!("task_name: sbuild\ntask_data:\n{sbuild}  timeout: 5\n"),
            "$.task_data",
        ),
        ("no-data", "task_name: sbuild\n".to_owned(), "$"),
        (
            "unknown-field",
            "task_name: noop\ntask_data: {}\npriority: 3\n".to_owned(),
            "$",
        ),
    ];
    let mut files = Vec::new();
    for (name, text, _) in &cases {
        let path = out.join(format!("{name}.yaml"));
        std::fs::write(&path, text).unwrap();
        files.push(path.to_str().unwrap().to_owned());
    }
    let schema = docs.join("0.16/work-request.schema.json");
    let mut args = vec!["--schemafile", schema.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));
    let output = check_jsonschema(&args);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = String::from_utf8_lossy(&output.stdout);
    for ((name, _, place), file) in cases.iter().zip(&files) {
        let line = report
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("{file}::")))
            .unwrap_or_else(|| panic!("{name}: not reported:\n{report}"));
        assert!(
            line.contains(&format!("{file}::{place}: ")),
            "{name}: expected at {place}: {line}"
        );
    }
    assert!(report.contains("'timeout' was unexpected"), "{report}");
    assert!(report.contains("'priority' was unexpected"), "{report}");
    assert!(
        report.contains("'task_data' is a required property"),
        "{report}"
    );
}

/// A language server over stdio: JSON-RPC messages framed by `Content-Length`.
struct LanguageServer {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    seen: Vec<Value>,
    settings: Value,
}

impl LanguageServer {
    fn start(command: &Path, settings: Value) -> LanguageServer {
        let mut child = Command::new(command)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", command.display()));
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if stdout.read_exact(&mut body).is_err() {
                    return;
                }
                let message = serde_json::from_slice(&body).expect("a JSON-RPC message");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        LanguageServer {
            child,
            stdin,
            messages,
            seen: Vec::new(),
            settings,
        }
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, id: u64, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
    }

    /// The next message from the server, answering its own requests on the way (the settings
    /// for `workspace/configuration`, nothing for the others), as an editor does.
    fn next(&mut self, deadline: Instant) -> Value {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the YAML language server did not answer in time; its messages:\n{}",
                    self.seen
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the YAML language server exited: {:?}",
                        self.child.try_wait()
                    )
                }
            };
            self.seen.push(message.clone());
            if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
                let result = if method == "workspace/configuration" {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    let mut answers = vec![Value::Null; items];
                    for (answer, item) in answers
                        .iter_mut()
                        .zip(message["params"]["items"].as_array().into_iter().flatten())
                    {
                        if item["section"] == "yaml" {
                            *answer = self.settings["yaml"].clone();
                        }
                    }
                    Value::Array(answers)
                } else {
                    Value::Null
                };
                let id = id.clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
                continue;
            }
            return message;
        }
    }
}

impl Drop for LanguageServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.to_str().unwrap())
}

/// The path of `to` relative to the directory `from`, both absolute.
fn relative_path(from: &Path, to: &Path) -> String {
    let (from, to) = (from.canonicalize().unwrap(), to.canonicalize().unwrap());
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|part| part.as_os_str().to_str().unwrap().to_owned()),
    );
    parts.join("/")
}

/// The line (from 0) of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|line| line.contains(needle)).unwrap() as u64
}

#[test]
fn the_yaml_language_server_reports_each_error_at_its_key() {
    let docs = docs_dir();
    let schema = docs.join("0.16/work-request.schema.json");
    let dir = temp_dir("yaml-language-server");
    // The valid file names its schema by a path relative to it, as the README shows; the
    // invalid one by its absolute path.
    let relative = relative_path(&dir, &schema);
    assert!(relative.starts_with("../"), "{relative}");
    let valid = format!(
        "# yaml-language-server: $schema={relative}\ntask_name: sbuild\ntask_data:\n  input:\n    source_artifact: 12\n  \
         build_architecture: amd64\n  environment: debian/match:codename=trixie\n  \
         backend: unshare\n  build_components: [any, all]\n"
    );
    let modeline = format!("# yaml-language-server: $schema={}\n", schema.display());
    let invalid = format!(
        "{modeline}task_name: sbuild\ntask_data:\n  input:\n    source_artifact: 12\n  \
         build_architecture: amd64\n  environment: debian/match:codename=trixie\n  \
         backend: docker\n  build_componets: [any]\n"
    );
    // No modeline: the schema comes from the `yaml.schemas` setting, by file name, as the
    // README's VS Code setting gives it: a path relative to the workspace's root.
    let by_setting = "task_name: noop\ntask_data:\n  result: maybe\n".to_owned();
    let documents = [
        (dir.join("valid.yaml"), valid.clone()),
        (dir.join("invalid.yaml"), invalid.clone()),
        (dir.join("noop.work-request.yaml"), by_setting.clone()),
    ];
    let settings = json!({"yaml": {
        "validate": true,
        "hover": true,
        "completion": true,
        "schemaStore": {"enable": false},
        "schemas": { "./docs/tasks/0.16/work-request.schema.json": "*.work-request.yaml" },
    }});
    let mut server = LanguageServer::start(&tools().yaml_language_server, settings.clone());
    let deadline = Instant::now() + Duration::from_secs(60);
    server.request(
        1,
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": file_url(&workspace()),
            "workspaceFolders": [{"uri": file_url(&workspace()), "name": "taskdef"}],
            "capabilities": {
                "workspace": {"configuration": true, "didChangeConfiguration": {}},
                "textDocument": {"publishDiagnostics": {}, "hover": {"contentFormat": ["markdown"]}}
            }
        }),
    );
    while server.next(deadline).get("id") != Some(&json!(1)) {}
    server.notify("initialized", json!({}));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings }),
    );
    for (path, text) in &documents {
        std::fs::write(path, text).unwrap();
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": file_url(path), "languageId": "yaml", "version": 1, "text": text
            }}),
        );
    }
    // Hovering over a key of the task's data shows its description from the task's schema:
    // the work request's schema is the valid document's, and `task_name` selected sbuild's.
    let backend = line_of(&valid, "backend:");
    server.request(
        2,
        "textDocument/hover",
        json!({
            "textDocument": {"uri": file_url(&documents[0].0)},
            "position": {"line": backend, "character": 4}
        }),
    );
    let mut diagnostics = BTreeMap::new();
    let mut hover = None;
    while diagnostics.len() < documents.len() || hover.is_none() {
        let message = server.next(deadline);
        if message["method"] == "textDocument/publishDiagnostics" {
            let uri = message["params"]["uri"].as_str().unwrap().to_owned();
            diagnostics.insert(uri, message["params"]["diagnostics"].clone());
        } else if message.get("id") == Some(&json!(2)) {
            hover = Some(message["result"].clone());
        }
    }
    let hover = hover.unwrap().to_string();
    assert!(
        hover.contains("The executor backend to build with"),
        "{hover}"
    );

    let found = |path: &Path| -> Vec<(u64, String)> {
        diagnostics[&file_url(path)]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let line = d["range"]["start"]["line"].as_u64().unwrap();
                (line, d["message"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert_eq!(found(&documents[0].0), [], "the valid document");
    let invalid_found = found(&documents[1].0);
    let at = |line: u64, text: &str| {
        invalid_found
            .iter()
            .any(|(at, message)| *at == line && message.contains(text))
    };
    assert!(
        at(line_of(&invalid, "backend:"), "\"unshare\""),
        "the backend's allowed values at its line: {invalid_found:?}"
    );
    assert!(
        at(
            line_of(&invalid, "build_componets"),
            "Property build_componets is not allowed"
        ),
        "the unknown key at its line: {invalid_found:?}"
    );
    assert_eq!(invalid_found.len(), 2, "{invalid_found:?}");
    let by_setting_found = found(&documents[2].0);
    assert!(
        by_setting_found
            .iter()
            .any(|(line, message)| *line == line_of(&by_setting, "result:")
                && message.contains("\"success\"")),
        "the schema from yaml.schemas: {by_setting_found:?}"
    );
}
