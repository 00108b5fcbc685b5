//! Following a pointer in JSON text without building the document: on the fast path's reader
//! (`parse::json`), so that strings, escapes and skipped values are read by one implementation.

use super::source::Located;
use crate::parse::json::{JsonReader, MAX_NESTING, Token, position_at};
use crate::types::Position;

pub(super) fn locate(text: &str, tokens: &[String]) -> Option<Located> {
    let mut reader = JsonReader::after_byte_order_mark(text);
    let mut key = None;
    for token in tokens {
        match reader.peek()? {
            b'{' => key = Some(enter_member(&mut reader, token)?),
            b'[' => {
                enter_element(&mut reader, token)?;
                key = None;
            }
            _ => return None,
        }
    }
    reader.peek()?;
    Some(Located {
        value: reader.position(),
        key,
    })
}

/// In an object: moves to the value of the last member called `name`; its key's position.
fn enter_member(reader: &mut JsonReader<'_>, name: &str) -> Option<Position> {
    let Ok(Token::ObjectStart) = reader.value() else {
        return None;
    };
    let mut found = None;
    let mut first = true;
    while let Some(key_start) = reader.next_key_start(first).ok()? {
        first = false;
        let key = reader.key().ok()?;
        if reader.str_of(key) == name {
            reader.peek()?;
            found = Some((key_start, reader.offset()));
        }
        reader.skip_value(MAX_NESTING).ok()?;
    }
    let (key_start, value_start) = found?;
    reader.seek(value_start);
    Some(position_at(reader.text(), key_start))
}

/// In an array: moves to the element at `index`.
fn enter_element(reader: &mut JsonReader<'_>, index: &str) -> Option<()> {
    if index.len() > 1 && index.starts_with('0') {
        return None;
    }
    let index: usize = index.parse().ok()?;
    let Ok(Token::ArrayStart) = reader.value() else {
        return None;
    };
    let mut current = 0;
    while reader.more_items(current == 0).ok()? {
        if current == index {
            reader.peek()?;
            return Some(());
        }
        reader.skip_value(MAX_NESTING).ok()?;
        current += 1;
    }
    None
}
