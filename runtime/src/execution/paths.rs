//! Names of files in artifacts and work directories, and the hashes Debusine keeps of files:
//! the checks and the sha256 the worker's artifact client uses, for tasks and tests to use too.
//!
//! A file's name in an artifact is a relative path with `/` between its components; a task
//! that puts a name it was given into a path checks it first, so that the file cannot land
//! outside the directory meant:
//!
//! ```
//! use taskdef::paths::{check_file_name, check_relative};
//!
//! assert!(check_relative("pool/hello_1.0.dsc").is_ok());
//! assert_eq!(check_relative("../etc/passwd").unwrap_err(), "it has a `..` component");
//! assert!(check_file_name("hello_1.0.dsc").is_ok());
//! assert_eq!(check_file_name("pool/hello_1.0.dsc").unwrap_err(), "it contains `/`");
//! ```

#[cfg(feature = "worker")]
use std::io::{self, Read};
#[cfg(feature = "worker")]
use std::path::Path;

/// Why `name` cannot be a path inside a directory: empty, absolute, with an empty (`//` or a
/// trailing `/`), `.` or `..` component, or with a NUL byte. `Ok` for a name that stays inside.
pub fn check_relative(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.starts_with('/') {
        return Err("it is absolute".into());
    }
    if name.contains('\0') {
        return Err("it contains a NUL byte".into());
    }
    for component in name.split('/') {
        match component {
            "" => return Err("it has an empty component (`//` or a trailing `/`)".into()),
            "." => return Err("it has a `.` component".into()),
            ".." => return Err("it has a `..` component".into()),
            _ => {}
        }
    }
    Ok(())
}

/// Why `name` cannot be a plain file name in a directory (one component): as
/// [`check_relative`], and without `/`.
pub fn check_file_name(name: &str) -> Result<(), String> {
    check_relative(name)?;
    if name.contains('/') {
        return Err("it contains `/`".into());
    }
    Ok(())
}

/// The size and sha256 (lowercase hexadecimal, as Debusine writes it) of a file, read once.
#[cfg(feature = "worker")]
#[cfg_attr(docsrs, doc(cfg(feature = "worker")))]
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    hash_reader(std::fs::File::open(path)?)
}

/// The size and sha256 (lowercase hexadecimal) of everything `reader` gives, read once.
#[cfg(feature = "worker")]
#[cfg_attr(docsrs, doc(cfg(feature = "worker")))]
pub fn hash_reader(mut reader: impl Read) -> io::Result<(u64, String)> {
    let mut hasher = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((size, hex(hasher.finish().as_ref())))
}

/// The sha256 of `bytes`, in lowercase hexadecimal (what `sha256sum` prints).
#[cfg(feature = "worker")]
#[cfg_attr(docsrs, doc(cfg(feature = "worker")))]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// Bytes in lowercase hexadecimal.
#[cfg(feature = "worker")]
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_directory_are_refused_each_with_its_reason() {
        for (name, reason) in [
            ("", "it is empty"),
            ("/etc", "it is absolute"),
            ("a\0b", "it contains a NUL byte"),
            ("a//b", "it has an empty component (`//` or a trailing `/`)"),
            ("a/", "it has an empty component (`//` or a trailing `/`)"),
            ("./a", "it has a `.` component"),
            ("a/../../b", "it has a `..` component"),
        ] {
            assert_eq!(check_relative(name).unwrap_err(), reason, "{name:?}");
        }
        assert!(check_relative("a/b.c/..d").is_ok());
        assert_eq!(check_file_name("a/b").unwrap_err(), "it contains `/`");
        assert_eq!(
            check_file_name("..").unwrap_err(),
            "it has a `..` component"
        );
        assert_eq!(check_file_name("/a").unwrap_err(), "it is absolute");
        assert!(check_file_name("image.qcow2").is_ok());
    }

    #[cfg(feature = "worker")]
    #[test]
    fn hashes_are_sha256sums() {
        // sha256sum of "abc", from FIPS 180-2.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), abc);
        assert_eq!(hash_reader(&b"abc"[..]).unwrap(), (3, abc.to_owned()));
    }
}
