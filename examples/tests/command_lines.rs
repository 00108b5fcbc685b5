//! The command lines each task builds from its data, and what `execute` does offline.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use taskdef::{
    AbortHandle, CommandLine, CommandRunner, CommandStatus, Execute, Task, TaskContext, TaskError,
};
use taskdef_examples::repository::RepositoryFiles;
use taskdef_examples::tasks::autopkgtest::AutopkgtestInputs;
use taskdef_examples::tasks::debdiff::DebdiffInputs;
use taskdef_examples::tasks::lintian::LintianInputs;
use taskdef_examples::tasks::mmdebstrap::BootstrapInputs;
use taskdef_examples::tasks::piuparts::PiupartsInputs;
use taskdef_examples::tasks::sbuild::SbuildInputs;
use taskdef_examples::tasks::simplesystemimagebuild::ImageInputs;
use taskdef_examples::tasks::{
    Autopkgtest, Blhc, Debdiff, Lintian, MakeSourcePackageUpload, Mmdebstrap, Noop, Piuparts,
    Sbuild, SimpleSystemImageBuild,
};

#[path = "support/argv.rs"]
mod argv;
use argv::argv;

fn p(path: &str) -> PathBuf {
    PathBuf::from(path)
}

fn sbuild(extra: Value) -> Sbuild {
    let mut data =
        json!({"input": {"source_artifact": 1}, "environment": 2, "build_architecture": "amd64"});
    for (key, value) in extra.as_object().unwrap() {
        data[key] = value.clone();
    }
    Sbuild::configure(&data).unwrap()
}

fn sbuild_inputs() -> SbuildInputs {
    SbuildInputs {
        dsc: p("/w/artifacts/1/hello_1.0-1.dsc"),
        extra_binary_packages: vec![p("/w/artifacts/3/libfoo_1_amd64.deb")],
        environment: p("/w/artifacts/2/system.tar.xz"),
        environment_data: json!({"codename": "trixie", "architecture": "amd64"}),
        repositories: RepositoryFiles {
            sources: vec![p("/w/extra_repository_0.sources")],
            keys: vec![p("/w/extra_apt_key_0.asc")],
        },
        binnmu_maintainer: Some("Debusine <noreply@debusine.example.org>".into()),
    }
}

#[test]
fn sbuild_unshare() {
    let task = sbuild(json!({
        "build_components": ["any"],
        "binnmu": {"changelog": "--rebuild; rm -rf /", "suffix": "+b1", "maintainer": "A <a@b.c>",
                   "timestamp": "2025-01-02T03:04:05+05:30"},
        "build_profiles": ["nocheck", "nodoc", "pkg.hello.x"],
        "build_dep_resolver": "aspcud",
        "aspcud_criteria": "-removed",
        "resolve_alternatives": true,
        "extra_repositories": [{"url": "http://e.org/d", "suite": "bookworm", "components": ["main", "contrib"], "signing_key": "KEY"}]
    }));
    let command = task.command_line(&sbuild_inputs());
    assert_eq!(
        argv(&command),
        [
            "sbuild",
            "--purge-deps=never",
            "--no-run-lintian",
            "--arch-any",
            "--no-arch-all",
            "--no-source",
            "--arch=amd64",
            "--dist=trixie",
            "--chroot-mode=unshare",
            "--chroot=/w/artifacts/2/system.tar.xz",
            "--chroot-setup-commands=rm -f /etc/resolv.conf",
            "--pre-build-commands=cat /w/extra_repository_0.sources | %SBUILD_CHROOT_EXEC sh -c 'cat > /etc/apt/sources.list.d/extra_repository_0.sources'",
            "--pre-build-commands=cat /w/extra_apt_key_0.asc | %SBUILD_CHROOT_EXEC sh -c 'mkdir -p /etc/apt/keyrings && cat > /etc/apt/keyrings/extra_apt_key_0.asc'",
            "--make-binNMU=--rebuild; rm -rf /",
            "--append-to-version=+b1",
            "--binNMU=0",
            "--binNMU-timestamp=Thu, 02 Jan 2025 03:04:05 +0530",
            "--maintainer=A <a@b.c>",
            "--profiles=nocheck,nodoc,pkg.hello.x",
            "--build-dep-resolver=aspcud",
            "--aspcud-criteria=-removed",
            "--resolve-alternatives",
            "--bd-uninstallable-explainer=dose3",
            "--extra-package=/w/artifacts/3/libfoo_1_amd64.deb",
            "/w/artifacts/1/hello_1.0-1.dsc",
        ]
    );
    // nocheck and nodoc are also build options, after the inherited ones.
    let (key, value) = command.env.last().unwrap();
    assert_eq!(key, "DEB_BUILD_OPTIONS");
    assert!(
        value.to_string_lossy().ends_with("nocheck nodoc"),
        "{value:?}"
    );
}

