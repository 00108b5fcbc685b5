//! Release names of the engine a task's data belongs to (`0.16`, `0.11`, `0.16.2`): how they
//! order and which name serves which release. The derive's release forms, the registry, the
//! command line and a running task's context all read release names with these two rules.

use std::cmp::Ordering;

/// Orders release names as version numbers, dotted part by part (`0.9 < 0.11 < 0.16`), numbers
/// below text; for listing releases newest last.
pub fn compare_releases(a: &str, b: &str) -> Ordering {
    let part = |text: &str| match text.parse::<u64>() {
        Ok(number) => (0, number, String::new()),
        Err(_) => (1, 0, text.to_owned()),
    };
    a.split('.').map(part).cmp(b.split('.').map(part))
}

/// Whether the name `name` serves `release`: the same name, or a dotted prefix of it (`0.16`
/// serves `0.16.2`).
pub(crate) fn names(name: &str, release: &str) -> bool {
    name == release
        || release
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_order_as_numbers_part_by_part() {
        assert_eq!(compare_releases("0.9", "0.11"), Ordering::Less);
        assert_eq!(compare_releases("0.16", "0.11"), Ordering::Greater);
        assert_eq!(compare_releases("0.16", "0.16.2"), Ordering::Less);
        assert_eq!(compare_releases("0.16", "0.16"), Ordering::Equal);
        assert_eq!(compare_releases("1", "beta"), Ordering::Less);
    }

    #[test]
    fn a_name_serves_itself_and_the_releases_it_is_a_dotted_prefix_of() {
        assert!(names("0.16", "0.16"));
        assert!(names("0.16", "0.16.2"));
        assert!(!names("0.1", "0.16"));
        assert!(!names("0.16.2", "0.16"));
    }
}
