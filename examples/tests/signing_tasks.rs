//! `extractforsigning`, `assemblesignedsource` and `mergeuploads`: their command lines, what
//! they upload under a (fake) server (inputs fetched by the ids of the dynamic data, outputs with
//! Debusine's categories, data and relations), and the checks that fail them, with Debusine's
//! messages. The tools are the real ones (dpkg-deb, dpkg-source, mergechanges), on packages the
//! tests build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use taskdef::{
    ArtifactId, Execute, FetchedArtifact, NewArtifact, RelationType, ServerClient, Task,
    TaskContext, TaskError,
};
use taskdef_examples::dynamic_data::BaseDynamicData;
use taskdef_examples::signing::{Manifest, Stop};
use taskdef_examples::tasks::assemblesignedsource::{
    self, AssembleSignedSourceDynamicData, SignedFiles,
};
use taskdef_examples::tasks::extractforsigning::ExtractForSigningDynamicData;
use taskdef_examples::tasks::mergeuploads::{self, MergeUploadsDynamicData};
use taskdef_examples::tasks::{AssembleSignedSource, ExtractForSigning, MergeUploads};
use taskdef_examples::{deb822, debusine_0_11};

use RelationType::{BuiltUsing, Extends, RelatesTo};

#[path = "support/argv.rs"]
mod argv;
use argv::argv;

#[allow(dead_code)]
#[path = "support/debian_fixtures.rs"]
mod fixtures;
use fixtures::{MANIFEST, efi_deb, fresh, template_deb, write};

fn p(path: &str) -> PathBuf {
    PathBuf::from(path)
}

// ---- command lines ----

#[test]
fn the_command_lines() {
    assert_eq!(
        argv(&ExtractForSigning::command_line(
            &p("/w/artifacts/1/t.deb"),
            &p("/w/extract-for-signing/template")
        )),
        [
            "dpkg-deb",
            "-x",
            "/w/artifacts/1/t.deb",
            "/w/extract-for-signing/template"
        ]
    );
    let name = taskdef_examples::signing::package_name_command(&p("/w/a.deb"), &p("/w/a.name"));
    assert_eq!(argv(&name), ["dpkg-deb", "--field", "/w/a.deb", "Package"]);
    assert_eq!(name.stdout.as_deref(), Some(Path::new("/w/a.name")));

    let [build, genchanges] = AssembleSignedSource::command_lines(
        &p("/w/a/source"),
        "unstable",
        &p("/w/a/hello-signed_1.0+1_source.changes"),
    );
    assert_eq!(argv(&build), ["dpkg-source", "-b", "."]);
    assert_eq!(build.cwd.as_deref(), Some(Path::new("/w/a/source")));
    assert_eq!(
        argv(&genchanges),
        [
            "dpkg-genchanges",
            "-S",
            "-DDistribution=unstable",
            "-UCloses",
            "-O/w/a/hello-signed_1.0+1_source.changes"
        ]
    );
    let parse = AssembleSignedSource::parsechangelog_command(&p("/w/a/source"), &p("/w/a/c"));
    assert_eq!(argv(&parse), ["dpkg-parsechangelog", "--count", "1"]);
    assert_eq!(parse.cwd.as_deref(), Some(Path::new("/w/a/source")));

    let merge = MergeUploads::command_line(
        &[p("/w/artifacts/1/a.changes"), p("-rf/b.changes")],
        &p("/w/merged/hello_1_multi.changes"),
    );
    assert_eq!(
        argv(&merge),
        [
            "mergechanges",
            "/w/artifacts/1/a.changes",
            "./-rf/b.changes"
        ]
    );
    assert_eq!(
        merge.stdout.as_deref(),
        Some(Path::new("/w/merged/hello_1_multi.changes"))
    );
    // mergechanges needs two files: one upload is merged with itself.
    let one = MergeUploads::command_line(&[p("/w/a.changes")], &p("/w/m"));
    assert_eq!(argv(&one), ["mergechanges", "/w/a.changes", "/w/a.changes"]);
}