#[test]
fn sbuild_binnmu_maintainer_from_the_server_and_other_backends() {
    let task = sbuild(json!({
        "backend": "qemu", "build_components": ["any", "source"],
        "binnmu": {"changelog": "x", "suffix": "+b2", "timestamp": "2024-02-29T23:59:59.5Z"}
    }));
    let mut inputs = sbuild_inputs();
    inputs.environment_data =
        json!({"codename": "sid", "architecture": "arm64", "boot_mechanism": "efi"});
    inputs.environment = p("/w/100% image.qcow2");
    let args = argv(&task.command_line(&inputs));
    for expected in [
        "--chroot-mode=autopkgtest",
        "--autopkgtest-virt-server=autopkgtest-virt-qemu",
        "--autopkgtest-virt-server-opt=--boot",
        "--autopkgtest-virt-server-opt=efi",
        "--autopkgtest-virt-server-opt=--dpkg-architecture",
        "--autopkgtest-virt-server-opt=arm64",
        "--autopkgtest-virt-server-opt=/w/100%% image.qcow2",
        "--binNMU-timestamp=Thu, 29 Feb 2024 23:59:59 +0000",
        "--maintainer=Debusine <noreply@debusine.example.org>",
        "--source",
    ] {
        assert!(args.contains(&expected.to_owned()), "{expected}: {args:?}");
    }
    assert!(!args.iter().any(|arg| arg.starts_with("--chroot=")));
    let task = sbuild(json!({"backend": "incus-vm", "build_components": ["all"]}));
    let args = argv(&task.command_line(&sbuild_inputs()));
    let options: Vec<&String> = args
        .iter()
        .filter(|arg| arg.starts_with("--autopkgtest-virt-server"))
        .collect();
    assert_eq!(
        options,
        [
            "--autopkgtest-virt-server=autopkgtest-virt-incus",
            "--autopkgtest-virt-server-opt=--vm",
            "--autopkgtest-virt-server-opt=/w/artifacts/2/system.tar.xz",
            "--autopkgtest-virt-server-opt=--",
            "--autopkgtest-virt-server-opt=--profile",
            "--autopkgtest-virt-server-opt=debusine",
        ]
    );
    assert!(args.contains(&"--no-arch-any".to_owned()) && args.contains(&"--arch-all".to_owned()));
    assert_eq!(task.package_architecture(), "all");
}

#[test]
fn binnmu_timestamps_in_rfc_5322() {
    use taskdef_examples::tasks::sbuild::rfc5322_date;
    assert_eq!(
        rfc5322_date("1970-01-01T00:00:00Z").as_deref(),
        Some("Thu, 01 Jan 1970 00:00:00 +0000")
    );
    assert_eq!(
        rfc5322_date("2000-03-01T12:00:00-08:00").as_deref(),
        Some("Wed, 01 Mar 2000 12:00:00 -0800")
    );
    for bad in [
        "2025-01-02",
        "2025-13-02T00:00:00Z",
        "2025-01-02T03:04:05",
        "x",
    ] {
        assert_eq!(rfc5322_date(bad), None, "{bad}");
    }
}

