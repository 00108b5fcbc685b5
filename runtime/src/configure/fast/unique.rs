//! The fingerprints of keys and unique items seen in the open containers of a walk.

/// Fingerprints of the keys and unique items seen in the open arrays and objects, innermost
/// last: one stack for the whole walk, so that a container needs no buffer of its own, and the
/// first few fingerprints need no allocation at all.
#[derive(Default)]
pub(super) struct SeenStack {
    inline: [u64; 16],
    spilled: Vec<u64>,
    len: usize,
}

impl SeenStack {
    /// Where the next container's fingerprints start.
    pub(super) fn top(&self) -> usize {
        self.len
    }

    /// Adds `fingerprint` to the container whose fingerprints start at `from`; `false` if it
    /// was already there.
    pub(super) fn insert(&mut self, from: usize, fingerprint: u64) -> bool {
        let inline_len = self.len.min(self.inline.len());
        let in_inline = self.inline[from.min(inline_len)..inline_len].contains(&fingerprint);
        let spilled_from = from.saturating_sub(self.inline.len());
        if in_inline || self.spilled[spilled_from.min(self.spilled.len())..].contains(&fingerprint)
        {
            return false;
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = fingerprint;
        } else {
            self.spilled.push(fingerprint);
        }
        self.len += 1;
        true
    }

    /// Forgets the fingerprints of a closed container, which started at `from`.
    pub(super) fn truncate(&mut self, from: usize) {
        self.len = from;
        self.spilled
            .truncate(from.saturating_sub(self.inline.len()));
    }
}
