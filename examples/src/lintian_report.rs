//! lintian's output read into Debusine's `debian:lintian` analysis: the tags, per package, and
//! the summary of each analysis (source, architecture-independent and -dependent binaries), as
//! Debusine's lintian task reads them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// Severities by lintian's one-letter code, from the most severe; `masked` tags are dropped.
const SEVERITIES: [(char, &str); 8] = [
    ('E', "error"),
    ('W', "warning"),
    ('I', "info"),
    ('P', "pedantic"),
    ('X', "experimental"),
    ('O', "overridden"),
    ('C', "classification"),
    ('M', "masked"),
];

/// The version of the analysis document (Debusine's lintian task version).
const ANALYSIS_VERSION: u32 = 1;

/// How severe `severity` is: higher is more severe.
fn level(severity: &str) -> usize {
    SEVERITIES
        .iter()
        .rev()
        .position(|(_, name)| *name == severity)
        .unwrap_or(0)
}

/// One tag lintian emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// `error`, `warning`, ...
    pub severity: String,
    /// The package, with ` source` for a source package.
    pub package: String,
    /// The tag's name.
    pub tag: String,
    /// The explanation (`N:` lines after the tag, with `--info`).
    pub explanation: String,
    /// The maintainer's comment on an override (`N:` lines before it).
    pub comment: String,
    /// What follows the tag on its line, up to a `[pointer]`.
    pub note: String,
    /// The `[file:line]` pointer, without brackets.
    pub pointer: String,
}

/// The tags of lintian's output, sorted by package, then the most severe first, then tag and
/// note. A line that is neither a tag nor an `N:` line is the error.
pub fn parse(output: &str) -> Result<Vec<Tag>, String> {
    let mut tags: Vec<Tag> = Vec::new();
    let mut current: Option<usize> = None;
    let mut previous: Option<&str> = None;
    let mut in_comment = false;
    let mut explanation = String::new();
    let mut comment = String::new();
    for line in output.lines().map(str::trim) {
        if line == "N:" && previous == Some("N:") {
            in_comment = true;
        } else if let Some(rest) = line.strip_prefix("N:") {
            let text = format!("{}\n", rest.trim_start());
            if in_comment {
                comment.push_str(&text);
            } else if !explanation.is_empty() || text != "\n" {
                explanation.push_str(&text);
            }
        } else if !line.is_empty() {
            if let Some(index) = current {
                tags[index].explanation = explanation.trim().to_owned();
            }
            explanation.clear();
            current = None;
            if let Some(mut tag) = parse_tag_line(line)? {
                tag.comment = comment.trim().to_owned();
                comment.clear();
                in_comment = false;
                if tag.severity != "masked" {
                    tags.push(tag);
                    current = Some(tags.len() - 1);
                }
            }
        }
        previous = Some(line);
    }
    if let Some(index) = current {
        tags[index].explanation = explanation.trim().to_owned();
    }
    tags.sort_by(|a, b| {
        (
            &a.package,
            std::cmp::Reverse(level(&a.severity)),
            &a.tag,
            &a.note,
        )
            .cmp(&(
                &b.package,
                std::cmp::Reverse(level(&b.severity)),
                &b.tag,
                &b.note,
            ))
    });
    Ok(tags)
}

/// `W: hello source: tag note [pointer]`; `None` for the bare `W: tag` line older lintian
/// repeats after each tag.
fn parse_tag_line(line: &str) -> Result<Option<Tag>, String> {
    let unreadable = || format!("cannot read the lintian line `{line}`");
    let mut chars = line.chars();
    let code = chars.next().ok_or_else(unreadable)?;
    let severity = SEVERITIES
        .iter()
        .find(|(letter, _)| *letter == code)
        .map(|(_, name)| *name)
        .ok_or_else(unreadable)?;
    let rest = line[1..].strip_prefix(": ").ok_or_else(unreadable)?;
    let (package, after) = match rest.split_once(": ") {
        Some((package, after))
            if !package.is_empty()
                && (!package.contains(' ')
                    || package
                        .strip_suffix(" source")
                        .is_some_and(|p| !p.contains(' '))) =>
        {
            (package, after)
        }
        _ if !rest.is_empty() && !rest.contains(' ') => return Ok(None),
        _ => return Err(unreadable()),
    };
    let (tag, note) = after.split_once(' ').unwrap_or((after, ""));
    if tag.is_empty() {
        return Err(unreadable());
    }
    let note = note.split('[').next().unwrap_or_default().trim();
    let pointer = line
        .rfind(']')
        .and_then(|end| line[..end].find('[').map(|start| &line[start + 1..end]))
        .unwrap_or_default();
    Ok(Some(Tag {
        severity: severity.to_owned(),
        package: package.to_owned(),
        tag: tag.to_owned(),
        explanation: String::new(),
        comment: String::new(),
        note: note.to_owned(),
        pointer: pointer.to_owned(),
    }))
}