#[test]
fn lintian() {
    let task = Lintian::configure(json!({
        "input": {"source_artifact": 1, "binary_artifacts": [2]},
        "output": {"binary_all_analysis": false},
        "include_tags": ["a", "b"], "exclude_tags": ["c"], "fail_on_severity": "overridden",
        "target_distribution": "ubuntu:noble"
    }))
    .unwrap();
    let inputs = LintianInputs {
        source: Some(p("/w/h.dsc")),
        binaries: vec![p("/w/h-doc_1_all.deb"), p("/w/h_1_amd64.deb")],
    };
    // Every file is checked: `output` selects the analyses.
    assert_eq!(
        argv(&task.command_line(&inputs)),
        [
            "lintian",
            "--no-cfg",
            "--display-level",
            ">=classification",
            "--display-experimental",
            "--info",
            "--show-overrides",
            "--tags=a,b",
            "--suppress-tags=c",
            "/w/h.dsc",
            "/w/h-doc_1_all.deb",
            "/w/h_1_amd64.deb",
        ]
    );
    assert!(task.analyses("source") && task.analyses("amd64") && !task.analyses("all"));
}

#[test]
fn autopkgtest() {
    let task = Autopkgtest::configure(json!({
        "input": {"source_artifact": 1, "binary_artifacts": [2]}, "environment": 3, "build_architecture": "amd64",
        "include_tests": ["smoke"], "exclude_tests": ["slow"], "debug_level": 2,
        "use_packages_from_base_repository": true,
        "pin_packages": {"sid": ["hello", "libhello1"], "experimental": ["x"]},
        "extra_environment": {"LANG": "C.UTF-8"}, "needs_internet": "skip",
        "timeout": {"global": 600, "copy": 30},
        "extra_repositories": [{"url": "http://e.org/", "suite": "./"}]
    }))
    .unwrap();
    let inputs = AutopkgtestInputs {
        dsc: p("/w/h.dsc"),
        binaries: vec![p("/w/h.deb")],
        environment: p("/w/env.tar"),
        environment_data: json!({"codename": "trixie", "architecture": "amd64"}),
        output_dir: p("/w/artifact-dir"),
        repositories: RepositoryFiles {
            sources: vec![p("/w/extra_repository_0.sources")],
            keys: vec![p("/w/extra_apt_key_0.asc")],
        },
        copy_resolv_conf: true,
    };
    assert_eq!(
        argv(&task.command_line(&inputs)),
        [
            "autopkgtest",
            "--apt-upgrade",
            "--output-dir=/w/artifact-dir",
            "--summary=/w/artifact-dir/summary",
            "--no-built-binaries",
            "--test-name=smoke",
            "--skip-test=slow",
            "-dd",
            "--copy=/w/extra_repository_0.sources:/etc/apt/sources.list.d/extra_repository_0.sources",
            "--copy=/w/extra_apt_key_0.asc:/etc/apt/keyrings/extra_apt_key_0.asc",
            "--apt-default-release=trixie",
            "--pin-packages=experimental=x",
            "--pin-packages=sid=hello,libhello1",
            "--env=LANG=C.UTF-8",
            "--needs-internet=skip",
            "--timeout-global=600",
            "--timeout-copy=30",
            "--copy=/etc/resolv.conf:/etc/resolv.conf",
            "/w/h.deb",
            "/w/h.dsc",
            "--",
            "unshare",
            "--arch",
            "amd64",
            "--release",
            "trixie",
            "--tarball",
            "/w/env.tar",
        ]
    );
}

