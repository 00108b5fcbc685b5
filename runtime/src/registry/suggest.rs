//! "Did you mean": the registered name closest to a misspelled one.

/// The candidate closest to `name` by edit distance, if it is close enough to be a slip
/// rather than another word: at most a third of the name's length (at least one edit), as
/// rustc suggests names. Ties go to the first candidate.
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name: Vec<char> = name.chars().collect();
    let limit = (name.len() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let other: Vec<char> = candidate.chars().collect();
        // Lengths further apart than the limit cannot be within it: skip the work (and any
        // hostile, huge name).
        if name.len().abs_diff(other.len()) > limit {
            continue;
        }
        let distance = edit_distance(&name, &other);
        if distance <= limit && best.is_none_or(|(shortest, _)| distance < shortest) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein distance: insertions, deletions and substitutions of one character.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &left) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != right);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        let distance = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(distance("noop", "noop"), 0);
        assert_eq!(distance("nop", "noop"), 1);
        assert_eq!(distance("sbiuld", "sbuild"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_near_names() {
        let names = ["autopkgtest", "lintian", "noop", "sbuild"];
        assert_eq!(closest("nop", names), Some("noop"));
        assert_eq!(closest("sbiuld", names), Some("sbuild"));
        assert_eq!(closest("autopkgtests", names), Some("autopkgtest"));
        assert_eq!(closest("lintain", names), Some("lintian"));
        assert_eq!(closest("piuparts", names), None);
        assert_eq!(closest("x", names), None);
        assert_eq!(closest(&"x".repeat(100_000), names), None);
    }
}