/// The analysis document of the packages `packages` (lintian's name, with ` source` for the
/// source, to the file checked): their tags, and the summary that is also the artifact's data.
pub fn analysis(
    tags: &[Tag],
    packages: &BTreeMap<String, String>,
    lintian_version: &str,
    distribution: &str,
) -> Value {
    let mut counts: BTreeMap<&str, u64> = SEVERITIES
        .iter()
        .map(|(_, name)| *name)
        .filter(|name| *name != "masked")
        .map(|name| (name, 0))
        .collect();
    let mut found = BTreeSet::new();
    let mut overridden = BTreeSet::new();
    let mut package_filename = BTreeMap::new();
    let mut listed = Vec::new();
    for tag in tags {
        let Some(filename) = packages.get(&tag.package) else {
            continue;
        };
        let package = tag.package.strip_suffix(" source").unwrap_or(&tag.package);
        package_filename.insert(package.to_owned(), filename.clone());
        *counts.entry(tag.severity.as_str()).or_default() += 1;
        if tag.severity == "overridden" {
            overridden.insert(tag.tag.clone());
        } else {
            found.insert(tag.tag.clone());
        }
        listed.push(json!({
            "severity": tag.severity,
            "package": package,
            "tag": tag.tag,
            "explanation": tag.explanation,
            "comment": tag.comment,
            "note": tag.note,
            "pointer": tag.pointer,
        }));
    }
    json!({
        "tags": listed,
        "summary": {
            "tags_count_by_severity": counts,
            "package_filename": package_filename,
            "tags_found": found,
            "overridden_tags_found": overridden,
            "lintian_version": lintian_version,
            "distribution": distribution,
        },
        "version": ANALYSIS_VERSION,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
W: hello source: package-uses-deprecated-debhelper-compat-version 9
N:
N:   The package uses a deprecated compat level.
N:
W: package-uses-deprecated-debhelper-compat-version
N:
N:
N:   a maintainer's comment
O: hello: spelling-error-in-binary teh the [usr/bin/hello]
E: hello: no-copyright-file
M: hello: masked-tag
";

    #[test]
    fn tags_explanations_comments_and_pointers() {
        let tags = parse(OUTPUT).unwrap();
        let names: Vec<&str> = tags.iter().map(|tag| tag.tag.as_str()).collect();
        assert_eq!(
            names,
            [
                "no-copyright-file",
                "spelling-error-in-binary",
                "package-uses-deprecated-debhelper-compat-version"
            ]
        );
        assert_eq!(tags[1].severity, "overridden");
        assert_eq!(tags[1].note, "teh the");
        assert_eq!(tags[1].pointer, "usr/bin/hello");
        assert_eq!(tags[1].comment, "a maintainer's comment");
        assert_eq!(
            tags[2].explanation,
            "The package uses a deprecated compat level."
        );
        assert_eq!(tags[2].package, "hello source");
    }

    #[test]
    fn an_analysis_counts_only_its_packages() {
        let tags = parse(OUTPUT).unwrap();
        let source = BTreeMap::from([("hello source".to_owned(), "hello_1.dsc".to_owned())]);
        let analysis = analysis(&tags, &source, "2.116", "debian:unstable");
        let summary = &analysis["summary"];
        assert_eq!(summary["tags_count_by_severity"]["warning"], 1);
        assert_eq!(summary["tags_count_by_severity"]["error"], 0);
        assert_eq!(summary["package_filename"], json!({"hello": "hello_1.dsc"}));
        assert_eq!(
            summary["tags_found"],
            json!(["package-uses-deprecated-debhelper-compat-version"])
        );
        assert_eq!(analysis["tags"][0]["package"], "hello");
    }

    #[test]
    fn an_unreadable_line_is_named() {
        assert!(
            parse("garbage here\n")
                .unwrap_err()
                .contains("garbage here")
        );
    }

    /// An excerpt of lintian 2.116's output with the options of the task, verbatim.
    const REAL_OUTPUT: &str = "N:
E: hello: description-too-short hi
N: 
N:   The description contains only a single word. It is likely that the
N:   description won't be very clear for the user.
N: 
N:   Please refer to The package synopsis, or short description (Section 6.2.2)
N:   in the Debian Developer's Reference for details.
N: 
N:   Visibility: error
N:   Show-Always: no
N:   Check: fields/description
N: 
N:
W: hello: no-manual-page [usr/bin/hello]
N: 
N:   Each binary in /usr/bin, /usr/sbin, /bin, /sbin or /usr/games should have
N:   a manual page
N:   
C: hello: mail-contact Maintainer A <a@example.org>
N: 
N:   This person is a contact in the named group for this package.
N: 
N:   Visibility: classification
N:   Show-Always: no
N:   Check: fields/mail-address
N:   Renamed from: maintainer uploader
N:   This tag is a classification. There is no issue in your package.
N: 
N:
";

    #[test]
    fn lintian_2_116_output_with_the_tasks_options() {
        let tags = parse(REAL_OUTPUT).unwrap();
        let summary: Vec<(&str, &str, &str, &str)> = tags
            .iter()
            .map(|tag| {
                (
                    tag.severity.as_str(),
                    tag.tag.as_str(),
                    tag.note.as_str(),
                    tag.pointer.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("error", "description-too-short", "hi", ""),
                ("warning", "no-manual-page", "", "usr/bin/hello"),
                (
                    "classification",
                    "mail-contact",
                    "Maintainer A <a@example.org>",
                    ""
                ),
            ]
        );
        assert!(
            tags[0]
                .explanation
                .starts_with("The description contains only a single word.")
        );
        assert!(tags[0].explanation.ends_with("Check: fields/description"));
        assert!(
            tags.iter()
                .all(|tag| tag.comment.is_empty() && tag.package == "hello")
        );
    }
}
