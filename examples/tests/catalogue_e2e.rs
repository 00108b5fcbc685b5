//! A catalogue task in a full run through a real Debusine server (`tests/debusine/server`):
//! `blhc`, because its tool is one small Debian package (`tests/debusine/catalogue-tools`
//! installs it) that runs without root, an environment or the network, unlike sbuild,
//! autopkgtest or piuparts, and in seconds, unlike mmdebstrap.
//!
//! The test uploads a `debian:package-build-log` as the test user, asks for a `blhc` work
//! request whose input is that artifact's id, lets `taskdef worker` take it, and checks what
//! the server then holds: the work request's result, the `debian:blhc` artifact with blhc's
//! report, and its relation to the build log.
//!
//! A second test checks that the server's own model (pydantic, Debusine 0.11) accepts the data
//! of a `debian:system-tarball` as the mmdebstrap task builds it, with the fake mmdebstrap of
//! the worker's tests (a real bootstrap takes minutes and the mirror).
//!
//! Against sid's server (Debusine 0.16), `mergeuploads` merges two real uploads of a tiny
//! package; `extractforsigning` takes the file a real signing template lists out of a real
//! binary package, and after a signature faked as the test user, `assemblesignedsource` builds
//! the signed source: the server resolves their lookups, computes their dynamic data and takes
//! their artifacts and relations.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};

#[allow(dead_code)]
#[path = "support/debusine.rs"]
mod debusine;
use debusine::{Server, Suite, Worker, api, mmdebstrap, serial, server, server_of, sha256_of};

#[allow(dead_code)]
#[path = "support/debian_fixtures.rs"]
mod fixtures;
use taskdef::NewArtifact;
use taskdef_examples::categories;

const TOOLS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/debusine/catalogue-tools"
);

/// Installs the tools once per run (the script does nothing when they are there).
fn tools() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let output = Command::new(TOOLS).output().unwrap();
        assert!(
            output.status.success(),
            "{TOOLS} failed: it needs root on Debian and Debian's mirror:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    });
}

/// Creates an artifact of `category` with `data` and the one file `path` (named by its file
/// name) as the test user, and sends the file; its id.
fn upload(server: &Server, category: &str, data: Value, path: &Path) -> u64 {
    let name = path.file_name().unwrap().to_str().unwrap();
    let id = create(server, category, data, name, path);
    let size = std::fs::metadata(path).unwrap().len();
    server.script(&[
        "put-file-range",
        &id.to_string(),
        name,
        path.to_str().unwrap(),
        "0",
        &(size - 1).to_string(),
    ]);
    id
}

