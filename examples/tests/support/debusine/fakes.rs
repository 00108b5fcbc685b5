//! Stand-ins for the end-to-end tests: a fake `mmdebstrap` on PATH, and mmdebstrap task data
//! for this machine.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// mmdebstrap task data for this machine's architecture (the scheduler checks it against the
/// worker's `system:architectures`).
pub fn mmdebstrap() -> String {
    let output = Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .expect("dpkg runs (the server script needs Debian)");
    let architecture = String::from_utf8(output.stdout).unwrap();
    format!(
        r#"{{"bootstrap_options":{{"architecture":"{}"}},"bootstrap_repositories":[{{"mirror":"http://deb.debian.org/debian","suite":"bookworm","components":["main"]}}]}}"#,
        architecture.trim()
    )
}

/// A fake `mmdebstrap` on PATH: it says `fake mmdebstrap <pid> running` on its standard output,
/// writes its pid and its child's into `pids`, then waits for
/// the child, a `sleep` of FAKE_SECONDS; the catalogue's mmdebstrap task runs it. Then it exits
/// with 1 if the file `fake-fails` is beside `pids`, else it leaves in its directory (the
/// task's work directory) what the task's hooks copy out of a new system, and the tarball,
/// which the task uploads.
pub fn fake_tools(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("mmdebstrap");
    fs::write(
        &script,
        "#!/bin/sh\necho \"fake mmdebstrap $$ running\"\nsleep \"${FAKE_SECONDS:-2}\" &\n\
         echo \"$$ $!\" >> \"$FAKE_PIDS\"\nwait\n\
         [ -e \"$(dirname \"$FAKE_PIDS\")/fake-fails\" ] && exit 1\n\
         printf 'ID=debian\\nVERSION_CODENAME=bookworm\\n' > os-release\n\
         mkdir -p var_lib_dpkg/dpkg\n\
         printf 'Package: base-files\\nStatus: install ok installed\\nVersion: 12.4\\n' \
         > var_lib_dpkg/dpkg/status\n\
         echo 0 > test-sbin-init\n\
         echo \"fake system $$\" > system.tar.xz\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    bin
}