#[test]
fn autopkgtest_results_as_debusine_reads_them() {
    use taskdef::Outcome::{Failure, Skipped, Success, TemporaryFailure};
    let task = |fail_on: Value| {
        Autopkgtest::configure(json!({
            "input": {"source_artifact": 1, "binary_artifacts": [2]}, "environment": 3,
            "build_architecture": "amd64", "fail_on": fail_on
        }))
        .unwrap()
    };
    let default = task(json!({}));
    let results = |statuses: &[&str]| {
        let map: serde_json::Map<String, Value> = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| (format!("t{i}"), json!({"status": status})))
            .collect();
        Value::Object(map)
    };
    assert_eq!(default.result(Some(0), &results(&["PASS"])), Success);
    assert_eq!(
        default.result(Some(4), &results(&["PASS", "FAIL"])),
        Failure
    );
    assert_eq!(
        default.result(Some(2), &results(&["SKIP", "PASS"])),
        Success
    );
    assert_eq!(default.result(Some(8), &results(&["SKIP"])), Skipped);
    assert_eq!(default.result(Some(12), &results(&[])), Failure);
    // A temporary failure: 16, an abort (no code), or a code autopkgtest does not give.
    for code in [Some(16), None, Some(1), Some(20)] {
        assert_eq!(
            default.result(code, &results(&["PASS"])),
            TemporaryFailure,
            "{code:?}"
        );
    }
    let lenient = task(json!({"failed_test": false}));
    assert_eq!(
        lenient.result(Some(4), &results(&["PASS", "FAIL"])),
        Success
    );
    let strict = task(json!({"flaky_test": true, "skipped_test": true}));
    assert_eq!(strict.result(Some(2), &results(&["PASS"])), Failure);
    assert_eq!(strict.result(Some(8), &results(&[])), Failure);
    assert_eq!(strict.result(Some(2), &results(&["FLAKY"])), Failure);
}

/// Debusine 0.16.2's `MmDebstrap._cmdline`, argument for argument.
#[test]
fn mmdebstrap_as_debusine_does() {
    let repositories = json!([
        {"mirror": "http://deb.debian.org/debian", "suite": "trixie", "components": ["main"], "types": ["deb", "deb-src"],
         "check_signature_with": "external", "keyring_package": "debian-archive-keyring",
         "keyring": {"url": "file:///usr/share/keyrings/k.gpg", "install": true}},
        {"mirror": "http://e.org/", "suite": "x", "components": ["main"], "check_signature_with": "no-check"}
    ]);
    let task = Mmdebstrap::configure(json!({
        "bootstrap_options": {"architecture": "arm64", "variant": "-", "extra_packages": ["a", "b"],
                              "gpgv_command": "gpgv-sq"},
        "bootstrap_repositories": repositories, "customization_script": "true"
    }))
    .unwrap();
    let inputs = BootstrapInputs {
        host_sources: p("/w/host.sources"),
        chroot_sources: p("/w/chroot.sources"),
        keyrings: vec![p("/usr/share/keyrings/k.gpg")],
        installed_keyrings: vec![p("/usr/share/keyrings/k.gpg")],
        script: Some(p("/w/customization_script")),
    };
    assert_eq!(
        argv(&task.command_line(&inputs)),
        [
            "mmdebstrap",
            "--aptopt=Acquire::http::timeout=30",
            "--aptopt=Acquire::https::timeout=30",
            "--mode=unshare",
            "--format=tar",
            "--architectures=arm64",
            "--verbose",
            "--customize-hook=cd \"$1\" && find etc/apt/sources.list.d -type f -delete",
            "--customize-hook=upload /w/chroot.sources /etc/apt/sources.list.d/file.sources",
            "--customize-hook=mkdir \"$1/etc/apt/keyrings-debusine\"",
            "--customize-hook=upload /usr/share/keyrings/k.gpg /etc/apt/keyrings-debusine/k.gpg",
            "--keyring=/usr/share/keyrings/k.gpg",
            "--include=debian-archive-keyring",
            "--aptopt=Apt::Key::gpgvcommand \"/usr/bin/gpgv-sq\"",
            "--customize-hook=download /etc/os-release os-release",
            "--customize-hook=copy-out /var/lib/dpkg var_lib_dpkg",
            "--customize-hook=rm -f \"$1/etc/hostname\"",
            "--customize-hook=test -h \"$1/etc/resolv.conf\" || rm -f \"$1/etc/resolv.conf\"",
            "--skip=chroot/start-stop-daemon",
            "--customize-hook=upload /w/customization_script /customization_script",
            "--customize-hook=chmod 555 \"$1/customization_script\"",
            "--customize-hook=chroot \"$1\" /customization_script",
            "--customize-hook=rm \"$1/customization_script\"",
            "--customize-hook=(test -x \"$1/sbin/init\" || test -h \"$1/sbin/init\") ; echo $? > \"$1/test_sbin_init\"",
            "--customize-hook=download test_sbin_init test-sbin-init",
            "--customize-hook=rm \"$1/test_sbin_init\"",
            "--variant=-",
            "--include=a,b",
            "",
            "system.tar.xz",
            "",
            "/w/host.sources",
        ]
    );
    // Without gpgv_command, a script, keyrings or packages: none of their options.
    let task = Mmdebstrap::configure(json!({
        "bootstrap_options": {"architecture": "amd64"},
        "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "sid", "components": ["main"]}]
    }))
    .unwrap();
    let inputs = BootstrapInputs {
        keyrings: Vec::new(),
        installed_keyrings: Vec::new(),
        script: None,
        ..inputs
    };
    let args = argv(&task.command_line(&inputs));
    assert!(!args.iter().any(|arg| arg.contains("gpgv")
        || arg.starts_with("--keyring")
        || arg.starts_with("--include")
        || arg.starts_with("--variant")
        || arg.contains("customization_script")));
}