#[test]
fn the_merged_file_is_named_as_mergechanges_names_it() {
    let name = |source: &str, version: &str| match mergeuploads::merged_name(source, version) {
        Ok(name) => name,
        Err(Stop::Failure(reason)) => format!("failure: {reason}"),
        Err(Stop::Error(error)) => format!("error: {error}"),
    };
    assert_eq!(name("hello", "1:2.0-1"), "hello_2.0-1_multi.changes");
    assert_eq!(name("hello", "2.0-1"), "hello_2.0-1_multi.changes");
    assert!(name("../../etc/x", "1").starts_with("failure: "));
    assert_eq!(mergeuploads::py_repr("it's"), "\"it's\"");
    assert_eq!(mergeuploads::py_repr("a'\"b"), "'a\\'\"b'");
}

// ---- a fake server ----

/// An upload as the server saw it: its id, the artifact, each file's content.
type Upload = (ArtifactId, NewArtifact, BTreeMap<String, Vec<u8>>);

/// Artifacts under `store/<id>/`, relations between them; records what the task uploads.
#[derive(Debug, Default)]
struct FakeServer {
    store: PathBuf,
    meta: BTreeMap<ArtifactId, (String, Value)>,
    relations_held: Vec<(ArtifactId, ArtifactId, &'static str)>,
    uploads: Mutex<Vec<Upload>>,
    relations: Mutex<Vec<(ArtifactId, ArtifactId, RelationType)>>,
}

impl FakeServer {
    fn new(root: &Path) -> Self {
        FakeServer {
            store: root.join("store"),
            ..FakeServer::default()
        }
    }

    /// Artifact `id` with these files, each copied from a path.
    fn add(&mut self, id: ArtifactId, category: &str, data: Value, files: &[(&str, &Path)]) {
        for (name, from) in files {
            let to = self.store.join(id.to_string()).join(name);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from, to).unwrap();
        }
        self.meta.insert(id, (category.to_owned(), data));
    }

    fn uploads(&self) -> Vec<Upload> {
        self.uploads.lock().unwrap().clone()
    }

    fn relations(&self) -> Vec<(ArtifactId, ArtifactId, RelationType)> {
        self.relations.lock().unwrap().clone()
    }
}

impl ServerClient for FakeServer {
    fn request(&self, method: &str, path: &str, _body: Option<&Value>) -> Result<Value, TaskError> {
        assert_eq!(method, "GET", "{path}");
        if let Some(id) = path.strip_prefix("artifact-relation/?artifact=") {
            let id: ArtifactId = id.parse().unwrap();
            let list: Vec<Value> = self
                .relations_held
                .iter()
                .enumerate()
                .filter(|(_, (artifact, _, _))| *artifact == id)
                .map(|(n, (artifact, target, kind))| {
                    json!({"id": n, "artifact": artifact, "target": target, "type": kind})
                })
                .collect();
            return Ok(Value::Array(list));
        }
        if let Some(id) = path
            .strip_prefix("artifact/")
            .and_then(|rest| rest.strip_suffix('/'))
        {
            let id: ArtifactId = id.parse().unwrap();
            let (category, data) = &self.meta[&id];
            return Ok(json!({"id": id, "category": category, "data": data}));
        }
        Err(TaskError::other(format!("unexpected request {path}")))
    }

    fn download_artifact(&self, id: ArtifactId, into: &Path) -> Result<FetchedArtifact, TaskError> {
        let (category, data) = self
            .meta
            .get(&id)
            .cloned()
            .ok_or_else(|| TaskError::other(format!("no artifact {id}")))?;
        let from = self.store.join(id.to_string());
        let mut files = Vec::new();
        for path in taskdef::files_under(&from)? {
            let to = into.join(path.strip_prefix(&from).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&path, &to).unwrap();
            files.push(to);
        }
        files.sort();
        Ok(FetchedArtifact {
            id,
            category,
            data,
            dir: into.to_owned(),
            files,
        })
    }

    fn upload_artifact(&self, artifact: &NewArtifact) -> Result<ArtifactId, TaskError> {
        let contents = artifact
            .files
            .iter()
            .map(|file| (file.name.clone(), std::fs::read(&file.path).unwrap()))
            .collect();
        let mut uploads = self.uploads.lock().unwrap();
        let id = 100 + uploads.len() as ArtifactId;
        uploads.push((id, artifact.clone(), contents));
        Ok(id)
    }

