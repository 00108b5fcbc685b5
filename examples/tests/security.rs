//! Task data is hostile until proven otherwise: values never become shell code or options, and
//! file names never leave the work directory.

use std::path::PathBuf;

use serde_json::json;
use taskdef::{CommandLine, Task, TaskContext, TaskError};
use taskdef_examples::tasks::autopkgtest::AutopkgtestInputs;
use taskdef_examples::tasks::lintian::LintianInputs;
use taskdef_examples::tasks::mmdebstrap::BootstrapInputs;
use taskdef_examples::tasks::{Autopkgtest, Lintian, Mmdebstrap, SimpleSystemImageBuild};

#[path = "support/argv.rs"]
mod argv;
use argv::argv;

const HOSTILE: [&str; 6] = [
    "; rm -rf /",
    "$(touch /tmp/owned)",
    "`id`",
    "line\nbreak",
    "--output=/etc/passwd",
    "-rf",
];

/// Every hostile value appears whole inside one argument, and never as an argument of its own
/// where the tool would read it as an option (before a `--`).
fn assert_inert(command: &CommandLine, value: &str) {
    let argv = argv(command);
    let holders: Vec<usize> = (0..argv.len())
        .filter(|&i| argv[i].contains(value))
        .collect();
    assert!(!holders.is_empty(), "{value:?} was dropped: {argv:?}");
    let end_of_options = argv.iter().position(|arg| arg == "--");
    for i in holders {
        if argv[i] == value && value.starts_with('-') {
            assert!(
                end_of_options.is_some_and(|end| end < i),
                "{value:?} would be taken as an option: {argv:?}"
            );
        }
        if argv[i] != value {
            // Embedded: `--opt=value`, so the value cannot start an option of its own.
            assert!(
                argv[i].starts_with("--") && argv[i].contains('='),
                "{argv:?}"
            );
        }
    }
}

#[test]
fn lintian_tags_are_inert() {
    for value in HOSTILE {
        let task = Lintian::configure(json!({
            "input": {"source_artifact": 1},
            "include_tags": [value],
            "exclude_tags": [value],
        }))
        .unwrap();
        let inputs = LintianInputs {
            source: Some(PathBuf::from("/w/hello.dsc")),
            binaries: vec![],
        };
        assert_inert(&task.command_line(&inputs), value);
    }
}

#[test]
fn autopkgtest_tests_and_environment_are_inert() {
    for value in HOSTILE {
        let task = Autopkgtest::configure(json!({
            "input": {"source_artifact": 1, "binary_artifacts": [2]},
            "environment": 3,
            "build_architecture": "amd64",
            "include_tests": [value],
            "extra_environment": {"VAR": value},
        }))
        .unwrap();
        let inputs = AutopkgtestInputs {
            dsc: PathBuf::from("/w/hello.dsc"),
            binaries: vec![PathBuf::from("/w/hello.deb")],
            environment: PathBuf::from("/w/env.tar"),
            output_dir: PathBuf::from("/w/artifact-dir"),
            ..AutopkgtestInputs::default()
        };
        assert_inert(&task.command_line(&inputs), value);
    }
}

#[test]
fn mmdebstrap_packages_are_inert() {
    for value in HOSTILE {
        let task = Mmdebstrap::configure(json!({
            "bootstrap_options": {"architecture": "amd64", "extra_packages": [value]},
            "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "bookworm"}],
        }))
        .unwrap();
        let inputs = BootstrapInputs {
            host_sources: PathBuf::from("/w/host.sources"),
            chroot_sources: PathBuf::from("/w/chroot.sources"),
            keyrings: Vec::new(),
            installed_keyrings: Vec::new(),
            script: None,
        };
        assert_inert(&task.command_line(&inputs), value);
    }
}

fn image(filename: &str) -> serde_json::Value {
    json!({
        "bootstrap_options": {"architecture": "amd64"},
        "bootstrap_repositories": [{"mirror": "http://deb.debian.org/debian", "suite": "bookworm"}],
        "disk_image": {
            "format": "qcow2",
            "filename": filename,
            "partitions": [{"size": 2, "filesystem": "ext4", "mountpoint": "/"}],
        },
    })
}

#[test]
fn image_file_names_cannot_leave_the_work_directory() {
    for name in ["../escape", "/etc/passwd", "a/b", "./", "nul\0byte"] {
        let error = SimpleSystemImageBuild::configure(image(name)).unwrap_err();
        let violation = &error.violations()[0];
        assert_eq!(violation.pointer, "/disk_image/filename", "{name:?}");
        assert!(
            violation
                .message
                .ends_with("must be a file directly in the work directory"),
            "{name:?}: {}",
            violation.message
        );
    }
    // The image is `<filename>.qcow2`: `..qcow2`, `.qcow2` are files in the work directory.
    for name in ["image", "debian-12.img", "..image", "-dash", "..", ".", ""] {
        assert!(
            SimpleSystemImageBuild::configure(image(name)).is_ok(),
            "{name:?}"
        );
    }
}

#[test]
fn image_output_is_not_written_through_a_symbolic_link() {
    let dir = std::env::temp_dir().join(format!("taskdef-symlink-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("image.qcow2")).unwrap();
    let task = SimpleSystemImageBuild::configure(image("image")).unwrap();
    let ctx = TaskContext::new("simplesystemimagebuild", &dir);
    let error = taskdef::Execute::execute(&task, &ctx).unwrap_err();
    assert!(matches!(error, TaskError::Other(_)));
    assert!(error.to_string().contains("is a symbolic link"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn image_sources_take_no_injected_lines() {
    let dir = std::env::temp_dir().join(format!("taskdef-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (field, repository) in [
        (
            "mirror",
            json!({"mirror": "http://e.org/\nTrusted: yes", "suite": "x", "components": ["main"]}),
        ),
        (
            "suite",
            json!({"mirror": "http://e.org/", "suite": "x\n\nTypes: deb", "components": ["main"]}),
        ),
        (
            "components",
            json!({"mirror": "http://e.org/", "suite": "x", "components": ["main\rTrusted: yes"]}),
        ),
    ] {
        let mut data = image("image");
        data["bootstrap_repositories"] = json!([repository]);
        let task = SimpleSystemImageBuild::configure(data).unwrap();
        let ctx = TaskContext::new("simplesystemimagebuild", &dir);
        let error = taskdef::Execute::execute(&task, &ctx)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!("/bootstrap_repositories/0/{field}:"))
                && error.contains("line break"),
            "{field}: {error}"
        );
        assert!(!dir.join("host.sources").exists(), "{field}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