/// Debusine 0.16.2's `SimpleSystemImageBuild._cmdline`, argument for argument.
#[test]
fn image_calls_debefivm_create_as_debusine_does() {
    let image = SimpleSystemImageBuild::configure(json!({
        "bootstrap_options": {"architecture": "arm64", "variant": "minbase", "extra_packages": ["a", "b"],
                              "gpgv_command": "gpgv"},
        "bootstrap_repositories": [
            {"mirror": "http://deb.debian.org/debian", "suite": "trixie", "components": ["main"],
             "check_signature_with": "external", "keyring_package": "debian-archive-keyring",
             "keyring": {"url": "file:///usr/share/keyrings/k.gpg", "install": true}},
            {"mirror": "http://e.org/", "suite": "x", "components": ["main"], "check_signature_with": "no-check"}
        ],
        "customization_script": "true",
        "disk_image": {"format": "qcow2", "kernel_package": "linux-image-arm64", "bootloader": "systemd-boot",
                       "partitions": [{"size": 2, "filesystem": "ext4", "mountpoint": "/"}]}
    }))
    .unwrap();
    let inputs = ImageInputs {
        host_sources: p("/w/host.sources"),
        chroot_sources: p("/w/chroot.sources"),
        keyrings: vec![p("/usr/share/keyrings/k.gpg")],
        installed_keyrings: vec![p("/usr/share/keyrings/k.gpg")],
        script: Some(p("/w/customization_script")),
    };
    let overlays = "/usr/lib/python3/dist-packages/debusine/tasks/data/overlays";
    // gpgv_command is not passed on, as in Debusine.
    let mut expected: Vec<String> = [
        "debefivm-create",
        "--architecture=arm64",
        "--release=trixie",
        "--rootsize=2G",
        "--output=system.img",
        "--",
        "http://deb.debian.org/debian",
        "--verbose",
        "--customize-hook=cd \"$1\" && find etc/apt/sources.list.d -type f -delete",
        "--customize-hook=upload /w/chroot.sources /etc/apt/sources.list.d/file.sources",
        "--customize-hook=mkdir \"$1/etc/apt/keyrings-debusine\"",
        "--customize-hook=upload /usr/share/keyrings/k.gpg /etc/apt/keyrings-debusine/k.gpg",
        "--keyring=/usr/share/keyrings/k.gpg",
        "--include=debian-archive-keyring",
        "--customize-hook=upload /w/customization_script /customization_script",
        "--customize-hook=chmod 555 \"$1/customization_script\"",
        "--customize-hook=chroot \"$1\" /customization_script",
        "--customize-hook=rm \"$1/customization_script\"",
        "--customize-hook=download /etc/os-release os-release",
        "--customize-hook=tar-out /var/lib/dpkg var_lib_dpkg.tar",
    ]
    .map(String::from)
    .to_vec();
    for (overlay, path, mode) in [
        (
            "incus-agent",
            "lib/systemd/system/incus-agent.service",
            "644",
        ),
        ("incus-agent", "lib/systemd/incus-agent-setup", "755"),
        (
            "incus-agent",
            "lib/udev/rules.d/99-incus-agent.rules",
            "644",
        ),
        (
            "systemd-boot",
            "etc/kernel/postinst.d/zz-update-systemd-boot",
            "755",
        ),
        (
            "systemd-boot",
            "etc/kernel/postrm.d/zz-update-systemd-boot",
            "755",
        ),
    ] {
        expected.push(format!(
            "--customize-hook=upload {overlays}/{overlay}/{path} /{path}"
        ));
        expected.push(format!("--customize-hook=chmod {mode} \"$1/{path}\""));
    }
    expected.extend(
        [
            "--variant=minbase",
            "--include=a,b,linux-image-arm64",
            "/w/host.sources",
        ]
        .map(String::from),
    );
    assert_eq!(argv(&image.command_line(&inputs).unwrap()), expected);

    // Without a kernel package, the generic kernel; without keyrings or a script, no hooks for
    // them.
    let image = SimpleSystemImageBuild::configure(json!({
        "bootstrap_options": {"architecture": "amd64"},
        "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "sid"}],
        "disk_image": {"format": "raw", "partitions": [{"size": 20, "filesystem": "ext4"}]}
    }))
    .unwrap();
    let inputs = ImageInputs {
        keyrings: Vec::new(),
        installed_keyrings: Vec::new(),
        script: None,
        ..inputs
    };
    let args = argv(&image.command_line(&inputs).unwrap());
    assert_eq!(args[3], "--rootsize=20G");
    assert_eq!(
        args[args.len() - 2..],
        ["--include=linux-image-generic", "/w/host.sources"]
    );
    assert!(!args.iter().any(|arg| arg.starts_with("--keyring")
        || arg.starts_with("--variant")
        || arg.contains("customization_script")));
}