    fn relate_artifacts(
        &self,
        artifact: ArtifactId,
        target: ArtifactId,
        relation: RelationType,
    ) -> Result<(), TaskError> {
        self.relations
            .lock()
            .unwrap()
            .push((artifact, target, relation));
        Ok(())
    }
}

fn binary_package(package: &str) -> Value {
    json!({"srcpkg_name": "hello", "srcpkg_version": "1.0", "deb_fields": {"Package": package}, "deb_control_files": ["control"]})
}

fn base() -> BaseDynamicData {
    BaseDynamicData::default()
}

fn under(server: &Arc<FakeServer>, work: &Path) -> TaskContext {
    TaskContext::new("test", work).with_server(server.clone())
}

// ---- under a server ----

#[test]
fn extractforsigning_uploads_one_signing_input_per_listed_package() {
    let root = fresh("efs-server");
    let template = template_deb(&root, MANIFEST, &[]);
    let efi = efi_deb(&root);
    let other = fixtures::build_deb(
        &root,
        "hello-doc",
        "1.0",
        "all",
        &[("usr/share/doc/x", "x")],
    );
    let mut server = FakeServer::new(&root);
    server.add(
        10,
        "debian:binary-package",
        binary_package("hello-signed-template"),
        &[("hello-signed-template_1.0_amd64.deb", &template)],
    );
    server.add(
        11,
        "debian:binary-package",
        binary_package("hello-doc"),
        &[("hello-doc_1.0_all.deb", &other)],
    );
    server.add(
        12,
        "debian:binary-package",
        binary_package("hello-efi"),
        &[("hello-efi_1.0_amd64.deb", &efi)],
    );
    let server = Arc::new(server);
    let task = ExtractForSigning::configure(json!({
        "environment": "debian/match:codename=sid",
        "input": {"template_artifact": "internal@collections/name:template", "binary_artifacts": [{"collection": "internal@collections"}]}
    }))
    .unwrap();
    let dynamic = ExtractForSigningDynamicData {
        base: base(),
        environment_id: 1,
        input_template_artifact_id: 10,
        input_binary_artifacts_ids: vec![11, 12],
    };
    let work = root.join("work");
    let ctx = under(&server, &work).with_dynamic_data(dynamic);
    assert!(task.execute(&ctx).unwrap());

    let uploads = server.uploads();
    assert_eq!(uploads.len(), 1, "{uploads:#?}");
    let (id, artifact, contents) = &uploads[0];
    assert_eq!(artifact.category, "debusine:signing-input");
    assert_eq!(
        artifact.data,
        json!({"trusted_certs": ["0123abcd"], "binary_package_name": "hello-efi"})
    );
    assert_eq!(
        contents.keys().collect::<Vec<_>>(),
        ["hello-efi/usr/lib/hello/hello.efi"]
    );
    assert_eq!(
        contents["hello-efi/usr/lib/hello/hello.efi"],
        b"MZ not really an EFI image\n"
    );
    assert_eq!(
        server.relations(),
        [(*id, 10, RelatesTo), (*id, 12, RelatesTo)]
    );
}

/// The server of an assembly: template 10, binary package 12, the signing input 30 made from
/// both, the signing output 20 of it, with the signature at `output_file`.
fn assembly_server(root: &Path, output_file: &str) -> FakeServer {
    let template = template_deb(root, MANIFEST, &[]);
    let signature = root.join("signature");
    write(&signature, "SIGNATURE OF hello.efi\n");
    let mut server = FakeServer::new(root);
    server.add(
        10,
        "debian:binary-package",
        binary_package("hello-signed-template"),
        &[("hello-signed-template_1.0_amd64.deb", &template)],
    );
    server.add(
        12,
        "debian:binary-package",
        binary_package("hello-efi"),
        &[],
    );
    server.add(
        30,
        "debusine:signing-input",
        json!({"binary_package_name": "hello-efi"}),
        &[],
    );
    server.add(
        20,
        "debusine:signing-output",
        json!({
            "purpose": "uefi",
            "fingerprint": "ABCD",
            "results": [
                {"file": "hello-efi/usr/lib/hello/hello.efi", "output_file": output_file},
                {"file": "hello-efi/usr/lib/other.efi", "error_message": "no such file"}
            ],
            "binary_package_name": "hello-efi"
        }),
        &[(output_file, &signature)],
    );
    server.relations_held = vec![
        (20, 30, "relates-to"),
        (30, 10, "relates-to"),
        (30, 12, "relates-to"),
        (20, 12, "extends"),
    ];
    server
}

