//! The one JSON scanner besides `serde_json`: text to tokens, RFC 8259 to the letter. The fast
//! path's guided walk reads task data with it, and the locator follows a JSON pointer in the
//! text with it; both get one implementation of strings, escapes and skipping a value.
//!
//! As `serde_json`'s `read.rs`, the reader keeps only a byte offset ([`JsonReader::offset`]);
//! line and column are computed from it when asked ([`JsonReader::position`]).
//!
//! Nothing here is generic. serde's visitors are generic, and everything they call is compiled
//! again for each of them in the task's crate; keeping the reading here, compiled once in the
//! runtime, leaves the per-visitor code a short dispatch on the token read (see `walk.rs`).
//!
//! Numbers are read as `serde_json` reads them: a non-negative integer that fits is a `u64`, a
//! negative one an `i64`, anything else (a fraction, an exponent, too many digits, `-0`) an
//! `f64`, rounded correctly.

use crate::types::Position;

/// `serde_json`'s nesting limit: a 128th nested container is refused.
pub(crate) const MAX_NESTING: usize = 128;

/// A JSON number kept as `serde_json` keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Signed(i64),
    Unsigned(u64),
    Float(f64),
}

/// The reader's one error: the text is not JSON (or nests too deep), at a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub(crate) at: usize,
}

/// The text of a string: borrowed from the input when it has no escapes, otherwise unescaped
/// into the reader's scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text<'de> {
    Borrowed(&'de str),
    Scratch,
}

/// The start of one JSON value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Token<'de> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Text<'de>),
    /// `[`, consumed.
    ArrayStart,
    /// `{`, consumed.
    ObjectStart,
}

/// Reads JSON text token by token.
pub(crate) struct JsonReader<'de> {
    text: &'de str,
    pos: usize,
    /// The last escaped string, unescaped.
    pub(crate) scratch: String,
}

/// Bytes that end the fast scan of a string: the closing quote, an escape, a control character.
const STOPS_STRING: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

impl<'de> JsonReader<'de> {
    pub(crate) fn new(text: &'de str) -> Self {
        JsonReader {
            text,
            pos: 0,
            scratch: String::new(),
        }
    }

    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    fn malformed(&self) -> Malformed {
        Malformed { at: self.pos }
    }

