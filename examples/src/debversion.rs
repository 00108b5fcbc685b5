//! Debian version numbers compared as dpkg compares them (`[epoch:]upstream[-revision]`), for
//! the tasks that choose an option by the version of an installed tool.

use std::cmp::Ordering;

/// Compares two Debian versions as `dpkg --compare-versions` does: the epoch as a number,
/// then the upstream version and the revision with dpkg's `verrevcmp` (`~` sorts before
/// everything, even the end; letters before other characters; digit runs as numbers).
///
/// ```
/// use std::cmp::Ordering;
/// use taskdef_examples::debversion::compare;
///
/// assert_eq!(compare("1.0~rc1", "1.0"), Ordering::Less);
/// assert_eq!(compare("1:0.1", "2.0"), Ordering::Greater);
/// assert_eq!(compare("0.14-1", "0.07+20170817+gita232d32"), Ordering::Greater);
/// ```
pub fn compare(a: &str, b: &str) -> Ordering {
    let (epoch_a, upstream_a, revision_a) = split(a);
    let (epoch_b, upstream_b, revision_b) = split(b);
    epoch_a
        .cmp(&epoch_b)
        .then_with(|| verrevcmp(upstream_a.as_bytes(), upstream_b.as_bytes()))
        .then_with(|| verrevcmp(revision_a.as_bytes(), revision_b.as_bytes()))
}

/// The epoch (0 when absent or not a number), the upstream version and the revision.
fn split(version: &str) -> (u64, &str, &str) {
    let version = version.trim();
    let (epoch, rest) = match version.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) => {
            (epoch.parse().unwrap_or(u64::MAX), rest)
        }
        _ => (0, version),
    };
    match rest.rsplit_once('-') {
        Some((upstream, revision)) => (epoch, upstream, revision),
        None => (epoch, rest, ""),
    }
}

/// dpkg's weight of a non-digit character (`None` is the end of the part).
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // The non-digit prefixes, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += usize::from(i < a.len() && !a[i].is_ascii_digit());
            j += usize::from(j < b.len() && !b[j].is_ascii_digit());
        }
        // The digit runs, as numbers: leading zeros skipped, then the longer run is greater,
        // else the first differing digit decides.
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let start_a = i;
        let start_b = j;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (run_a, run_b) = (&a[start_a..i], &b[start_b..j]);
        let by_number = run_a.len().cmp(&run_b.len()).then_with(|| run_a.cmp(run_b));
        if by_number != Ordering::Equal {
            return by_number;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_dpkg_orders_them() {
        // Each pair from dpkg's own test suite (lib/dpkg/t/t-version.c) or its manual.
        let less = [
            ("1.0", "1.1"),
            ("1.0~rc1", "1.0"),
            ("1.0~", "1.0"),
            ("1.0~~", "1.0~"),
            ("1.0", "1.0a"),
            ("1.0a", "1.0+"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.9", "1.10"),
            ("2.0", "1:0.1"),
            ("0.07", "0.07+20170817+gita232d32"),
            ("0.07+20170817+gita232d32", "0.14-1"),
            ("1.001", "1.2"),
        ];
        for (a, b) in less {
            assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
        }
        for (a, b) in [
            ("1.0", "1.0"),
            ("0:1.0", "1.0"),
            ("1.00", "1.0"),
            ("1.0-0", "1.0-"),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} = {b}");
        }
    }
}
