//! A scanner over JSON text that follows a pointer without building the document.

use super::source::{Located, position_at};
use crate::parse::escaped_char;

pub(super) fn locate(text: &str, tokens: &[String]) -> Option<Located> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    if scanner.bytes.starts_with("\u{feff}".as_bytes()) {
        scanner.pos = 3;
    }
    let (value, key) = scanner.find(tokens)?;
    Some(Located {
        value: position_at(text, value),
        key: key.map(|key| position_at(text, key)),
    })
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Scanner<'_> {
    /// Follows `tokens` from the current position: the value's offset, and its key's.
    fn find(&mut self, tokens: &[String]) -> Option<(usize, Option<usize>)> {
        let mut key = None;
        for token in tokens {
            self.skip_ws();
            match self.peek()? {
                b'{' => key = Some(self.enter_member(token)?),
                b'[' => {
                    self.enter_element(token)?;
                    key = None;
                }
                _ => return None,
            }
        }
        self.skip_ws();
        self.peek()?;
        Some((self.pos, key))
    }

    /// In an object: moves to the value of the last member called `name`; its key's offset.
    fn enter_member(&mut self, name: &str) -> Option<usize> {
        self.pos += 1;
        let mut found = None;
        loop {
            self.skip_ws();
            match self.peek()? {
                b'}' => break,
                b',' => {
                    self.pos += 1;
                    continue;
                }
                b'"' => {}
                _ => return None,
            }
            let key_start = self.pos;
            let key = self.read_string()?;
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.skip_ws();
            if key == name {
                found = Some((key_start, self.pos));
            }
            self.skip_value()?;
        }
        let (key_start, value_start) = found?;
        self.pos = value_start;
        Some(key_start)
    }

    /// In an array: moves to the element at `index`.
    fn enter_element(&mut self, index: &str) -> Option<()> {
        if index.len() > 1 && index.starts_with('0') {
            return None;
        }
        let index: usize = index.parse().ok()?;
        self.pos += 1;
        let mut current = 0;
        loop {
            self.skip_ws();
            match self.peek()? {
                b']' => return None,
                b',' => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            if current == index {
                return Some(());
            }
            self.skip_value()?;
            current += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.read_string().map(drop),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        byte if byte == close => {
                            self.pos += 1;
                            return Some(());
                        }
                        b',' | b':' => self.pos += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                // A number or a literal: up to the next delimiter.
                let start = self.pos;
                while let Some(byte) = self.peek() {
                    if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }

    /// Reads a string starting at its opening quote, decoding escapes.
    fn read_string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(start..self.pos)?);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                _ => {
                    self.pos += 1;
                    let escape = self.peek()?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.read_unicode_escape()?),
                        _ => return None,
                    }
                }
            }
        }
    }

    /// After `\u`: four hex digits, and a low surrogate's escape if they are a high one.
    fn read_unicode_escape(&mut self) -> Option<char> {
        let unit = self.read_hex4()?;
        escaped_char(unit, || {
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return None;
            }
            self.pos += 2;
            self.read_hex4()
        })
    }

    fn read_hex4(&mut self) -> Option<u16> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        let value = u16::from_str_radix(digits, 16).ok()?;
        self.pos += 4;
        Some(value)
    }
}
