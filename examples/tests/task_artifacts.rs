//! Every catalogue task under a (fake) server: it fetches its inputs by the ids of its dynamic
//! data and uploads its outputs with Debusine's categories, data and relations. The server
//! serves artifacts from a temporary directory and records uploads and relations; the tools
//! are faked through the context's command runner, writing what the real ones write.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use taskdef::{
    AbortHandle, ArtifactId, CommandLine, CommandRunner, CommandStatus, Execute, FetchedArtifact,
    NewArtifact, ProcessRunner, RelationType, ServerClient, Task, TaskContext, TaskError,
};
use taskdef_examples::debusine_0_11;
use taskdef_examples::tasks::autopkgtest::AutopkgtestDynamicData;
use taskdef_examples::tasks::blhc::BlhcDynamicData;
use taskdef_examples::tasks::debdiff::DebdiffDynamicData;
use taskdef_examples::tasks::lintian::LintianDynamicData;
use taskdef_examples::tasks::makesourcepackageupload::MakeSourcePackageUploadDynamicData;
use taskdef_examples::tasks::piuparts::PiupartsDynamicData;
use taskdef_examples::tasks::sbuild::SbuildDynamicData;
use taskdef_examples::tasks::simplesystemimagebuild::DEBEFIVM_CREATE;
use taskdef_examples::tasks::{
    Autopkgtest, Blhc, Debdiff, Lintian, MakeSourcePackageUpload, Mmdebstrap, Noop, Piuparts,
    Sbuild, SimpleSystemImageBuild,
};

use RelationType::{BuiltUsing, Extends, RelatesTo};

#[path = "support/argv.rs"]
mod argv;
use argv::argv;

#[allow(dead_code)]
#[path = "support/debusine.rs"]
mod debusine;

/// An upload as the server saw it: the artifact, and each file's content at upload time.
#[derive(Debug, Clone)]
struct Upload {
    id: ArtifactId,
    artifact: NewArtifact,
    contents: BTreeMap<String, String>,
}

/// A server holding artifacts under `store/<id>/`, numbering new ones from 100.
#[derive(Debug, Default)]
struct FakeServer {
    store: PathBuf,
    meta: BTreeMap<ArtifactId, (String, Value)>,
    downloads: Mutex<Vec<ArtifactId>>,
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

    /// Artifact `id` of `category` with `data` and these files.
    fn add(&mut self, id: ArtifactId, category: &str, data: Value, files: &[(&str, &str)]) {
        let dir = self.store.join(id.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        for (name, content) in files {
            std::fs::write(dir.join(name), content).unwrap();
        }
        self.meta.insert(id, (category.to_owned(), data));
    }

    fn downloads(&self) -> Vec<ArtifactId> {
        self.downloads.lock().unwrap().clone()
    }

    fn uploads(&self) -> Vec<Upload> {
        self.uploads.lock().unwrap().clone()
    }

    fn categories(&self) -> Vec<String> {
        self.uploads()
            .into_iter()
            .map(|upload| upload.artifact.category)
            .collect()
    }

    fn relations(&self) -> Vec<(ArtifactId, ArtifactId, RelationType)> {
        self.relations.lock().unwrap().clone()
    }

    /// The one upload of `category`.
    fn upload(&self, category: &str) -> Upload {
        let found: Vec<Upload> = self
            .uploads()
            .into_iter()
            .filter(|upload| upload.artifact.category == category)
            .collect();
        assert_eq!(found.len(), 1, "{category}: {found:#?}");
        found.into_iter().next().unwrap()
    }
}

impl ServerClient for FakeServer {
    fn request(&self, method: &str, path: &str, _body: Option<&Value>) -> Result<Value, TaskError> {
        Err(TaskError::other(format!(
            "unexpected request {method} {path}"
        )))
    }