/// Creates an artifact of `category` with `data` and one file named `name`, described from
/// `path` but not sent; its id.
fn create(server: &Server, category: &str, data: Value, name: &str, path: &Path) -> u64 {
    let size = std::fs::metadata(path).unwrap().len();
    let created = api(
        server,
        "POST",
        "/1.0/artifact/",
        Some(&json!({
            "category": category,
            "workspace": server.env("DEBUSINE_WORKSPACE"),
            "files": {name: {"size": size, "checksums": {"sha256": sha256_of(path)}, "type": "file"}},
            "data": data,
        })),
    );
    created["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("{created:#}"))
}

/// A build log whose compiler lines lack Debian's hardening flags.
const BUILD_LOG: &str = "\
dpkg-buildpackage -us -uc -b
dpkg-buildpackage: info: source package hello
dpkg-buildpackage: info: host architecture amd64
gcc -g -O2 -c hello.c -o hello.o
gcc hello.o -o hello
";

#[test]
fn blhc_fetches_a_build_log_and_uploads_its_report_related_to_it() {
    tools();
    let server = server();
    let _serial = serial();
    let scratch =
        std::env::temp_dir().join(format!("taskdef-catalogue-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    // A name of its own, so that the server never already holds the file.
    let log = scratch.join(format!("hello_1.0-{}_amd64.build", std::process::id()));
    std::fs::write(&log, BUILD_LOG).unwrap();
    let log_id = upload(
        server,
        "debian:package-build-log",
        json!({"source": "hello", "version": "1.0-1", "filename": log.file_name().unwrap().to_str()}),
        &log,
    );

    let mut worker = Worker::connected(server, "catalogue", 2);
    let id = server.create("blhc", &json!({"input": {"artifact": log_id}}).to_string());
    let done = server.wait_status(id, "completed", Duration::from_secs(120));
    // blhc exits 8 for missing flags, which Debusine's task counts as a failure (only 0 and 1
    // are a success); the report is uploaded either way.
    assert_eq!(done["result"], "failure", "{done:#}\n{}", worker.log());
    assert_eq!(
        done["dynamic_task_data"]["input_artifact_id"], log_id,
        "the server resolved the lookup: {done:#}"
    );

    let artifacts = artifacts_of(server, &done);
    let reports: Vec<&Value> = artifacts
        .iter()
        .filter(|artifact| artifact["category"] == "debian:blhc")
        .collect();
    assert_eq!(reports.len(), 1, "{artifacts:#?}\n{}", worker.log());
    let report = reports[0];
    assert_eq!(report["data"], json!({}));
    let file = &report["files"]["blhc.txt"];
    let sha256 = file["checksums"]["sha256"].as_str().unwrap();
    let stored = server.script(&["stored-file", sha256]);
    let text = std::fs::read_to_string(stored.trim()).unwrap();
    assert!(
        text.contains("CFLAGS missing") && text.contains("hello.c"),
        "blhc.txt:\n{text}"
    );

    let relations = api(
        server,
        "GET",
        &format!("/1.0/artifact-relation/?artifact={}", report["id"]),
        None,
    );
    let relations = relations
        .as_array()
        .unwrap_or_else(|| panic!("{relations:#}"));
    assert!(
        relations
            .iter()
            .any(|relation| relation["target"] == log_id && relation["type"] == "relates-to"),
        "{relations:#?}"
    );
    worker.stop();
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The artifacts of a completed work request, as the server describes them.
fn artifacts_of(server: &Server, done: &Value) -> Vec<Value> {
    done["artifacts"]
        .as_array()
        .unwrap_or_else(|| panic!("{done:#}"))
        .iter()
        .map(|id| api(server, "GET", &format!("/1.0/artifact/{id}/"), None))
        .collect()
}

#[test]
fn the_server_takes_the_system_tarball_the_mmdebstrap_task_describes() {
    let server = server();
    let _serial = serial();
    let mut worker = Worker::connected(server, "tarball", 1);
    let id = server.create("mmdebstrap", &mmdebstrap());
    let done = server.wait_status(id, "completed", Duration::from_secs(120));
    assert_eq!(done["result"], "success", "{done:#}\n{}", worker.log());
    let tarballs: Vec<Value> = artifacts_of(server, &done)
        .into_iter()
        .filter(|artifact| artifact["category"] == "debian:system-tarball")
        .collect();
    assert_eq!(tarballs.len(), 1, "{tarballs:#?}\n{}", worker.log());
    let data = &tarballs[0]["data"];
    assert_eq!(data["filename"], "system.tar.xz");
    assert_eq!(data["vendor"], "debian");
    assert_eq!(data["codename"], "bookworm");
    assert_eq!(data["mirror"], "http://deb.debian.org/debian");
    assert_eq!(data["pkglist"], json!({"base-files": "12.4"}));
    assert_eq!(data["with_dev"], true);
    assert_eq!(data["with_init"], true);
    assert!(
        tarballs[0]["files"]["system.tar.xz"].is_object(),
        "{tarballs:#?}"
    );
    worker.stop();
}

/// Runs blhc through the server on the build log `log_id`, and returns the completed work
/// request with the worker's log.
fn blhc_on(server: &Server, worker: &Worker, log_id: u64) -> (Value, String) {
    let id = server.create("blhc", &json!({"input": {"artifact": log_id}}).to_string());
    let done = server.wait_status(id, "completed", Duration::from_secs(120));
    (done, worker.log())
}

/// A build log as the test user, its file named `name` in the artifact (sent only when `send`).
fn build_log(server: &Server, scratch: &Path, name: &str, send: bool) -> (u64, std::path::PathBuf) {
    std::fs::create_dir_all(scratch).unwrap();
    let log = scratch.join(format!("hello_1.0-{}_amd64.build", std::process::id()));
    // Content of its own, so that the server's store holds it for this test only.
    std::fs::write(&log, format!("{BUILD_LOG}# {name}\n")).unwrap();
    let data = json!({"source": "hello", "version": "1.0-1", "filename": name});
    let id = if send {
        upload(server, "debian:package-build-log", data, &log)
    } else {
        create(server, "debian:package-build-log", data, name, &log)
    };
    (id, log)
}

/// Every file name under `dir`, recursively.
fn names_under(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            names.push(entry.file_name().to_string_lossy().into_owned());
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                names.extend(names_under(&entry.path()));
            }
        }
    }
    names
}

#[test]
fn an_input_whose_stored_file_does_not_match_its_sha256_is_an_error_naming_the_file() {
    tools();
    let server = server();
    let _serial = serial();
    let scratch =
        std::env::temp_dir().join(format!("taskdef-catalogue-sha-{}", std::process::id()));
    let name = format!("corrupt-{}.build", std::process::id());
    let (log_id, log) = build_log(server, &scratch, &name, true);
    // The artifact names its file as the local file is named.
    let name = log.file_name().unwrap().to_str().unwrap().to_owned();
    // One byte changed in the server's own store.
    let stored = server.script(&["stored-file", &sha256_of(&log)]);
    let stored = Path::new(stored.trim());
    let mut bytes = std::fs::read(stored).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(stored, &bytes).unwrap();

    let mut worker = Worker::connected(server, "corruptinput", 1);
    let (done, log_text) = blhc_on(server, &worker, log_id);
    assert_eq!(done["result"], "error", "{done:#}\n{log_text}");
    assert!(
        log_text.contains(&format!("file `{name}`")) && log_text.contains("sha256 mismatch"),
        "the worker's log names the file and the reason:\n{log_text}"
    );
    assert!(
        !names_under(&worker.dir).contains(&name),
        "nothing of the corrupt file is kept: {:?}",
        names_under(&worker.dir)
    );
    worker.stop();
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn an_input_with_a_dotdot_file_path_is_an_error_and_nothing_lands_outside() {
    tools();
    let server = server();
    let _serial = serial();
    let scratch =
        std::env::temp_dir().join(format!("taskdef-catalogue-dotdot-{}", std::process::id()));
    let escape = format!("escaped-{}.build", std::process::id());
    let (log_id, _) = build_log(server, &scratch, &format!("../{escape}"), false);

    let mut worker = Worker::connected(server, "dotdotinput", 1);
    let (done, log_text) = blhc_on(server, &worker, log_id);
    assert_eq!(done["result"], "error", "{done:#}\n{log_text}");
    assert!(
        log_text.contains(&format!("file path `../{escape}` is refused")),
        "the worker's log names the path:\n{log_text}"
    );
    assert!(
        !names_under(&worker.dir).contains(&escape),
        "a file escaped the artifact's directory: {:?}",
        names_under(&worker.dir)
    );
    worker.stop();
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Creates `artifact` (its category, data and every file) as the test user and sends its
/// files; its id.
fn upload_artifact(server: &Server, artifact: &NewArtifact) -> u64 {
    let files: serde_json::Map<String, Value> = artifact
        .files
        .iter()
        .map(|file| {
            let size = std::fs::metadata(&file.path).unwrap().len();
            let checksums = json!({"sha256": sha256_of(&file.path)});
            (
                file.name.clone(),
                json!({"size": size, "checksums": checksums, "type": "file"}),
            )
        })
        .collect();
    let created = api(
        server,
        "POST",
        "/1.0/artifact/",
        Some(&json!({
            "category": artifact.category,
            "workspace": server.env("DEBUSINE_WORKSPACE"),
            "files": files,
            "data": artifact.data,
        })),
    );
    let id = created["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("{created:#}"));
    for file in &artifact.files {
        let size = std::fs::metadata(&file.path).unwrap().len();
        server.script(&[
            "put-file-range",
            &id.to_string(),
            &file.name,
            file.path.to_str().unwrap(),
            "0",
            &(size - 1).to_string(),
        ]);
    }
    id
}

/// The relations from `artifact`, as `(target, type)`.
fn relations_of(server: &Server, artifact: &Value) -> Vec<(u64, String)> {
    let relations = api(
        server,
        "GET",
        &format!("/1.0/artifact-relation/?artifact={}", artifact["id"]),
        None,
    );
    let mut found: Vec<(u64, String)> = relations
        .as_array()
        .unwrap_or_else(|| panic!("{relations:#}"))
        .iter()
        .map(|r| {
            (
                r["target"].as_u64().unwrap(),
                r["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The `debian:binary-package` of `deb`, as the catalogue describes one (`dpkg-deb --control`
/// into `scratch`).
fn binary_package(deb: &Path, scratch: &Path) -> NewArtifact {
    let control = scratch.join(format!(
        "control-{}",
        deb.file_name().unwrap().to_string_lossy()
    ));
    fixtures::run(
        Command::new("dpkg-deb")
            .arg("--control")
            .arg(deb)
            .arg(&control),
    );
    categories::binary_package(deb, &control).unwrap()
}

#[test]
fn mergeuploads_merges_two_real_uploads_through_the_sid_server() {
    tools();
    let server = server_of(Suite::Sid);
    let _serial = server.serial();
    let scratch = fixtures::fresh("catalogue-mergeuploads");
    // A version of its own, so that the server's store never already holds the files.
    let version = format!("1.{}", std::process::id());
    let (source, binary) =
        fixtures::uploads(&scratch, &version, &scratch.join("s"), &scratch.join("b"));
    let source_id = upload_artifact(
        server,
        &categories::upload(&source, source.parent().unwrap()).unwrap(),
    );
    let binary_id = upload_artifact(
        server,
        &categories::upload(&binary, binary.parent().unwrap()).unwrap(),
    );

    let mut worker = Worker::connected(server, "mergeuploads", 1);
    let data = json!({"input": {"uploads": [binary_id, source_id]}});
    let id = server.create("mergeuploads", &data.to_string());
    let done = server.wait_status(id, "completed", Duration::from_secs(180));
    assert_eq!(done["result"], "success", "{done:#}\n{}", worker.log());
    let mut ids = vec![source_id, binary_id];
    ids.sort();
    let resolved = done["dynamic_task_data"]["input_uploads_ids"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut resolved: Vec<u64> = resolved.iter().filter_map(Value::as_u64).collect();
    resolved.sort();
    assert_eq!(resolved, ids, "{done:#}");

    let uploads: Vec<Value> = artifacts_of(server, &done)
        .into_iter()
        .filter(|artifact| artifact["category"] == "debian:upload")
        .collect();
    assert_eq!(uploads.len(), 1, "{uploads:#?}\n{}", worker.log());
    let merged = &uploads[0];
    let mut names: Vec<&String> = merged["files"].as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            &format!("hello_{version}.dsc"),
            &format!("hello_{version}.tar.xz"),
            &format!("hello_{version}_amd64.deb"),
            &format!("hello_{version}_multi.changes"),
        ]
    );
    assert_eq!(
        merged["data"]["changes_fields"]["Architecture"],
        "amd64 source"
    );
    assert_eq!(
        relations_of(server, merged),
        [
            (ids[0], "extends".to_owned()),
            (ids[1], "extends".to_owned())
        ]
    );
    worker.stop();
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn extract_sign_and_assemble_a_signed_source_through_the_sid_server() {
    tools();
    let server = server_of(Suite::Sid);
    let _serial = server.serial();
    let scratch = fixtures::fresh("catalogue-extractforsigning");
    // Content of its own, so that the server's store never already holds the files.
    let stamp = format!("{}", std::process::id());
    let template = fixtures::template_deb(
        &scratch,
        fixtures::MANIFEST,
        &[("usr/share/doc/hello-signed-template/stamp", &stamp)],
    );
    let efi = fixtures::build_deb(
        &scratch,
        "hello-efi",
        "1.0",
        "amd64",
        &[("usr/lib/hello/hello.efi", &format!("MZ {stamp}\n"))],
    );
    let template_id = upload_artifact(server, &binary_package(&template, &scratch));
    let efi_id = upload_artifact(server, &binary_package(&efi, &scratch));
    // The environment is only named (the task runs dpkg-deb on the worker): a tarball's
    // description, with no file.
    let tarball = NewArtifact::new(
        "debian:system-tarball",
        json!({
            "filename": "system.tar.xz", "vendor": "debian", "codename": "sid",
            "mirror": "http://deb.debian.org/debian", "components": ["main"], "variant": null,
            "pkglist": {}, "architecture": "amd64", "with_dev": true, "with_init": true
        }),
    );
    let environment_id = upload_artifact(server, &tarball);

    let mut worker = Worker::connected(server, "extractforsigning", 1);
    let data = json!({
        "environment": environment_id,
        "input": {"template_artifact": template_id, "binary_artifacts": [efi_id]}
    });
    let id = server.create("extractforsigning", &data.to_string());
    let done = server.wait_status(id, "completed", Duration::from_secs(180));
    assert_eq!(done["result"], "success", "{done:#}\n{}", worker.log());
    assert_eq!(
        done["dynamic_task_data"]["input_template_artifact_id"], template_id,
        "{done:#}"
    );

    let inputs: Vec<Value> = artifacts_of(server, &done)
        .into_iter()
        .filter(|artifact| artifact["category"] == "debusine:signing-input")
        .collect();
    assert_eq!(inputs.len(), 1, "{inputs:#?}\n{}", worker.log());
    let input = &inputs[0];
    assert_eq!(input["data"]["binary_package_name"], "hello-efi");
    assert_eq!(input["data"]["trusted_certs"], json!(["0123abcd"]));
    let file = &input["files"]["hello-efi/usr/lib/hello/hello.efi"];
    assert_eq!(
        file["checksums"]["sha256"],
        debusine::sha256(&format!("MZ {stamp}\n")),
        "{input:#}"
    );
    let mut expected = vec![
        (template_id, "relates-to".to_owned()),
        (efi_id, "relates-to".to_owned()),
    ];
    expected.sort();
    assert_eq!(relations_of(server, input), expected);

    // The signing task, faked as the test user: a signing output with a signature of the file,
    // related to the signing input as Debusine's sign task relates it.
    let signature = scratch.join("hello.efi.sig");
    std::fs::write(&signature, format!("fake signature {stamp}\n")).unwrap();
    let output = NewArtifact::new(
        "debusine:signing-output",
        json!({
            "purpose": "uefi",
            "fingerprint": "0123456789ABCDEF",
            "results": [{"file": "hello-efi/usr/lib/hello/hello.efi", "output_file": "hello-efi/usr/lib/hello/hello.efi.sig"}],
            "binary_package_name": "hello-efi"
        }),
    )
    .with_file("hello-efi/usr/lib/hello/hello.efi.sig", &signature);
    let output_id = upload_artifact(server, &output);
    api(
        server,
        "POST",
        "/1.0/artifact-relation/",
        Some(&json!({"artifact": output_id, "target": input["id"], "type": "relates-to"})),
    );

    let data =
        json!({"environment": environment_id, "template": template_id, "signed": [output_id]});
    let id = server.create("assemblesignedsource", &data.to_string());
    let done = server.wait_status(id, "completed", Duration::from_secs(180));
    assert_eq!(done["result"], "success", "{done:#}\n{}", worker.log());
    let mut unsigned: Vec<u64> = done["dynamic_task_data"]["unsigned_ids"]
        .as_array()
        .unwrap_or_else(|| panic!("{done:#}"))
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    unsigned.sort();
    let mut expected_unsigned = vec![input["id"].as_u64().unwrap(), template_id, efi_id];
    expected_unsigned.sort();
    assert_eq!(unsigned, expected_unsigned, "{done:#}");
    let artifacts = artifacts_of(server, &done);
    let of = |category: &str| -> Vec<&Value> {
        artifacts
            .iter()
            .filter(|a| a["category"] == category)
            .collect()
    };
    let (packages, uploads) = (of("debian:source-package"), of("debian:upload"));
    assert_eq!(
        (packages.len(), uploads.len()),
        (1, 1),
        "{artifacts:#?}\n{}",
        worker.log()
    );
    let package = packages[0];
    assert_eq!(package["data"]["name"], "hello-signed");
    assert_eq!(package["data"]["version"], "1.0+1");
    let mut names: Vec<&String> = package["files"].as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(
        names,
        ["hello-signed_1.0+1.dsc", "hello-signed_1.0+1.tar.xz"]
    );
    let mut built_using = vec![
        (template_id, "built-using".to_owned()),
        (efi_id, "built-using".to_owned()),
    ];
    built_using.sort();
    assert_eq!(relations_of(server, package), built_using);
    assert_eq!(
        relations_of(server, uploads[0]),
        [(package["id"].as_u64().unwrap(), "extends".to_owned())]
    );
    // The stored source package unpacks, with the signature in it.
    let stored = |name: &str| {
        let sha256 = package["files"][name]["checksums"]["sha256"]
            .as_str()
            .unwrap();
        PathBuf::from(server.script(&["stored-file", sha256]).trim())
    };
    let unpack = scratch.join("unpack");
    std::fs::create_dir_all(&unpack).unwrap();
    for name in ["hello-signed_1.0+1.dsc", "hello-signed_1.0+1.tar.xz"] {
        std::fs::copy(stored(name), unpack.join(name)).unwrap();
    }
    fixtures::run(
        Command::new("dpkg-source")
            .args(["--no-check", "-x", "hello-signed_1.0+1.dsc", "tree"])
            .current_dir(&unpack),
    );
    assert_eq!(
        std::fs::read_to_string(
            unpack.join("tree/debian/signatures/hello-efi/usr/lib/hello/hello.efi.sig")
        )
        .unwrap(),
        format!("fake signature {stamp}\n")
    );
    worker.stop();
    let _ = std::fs::remove_dir_all(&scratch);
}