#[test]
fn assemblesignedsource_builds_the_signed_source_built_using_the_signed_packages() {
    let root = fresh("ass-server");
    // Not the name the offline rule would guess: the data says where the signature is.
    let server = Arc::new(assembly_server(&root, "elsewhere/hello.sig"));
    let task = AssembleSignedSource::configure(json!({
        "environment": 1, "template": 10, "signed": [20]
    }))
    .unwrap();
    let dynamic = AssembleSignedSourceDynamicData {
        base: base(),
        environment_id: 1,
        template_id: 10,
        signed_ids: vec![20],
        unsigned_ids: vec![30],
    };
    let work = root.join("work");
    let ctx = under(&server, &work).with_dynamic_data(dynamic);
    assert!(task.execute(&ctx).unwrap());

    let uploads = server.uploads();
    let categories: Vec<&str> = uploads
        .iter()
        .map(|(_, a, _)| a.category.as_str())
        .collect();
    assert_eq!(categories, ["debian:source-package", "debian:upload"]);
    let (package_id, package, files) = &uploads[0];
    assert_eq!(package.data["name"], "hello-signed");
    assert_eq!(package.data["version"], "1.0+1");
    assert_eq!(package.data["type"], "dpkg");
    assert_eq!(package.data["dsc_fields"]["Format"], "3.0 (native)");
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["hello-signed_1.0+1.dsc", "hello-signed_1.0+1.tar.xz"]
    );
    let (upload_id, upload, upload_files) = &uploads[1];
    assert_eq!(upload.data["changes_fields"]["Distribution"], "unstable");
    assert_eq!(upload.data["changes_fields"]["Architecture"], "source");
    assert!(upload_files.contains_key("hello-signed_1.0+1_source.changes"));
    assert_eq!(
        server.relations(),
        [
            (*package_id, 10, BuiltUsing),
            (*package_id, 12, BuiltUsing),
            (*upload_id, *package_id, Extends)
        ]
    );
    let signature = work.join(
        "assemble-signed-source/source/debian/signatures/hello-efi/usr/lib/hello/hello.efi.sig",
    );
    assert_eq!(
        std::fs::read_to_string(signature).unwrap(),
        "SIGNATURE OF hello.efi\n"
    );
}

#[test]
fn assemblesignedsource_refuses_what_is_not_a_signing_output() {
    let root = fresh("ass-category");
    let mut server = assembly_server(&root, "x.sig");
    server.meta.insert(20, ("debian:upload".into(), json!({})));
    let server = Arc::new(server);
    let task =
        AssembleSignedSource::configure(json!({"environment": 1, "template": 10, "signed": [20]}))
            .unwrap();
    let dynamic = AssembleSignedSourceDynamicData {
        base: base(),
        environment_id: 1,
        template_id: 10,
        signed_ids: vec![20],
        unsigned_ids: vec![],
    };
    let ctx = under(&server, &root.join("work")).with_dynamic_data(dynamic);
    assert!(!task.execute(&ctx).unwrap());
    assert!(server.uploads().is_empty());
}