#[test]
fn piuparts_blhc_debdiff_makesourcepackageupload() {
    let task = Piuparts::configure(json!({
        "input": {"binary_artifacts": [1]}, "environment": 2, "build_architecture": "i386", "base_tgz": 3,
        "extra_repositories": [{"url": "http://e.org/", "suite": "sid", "components": ["main"]}]
    }))
    .unwrap();
    let inputs = PiupartsInputs {
        binaries: vec![p("/w/a.deb"), p("/w/b.deb")],
        base_tgz: p("/w/base.tgz"),
        scripts_dir: p("/w/scripts"),
    };
    assert_eq!(
        argv(&task.command_line(&inputs)),
        [
            "piuparts",
            "--keep-sources-list",
            "--allow-database",
            "--warn-on-leftovers-after-purge",
            "--basetgz=/w/base.tgz",
            "--scriptsdir=/etc/piuparts/scripts",
            "--scriptsdir=/w/scripts",
            "/w/a.deb",
            "/w/b.deb",
        ]
    );

    let task = Blhc::configure(json!({"input": {"artifact": 1}, "environment": 2,
        "build_architecture": "amd64", "extra_flags": ["--pie", "--all"]}))
    .unwrap();
    assert_eq!(
        argv(&task.command_line(&p("/w/h.build"), false)),
        ["blhc", "--pie", "--all", "--", "/w/h.build"]
    );
    // `--debian` first when the installed blhc has it, as in Debusine 0.16.
    assert_eq!(
        argv(&task.command_line(&p("/w/h.build"), true)),
        ["blhc", "--debian", "--pie", "--all", "--", "/w/h.build"]
    );

    let task = Debdiff::configure(
        json!({"input": {"binary_artifacts": [[1], [2]]}, "environment": 1,
        "build_architecture": "amd64", "extra_flags": ["--diffstat"]}),
    )
    .unwrap();
    let inputs = DebdiffInputs {
        original: vec![p("/w/a1.deb"), p("/w/a2.udeb")],
        new: vec![p("/w/b.deb")],
    };
    assert_eq!(
        argv(&task.command_line(&inputs)),
        [
            "debdiff",
            "--diffstat",
            "--from",
            "/w/a1.deb",
            "/w/a2.udeb",
            "--to",
            "/w/b.deb"
        ]
    );
    // Source packages, and uploads (`.changes`), side by side.
    for (old, new) in [("/w/a.dsc", "/w/b.dsc"), ("/w/a.changes", "/w/b.changes")] {
        let inputs = DebdiffInputs {
            original: vec![p(old)],
            new: vec![p(new)],
        };
        assert_eq!(
            argv(&task.command_line(&inputs)),
            ["debdiff", "--diffstat", old, new]
        );
    }

    let task = MakeSourcePackageUpload::configure(
        json!({"input": {"source_artifact": 1}, "environment": 2,
        "since_version": "-1.0", "target_distribution": "unstable"}),
    )
    .unwrap();
    let [extract, genchanges] = task.command_lines(
        Path::new("/w/h.dsc"),
        Path::new("/w/source"),
        Path::new("/w/h.changes"),
    );
    assert_eq!(
        argv(&extract),
        ["dpkg-source", "--no-check", "-x", "/w/h.dsc", "/w/source"]
    );
    assert_eq!(
        argv(&genchanges),
        [
            "dpkg-genchanges",
            "--build=source",
            "-v-1.0",
            "-DDistribution=unstable",
            "-O/w/h.changes"
        ]
    );
    assert_eq!(genchanges.cwd.as_deref(), Some(Path::new("/w/source")));
}