    fn download_artifact(&self, id: ArtifactId, into: &Path) -> Result<FetchedArtifact, TaskError> {
        let (category, data) = self
            .meta
            .get(&id)
            .cloned()
            .ok_or_else(|| TaskError::other(format!("no artifact {id}")))?;
        self.downloads.lock().unwrap().push(id);
        std::fs::create_dir_all(into).unwrap();
        let mut files = Vec::new();
        for entry in std::fs::read_dir(self.store.join(id.to_string())).unwrap() {
            let entry = entry.unwrap();
            let target = into.join(entry.file_name());
            std::fs::copy(entry.path(), &target).unwrap();
            files.push(target);
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
        let mut contents = BTreeMap::new();
        for file in &artifact.files {
            let text = std::fs::read(&file.path)
                .map_err(|error| TaskError::other(format!("{}: {error}", file.path.display())))?;
            contents.insert(
                file.name.clone(),
                String::from_utf8_lossy(&text).into_owned(),
            );
        }
        let mut uploads = self.uploads.lock().unwrap();
        let id = 100 + uploads.len() as ArtifactId;
        uploads.push(Upload {
            id,
            artifact: artifact.clone(),
            contents,
        });
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

/// The tools, faked: each writes what the real one leaves behind, and the runner keeps the
/// command lines.
#[derive(Debug, Default)]
struct FakeTools {
    commands: Mutex<Vec<CommandLine>>,
}

const DSC: &str = "Format: 3.0 (native)\nSource: hello\nBinary: hello\nArchitecture: any\n\
Version: 1.0-1\nChecksums-Sha256:\n 0f 20 hello_1.0-1.tar.xz\nFiles:\n 0e 20 hello_1.0-1.tar.xz\n";

fn arg(command: &CommandLine, prefix: &str) -> Option<String> {
    command
        .args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .find_map(|arg| arg.strip_prefix(prefix).map(str::to_owned))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Builds `<package>_1.0-1_amd64.deb` in `dir` with the real `dpkg-deb --build`.
fn build_deb(dir: &Path, package: &str, source: &str) {
    let root = dir.join(format!("{package}-root"));
    write(
        &root.join("DEBIAN/control"),
        &format!(
            "Package: {package}\n{source}Version: 1.0-1\nArchitecture: amd64\n\
             Maintainer: A <a@example.org>\nDescription: greets\n"
        ),
    );
    write(
        &root.join(format!("usr/share/doc/{package}/README")),
        "hi\n",
    );
    let status = std::process::Command::new("dpkg-deb")
        .args(["--build", "--root-owner-group"])
        .arg(&root)
        .arg(dir.join(format!("{package}_1.0-1_amd64.deb")))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("dpkg-deb runs (Debian)");
    assert!(status.success());
    std::fs::remove_dir_all(&root).unwrap();
}

/// The build id of the `.debug` file of the fake `-dbgsym` package.
const BUILD_ID: &str = "ab0123456789abcdef0123456789abcdef012345";

/// Builds `<package>_1.0-1_amd64.deb` in `dir` holding `.debug` files under
/// `usr/lib/debug/.build-id/`, one per build id, with the real `dpkg-deb --build`.
fn build_dbgsym_deb(dir: &Path, package: &str, build_ids: &[&str]) {
    let root = dir.join(format!("{package}-root"));
    write(
        &root.join("DEBIAN/control"),
        &format!(
            "Package: {package}\nSource: hello\nVersion: 1.0-1\nArchitecture: amd64\n\
             Maintainer: A <a@example.org>\nDescription: debug symbols\n"
        ),
    );
    for id in build_ids {
        write(
            &root.join(format!(
                "usr/lib/debug/.build-id/{}/{}.debug",
                &id[..2],
                &id[2..]
            )),
            &format!("ELF {id}\n"),
        );
    }
    let status = std::process::Command::new("dpkg-deb")
        .args(["--build", "--root-owner-group"])
        .arg(&root)
        .arg(dir.join(format!("{package}_1.0-1_amd64.deb")))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("dpkg-deb runs (Debian)");
    assert!(status.success());
    std::fs::remove_dir_all(&root).unwrap();
}

impl CommandRunner for FakeTools {
    fn run(&self, command: &CommandLine, abort: &AbortHandle) -> Result<CommandStatus, TaskError> {
        self.commands.lock().unwrap().push(command.clone());
        let cwd = command.cwd.clone().expect("the context sets the directory");
        let stdout = |text: &str| write(command.stdout.as_deref().expect("captured"), text);
        let last = PathBuf::from(command.args.last().cloned().unwrap_or_default());
        let code = match command.program.to_str().unwrap() {
            // blhc asks for blhc's version (one that has `--debian`), piuparts for piuparts'.
            "dpkg-query" if last == Path::new("blhc") => {
                stdout("0.14-1");
                0
            }
            "blhc" => {
                stdout("NONVERBOSE BUILD: gcc -c hello.c\n");
                1
            }
            "debdiff" => {
                stdout("File lists identical (after any substitutions)\n");
                1
            }
            "lintian" if arg(command, "--print-version").is_some() => {
                stdout("2.116.3\n");
                0
            }
            "lintian" => {
                stdout(
                    "W: hello source: newer-standards-version 9.9\n\
                     E: hello: no-copyright-file\n\
                     I: hello-doc: extended-description-is-probably-too-short\n",
                );
                0
            }
            "dpkg-source" => {
                std::fs::create_dir_all(&last).unwrap();
                0
            }
            "dpkg-genchanges" => {
                let out = arg(command, "-O").unwrap();
                write(
                    Path::new(&out),
                    "Source: hello\nVersion: 1.0-1\nArchitecture: source\n\
                     Checksums-Sha256:\n 0a 10 hello_1.0-1.dsc\n 0f 20 hello_1.0-1.tar.xz\n\
                     Files:\n 0b 10 devel optional hello_1.0-1.dsc\n 0e 20 devel optional hello_1.0-1.tar.xz\n",
                );
                0
            }
            "sbuild" => {
                write(
                    &cwd.join("hello_1.0-1_amd64-2026.build"),
                    "build log\nStatus: successful\n",
                );
                std::os::unix::fs::symlink(
                    "hello_1.0-1_amd64-2026.build",
                    cwd.join("hello_1.0-1_amd64.build"),
                )
                .unwrap();
                build_deb(&cwd, "hello", "");
                build_deb(&cwd, "libhello1", "Source: hello\n");
                build_dbgsym_deb(&cwd, "hello-dbgsym", &[BUILD_ID]);
                write(
                    &cwd.join("hello_1.0-1_amd64.changes"),
                    "Source: hello\nVersion: 1.0-1\nArchitecture: amd64\n\
                     Checksums-Sha256:\n 01 3 hello_1.0-1_amd64.deb\n 02 3 libhello1_1.0-1_amd64.deb\n\
                     Files:\n 03 3 devel optional hello_1.0-1_amd64.deb\n 04 3 libs optional libhello1_1.0-1_amd64.deb\n",
                );
                0
            }
            // The real dpkg-deb reads the real packages the fake sbuild built.
            "dpkg-deb" => return ProcessRunner::default().run(command, abort),
            "autopkgtest" => {
                let out = PathBuf::from(arg(command, "--output-dir=").unwrap());
                write(
                    &out.join("summary"),
                    // As autopkgtest writes it: the name padded to a column.
                    "smoke                PASS\nslow                 FAIL non-zero exit status 1\n",
                );
                write(&out.join("log"), "autopkgtest log\n");
                write(&out.join("binaries/hello.deb"), "deb");
                4
            }
            "mmdebstrap" => {
                let args: Vec<String> = command
                    .args
                    .iter()
                    .map(|arg| arg.to_string_lossy().into_owned())
                    .collect();
                // The output is third from the end: SUITE OUTPUT MIRROR SOURCES.
                write(&cwd.join(&args[args.len() - 3]), "tarball");
                write(
                    &cwd.join("os-release"),
                    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_CODENAME=bookworm\n",
                );
                write(
                    &cwd.join("var_lib_dpkg/dpkg/status"),
                    "Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n\n\
                     Package: libc6\nStatus: install ok installed\nMulti-Arch: same\nVersion: 2.36-9\nArchitecture: amd64\n\n\
                     Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n",
                );
                write(&cwd.join("test-sbin-init"), "1\n");
                0
            }
            "piuparts" => {
                stdout("piuparts log\n");
                0
            }
            "dpkg-query" => {
                stdout("1.6.1");
                0
            }
            DEBEFIVM_CREATE => {
                write(&cwd.join("system.img"), "raw image");
                write(
                    &cwd.join("os-release"),
                    "ID=debian\nVERSION_CODENAME=trixie\n",
                );
                // tar-out: the dpkg database as `dpkg/` in a tarball, made by the real tar.
                let tree = cwd.join("dpkg-tree");
                write(
                    &tree.join("dpkg/status"),
                    "Package: systemd-sysv\nStatus: install ok installed\nVersion: 257-1\n\n\
                     Package: linux-image-generic\nStatus: install ok installed\nVersion: 6.12\n",
                );
                let status = std::process::Command::new("tar")
                    .arg("-C")
                    .arg(&tree)
                    .arg("-cf")
                    .arg(cwd.join("var_lib_dpkg.tar"))
                    .arg("dpkg")
                    .status()
                    .unwrap();
                assert!(status.success());
                std::fs::remove_dir_all(&tree).unwrap();
                0
            }
            "qemu-img" => {
                let raw = std::fs::read_to_string(cwd.join("system.img")).unwrap();
                write(&last, &format!("qcow2 of {raw}"));
                0
            }
            // The real tar compresses the raw image and unpacks the dpkg database.
            "tar" => return ProcessRunner::default().run(command, abort),
            other => panic!("unexpected tool {other}"),
        };
        Ok(CommandStatus::exited(code))
    }
}

/// A work directory, a server and the tools for one test.
struct Setup {
    dir: PathBuf,
    server: FakeServer,
    tools: Arc<FakeTools>,
    /// The release of the server the task runs for (`TaskContext::release`); `None`: unknown.
    release: Option<&'static str>,
}

/// What a run left: the task's result, the server, the tools and the test's directory.
type Ran = (bool, Arc<FakeServer>, Arc<FakeTools>, PathBuf);

/// A task's test run, for a server of the release given.
type RunFor = fn(Option<&'static str>) -> Ran;

impl Setup {
    fn new(name: &str) -> Setup {
        Setup::new_in(name, None)
    }

    /// A setup whose task runs for a server of `release`.
    fn new_in(name: &str, release: Option<&'static str>) -> Setup {
        let dir = std::env::temp_dir().join(format!(
            "taskdef-artifacts-{name}-{}-{}",
            release.unwrap_or("any"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("work")).unwrap();
        Setup {
            server: FakeServer::new(&dir),
            dir,
            tools: Arc::default(),
            release,
        }
    }

    fn source_package(&mut self, id: ArtifactId) {
        self.server.add(
            id,
            "debian:source-package",
            json!({"name": "hello", "version": "1.0-1", "type": "dpkg", "dsc_fields": {}}),
            &[("hello_1.0-1.dsc", DSC), ("hello_1.0-1.tar.xz", "source")],
        );
    }

    fn binary_package(&mut self, id: ArtifactId, file: &str) {
        self.server
            .add(id, "debian:binary-package", json!({}), &[(file, "deb")]);
    }

    fn environment(&mut self, id: ArtifactId) {
        self.server.add(
            id,
            "debian:system-tarball",
            json!({"vendor": "debian", "codename": "trixie"}),
            &[("system.tar.xz", "tarball")],
        );
    }

    /// Runs `task` under the server with `dynamic` as its dynamic data, typed as `D`.
    fn run<T: Execute, D: DeserializeOwned + Send + Sync + 'static>(
        self,
        task: &T,
        dynamic: Value,
    ) -> Ran {
        let dynamic: D = serde_json::from_value(dynamic).unwrap();
        let server = Arc::new(self.server);
        let mut ctx = TaskContext::new("task", self.dir.join("work"))
            .with_runner(self.tools.clone())
            .with_server(server.clone())
            .with_dynamic_data(dynamic);
        if let Some(release) = self.release {
            ctx = ctx.with_release(release);
        }
        let result = task.execute(&ctx).unwrap();
        (result, server, self.tools, self.dir)
    }
}

fn configure<T: Task>(data: Value) -> T {
    T::configure(&data).unwrap()
}

fn blhc(artifact: impl Into<Value>) -> Blhc {
    configure(
        json!({"input": {"artifact": artifact.into()}, "environment": 3, "build_architecture": "amd64"}),
    )
}

#[test]
fn blhc_without_the_build_logs_data_uploads_empty_data() {
    let mut setup = Setup::new("blhc-0-11");
    setup.server.add(
        7,
        "debian:package-build-log",
        json!({"source": "hello", "version": "1.0-1", "filename": "hello_1.0-1_amd64.build"}),
        &[("hello_1.0-1_amd64.build", "gcc -c hello.c\n")],
    );
    // What a 0.11 server sends (through 0.11's form): no input_artifact_data. Debusine 0.16
    // reads `{}` as its nulls, and 0.11's `debian:blhc` takes no field.
    let old: debusine_0_11::BlhcDynamicData =
        serde_json::from_value(json!({"environment_id": null, "input_artifact_id": 7})).unwrap();
    let dynamic = serde_json::to_value(BlhcDynamicData::from(old)).unwrap();
    let (_, server, _, _) = setup.run::<_, BlhcDynamicData>(&blhc(7), dynamic);
    assert_eq!(server.upload("debian:blhc").artifact.data, json!({}));
}

/// The run of `blhc_fetches_the_log_and_uploads_its_report`'s test, for a server of `release`.
fn blhc_run(release: Option<&'static str>) -> Ran {
    let mut setup = Setup::new_in("blhc", release);
    setup.server.add(
        7,
        "debian:package-build-log",
        json!({"source": "hello", "version": "1.0-1", "filename": "hello_1.0-1_amd64.build"}),
        &[("hello_1.0-1_amd64.build", "gcc -c hello.c\n")],
    );
    // The lookup names something else: the server's id wins.
    let task = blhc("debian:package-build-logs/x");
    setup.run::<_, BlhcDynamicData>(
        &task,
        json!({"environment_id": 3, "input_artifact_id": 7,
               "input_artifact_data": {"source": "hello", "version": "1.0-1", "architecture": "amd64",
                                       "filename": "hello_1.0-1_amd64.build", "bd_uninstallable": null}}),
    )
}

#[test]
fn blhc_fetches_the_log_and_uploads_its_report() {
    let (success, server, tools, dir) = blhc_run(None);
    assert!(success, "blhc's exit code 1 is its report");
    // The environment is not fetched: blhc runs on the worker.
    assert_eq!(server.downloads(), [7]);
    let commands = tools.commands.lock().unwrap();
    assert_eq!(argv(&commands[0])[0], "dpkg-query");
    assert_eq!(argv(&commands[1])[1], "--debian");
    assert_eq!(
        commands[1].args.last().unwrap(),
        dir.join("work/artifacts/7/hello_1.0-1_amd64.build")
            .as_os_str()
    );
    // As Debusine 0.16 uploads it: what the build log is.
    let upload = server.upload("debian:blhc");
    assert_eq!(
        upload.artifact.data,
        json!({"source": "hello", "version": "1.0-1", "architecture": "amd64"})
    );
    assert_eq!(
        upload.contents,
        BTreeMap::from([(
            "blhc.txt".into(),
            "NONVERBOSE BUILD: gcc -c hello.c\n".into()
        )])
    );
    assert_eq!(server.relations(), [(upload.id, 7, RelatesTo)]);
}

/// The run of `debdiff_of_binaries_relates_its_report_to_every_input`'s test, for a server of `release`.
fn debdiff_run(release: Option<&'static str>) -> Ran {
    let mut setup = Setup::new_in("debdiff", release);
    setup.environment(3);
    setup.binary_package(11, "hello_1.0-1_amd64.deb");
    setup.binary_package(12, "hello_1.0-2_amd64.deb");
    setup.binary_package(13, "libhello1_1.0-2_amd64.deb");
    let task: Debdiff = configure(json!({
        "input": {"binary_artifacts": [[1], [2, 3]]},
        "environment": 3, "build_architecture": "amd64"
    }));
    setup.run::<_, DebdiffDynamicData>(
        &task,
        json!({"environment_id": 3, "input_binary_artifacts_ids": [[11], [12, 13]],
               "parameter_summary": "hello: 1.0-1 → 1.0-2 (amd64)"}),
    )
}

#[test]
fn debdiff_of_binaries_relates_its_report_to_every_input() {
    let (success, server, tools, _) = debdiff_run(None);
    assert!(success);
    assert_eq!(server.downloads(), [11, 12, 13]);
    let debdiff = argv(&tools.commands.lock().unwrap()[0]);
    assert_eq!(
        (debdiff[1].as_str(), debdiff[3].as_str()),
        ("--from", "--to")
    );
    // As Debusine 0.16 uploads it: labelled with the server's summary.
    let upload = server.upload("debian:debdiff");
    assert_eq!(
        upload.artifact.data,
        json!({"original": "hello_1.0-1_amd64.deb", "new": "hello_1.0-2_amd64.deb libhello1_1.0-2_amd64.deb",
               "label": "debdiff hello: 1.0-1 → 1.0-2 (amd64)"})
    );
    assert_eq!(
        upload.contents["debdiff.txt"],
        "File lists identical (after any substitutions)\n"
    );
    assert_eq!(
        server.relations(),
        [
            (upload.id, 11, RelatesTo),
            (upload.id, 12, RelatesTo),
            (upload.id, 13, RelatesTo)
        ]
    );
}

#[test]
fn debdiff_of_sources() {
    let mut setup = Setup::new("debdiff-sources");
    setup.source_package(21);
    setup.source_package(22);
    let task: Debdiff = configure(json!({
        "input": {"source_artifacts": [1, 2]}, "environment": 3, "build_architecture": "amd64"
    }));
    let (_, server, tools, dir) = setup.run::<_, DebdiffDynamicData>(
        &task,
        json!({"environment_id": 3, "input_source_artifacts_ids": [21, 22]}),
    );
    assert_eq!(server.downloads(), [21, 22]);
    let work = dir.join("work/artifacts");
    assert_eq!(
        argv(&tools.commands.lock().unwrap()[0]),
        [
            "debdiff".to_owned(),
            work.join("21/hello_1.0-1.dsc").display().to_string(),
            work.join("22/hello_1.0-1.dsc").display().to_string(),
        ]
    );
    // Without a summary from the server, no label: Debusine names it from the two sides.
    let upload = server.upload("debian:debdiff");
    assert_eq!(
        upload.artifact.data,
        json!({"original": "hello_1.0-1.dsc", "new": "hello_1.0-1.dsc"})
    );
}

#[test]
fn debdiff_of_uploads_compares_their_changes() {
    let mut setup = Setup::new("debdiff-uploads");
    for id in [31, 32] {
        setup.server.add(
            id,
            "debian:upload",
            json!({"type": "dpkg", "changes_fields": {}}),
            &[
                (&format!("hello_1.0-{id}_amd64.changes"), "changes"),
                (&format!("hello_1.0-{id}_amd64.deb"), "deb"),
            ],
        );
    }
    let task: Debdiff = configure(json!({
        "input": {"binary_artifacts": [[1], [2]]}, "environment": 3, "build_architecture": "amd64"
    }));
    let (_, server, tools, _) = setup.run::<_, DebdiffDynamicData>(
        &task,
        json!({"environment_id": 3, "input_binary_artifacts_ids": [[31], [32]]}),
    );
    // The .changes before the .deb; .changes files side by side, without --from.
    let debdiff = argv(&tools.commands.lock().unwrap()[0]);
    assert_eq!(debdiff.len(), 3, "{debdiff:?}");
    assert!(
        debdiff[1].ends_with("31/hello_1.0-31_amd64.changes"),
        "{debdiff:?}"
    );
    assert_eq!(
        server.upload("debian:debdiff").artifact.data,
        json!({"original": "hello_1.0-31_amd64.changes", "new": "hello_1.0-32_amd64.changes"})
    );
}

#[test]
fn makesourcepackageupload_uploads_the_changes_extending_the_source() {
    let mut setup = Setup::new("msu");
    setup.source_package(5);
    let task: MakeSourcePackageUpload =
        configure(json!({"input": {"source_artifact": 1}, "environment": 2}));
    let (success, server, _, _) = setup.run::<_, MakeSourcePackageUploadDynamicData>(
        &task,
        json!({"environment_id": 2, "input_source_artifact_id": 5}),
    );
    assert!(success);
    assert_eq!(server.downloads(), [5]);
    let upload = server.upload("debian:upload");
    assert_eq!(upload.artifact.data["type"], "dpkg");
    let fields = &upload.artifact.data["changes_fields"];
    assert_eq!(fields["Source"], "hello");
    assert_eq!(fields["Architecture"], "source");
    assert_eq!(
        fields["Files"][0],
        json!({"md5sum": "0b", "size": "10", "section": "devel", "priority": "optional", "name": "hello_1.0-1.dsc"})
    );
    let names: Vec<&String> = upload.contents.keys().collect();
    assert_eq!(
        names,
        [
            "hello_1.0-1.dsc",
            "hello_1.0-1.tar.xz",
            "hello_1.0-1_source.changes"
        ]
    );
    assert_eq!(
        server.relations(),
        [(upload.id, 5, Extends), (upload.id, 5, RelatesTo)]
    );
}

/// The run of `lintian_uploads_one_analysis_per_architecture`'s test, for a server of `release`.
fn lintian_run(release: Option<&'static str>) -> Ran {
    let mut setup = Setup::new_in("lintian", release);
    setup.source_package(5);
    setup.binary_package(6, "hello_1.0-1_amd64.deb");
    setup.binary_package(8, "hello-doc_1.0-1_all.deb");
    let task: Lintian =
        configure(json!({"input": {"source_artifact": 1, "binary_artifacts": [2, 3]}}));
    setup.run::<_, LintianDynamicData>(
        &task,
        json!({"input_source_artifact_id": 5, "input_binary_artifacts_ids": [6, 8]}),
    )
}

#[test]
fn lintian_uploads_one_analysis_per_architecture() {
    let (success, server, _, _) = lintian_run(None);
    assert!(
        !success,
        "an error tag fails the task (fail_on_severity: error)"
    );
    assert_eq!(server.downloads(), [5, 6, 8]);
    assert_eq!(server.categories(), ["debian:lintian"; 3]);
    let uploads = server.uploads();
    let architectures: Vec<&Value> = uploads
        .iter()
        .map(|upload| &upload.artifact.data["architecture"])
        .collect();
    assert_eq!(architectures, ["all", "amd64", "source"]);
    let summary = |index: usize| uploads[index].artifact.data["summary"].clone();
    assert_eq!(
        summary(2)["package_filename"],
        json!({"hello": "hello_1.0-1.dsc"})
    );
    assert_eq!(summary(2)["tags_found"], json!(["newer-standards-version"]));
    assert_eq!(summary(2)["tags_count_by_severity"]["warning"], 1);
    assert_eq!(summary(2)["lintian_version"], "2.116.3");
    assert_eq!(summary(2)["distribution"], "debian:unstable");
    assert_eq!(
        summary(0)["package_filename"],
        json!({"hello-doc": "hello-doc_1.0-1_all.deb"})
    );
    assert_eq!(summary(1)["tags_found"], json!(["no-copyright-file"]));
    assert_eq!(summary(1)["tags_count_by_severity"]["error"], 1);
    for upload in &uploads {
        let names: Vec<&String> = upload.contents.keys().collect();
        assert_eq!(names, ["analysis.json", "lintian.txt"]);
        let analysis: Value = serde_json::from_str(&upload.contents["analysis.json"]).unwrap();
        assert_eq!(analysis["summary"], upload.artifact.data["summary"]);
    }
    let expected: Vec<_> = uploads
        .iter()
        .flat_map(|upload| [5, 6, 8].map(|input| (upload.id, input, RelatesTo)))
        .collect();
    assert_eq!(server.relations(), expected);
}

#[test]
fn lintian_fails_only_on_tags_of_analysed_packages_at_the_severity() {
    let run = |data: Value| {
        let mut setup = Setup::new("lintian-severity");
        setup.source_package(5);
        setup.binary_package(6, "hello_1.0-1_amd64.deb");
        let task: Lintian = configure(data);
        let (success, server, _, _) = setup.run::<_, LintianDynamicData>(
            &task,
            json!({"input_source_artifact_id": 5, "input_binary_artifacts_ids": [6]}),
        );
        (success, server.uploads().len())
    };
    let input = json!({"source_artifact": 1, "binary_artifacts": [2]});
    // The error is hello's (amd64): not analysed, it does not count.
    assert_eq!(
        run(json!({"input": input, "output": {"binary_any_analysis": false}})),
        (true, 1)
    );
    // The source's warning counts from `warning` down, not at `error`.
    let source_only = json!({"binary_any_analysis": false});
    assert_eq!(
        run(json!({"input": input, "output": source_only, "fail_on_severity": "warning"})),
        (false, 1)
    );
    assert_eq!(
        run(json!({"input": input, "fail_on_severity": "none"})),
        (true, 2)
    );
}

/// The run of `sbuild_uploads_the_log_the_packages_and_the_upload_with_their_relations`'s test, for a server of `release`.
fn sbuild_run(release: Option<&'static str>) -> Ran {
    let mut setup = Setup::new_in("sbuild", release);
    setup.source_package(5);
    setup.environment(3);
    setup.binary_package(9, "libdep_1_amd64.deb");
    let task: Sbuild = configure(json!({
        "input": {"source_artifact": 1, "extra_binary_artifacts": [4]},
        "environment": 2, "build_architecture": "amd64"
    }));
    setup.run::<_, SbuildDynamicData>(
        &task,
        json!({"environment_id": 3, "input_source_artifact_id": 5, "input_extra_binary_artifacts_ids": [9]}),
    )
}

#[test]
fn sbuild_uploads_the_log_the_packages_and_the_upload_with_their_relations() {
    let (success, server, tools, dir) = sbuild_run(None);
    assert!(success);
    assert_eq!(server.downloads(), [5, 9, 3]);
    let sbuild = tools.commands.lock().unwrap()[0].clone();
    let chroot = format!(
        "--chroot={}",
        dir.join("work/artifacts/3/system.tar.xz").display()
    );
    assert!(sbuild.args.contains(&OsString::from(chroot)), "{sbuild}");
    assert_eq!(
        server.categories(),
        [
            "debian:package-build-log",
            "debian:binary-package",
            "debian:binary-package",
            "debian:binary-package",
            "debian:debug-symbols",
            "debian:upload",
            "debusine:signing-input",
        ]
    );
    let log = server.upload("debian:package-build-log");
    assert_eq!(
        log.artifact.data,
        json!({"source": "hello", "version": "1.0-1", "architecture": "amd64",
               "filename": "hello_1.0-1_amd64-2026.build", "bd_uninstallable": null})
    );
    let uploads = server.uploads();
    assert_eq!(
        uploads[3].artifact.data,
        json!({
            "srcpkg_name": "hello", "srcpkg_version": "1.0-1",
            "deb_fields": {"Package": "libhello1", "Source": "hello", "Version": "1.0-1",
                           "Architecture": "amd64", "Maintainer": "A <a@example.org>",
                           "Description": "greets"},
            "deb_control_files": ["control"],
        })
    );
    let symbols = server.upload("debian:debug-symbols");
    assert_eq!(symbols.artifact.data, json!({"build_ids": [BUILD_ID]}));
    assert_eq!(
        symbols.contents,
        BTreeMap::from([(BUILD_ID.to_owned(), format!("ELF {BUILD_ID}\n"))])
    );
    let upload = server.upload("debian:upload");
    let names: Vec<&String> = upload.contents.keys().collect();
    assert_eq!(
        names,
        [
            "hello_1.0-1_amd64.changes",
            "hello_1.0-1_amd64.deb",
            "libhello1_1.0-1_amd64.deb"
        ]
    );
    let signing = server.upload("debusine:signing-input");
    assert_eq!(
        signing.artifact.data,
        json!({"trusted_certs": null, "binary_package_name": null})
    );
    // hello-dbgsym, hello, libhello1, in the order of their file names.
    let hello = uploads[2].id;
    assert_eq!(uploads[2].artifact.data["deb_fields"]["Package"], "hello");
    let mut expected = vec![(log.id, 5, RelatesTo), (log.id, 9, RelatesTo)];
    for package in [uploads[1].id, uploads[2].id, uploads[3].id] {
        expected.extend([
            (package, 5, BuiltUsing),
            (package, 9, BuiltUsing),
            (log.id, package, RelatesTo),
            (upload.id, package, Extends),
            (upload.id, package, RelatesTo),
        ]);
    }
    expected.push((log.id, upload.id, RelatesTo));
    expected.push((signing.id, upload.id, RelatesTo));
    expected.push((symbols.id, hello, RelatesTo));
    assert_eq!(server.relations(), expected);
}

/// The run of `autopkgtest_uploads_its_results_without_the_binaries_related_to_its_inputs`'s test, for a server of `release`.
fn autopkgtest_run(release: Option<&'static str>) -> Ran {
    let mut setup = Setup::new_in("autopkgtest", release);
    setup.source_package(5);
    setup.binary_package(6, "hello_1.0-1_amd64.deb");
    setup.environment(3);
    let task: Autopkgtest = configure(json!({
        "input": {"source_artifact": 1, "binary_artifacts": [2]},
        "environment": 3, "build_architecture": "amd64"
    }));
    setup.run::<_, AutopkgtestDynamicData>(
        &task,
        json!({"environment_id": 3, "input_source_artifact_id": 5, "input_binary_artifacts_ids": [6]}),
    )
}

#[test]
fn autopkgtest_uploads_its_results_without_the_binaries_related_to_its_inputs() {
    let (success, server, _, _) = autopkgtest_run(None);
    assert!(!success, "a failed test fails the task");
    assert_eq!(server.downloads(), [5, 6, 3]);
    let upload = server.upload("debian:autopkgtest");
    let data = &upload.artifact.data;
    assert_eq!(
        data["results"],
        json!({"smoke": {"status": "PASS"}, "slow": {"status": "FAIL", "details": "non-zero exit status 1"}})
    );
    assert_eq!(data["source_package"]["name"], "hello");
    assert_eq!(data["source_package"]["version"], "1.0-1");
    assert_eq!(data["architecture"], "amd64");
    assert_eq!(data["distribution"], "debian:trixie");
    assert!(
        data["cmdline"]
            .as_str()
            .unwrap()
            .starts_with("autopkgtest ")
    );
    let names: Vec<&String> = upload.contents.keys().collect();
    assert_eq!(names, ["log", "summary"]);
    assert_eq!(
        server.relations(),
        [(upload.id, 5, RelatesTo), (upload.id, 6, RelatesTo)]
    );
}

/// autopkgtest ending as `ending` says: an exit code (with a summary), or an abort (`None`).
#[derive(Debug)]
struct Autopkgtest16 {
    ending: Option<i32>,
}

impl CommandRunner for Autopkgtest16 {
    fn run(&self, command: &CommandLine, _: &AbortHandle) -> Result<CommandStatus, TaskError> {
        let out = PathBuf::from(arg(command, "--output-dir=").unwrap());
        write(&out.join("summary"), "smoke PASS\n");
        self.ending
            .map(CommandStatus::exited)
            .ok_or(TaskError::Aborted)
    }
}

#[test]
fn autopkgtest_reports_a_temporary_failure_on_16_or_an_abort_and_uploads_nothing() {
    for ending in [Some(16), None, Some(0)] {
        let mut setup = Setup::new("autopkgtest-temporary");
        setup.source_package(5);
        setup.binary_package(6, "hello_1.0-1_amd64.deb");
        setup.environment(3);
        let task: Autopkgtest = configure(json!({
            "input": {"source_artifact": 1, "binary_artifacts": [2]},
            "environment": 3, "build_architecture": "amd64"
        }));
        let dynamic: AutopkgtestDynamicData = serde_json::from_value(json!(
            {"environment_id": 3, "input_source_artifact_id": 5, "input_binary_artifacts_ids": [6]}
        ))
        .unwrap();
        let server = Arc::new(setup.server);
        let ctx = TaskContext::new("autopkgtest", setup.dir.join("work"))
            .with_runner(Arc::new(Autopkgtest16 { ending }))
            .with_server(server.clone())
            .with_dynamic_data(dynamic);
        let outcome = task.execute_outcome(&ctx).unwrap();
        if ending == Some(0) {
            assert_eq!(outcome, taskdef::Outcome::Success);
            assert_eq!(server.categories(), ["debian:autopkgtest"]);
        } else {
            assert_eq!(outcome, taskdef::Outcome::TemporaryFailure, "{ending:?}");
            assert!(server.uploads().is_empty(), "{ending:?}");
        }
    }
}

/// The run of `piuparts_uploads_its_output_with_what_it_tested`'s test, for a server of `release`.
fn piuparts_run(release: Option<&'static str>) -> Ran {
    let mut setup = Setup::new_in("piuparts", release);
    let store = setup.server.store.join("6");
    std::fs::create_dir_all(&store).unwrap();
    build_deb(&store, "hello", "");
    setup
        .server
        .meta
        .insert(6, ("debian:binary-package".into(), json!({})));
    setup.environment(3);
    setup.environment(4);
    let task: Piuparts = configure(json!({
        "input": {"binary_artifacts": [1]}, "environment": 2, "build_architecture": "amd64", "base_tgz": 3,
        "extra_repositories": [{"url": "http://deb.example.org/", "suite": "sid", "components": ["main"],
                                "signing_key": "KEY"}]
    }));
    setup.run::<_, PiupartsDynamicData>(
        &task,
        json!({"environment_id": 3, "input_binary_artifacts_ids": [6], "base_tgz_id": 4,
               "extra_repositories": [{"url": "http://resolved.example.org/", "suite": "sid",
                                       "components": ["main"], "architectures": ["amd64"]}]}),
    )
}

#[test]
fn piuparts_uploads_its_output_with_what_it_tested() {
    let (success, server, tools, dir) = piuparts_run(None);
    assert!(success);
    assert_eq!(server.downloads(), [6, 4]);
    let command = tools.commands.lock().unwrap()[0].clone();
    let base = format!(
        "--basetgz={}",
        dir.join("work/artifacts/4/system.tar.xz").display()
    );
    assert!(command.args.contains(&OsString::from(base)), "{command}");
    // The resolved repositories are the ones added, by the script piuparts runs.
    let script =
        std::fs::read_to_string(dir.join("work/scripts/post_chroot_unpack_debusine_extra_repos"))
            .unwrap();
    assert_eq!(
        script,
        "#!/bin/sh\nset -eux\nprintf %s 'Types: deb\nURIs: http://resolved.example.org/\n\
         Suites: sid\nComponents: main\n' > /etc/apt/sources.list.d/extra_repository_0.sources\n\
         echo DONE\n"
    );
    let upload = server.upload("debian:piuparts");
    assert_eq!(
        upload.artifact.data,
        json!({"piuparts_version": "1.6.1", "binary_packages": {"hello": "1.0-1"},
               "architecture": "amd64", "distribution": "debian:trixie"})
    );
    assert_eq!(
        upload.contents,
        BTreeMap::from([("piuparts.txt".to_owned(), "piuparts log\n".to_owned())])
    );
    assert_eq!(
        server.relations(),
        [(upload.id, 6, RelatesTo), (upload.id, 4, RelatesTo)]
    );
}

/// The run of `mmdebstrap_uploads_the_tarball_with_what_it_holds`'s test, for a server of `release`.
fn mmdebstrap_run(release: Option<&'static str>) -> Ran {
    let setup = Setup::new_in("mmdebstrap", release);
    let task: Mmdebstrap = configure(json!({
        "bootstrap_options": {"architecture": "amd64", "variant": "minbase"},
        "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "bookworm",
                                    "components": ["main", "contrib"]}]
    }));
    setup.run::<_, taskdef::BaseDynamicData>(&task, json!({}))
}

#[test]
fn mmdebstrap_uploads_the_tarball_with_what_it_holds() {
    let (success, server, tools, dir) = mmdebstrap_run(None);
    assert!(success);
    assert!(server.downloads().is_empty());
    // mmdebstrap reads the suite and the mirror from the host's sources.
    let work = dir.join("work");
    assert_eq!(
        std::fs::read_to_string(work.join("host.sources")).unwrap(),
        "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main contrib\n"
    );
    let mmdebstrap = argv(&tools.commands.lock().unwrap()[0]);
    assert_eq!(
        mmdebstrap[mmdebstrap.len() - 4..],
        [
            String::new(),
            "system.tar.xz".into(),
            String::new(),
            work.join("host.sources").display().to_string()
        ]
    );
    // As Debusine 0.16 uploads it: with the first repository's components.
    let upload = server.upload("debian:system-tarball");
    assert_eq!(
        upload.artifact.data,
        json!({
            "filename": "system.tar.xz", "vendor": "debian", "codename": "bookworm",
            "mirror": "http://deb.debian.org/debian", "variant": "minbase",
            "pkglist": {"base-files": "12.4", "libc6:amd64": "2.36-9"},
            "architecture": "amd64", "with_dev": true, "with_init": false,
            "components": ["main", "contrib"],
        })
    );
    assert_eq!(upload.contents["system.tar.xz"], "tarball");
}

fn image_task(format: &str, suite: &str) -> SimpleSystemImageBuild {
    configure(json!({
        "bootstrap_options": {"architecture": "amd64", "variant": "minbase"},
        "bootstrap_repositories": [
            {"mirror": "http://deb.debian.org/debian", "suite": suite, "components": ["main", "contrib"],
             "check_signature_with": "external",
             "keyring": {"url": "file:///usr/share/keyrings/debian-archive-keyring.gpg", "install": true}},
            {"mirror": "http://e.org/", "suite": "x", "types": ["deb", "deb-src"], "components": ["main"],
             "check_signature_with": "no-check"}
        ],
        "disk_image": {"format": format, "filename": "debian",
                       "partitions": [{"size": 3, "filesystem": "ext4", "mountpoint": "/"}]}
    }))
}

#[test]
fn simplesystemimagebuild_uploads_the_qcow2_image_with_what_it_holds() {
    let setup = Setup::new("image-qcow2");
    let task = image_task("qcow2", "trixie");
    let (success, server, tools, dir) = setup.run::<_, taskdef::BaseDynamicData>(&task, json!({}));
    assert!(success);
    let work = dir.join("work");
    let commands = tools.commands.lock().unwrap();
    let build = argv(&commands[0]);
    assert_eq!(build[0], DEBEFIVM_CREATE);
    assert_eq!(
        build[1..8],
        [
            "--architecture=amd64",
            "--release=trixie",
            "--rootsize=3G",
            "--output=system.img",
            "--",
            "http://deb.debian.org/debian",
            "--verbose",
        ]
    );
    assert_eq!(
        build.last().unwrap(),
        &work.join("host.sources").display().to_string()
    );
    let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
    assert!(build.contains(&format!("--keyring={keyring}")), "{build:?}");
    assert!(build.contains(&"--include=linux-image-generic".to_owned()));
    // The sources the host bootstraps from and those installed in the image.
    assert_eq!(
        std::fs::read_to_string(work.join("host.sources")).unwrap(),
        format!(
            "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main contrib\n\
             Signed-By: {keyring}\n\n\
             Types: deb deb-src\nURIs: http://e.org/\nSuites: x\nComponents: main\nTrusted: yes\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(work.join("chroot.sources")).unwrap(),
        "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main contrib\n\
         Signed-By: /etc/apt/keyrings-debusine/debian-archive-keyring.gpg\n\n\
         Types: deb deb-src\nURIs: http://e.org/\nSuites: x\nComponents: main\nTrusted: yes\n"
    );
    assert_eq!(
        argv(&commands[1]),
        [
            "qemu-img".to_owned(),
            "convert".into(),
            "-O".into(),
            "qcow2".into(),
            "system.img".into(),
            work.join("debian.qcow2").display().to_string(),
        ]
    );
    assert_eq!(
        argv(&commands[2]),
        [
            "tar".to_owned(),
            "-C".into(),
            work.join("var_lib_dpkg").display().to_string(),
            "-xf".into(),
            work.join("var_lib_dpkg.tar").display().to_string(),
        ]
    );
    assert_eq!(commands.len(), 3);
    let upload = server.upload("debian:system-image");
    assert_eq!(
        upload.artifact.data,
        json!({
            "filename": "debian.qcow2", "vendor": "debian", "codename": "trixie",
            "mirror": "http://deb.debian.org/debian", "variant": "minbase",
            "pkglist": {"linux-image-generic": "6.12", "systemd-sysv": "257-1"},
            "architecture": "amd64", "with_dev": true, "with_init": true,
            "image_format": "qcow2", "filesystem": "ext4", "size": 3_000_000_000_i64,
            "boot_mechanism": "efi", "components": ["main", "contrib"],
        })
    );
    assert_eq!(
        upload.contents,
        BTreeMap::from([("debian.qcow2".into(), "qcow2 of raw image".into())])
    );
    assert_eq!(server.categories(), ["debian:system-image"]);
}

#[test]
fn simplesystemimagebuild_uploads_a_raw_image_in_a_tarball() {
    let setup = Setup::new("image-raw");
    let task = image_task("raw", "unstable");
    let (success, server, _, dir) = setup.run::<_, taskdef::BaseDynamicData>(&task, json!({}));
    assert!(success);
    let upload = server.upload("debian:system-image");
    let data = &upload.artifact.data;
    assert_eq!(data["filename"], "debian.tar.xz");
    assert_eq!(data["image_format"], "raw");
    assert_eq!(
        data["codename"], "sid",
        "os-release names testing for unstable"
    );
    assert_eq!(upload.artifact.files[0].name, "debian.tar.xz");
    let listing = std::process::Command::new("tar")
        .arg("-tJf")
        .arg(dir.join("work/debian.tar.xz"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listing.stdout), "system.img\n");
}

/// A runner on which no program is installed.
#[derive(Debug)]
struct NothingInstalled;

impl CommandRunner for NothingInstalled {
    fn run(&self, command: &CommandLine, _: &AbortHandle) -> Result<CommandStatus, TaskError> {
        Err(TaskError::ToolMissing {
            program: command.program_name(),
        })
    }
}

#[test]
fn simplesystemimagebuild_names_the_package_of_a_missing_debefivm_create() {
    let setup = Setup::new("image-missing");
    let ctx = TaskContext::new("simplesystemimagebuild", setup.dir.join("work"))
        .with_runner(Arc::new(NothingInstalled));
    let error = image_task("qcow2", "trixie").execute(&ctx).unwrap_err();
    assert!(
        matches!(&error, TaskError::ToolMissing { program } if program.contains(DEBEFIVM_CREATE)),
        "{error:?}"
    );
    assert!(error.to_string().contains("package mmdebstrap"), "{error}");
    assert!(ctx.recorded_artifacts().artifacts.is_empty());
}

#[test]
fn simplesystemimagebuild_without_components_says_which_repository() {
    let setup = Setup::new("image-components");
    let task: SimpleSystemImageBuild = configure(json!({
        "bootstrap_options": {"architecture": "amd64"},
        "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "trixie"}],
        "disk_image": {"format": "raw", "partitions": [{"size": 2, "filesystem": "ext4"}]}
    }));
    let ctx = TaskContext::new("simplesystemimagebuild", setup.dir.join("work"))
        .with_runner(setup.tools.clone());
    let error = task.execute(&ctx).unwrap_err().to_string();
    assert!(
        error.starts_with("/bootstrap_repositories/0/components: null"),
        "{error}"
    );
    assert!(setup.tools.commands.lock().unwrap().is_empty());
}

#[test]
fn noop_fetches_and_uploads_nothing() {
    let setup = Setup::new("noop");
    let task: Noop = configure(json!({}));
    let (success, server, tools, _) = setup.run::<_, taskdef::BaseDynamicData>(&task, json!({}));
    assert!(success);
    assert!(server.downloads().is_empty() && server.uploads().is_empty());
    assert!(tools.commands.lock().unwrap().is_empty());
}

#[test]
fn offline_the_uploads_are_recorded_without_relations_to_local_inputs() {
    let setup = Setup::new("offline");
    let work = setup.dir.join("work");
    write(&work.join("artifacts/7/hello_1.0-1_amd64.build"), "log\n");
    let ctx = TaskContext::new("blhc", &work).with_runner(setup.tools.clone());
    let task = blhc(7);
    assert!(task.execute(&ctx).unwrap());
    let recorded = ctx.recorded_artifacts();
    assert_eq!(recorded.artifacts.len(), 1);
    assert_eq!(recorded.artifacts[0].category, "debian:blhc");
    assert_eq!(recorded.artifacts[0].files[0].path, work.join("blhc.txt"));
    assert!(recorded.relations.is_empty());
}

#[test]
fn an_input_the_server_cannot_give_fails_the_task_with_its_id() {
    let setup = Setup::new("missing");
    let task = blhc(1);
    let server = Arc::new(setup.server);
    let dynamic: BlhcDynamicData =
        serde_json::from_value(json!({"environment_id": 3, "input_artifact_id": 404})).unwrap();
    let ctx = TaskContext::new("blhc", setup.dir.join("work"))
        .with_runner(setup.tools.clone())
        .with_server(server.clone())
        .with_dynamic_data(dynamic);
    let error = task.execute(&ctx).unwrap_err();
    assert!(error.to_string().contains("404"), "{error}");
    assert!(server.uploads().is_empty());
}

#[test]
fn without_dynamic_data_an_id_lookup_is_fetched_from_the_server() {
    let mut setup = Setup::new("served");
    setup.server.add(
        7,
        "debian:package-build-log",
        json!({}),
        &[("hello_1.0-1_amd64.build", "log\n")],
    );
    let server = Arc::new(setup.server);
    let ctx = TaskContext::new("blhc", setup.dir.join("work"))
        .with_runner(setup.tools.clone())
        .with_server(server.clone());
    let task = blhc(7);
    assert!(task.execute(&ctx).unwrap());
    assert_eq!(server.downloads(), [7]);
    let upload = server.upload("debian:blhc");
    assert_eq!(server.relations(), [(upload.id, 7, RelatesTo)]);
    // A lookup by name still needs the server's resolution, which only dynamic data carries.
    let task = blhc("debian:package-build-logs/x");
    let error = task.execute(&ctx).unwrap_err().to_string();
    assert!(error.contains("input.artifact"), "{error}");
}

#[test]
fn piuparts_and_lintian_without_a_package_fail_and_run_nothing() {
    let mut setup = Setup::new("no-packages");
    setup.server.add(
        6,
        "debian:binary-package",
        json!({}),
        &[("README", "no deb")],
    );
    setup.environment(4);
    let task: Piuparts = configure(json!({
        "input": {"binary_artifacts": [1]}, "environment": 2, "base_tgz": 3
    }));
    let (success, server, tools, _) = setup.run::<_, PiupartsDynamicData>(
        &task,
        json!({"environment_id": 3, "input_binary_artifacts_ids": [6], "base_tgz_id": 4}),
    );
    assert!(!success);
    assert!(tools.commands.lock().unwrap().is_empty());
    assert!(server.uploads().is_empty());

    let mut setup = Setup::new("no-packages-lintian");
    setup.server.add(
        6,
        "debian:binary-package",
        json!({}),
        &[("README", "no deb")],
    );
    let task: Lintian = configure(json!({"input": {"binary_artifacts": [1]}}));
    let (success, server, tools, _) =
        setup.run::<_, LintianDynamicData>(&task, json!({"input_binary_artifacts_ids": [6]}));
    assert!(!success);
    assert!(tools.commands.lock().unwrap().is_empty());
    assert!(server.uploads().is_empty());
}

#[test]
fn sbuild_for_a_0_11_server_uploads_what_0_11_s_sbuild_does() {
    let (success, server, _, _) = sbuild_run(Some("0.11"));
    assert!(success);
    // No debian:debug-symbols (0.11 has no such category): the -dbgsym package is uploaded as
    // a binary package only.
    assert_eq!(
        server.categories(),
        [
            "debian:package-build-log",
            "debian:binary-package",
            "debian:binary-package",
            "debian:binary-package",
            "debian:upload",
            "debusine:signing-input",
        ]
    );
    let log = server.upload("debian:package-build-log");
    assert_eq!(
        log.artifact.data,
        json!({"source": "hello", "version": "1.0-1",
               "filename": "hello_1.0-1_amd64-2026.build", "bd_uninstallable": null}),
        "0.11's build log has no architecture"
    );
    let upload = server.upload("debian:upload");
    let relations = server.relations();
    assert!(
        !relations.contains(&(log.id, upload.id, RelatesTo)),
        "0.11 does not relate the log to the upload: {relations:?}"
    );
    let (_, newer, _, _) = sbuild_run(Some("0.16.2"));
    assert!(
        newer
            .categories()
            .contains(&"debian:debug-symbols".to_owned())
    );
}

#[test]
fn piuparts_for_a_0_11_server_uploads_nothing_as_0_11_s_piuparts() {
    let (success, server, tools, _) = piuparts_run(Some("0.11"));
    assert!(success);
    assert!(server.uploads().is_empty(), "{:?}", server.categories());
    assert!(server.relations().is_empty());
    assert_eq!(tools.commands.lock().unwrap().len(), 1, "piuparts ran");
}

#[test]
fn lintian_mmdebstrap_blhc_and_debdiff_for_0_11_leave_out_what_0_16_added() {
    let data = |run: Ran, category: &str| run.1.upload(category).artifact.data;
    for lintian in lintian_run(Some("0.11")).1.uploads() {
        let data = lintian.artifact.data;
        assert!(data.get("architecture").is_none(), "{data}");
    }
    let tarball = data(mmdebstrap_run(Some("0.11")), "debian:system-tarball");
    assert!(tarball.get("components").is_none(), "{tarball}");
    assert_eq!(data(blhc_run(Some("0.11")), "debian:blhc"), json!({}));
    let debdiff = data(debdiff_run(Some("0.11")), "debian:debdiff");
    assert!(debdiff.get("label").is_none(), "{debdiff}");
}

/// Every upload of the tasks' runs for a server of each release has what that release's own
/// artifact models take (`LocalArtifact.create_data`, run in its Python): 0.11's forbid the
/// fields 0.16 added and have none of 0.16's new categories.
#[test]
fn every_upload_has_the_data_its_server_s_models_take() {
    let runs: [(&str, RunFor); 7] = [
        ("sbuild", sbuild_run),
        ("lintian", lintian_run),
        ("piuparts", piuparts_run),
        ("mmdebstrap", mmdebstrap_run),
        ("blhc", blhc_run),
        ("debdiff", debdiff_run),
        ("autopkgtest", autopkgtest_run),
    ];
    let mut failures = Vec::new();
    for (release, suite) in [
        ("0.16", debusine::Suite::Sid),
        ("0.11", debusine::Suite::Trixie),
    ] {
        let mut uploads = Vec::new();
        for (task, run) in runs {
            let (_, server, _, _) = run(Some(release));
            for upload in server.uploads() {
                uploads.push((task, upload.artifact.category, upload.artifact.data));
            }
        }
        assert!(uploads.len() >= 10, "{release}: {uploads:?}");
        let server = debusine::started(suite);
        let mut args = vec![MODELS.to_owned(), "artifact-data".to_owned()];
        for (_, category, data) in &uploads {
            args.extend([category.clone(), data.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = server.python(&args).output().unwrap();
        assert!(
            output.status.success(),
            "Debusine {}'s models did not run: {}",
            server.version,
            String::from_utf8_lossy(&output.stderr)
        );
        let verdicts: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(verdicts.len(), uploads.len(), "one verdict per upload");
        for ((task, category, data), verdict) in uploads.iter().zip(&verdicts) {
            if verdict["valid"] != true {
                failures.push(format!(
                    "Debusine {}: {task}'s {category} {data}: {}",
                    server.version, verdict["error"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Debusine's models, run by the release's Python (`tests/debusine/server python`).
const MODELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/debusine_models.py"
);
