//! What the targets share: the catalogue's task names, chosen by the input's first byte.

use taskdef::Registry;
use taskdef_examples as _;

/// Splits the input into a catalogue task name and the rest.
pub fn task_and_rest(data: &[u8]) -> Option<(&'static str, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let names = Registry::global().names();
    let name = names[usize::from(selector) % names.len()];
    Some((name, rest))
}