/// Records the commands instead of running them, and answers with a fixed result.
#[derive(Debug, Default)]
struct Recorder {
    commands: Mutex<Vec<Vec<OsString>>>,
    missing: bool,
}

impl CommandRunner for Recorder {
    fn run(&self, command: &CommandLine, _abort: &AbortHandle) -> Result<CommandStatus, TaskError> {
        let mut argv = vec![command.program.clone()];
        argv.extend(command.args.iter().cloned());
        self.commands.lock().unwrap().push(argv);
        if self.missing {
            return Err(TaskError::ToolMissing {
                program: command.program_name(),
            });
        }
        Ok(CommandStatus::exited(0))
    }
}

fn blhc(artifact: &str) -> Blhc {
    Blhc::configure(
        json!({"input": {"artifact": artifact}, "environment": 3, "build_architecture": "amd64"}),
    )
    .unwrap()
}

fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskdef-examples-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("artifacts/1")).unwrap();
    std::fs::create_dir_all(dir.join("artifacts/2")).unwrap();
    std::fs::write(dir.join("artifacts/1/hello_1.0-1.dsc"), "").unwrap();
    std::fs::write(dir.join("artifacts/2/hello_1.0-1_amd64.deb"), "").unwrap();
    std::fs::write(dir.join("hello.build"), "").unwrap();
    dir
}