#[test]
fn mergeuploads_merges_in_the_order_of_the_ids_and_extends_every_input() {
    let root = fresh("mu-server");
    let (source, binary) = fixtures::uploads(&root, "1:1.0", &root.join("s"), &root.join("b"));
    let mut server = FakeServer::new(&root);
    let files = |changes: &Path| -> Vec<(String, PathBuf)> {
        let fields = deb822::read_first(changes).unwrap();
        let dir = changes.parent().unwrap();
        std::iter::once(changes.file_name().unwrap().to_string_lossy().into_owned())
            .chain(deb822::listed_files(&fields))
            .map(|name| (name.clone(), dir.join(name)))
            .collect()
    };
    for (id, changes) in [(41, &source), (40, &binary)] {
        let owned = files(changes);
        let borrowed: Vec<(&str, &Path)> = owned
            .iter()
            .map(|(n, p)| (n.as_str(), p.as_path()))
            .collect();
        server.add(id, "debian:upload", json!({"type": "dpkg"}), &borrowed);
    }
    let server = Arc::new(server);
    let task = MergeUploads::configure(json!({"input": {"uploads": [41, 40]}})).unwrap();
    let dynamic = MergeUploadsDynamicData {
        base: base(),
        environment_id: None,
        input_uploads_ids: vec![41, 40],
    };
    let ctx = under(&server, &root.join("work")).with_dynamic_data(dynamic);
    assert!(task.execute(&ctx).unwrap());

    let uploads = server.uploads();
    assert_eq!(uploads.len(), 1);
    let (id, artifact, contents) = &uploads[0];
    assert_eq!(artifact.category, "debian:upload");
    let fields = &artifact.data["changes_fields"];
    assert_eq!(fields["Architecture"], "amd64 source");
    assert_eq!(fields["Version"], "1:1.0");
    let names: Vec<&str> = fields["Files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["name"].as_str().unwrap())
        .collect();
    // The binary upload (id 40) first, as Debusine merges in id order.
    assert_eq!(
        names,
        ["hello_1.0_amd64.deb", "hello_1.0.dsc", "hello_1.0.tar.xz"]
    );
    assert_eq!(
        contents.keys().collect::<Vec<_>>(),
        [
            "hello_1.0.dsc",
            "hello_1.0.tar.xz",
            "hello_1.0_amd64.deb",
            "hello_1.0_multi.changes"
        ]
    );
    assert_eq!(server.relations(), [(*id, 40, Extends), (*id, 41, Extends)]);
}

#[test]
fn an_input_of_another_category_fails_the_task_before_any_work() {
    let root = fresh("category");
    let mut server = FakeServer::new(&root);
    let deb = efi_deb(&root);
    server.add(
        50,
        "debian:binary-package",
        binary_package("hello-efi"),
        &[("hello-efi_1.0_amd64.deb", &deb)],
    );
    server.add(
        51,
        "debian:upload",
        json!({}),
        &[("hello-efi_1.0_amd64.deb", &deb)],
    );
    let server = Arc::new(server);
    let merge = MergeUploads::configure(json!({"input": {"uploads": [50]}})).unwrap();
    // Without dynamic data, the integer lookup is fetched from the server, and checked.
    assert!(!merge.execute(&under(&server, &root.join("w1"))).unwrap());
    let extract = ExtractForSigning::configure(json!({
        "environment": 1, "input": {"template_artifact": 51, "binary_artifacts": [50]}
    }))
    .unwrap();
    assert!(!extract.execute(&under(&server, &root.join("w2"))).unwrap());
    assert!(server.uploads().is_empty());
}

// ---- the checks that fail a task ----

fn reason<T>(result: Result<T, Stop>) -> String {
    match result {
        Ok(_) => "accepted".to_owned(),
        Err(Stop::Failure(reason)) => reason,
        Err(Stop::Error(error)) => format!("error: {error}"),
    }
}

fn changes(text: &str) -> (PathBuf, deb822::Paragraph) {
    (p("/w/a.changes"), deb822::paragraphs(text).remove(0))
}

const SOURCE: &str = "Format: 1.8\nSource: hello\nVersion: 1.0\nArchitecture: source\n\
Description:\n hello - greets\nFiles:\n 0a 10 admin optional hello_1.0.dsc\n\
Checksums-Sha256:\n 0b 10 hello_1.0.dsc\n";
const BINARY: &str = "Format: 1.8\nSource: hello\nVersion: 1.0\nArchitecture: amd64\n\
Description:\n hello - greets\nFiles:\n 0c 20 admin optional hello_1.0_amd64.deb\n\
Checksums-Sha256:\n 0d 20 hello_1.0_amd64.deb\n";

#[test]
fn uploads_that_do_not_fit_together_are_refused_with_debusines_messages() {
    let check = |texts: &[&str]| {
        let all: Vec<_> = texts.iter().map(|text| changes(text)).collect();
        reason(mergeuploads::check(&all))
    };
    assert_eq!(check(&[SOURCE, BINARY]), "accepted");
    assert_eq!(check(&[SOURCE]), "accepted");
    assert_eq!(check(&[]), "input.uploads: no uploads to merge");
    assert_eq!(
        check(&[&SOURCE.replace("1.8", "1.7"), BINARY]),
        "Unknown .changes format: 1.7"
    );
    assert_eq!(
        check(&[SOURCE, &BINARY.replace("Version: 1.0", "Version: 1.1")]),
        "Version fields do not match: ['1.0', '1.1']"
    );
    assert_eq!(
        check(&[SOURCE, &BINARY.replace("Source: hello", "Source: other")]),
        "Source fields do not match: ['hello', 'other']"
    );
    assert_eq!(
        check(&[SOURCE, &BINARY.replace("hello - greets", "hello - waves")]),
        "Descriptions for hello do not match: 'greets' != 'waves'"
    );
    assert_eq!(
        check(&[SOURCE, &format!("{BINARY}Checksums-Md5:\n 00 1 x\n")]),
        "Unsupported checksum field: Checksums-Md5"
    );
    let clash = BINARY.replace("hello_1.0_amd64.deb", "hello_1.0.dsc");
    assert_eq!(
        check(&[SOURCE, &clash]),
        "Entries in Files for hello_1.0.dsc do not match: \
         {'md5sum': '0a', 'size': '10', 'section': 'admin', 'priority': 'optional', 'name': 'hello_1.0.dsc'} != \
         {'md5sum': '0c', 'size': '20', 'section': 'admin', 'priority': 'optional', 'name': 'hello_1.0.dsc'}"
    );
    assert!(check(&[SOURCE, SOURCE]).contains("hello_1.0.dsc is listed by two uploads"));
    assert_eq!(
        check(&[&SOURCE.replace(" hello_1.0.dsc", " ../hello_1.0.dsc")]),
        "'a.changes' has an entry in Files with more than one path component: '../hello_1.0.dsc'"
    );
}

fn manifest(text: &str) -> Manifest {
    serde_json::from_str(text).unwrap()
}

#[test]
fn signatures_go_where_the_manifest_says_or_the_task_fails() {
    let root = fresh("ass-signatures");
    let sig = root.join("sig");
    write(&sig, "S");
    let mut signed = SignedFiles::new();
    signed.insert(
        ("uefi".into(), "hello-efi/usr/lib/hello/hello.efi".into()),
        sig.clone(),
    );
    let source = root.join("source");
    let add = |text: &str| {
        reason(assemblesignedsource::add_signatures(
            &manifest(text),
            &signed,
            &source,
        ))
    };
    assert_eq!(add(MANIFEST), "accepted");
    assert_eq!(
        std::fs::read_to_string(
            source.join("debian/signatures/hello-efi/usr/lib/hello/hello.efi.sig")
        )
        .unwrap(),
        "S"
    );
    let one = |package: &str, sig_type: &str, file: &str| {
        add(&format!(
            r#"{{"packages": {{"{package}": {{"files": [{{"sig_type": "{sig_type}", "file": "{file}"}}]}}}}}}"#
        ))
    };
    assert_eq!(
        one("Hello", "efi", "a"),
        "'Hello' is not a valid package name"
    );
    assert_eq!(
        one("hello-efi", "efi", "../a"),
        "File name '../a' may not contain '..' segments"
    );
    assert_eq!(
        one("hello-efi", "efi", "/boot/a"),
        "File name '/boot/a' may not be absolute"
    );
    assert_eq!(
        one("hello-efi", "openpgp", "a"),
        "Cannot handle sig_type 'openpgp'"
    );
    assert_eq!(
        one("hello-efi", "efi", "usr/lib/b.efi"),
        "uefi signature of 'hello-efi/usr/lib/b.efi' not available"
    );
}

#[test]
fn offline_a_signing_output_is_read_as_debusines_sign_task_lays_it_out() {
    let root = fresh("ass-offline-layout");
    write(&root.join("hello-efi/usr/lib/hello/hello.efi.sig"), "S");
    write(&root.join("README"), "not a signature");
    let mut signed = SignedFiles::new();
    assemblesignedsource::add_signed_files(&root, &Value::Null, &mut signed).unwrap();
    assert_eq!(
        signed.keys().collect::<Vec<_>>(),
        [&(
            "uefi".to_owned(),
            "hello-efi/usr/lib/hello/hello.efi".to_owned()
        )]
    );
    let escape =
        json!({"purpose": "uefi", "results": [{"file": "a", "output_file": "../../etc/passwd"}]});
    assert!(
        reason(assemblesignedsource::add_signed_files(
            &root,
            &escape,
            &mut signed
        ))
        .contains("may not contain '..' segments")
    );
}

#[test]
fn a_source_template_is_checked_as_debusine_checks_it() {
    let root = fresh("ass-template");
    let template = root.join("template");
    for (path, content) in fixtures::debian_dir("st/", "hello-signed", "1.0", "x") {
        write(&template.join(path), &content);
    }
    let st = template.join("st");
    let check = || reason(assemblesignedsource::check_template(&template, &st));
    assert_eq!(check(), "accepted");
    write(&st.join("debian/source/options"), "--compression=gzip\n");
    assert_eq!(check(), "Template may not contain debian/source/options");
    std::fs::remove_file(st.join("debian/source/options")).unwrap();
    write(&st.join("debian/source/format"), "3.0 (quilt)\n");
    assert_eq!(
        check(),
        "Expected template source format '3.0 (native)'; got '3.0 (quilt)'"
    );
    std::fs::remove_file(st.join("debian/source/format")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", st.join("debian/source/format")).unwrap();
    assert!(check().contains("may not traverse symlinks to outside the template"));
    std::fs::remove_file(st.join("debian/rules")).unwrap();
    assert_eq!(check(), "Required file debian/rules missing from template");

    // A link out of the template is not copied into the source to build.
    let out = root.join("out");
    assert!(
        reason(assemblesignedsource::copy_tree(&st, &out, &template))
            .contains("debian/source/format: a symbolic link to outside the template")
    );
}

// ---- Debusine 0.11's forms ----

#[test]
fn debusine_0_11s_data_becomes_the_tasks() {
    let old: debusine_0_11::ExtractForSigning = serde_json::from_value(json!({
        "environment": 7, "input": {"template_artifact": 1, "binary_artifacts": [2]}
    }))
    .unwrap();
    let task = ExtractForSigning::from(old);
    assert_eq!(task.task_configuration, None, "0.11's default is null");
    assert_eq!(task.build_architecture, None);

    let old: debusine_0_11::AssembleSignedSourceDynamicData = serde_json::from_value(json!({
        "environment_id": 1, "template_id": 2, "signed_ids": [3], "task_configuration_id": 9
    }))
    .unwrap();
    let data = AssembleSignedSourceDynamicData::from(old);
    assert_eq!(data.unsigned_ids, Vec::<ArtifactId>::new());
    assert!(
        serde_json::from_value::<debusine_0_11::AssembleSignedSourceDynamicData>(json!({
            "environment_id": 1, "template_id": 2, "signed_ids": [3], "unsigned_ids": []
        }))
        .is_err(),
        "0.11 has no unsigned_ids"
    );

    // 0.16 wants each upload once; 0.11 did not check.
    assert!(MergeUploads::configure_dynamic_data(r#"{"input_uploads_ids": [1, 1]}"#).is_err());
    let old: debusine_0_11::MergeUploadsDynamicData =
        serde_json::from_str(r#"{"input_uploads_ids": [1, 1]}"#).unwrap();
    assert_eq!(MergeUploadsDynamicData::from(old).input_uploads_ids, [1, 1]);
    let task = MergeUploads::from(
        serde_json::from_value::<debusine_0_11::MergeUploads>(json!({"input": {"uploads": [1]}}))
            .unwrap(),
    );
    assert_eq!(task.task_configuration, None);
}