    /// The next byte that is not whitespace, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&byte) = bytes.get(self.pos) {
            match byte {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => return Some(byte),
            }
        }
        None
    }

    /// Reads a scalar, or the opening bracket of a container.
    pub(crate) fn value(&mut self) -> Result<Token<'de>, Malformed> {
        let token = match self.peek() {
            Some(b'{') => Token::ObjectStart,
            Some(b'[') => Token::ArrayStart,
            Some(b'"') => {
                self.pos += 1;
                return self.string().map(Token::Str);
            }
            Some(b'n') => self.literal("null", Token::Null)?,
            Some(b't') => self.literal("true", Token::Bool(true))?,
            Some(b'f') => self.literal("false", Token::Bool(false))?,
            Some(b'-' | b'0'..=b'9') => return self.number().map(Token::Number),
            _ => return Err(self.malformed()),
        };
        // The bracket of a container, or the last byte of a literal: literals return early.
        self.pos += 1;
        Ok(token)
    }

    /// `word` at the current position; leaves the last byte for the caller to consume.
    fn literal(&mut self, word: &str, token: Token<'de>) -> Result<Token<'de>, Malformed> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len() - 1;
            Ok(token)
        } else {
            Err(self.malformed())
        }
    }

    /// A number, at its first byte (`-` or a digit).
    pub(crate) fn number(&mut self) -> Result<Number, Malformed> {
        let bytes = self.bytes();
        let start = self.pos;
        let negative = bytes[start] == b'-';
        let mut pos = start + usize::from(negative);
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        };
        let int_start = pos;
        match digits(&mut pos) {
            0 => return Err(Malformed { at: pos }),
            1 => {}
            _ if bytes[int_start] == b'0' => return Err(Malformed { at: int_start + 1 }),
            _ => {}
        }
        let int_end = pos;
        let mut integral = true;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if digits(&mut pos) == 0 {
                return Err(Malformed { at: pos });
            }
            integral = false;
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if digits(&mut pos) == 0 {
                return Err(Malformed { at: pos });
            }
            integral = false;
        }
        self.pos = pos;
        if integral && let Some(number) = integer(&bytes[int_start..int_end], negative) {
            return Ok(number);
        }
        // Correctly rounded, and the grammar checked above is a subset of what `parse` takes.
        match self.text[start..pos].parse::<f64>() {
            Ok(float) if float.is_finite() => Ok(Number::Float(float)),
            _ => Err(Malformed { at: start }),
        }
    }

    /// The rest of a string whose opening quote was consumed.
    pub(crate) fn string(&mut self) -> Result<Text<'de>, Malformed> {
        let bytes = self.bytes();
        let start = self.pos;
        let pos = string_stop(bytes, start);
        match bytes.get(pos) {
            Some(b'"') => {
                self.pos = pos + 1;
                // Both ends are ASCII quotes, so the slice is on character boundaries.
                Ok(Text::Borrowed(&self.text[start..pos]))
            }
            Some(b'\\') => {
                self.scratch.clear();
                self.scratch.push_str(&self.text[start..pos]);
                self.pos = pos;
                self.escaped_rest()?;
                Ok(Text::Scratch)
            }
            _ => Err(Malformed { at: pos }),
        }
    }

    /// The rest of a string with escapes, into `scratch`; at a backslash.
    fn escaped_rest(&mut self) -> Result<(), Malformed> {
        let bytes = self.bytes();
        loop {
            let run_start = self.pos;
            self.pos = string_stop(bytes, self.pos);
            self.scratch.push_str(&self.text[run_start..self.pos]);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let letter = bytes.get(self.pos + 1).copied();
                    self.pos += 2;
                    let unescaped = match letter {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let unit = self.hex4()?;
                            self.code_point(unit)?
                        }
                        _ => return Err(Malformed { at: self.pos - 1 }),
                    };
                    self.scratch.push(unescaped);
                }
                _ => return Err(self.malformed()),
            }
        }
    }

    /// Four hex digits; consumes them.
    fn hex4(&mut self) -> Result<u16, Malformed> {
        let digits = self
            .bytes()
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.malformed())?;
        let mut unit = 0u16;
        for &digit in digits {
            let value = (digit as char)
                .to_digit(16)
                .ok_or_else(|| self.malformed())?;
            unit = unit * 16 + value as u16;
        }
        self.pos += 4;
        Ok(unit)
    }

    /// The character of a `\u` escape (two for a surrogate pair); a lone surrogate is malformed,
    /// as `serde_json` has it.
    fn code_point(&mut self, unit: u16) -> Result<char, Malformed> {
        let low = || {
            if !self.bytes()[self.pos..].starts_with(b"\\u") {
                return None;
            }
            self.pos += 2;
            self.hex4().ok()
        };
        escaped_char(unit, low).ok_or_else(|| self.malformed())
    }

    /// After an array's `[` (`first`) or one of its items: whether another item follows.
    pub(crate) fn more_items(&mut self, first: bool) -> Result<bool, Malformed> {
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if first => Ok(true),
            _ => Err(self.malformed()),
        }
    }

    /// After an object's `{` (`first`) or one of its values: the next key and its colon, or
    /// `None` at the closing brace.
    pub(crate) fn next_key(&mut self, first: bool) -> Result<Option<Text<'de>>, Malformed> {
        match self.next_key_start(first)? {
            Some(_) => self.key().map(Some),
            None => Ok(None),
        }
    }

    /// [`next_key`](Self::next_key) up to the key's opening quote, not consumed: its offset.
    pub(crate) fn next_key_start(&mut self, first: bool) -> Result<Option<usize>, Malformed> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            Some(b',') if !first => {
                self.pos += 1;
                self.peek();
            }
            Some(b'"') if first => {}
            _ => return Err(self.malformed()),
        }
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(self.malformed());
        }
        Ok(Some(self.pos))
    }

    /// A key at its opening quote, and its colon.
    pub(crate) fn key(&mut self) -> Result<Text<'de>, Malformed> {
        self.pos += 1;
        let key = self.string()?;
        if self.peek() != Some(b':') {
            return Err(self.malformed());
        }
        self.pos += 1;
        Ok(key)
    }

    /// Reads past one whole value, checking its syntax; `depth_left` bounds the nesting.
    pub(crate) fn skip_value(&mut self, depth_left: usize) -> Result<(), Malformed> {
        match self.value()? {
            Token::ArrayStart => {
                let depth_left = depth_left.checked_sub(1).ok_or_else(|| self.malformed())?;
                let mut first = true;
                while self.more_items(first)? {
                    self.skip_value(depth_left)?;
                    first = false;
                }
                Ok(())
            }
            Token::ObjectStart => {
                let depth_left = depth_left.checked_sub(1).ok_or_else(|| self.malformed())?;
                let mut first = true;
                while self.next_key(first)?.is_some() {
                    self.skip_value(depth_left)?;
                    first = false;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Whether the whole text has been read, whitespace included.
    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.text.len()
    }

    /// Whether only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), Malformed> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.malformed()),
        }
    }
}

/// Offsets and positions, for the locator (feature `locate`), which follows a pointer with
/// this reader and reports where it led.
#[cfg_attr(not(feature = "locate"), allow(dead_code))]
impl<'de> JsonReader<'de> {
    /// A reader past a leading byte order mark, if there is one.
    pub(crate) fn after_byte_order_mark(text: &'de str) -> Self {
        let mut reader = JsonReader::new(text);
        if text.starts_with('\u{feff}') {
            reader.pos = '\u{feff}'.len_utf8();
        }
        reader
    }

