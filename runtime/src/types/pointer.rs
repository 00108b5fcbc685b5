//! JSON pointers (RFC 6901), as violations carry them: `""` is the whole document, `/a/0` the
//! first item of the array under key `a`. A `~` in a key is written `~0` and a `/` is `~1`.

use std::borrow::Cow;
use std::fmt;

/// A reference token (a key, or an array index) escaped for a pointer.
///
/// ```
/// assert_eq!(taskdef::pointer::escape("a/b~c"), "a~1b~0c");
/// ```
pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// `pointer` followed by one more reference token, escaped.
///
/// ```
/// use taskdef::pointer::child;
///
/// assert_eq!(child("", "input"), "/input");
/// assert_eq!(child("/input", 0), "/input/0");
/// assert_eq!(child("/env", "PATH/x"), "/env/PATH~1x");
/// ```
pub fn child(pointer: &str, token: impl fmt::Display) -> String {
    format!("{pointer}/{}", escape(&token.to_string()))
}

/// The reference tokens of a pointer, unescaped; `None` if it is not a pointer (neither empty
/// nor starting with `/`).
///
/// ```
/// use taskdef::pointer::tokens;
///
/// assert_eq!(tokens("").unwrap(), Vec::<String>::new());
/// assert_eq!(tokens("/env/PATH~1x/0").unwrap(), ["env", "PATH/x", "0"]);
/// assert_eq!(tokens("env"), None);
/// ```
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    // `~1` first: `~01` is the token `~1`, not `/`.
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
    fn escaping_and_parsing_are_inverse() {
        for token in ["", "plain", "a/b", "~", "~1", "~01", "/~/", "ü/x"] {
            let pointer = child("/root", token);
            assert_eq!(
                tokens(&pointer).unwrap(),
                ["root", token],
                "{token:?} as {pointer:?}"
            );
        }
        assert_eq!(escape("~01"), "~001");
    }
}
