//! taskdef's artifact client (`taskdef artifact`, and the worker's debug logs) against a real
//! Debusine server started by `tests/debusine/server`: files up in chunks and back, relations,
//! an interrupted upload resumed, a failed noop's debug logs, and what the client refuses
//! from the server (a stored file that does not match its sha256, a path with `..`).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

#[allow(dead_code)]
#[path = "support/debusine.rs"]
mod debusine;
use debusine::{Server, Worker, api, serial, server, sha256_of};

#[path = "support/rng.rs"]
mod rng;

/// The chunk size of these tests: small, so that a file of a few hundred KiB takes several.
const CHUNK: u64 = 64 * 1024;

/// A scratch directory with a client configuration holding the test user's token.
struct Client {
    dir: PathBuf,
    token: String,
}

impl Client {
    fn new(server: &Server, name: &str) -> Client {
        let dir = std::env::temp_dir().join(format!("taskdef-art-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let config = dir.join("config");
        fs::create_dir_all(&config).unwrap();
        fs::write(
            config.join("config.ini"),
            format!("[General]\napi-url = {}\n", server.env("DEBUSINE_API_URL")),
        )
        .unwrap();
        let token = server.env("DEBUSINE_USER_TOKEN");
        fs::write(config.join("token"), &token).unwrap();
        fs::set_permissions(config.join("token"), fs::Permissions::from_mode(0o600)).unwrap();
        Client { dir, token }
    }

    /// `taskdef artifact --config-dir ... ARGS`; the token never shows in its output.
    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_taskdef"))
            .arg("artifact")
            .arg("--config-dir")
            .arg(self.dir.join("config"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(&self.token), "the token appears in:\n{text}");
        }
        output
    }

    /// Runs and expects success; its JSON output.
    fn ok(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "taskdef artifact {args:?} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// Runs and expects exit code 1; its standard error.
    fn refused(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "taskdef artifact {args:?} was not refused:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stderr).unwrap()
    }

    /// A file of `size` bytes never seen before (the server would not ask for a file it holds).
    fn fresh_file(&self, name: &str, size: usize) -> PathBuf {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let mut rng = rng::Rng::new(nanos ^ (std::process::id() as u64) << 32 | 1);
        let bytes: Vec<u8> = (0..size).map(|_| rng.next_u64() as u8).collect();
        let path = self.dir.join("files").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }

    fn upload(&self, category: &str, files: &[String]) -> Value {
        let mut args = vec![
            "upload",
            "--category",
            category,
            "--workspace",
            "System",
            "--chunk-size",
        ];
        let chunk = CHUNK.to_string();
        args.push(&chunk);
        args.extend(files.iter().map(String::as_str));
        self.ok(&args)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// An artifact created by the test user (not by taskdef), its files described but not sent;
/// the server's reply.
fn create_by_hand(server: &Server, files: &[(&str, &Path)]) -> Value {
    let files: serde_json::Map<String, Value> = files
        .iter()
        .map(|(name, path)| {
            let size = fs::metadata(path).unwrap().len();
            let file = json!({"type": "file", "size": size,
                "checksums": {"sha256": sha256_of(path)}});
            ((*name).to_owned(), file)
        })
        .collect();
    let body = json!({"category": "debusine:test", "workspace": "System", "data": {},
        "files": files});
    api(server, "POST", "/1.0/artifact/", Some(&body))
}

/// Every file under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_multi_file_artifact_goes_up_in_chunks_and_comes_back_the_same() {
    let server = server();
    let client = Client::new(server, "roundtrip");
    let big = client.fresh_file("big.bin", 5 * CHUNK as usize + 12_345);
    let small = client.fresh_file("small.txt", 100);
    let empty = client.fresh_file("empty", 0);
    let files = [
        format!("{}", big.display()),
        format!("logs/small.txt={}", small.display()),
        format!("empty={}", empty.display()),
    ];
    let output = client.run(&[
        "-v",
        "upload",
        "--category",
        "debusine:test",
        "--workspace",
        "System",
        "--data",
        r#"{"note": "round trip"}"#,
        "--chunk-size",
        &CHUNK.to_string(),
        &files[0],
        &files[1],
        &files[2],
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let sent: Value = serde_json::from_slice(&output.stdout).unwrap();
    let big_size = fs::metadata(&big).unwrap().len();
    // The empty file is completed by the server itself: it is never asked for.
    assert_eq!(sent["files_sent"], 2, "{sent}");
    assert_eq!(sent["bytes_sent"], big_size + 100, "{sent}");
    let chunks = stderr
        .lines()
        .filter(|line| line.contains("sent a chunk") && line.contains("big.bin"))
        .count() as u64;
    assert_eq!(chunks, big_size.div_ceil(CHUNK), "{stderr}");
    let id = sent["id"].as_u64().unwrap();

    // What the server holds, read back by another client.
    let described = api(server, "GET", &format!("/1.0/artifact/{id}/"), None);
    assert_eq!(described["category"], "debusine:test");
    assert_eq!(described["data"], json!({"note": "round trip"}));
    for (name, path) in [
        ("big.bin", &big),
        ("logs/small.txt", &small),
        ("empty", &empty),
    ] {
        let file = &described["files"][name];
        assert_eq!(file["size"], fs::metadata(path).unwrap().len(), "{name}");
        assert_eq!(file["checksums"]["sha256"], sha256_of(path), "{name}");
    }

    let into = client.dir.join("download");
    let fetched = client.ok(&[
        "download",
        &id.to_string(),
        "--into",
        &into.to_string_lossy(),
    ]);
    assert_eq!(fetched["category"], "debusine:test");
    assert_eq!(
        fetched["files"],
        json!(["big.bin", "empty", "logs/small.txt"])
    );
    assert_eq!(listing(&into), ["big.bin", "empty", "logs/small.txt"]);
    for (name, path) in [
        ("big.bin", &big),
        ("logs/small.txt", &small),
        ("empty", &empty),
    ] {
        assert_eq!(
            fs::read(into.join(name)).unwrap(),
            fs::read(path).unwrap(),
            "{name}"
        );
        assert_eq!(sha256_of(&into.join(name)), sha256_of(path));
    }
}

#[test]
fn a_relation_is_created_and_read_back() {
    let server = server();
    let client = Client::new(server, "relation");
    let log = client.fresh_file("build.log", 10);
    let package = client.fresh_file("hello.deb", 10);
    let log = client.upload("debusine:test", &[log.display().to_string()])["id"].clone();
    let package = client.upload("debusine:test", &[package.display().to_string()])["id"].clone();
    let (log, package) = (log.as_u64().unwrap(), package.as_u64().unwrap());
    let created = client.ok(&[
        "relate",
        &log.to_string(),
        &package.to_string(),
        "--type",
        "relates-to",
    ]);
    assert_eq!(
        created,
        json!({"artifact": log, "target": package, "type": "relates-to"})
    );
    let relations = api(
        server,
        "GET",
        &format!("/1.0/artifact-relation/?artifact={log}"),
        None,
    );
    let found: Vec<(u64, &str)> = relations
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["target"].as_u64().unwrap(), r["type"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(package, "relates-to")]);
}

#[test]
fn an_interrupted_upload_resumes_and_sends_only_the_rest() {
    let server = server();
    let client = Client::new(server, "resume");
    let size = 3 * CHUNK as usize + 999;
    let file = client.fresh_file("part.bin", size);
    let created = create_by_hand(server, &[("dir/part.bin", &file)]);
    assert_eq!(created["files_to_upload"], json!(["dir/part.bin"]));
    let id = created["id"].as_u64().unwrap().to_string();
    // The interruption: the first 100 000 bytes went up, then nothing.
    let status = server.script(&[
        "put-file-range",
        &id,
        "dir/part.bin",
        &file.to_string_lossy(),
        "0",
        "99999",
    ]);
    assert_eq!(status.trim(), "200");

    let resumed = client.ok(&[
        "resume",
        &id,
        "--chunk-size",
        &CHUNK.to_string(),
        &format!("dir/part.bin={}", file.display()),
    ]);
    assert_eq!(resumed["bytes_sent"], size as u64 - 100_000, "{resumed}");
    // Done: Debusine 0.11 answers a status query on a completed file with "nothing held"
    // (its upload record is gone), then takes the first chunk with 201 Created; no more goes.
    let again = client.ok(&[
        "resume",
        &id,
        "--chunk-size",
        &CHUNK.to_string(),
        &format!("dir/part.bin={}", file.display()),
    ]);
    assert!(again["bytes_sent"].as_u64().unwrap() <= CHUNK, "{again}");

    let into = client.dir.join("download");
    client.ok(&["download", &id, "--into", &into.to_string_lossy()]);
    assert_eq!(
        fs::read(into.join("dir/part.bin")).unwrap(),
        fs::read(&file).unwrap()
    );
}

#[test]
fn a_stored_file_that_does_not_match_its_sha256_is_refused_and_not_kept() {
    let server = server();
    let client = Client::new(server, "corrupt");
    // Fetched in name order: the good file first.
    let good = client.fresh_file("a-good.txt", 50);
    let bad = client.fresh_file("bad.bin", 2 * CHUNK as usize);
    let id = client.upload(
        "debusine:test",
        &[good.display().to_string(), bad.display().to_string()],
    )["id"]
        .as_u64()
        .unwrap()
        .to_string();
    // Same size, one byte changed, in the server's own store.
    let stored = server.script(&["stored-file", &sha256_of(&bad)]);
    let stored = Path::new(stored.trim());
    let mut bytes = fs::read(stored).unwrap();
    bytes[1000] ^= 0xff;
    fs::write(stored, &bytes).unwrap();

    let into = client.dir.join("download");
    let stderr = client.refused(&["download", &id, "--into", &into.to_string_lossy()]);
    assert!(stderr.contains("file `bad.bin`"), "{stderr}");
    assert!(stderr.contains("sha256 mismatch"), "{stderr}");
    assert!(stderr.contains(&sha256_of(&bad)), "{stderr}");
    // The file that matched is there; nothing of the other, not even a partial file.
    assert_eq!(listing(&into), ["a-good.txt"]);
}

#[test]
fn a_file_path_with_dotdot_is_refused_before_anything_is_written() {
    let server = server();
    let client = Client::new(server, "dotdot");
    let file = client.fresh_file("payload", 20);
    let escape = format!("../escaped-{}", std::process::id());
    let created = create_by_hand(server, &[("fine.txt", &file), (&escape, &file)]);
    // The server takes the path as it is.
    assert!(created["files"].get(&escape).is_some(), "{created}");
    let id = created["id"].as_u64().unwrap().to_string();

    let into = client.dir.join("download").join("inner");
    let stderr = client.refused(&["download", &id, "--into", &into.to_string_lossy()]);
    assert!(
        stderr.contains(&format!("file path `{escape}` is refused")),
        "{stderr}"
    );
    assert!(stderr.contains("`..`"), "{stderr}");
    assert!(!into.exists(), "the target directory was created");
    assert!(listing(&client.dir.join("download")).is_empty());
}

#[test]
fn a_failed_noop_leaves_debug_logs_with_its_stages() {
    let server = server();
    let _serial = serial();
    let client = Client::new(server, "debug-logs");
    let mut worker = Worker::connected(server, "debug-logs", 1);
    let (failing, passing) = if server.version.starts_with("0.11") {
        (r#"{"result": false}"#, r#"{"result": true}"#)
    } else {
        (r#"{"result": "failure"}"#, r#"{"result": "success"}"#)
    };
    let failed = server.create("noop", failing);
    let passed = server.create("noop", passing);
    let failed = server.completed(failed);
    let passed = server.completed(passed);
    assert_eq!(failed["result"], "failure");
    assert_eq!(passed["result"], "success");

    let debug_logs = |request: &Value| -> Value {
        let ids = request["artifacts"].as_array().unwrap();
        let found: Vec<Value> = ids
            .iter()
            .map(|id| api(server, "GET", &format!("/1.0/artifact/{id}/"), None))
            .filter(|artifact| artifact["category"] == "debusine:work-request-debug-logs")
            .collect();
        assert_eq!(found.len(), 1, "{request:#}");
        found[0].clone()
    };
    // A failure keeps stages.log; a success uploads the artifact without it.
    let failed_logs = debug_logs(&failed);
    assert_eq!(
        failed_logs["files"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["stages.log"]
    );
    assert_eq!(debug_logs(&passed)["files"], json!({}));

    let into = client.dir.join("logs");
    client.ok(&[
        "download",
        &failed_logs["id"].to_string(),
        "--into",
        &into.to_string_lossy(),
    ]);
    let stages = fs::read_to_string(into.join("stages.log")).unwrap();
    let names: Vec<&str> = stages
        .lines()
        .map(|line| {
            let (time, stage) = line.split_once(' ').unwrap();
            // Python's isoformat of a UTC time: 2026-11-30T17:50:24.555633+00:00
            assert_eq!(time.len(), 32, "{line}");
            assert!(
                time.ends_with("+00:00") && time.as_bytes()[10] == b'T',
                "{line}"
            );
            stage
        })
        .collect();
    assert_eq!(names, ["Running", "Cleaning up"], "{stages}");
    worker.wait_log("uploaded the debug logs", Duration::from_secs(5));
    worker.stop();
}