#[test]
fn execute_resolves_local_artifacts() {
    let dir = work_dir("local");
    let recorder = Arc::new(Recorder::default());
    let ctx = TaskContext::new("blhc", &dir).with_runner(recorder.clone());
    let task = blhc("hello.build");
    assert!(task.execute(&ctx).unwrap());
    let task = Autopkgtest::configure(
        json!({"input": {"source_artifact": 1, "binary_artifacts": [2]},
        "environment": "hello.build", "build_architecture": "amd64"}),
    )
    .unwrap();
    // The recorder runs nothing, so autopkgtest leaves no summary: a failure, as in Debusine.
    assert!(!task.execute(&ctx).unwrap());
    let commands = recorder.commands.lock().unwrap();
    // blhc asks dpkg-query for blhc's version first (whether it has `--debian`); the recorder
    // writes no version, so it runs without.
    assert_eq!(
        commands[0],
        ["dpkg-query", "--show", "--showformat=${Version}", "blhc"]
    );
    assert_eq!(commands[1][1], "--");
    assert_eq!(
        commands[1].last().unwrap(),
        dir.join("hello.build").as_os_str()
    );
    assert!(commands[2].contains(&dir.join("artifacts/1/hello_1.0-1.dsc").into_os_string()));
    assert!(
        commands[2].contains(
            &dir.join("artifacts/2/hello_1.0-1_amd64.deb")
                .into_os_string()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn execute_without_the_server_or_the_tool() {
    let dir = work_dir("offline");
    let ctx = TaskContext::new("sbuild", &dir).with_runner(Arc::new(Recorder::default()));
    // The environment lookup is not a local file: resolving it needs the server.
    let task = sbuild(json!({"environment": "debian/match:codename=bookworm"}));
    assert!(matches!(
        task.execute(&ctx),
        Err(TaskError::ServerAccessRequired { .. })
    ));
    let task = blhc("../etc/passwd");
    assert!(matches!(
        task.execute(&ctx),
        Err(TaskError::ServerAccessRequired { .. })
    ));
    // A tool that is not installed.
    let missing = Arc::new(Recorder {
        missing: true,
        ..Recorder::default()
    });
    let ctx = TaskContext::new("blhc", &dir).with_runner(missing);
    let task = blhc("hello.build");
    // Without dpkg-query, blhc runs without `--debian`; without blhc, the task fails so.
    assert!(
        matches!(task.execute(&ctx), Err(TaskError::ToolMissing { program }) if program == "blhc")
    );
    // noop runs nothing, and reports the result it is given as its outcome.
    for result in [
        "",
        "success",
        "failure",
        "temporary failure",
        "error",
        "skipped",
    ] {
        let task = Noop::configure(json!({"result": result})).unwrap();
        assert_eq!(task.execute_outcome(&ctx).unwrap().as_str(), result);
        assert_eq!(task.execute(&ctx).unwrap(), result == "success");
    }
    assert!(
        !Noop::configure(r#"{"result": "failure"}"#)
            .unwrap()
            .execute(&ctx)
            .unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Answers `dpkg-query` with a version of blhc, and records the blhc command line.
#[derive(Debug)]
struct BlhcVersion {
    version: Option<&'static str>,
    blhc: Mutex<Vec<OsString>>,
}

impl CommandRunner for BlhcVersion {
    fn run(&self, command: &CommandLine, _abort: &AbortHandle) -> Result<CommandStatus, TaskError> {
        match command.program.to_str() {
            Some("dpkg-query") => match self.version {
                Some(version) => {
                    std::fs::write(command.stdout.as_ref().unwrap(), version).unwrap();
                    Ok(CommandStatus::exited(0))
                }
                // dpkg-query's answer for a package it does not know.
                None => Ok(CommandStatus::exited(1)),
            },
            _ => {
                *self.blhc.lock().unwrap() = command.args.clone();
                Ok(CommandStatus::exited(0))
            }
        }
    }
}

#[test]
fn blhc_passes_debian_when_its_version_has_it() {
    let dir = work_dir("blhc-version");
    for (version, debian) in [
        (Some("0.14-1"), true),
        (Some("0.07+20170817+gita232d32-1"), true),
        (Some("0.07-1"), false),
        (None, false),
    ] {
        let runner = Arc::new(BlhcVersion {
            version,
            blhc: Mutex::default(),
        });
        let ctx = TaskContext::new("blhc", &dir).with_runner(runner.clone());
        assert!(blhc("hello.build").execute(&ctx).unwrap());
        let args = runner.blhc.lock().unwrap().clone();
        assert_eq!(
            args.first().is_some_and(|arg| arg == "--debian"),
            debian,
            "{version:?}: {args:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
