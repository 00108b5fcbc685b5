//! Debian control files (`.dsc`, `.changes`, `DEBIAN/control`, `/var/lib/dpkg/status`) read into
//! the JSON that Debusine's artifact data holds, as python-debian's `deb822` reads them.

use std::path::Path;

use serde_json::{Map, Value};
use taskdef::TaskError;

/// One paragraph: the fields in file order, names as written.
pub type Paragraph = Vec<(String, String)>;

/// The paragraphs of `text`. A value spread over several lines keeps its continuation lines
/// (each with its leading space) after a newline, as python-debian keeps them; a PGP
/// signature's armour is skipped.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut all = Vec::new();
    let mut current: Paragraph = Vec::new();
    let mut in_signature = false;
    for line in text.lines() {
        if line.starts_with("-----BEGIN PGP SIGNATURE") {
            in_signature = true;
            continue;
        }
        if in_signature {
            if line.starts_with("-----END PGP SIGNATURE") {
                in_signature = false;
            }
            continue;
        }
        if line.starts_with("-----BEGIN PGP SIGNED MESSAGE") || line.starts_with("Hash:") {
            continue;
        }
        if line.trim().is_empty() {
            if !current.is_empty() {
                all.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push('\n');
                value.push_str(line);
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            current.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    if !current.is_empty() {
        all.push(current);
    }
    all
}

/// The first paragraph of the file at `path`, or an error naming the file.
pub fn read_first(path: &Path) -> Result<Paragraph, TaskError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| TaskError::other(format!("{}: {error}", path.display())))?;
    paragraphs(&text)
        .into_iter()
        .next()
        .ok_or_else(|| TaskError::other(format!("{}: no fields", path.display())))
}

/// The value of field `name` (any case).
pub fn field<'a>(paragraph: &'a Paragraph, name: &str) -> Option<&'a str> {
    paragraph
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// The value of field `name`, or an error naming the field and the file.
pub fn require<'a>(
    paragraph: &'a Paragraph,
    name: &str,
    path: &Path,
) -> Result<&'a str, TaskError> {
    field(paragraph, name)
        .ok_or_else(|| TaskError::other(format!("{}: no `{name}` field", path.display())))
}

/// The sub-fields of the file lists of `.dsc` and `.changes` files, as python-debian names
/// them.
const CHANGES_LISTS: [(&str, &[&str]); 3] = [
    ("Files", &["md5sum", "size", "section", "priority", "name"]),
    ("Checksums-Sha1", &["sha1", "size", "name"]),
    ("Checksums-Sha256", &["sha256", "size", "name"]),
];
const DSC_LISTS: [(&str, &[&str]); 3] = [
    ("Files", &["md5sum", "size", "name"]),
    ("Checksums-Sha1", &["sha1", "size", "name"]),
    ("Checksums-Sha256", &["sha256", "size", "name"]),
];

/// Which kind of control file, for its file lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `.changes` file (`Files` has section and priority).
    Changes,
    /// A `.dsc` file.
    Dsc,
    /// A binary package's `control`: no lists.
    Control,
}

/// The paragraph as a JSON object: plain fields as strings, the file lists of `.dsc` and
/// `.changes` files as lists of objects (`{"sha256", "size", "name"}`, sizes as strings).
pub fn to_json(paragraph: &Paragraph, kind: Kind) -> Value {
    let lists: &[(&str, &[&str])] = match kind {
        Kind::Changes => &CHANGES_LISTS,
        Kind::Dsc => &DSC_LISTS,
        Kind::Control => &[],
    };
    let mut object = Map::new();
    for (name, value) in paragraph {
        let list = lists
            .iter()
            .find(|(list, _)| list.eq_ignore_ascii_case(name));
        let json = match list {
            Some((_, keys)) => Value::Array(
                value
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(|line| {
                        let words: Vec<&str> = line.split_whitespace().collect();
                        Value::Object(
                            keys.iter()
                                .zip(words)
                                .map(|(key, word)| ((*key).to_owned(), Value::from(word)))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
            None => Value::from(value.as_str()),
        };
        object.insert(name.clone(), json);
    }
    Value::Object(object)
}

/// The file names a `.dsc` or `.changes` lists (from `Checksums-Sha256`, else `Files`).
pub fn listed_files(paragraph: &Paragraph) -> Vec<String> {
    let list = field(paragraph, "Checksums-Sha256").or_else(|| field(paragraph, "Files"));
    list.unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_and_file_lists() {
        let text = "Source: hello\nVersion: 1.0-1\nDescription:\n hello - greets\n .\n more\n\
                    Checksums-Sha256:\n aaa 12 hello_1.0-1.dsc\n bbb 34 hello_1.0.orig.tar.gz\n";
        let paragraph = &paragraphs(text)[0];
        assert_eq!(field(paragraph, "source"), Some("hello"));
        assert_eq!(
            field(paragraph, "Description"),
            Some("\n hello - greets\n .\n more")
        );
        assert_eq!(
            listed_files(paragraph),
            ["hello_1.0-1.dsc", "hello_1.0.orig.tar.gz"]
        );
        let json = to_json(paragraph, Kind::Changes);
        assert_eq!(
            json["Checksums-Sha256"][1],
            serde_json::json!({"sha256": "bbb", "size": "34", "name": "hello_1.0.orig.tar.gz"})
        );
        assert_eq!(json["Version"], "1.0-1");
    }

    #[test]
    fn a_signed_file_is_read_without_its_armour() {
        let text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nSource: a\n\n\
                    -----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n";
        let all = paragraphs(text);
        assert_eq!(all, vec![vec![("Source".to_owned(), "a".to_owned())]]);
    }
}