    /// The whole text read.
    pub(crate) fn text(&self) -> &'de str {
        self.text
    }

    /// Goes back to a byte offset this reader reported ([`offset`](Self::offset)).
    pub(crate) fn seek(&mut self, offset: usize) {
        self.pos = offset;
    }

    /// The byte offset of the next byte to read.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// Line and column of the next byte to read.
    pub(crate) fn position(&self) -> Position {
        position_at(self.text, self.pos)
    }

    /// The text of a string read last.
    pub(crate) fn str_of<'s>(&'s self, text: Text<'de>) -> &'s str {
        match text {
            Text::Borrowed(text) => text,
            Text::Scratch => &self.scratch,
        }
    }
}

/// Line and column (1-based; columns count characters) of a byte offset in `text`.
#[cfg_attr(not(feature = "locate"), allow(dead_code))]
pub(crate) fn position_at(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The character of a JSON `\u` escape whose four hex digits are `unit`; for a high surrogate,
/// `low` reads the next escape's digits (`None` if no `\u` escape follows). `None` for a lone
/// surrogate, as `serde_json` refuses one.
fn escaped_char(unit: u16, low: impl FnOnce() -> Option<u16>) -> Option<char> {
    let code = match unit {
        0xD800..=0xDBFF => {
            let low = low().filter(|low| (0xDC00..=0xDFFF).contains(low))?;
            0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
        }
        0xDC00..=0xDFFF => return None,
        _ => u32::from(unit),
    };
    char::from_u32(code)
}

/// The position of the first byte from `pos` on that ends the plain run of a string (a quote,
/// a backslash or a control character), or the end of `bytes`.
///
/// Eight bytes at a time (SWAR): in each 64-bit word, a byte equal to `"` or `\\` or below
/// 0x20 sets its high bit in `stops`. The tests can also flag a byte above a true match (a
/// borrow carries into it), never below one, so the lowest flagged byte is the first stop.
fn string_stop(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let zero_byte = |word: u64| word.wrapping_sub(ONES) & !word;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let stops = (zero_byte(word ^ (ONES * u64::from(b'"')))
            | zero_byte(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGH;
        if stops != 0 {
            return pos + (stops.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = bytes.get(pos) {
        if STOPS_STRING[usize::from(byte)] {
            break;
        }
        pos += 1;
    }
    pos
}

/// The digits of an integer as `u64` (or `i64` if negative), if it fits: `serde_json` reads
/// `-0` and integers out of range as floats, and so does this reader.
fn integer(digits: &[u8], negative: bool) -> Option<Number> {
    let mut magnitude = 0u64;
    for &digit in digits {
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    if !negative {
        return Some(Number::Unsigned(magnitude));
    }
    match magnitude {
        0 => None,
        _ => 0i64.checked_sub_unsigned(magnitude).map(Number::Signed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_pair_up_or_are_refused() {
        assert_eq!(escaped_char(0x41, || panic!("not a surrogate")), Some('A'));
        assert_eq!(escaped_char(0xD83D, || Some(0xDE00)), Some('\u{1f600}'));
        assert_eq!(escaped_char(0xD83D, || None), None, "a lone high surrogate");
        assert_eq!(
            escaped_char(0xD83D, || Some(0x41)),
            None,
            "high then not low"
        );
        assert_eq!(
            escaped_char(0xDE00, || Some(0xDE00)),
            None,
            "a lone low surrogate"
        );
    }

    #[test]
    fn positions_count_lines_and_characters_from_the_offset() {
        let mut reader = JsonReader::after_byte_order_mark("\u{feff}{\n  \"é\": 1}");
        assert_eq!(reader.offset(), 3);
        assert_eq!(reader.value().map(|_| ()), Ok(()));
        assert_eq!(reader.next_key_start(true), Ok(Some(7)));
        assert_eq!(reader.position(), Position { line: 2, column: 3 });
        let key = reader.key().unwrap();
        assert_eq!(reader.str_of(key), "é");
        assert_eq!(reader.position(), Position { line: 2, column: 7 });
    }

    /// The word-at-a-time scan finds what a byte-by-byte scan finds, at every position of
    /// strings mixing plain ASCII, stops and multi-byte characters.
    #[test]
    fn string_stop_agrees_with_the_byte_table() {
        let alphabet: [&[u8]; 8] = [
            b"a",
            b"\"",
            b"\\",
            b"\n",
            b"\x1f",
            b" ",
            "é".as_bytes(),
            b"\x7f",
        ];
        let mut rng = crate::test_rng::Rng::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let mut bytes = Vec::new();
            for _ in 0..rng.below(40) {
                let piece: &&[u8] = rng.pick(&alphabet);
                bytes.extend_from_slice(piece);
            }
            for start in 0..=bytes.len() {
                let expected = (start..bytes.len())
                    .find(|&i| STOPS_STRING[usize::from(bytes[i])])
                    .unwrap_or(bytes.len());
                assert_eq!(
                    string_stop(&bytes, start),
                    expected,
                    "{bytes:?} from {start}"
                );
            }
        }
    }
}
