//! JSON pointers (RFC 6901): building them from keys and reading them back into keys.

/// One key or index escaped as a reference token: `~` as `~0`, `/` as `~1`.
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The pointer to `token` inside the value at `parent`: `/a` + `b/c` is `/a/b~1c`.
pub(crate) fn child(parent: &str, token: &str) -> String {
    format!("{parent}/{}", escape_token(token))
}

/// The reference tokens of a pointer, unescaped; `None` if it is not a pointer.
pub(crate) fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_reads_back() {
        assert_eq!(child("/a", "b/c~d"), "/a/b~1c~0d");
        assert_eq!(child("", "x"), "/x");
        assert_eq!(tokens("/a/b~1c~0d").unwrap(), ["a", "b/c~d"]);
        assert_eq!(tokens("").unwrap(), Vec::<String>::new());
        assert_eq!(tokens("no-slash"), None);
        // `~01` is `~1` unescaped, not `/`.
        assert_eq!(tokens("/~01").unwrap(), ["~1"]);
    }
}
