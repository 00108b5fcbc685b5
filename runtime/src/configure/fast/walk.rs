//! The guided walk's deserializer: reads JSON text with [`JsonReader`] and checks each value
//! against the compiled schema before a visitor sees it.
//!
//! The split between generic and plain code is deliberate. Everything generic here (the
//! `Deserializer`, `SeqAccess`, `MapAccess` and `EnumAccess` methods) is compiled again for
//! every visitor and seed of every task, in the task's crate; so those methods only hand a token
//! to the visitor, and hold nothing that needs dropping. Reading, schema checks and bookkeeping
//! are plain methods of [`Walk`], [`SeqWalk`] and [`MapWalk`], compiled once in the runtime.

// `matches!(value, Ok(_))` rather than `value.is_ok()` in the generic methods: `is_ok` would be
// one more function compiled for every visitor.
#![allow(clippy::redundant_pattern_matching)]

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::check::{GiveUp, Verdict, container_node, scalar_valid, string_valid};
use super::node::{ANYTHING, Additional, Guide, NOTHING, Node, NodeId, ROOT, json_type};
use super::scalar::{Number, Scalar};
use super::unique::SeenStack;
use crate::parse::json::{JsonReader, MAX_NESTING, Malformed, Text, Token};
use crate::types::pointer;

/// `serde_json`'s nesting limit: a 128th nested container is refused (or, when checking, left
/// to the general path).
const MAX_DEPTH: usize = MAX_NESTING;

/// Why the walk stopped: it gave up (the general path will decide), or, when not checking,
/// serde's message.
pub(crate) struct Error(Option<Box<str>>);

impl Error {
    fn give_up() -> Self {
        Error(None)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("left to the general validator"))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(Some(message.to_string().into_boxed_str()))
    }
}

/// One pass over one text.
pub(crate) struct Walk<'de, 'g> {
    reader: JsonReader<'de>,
    guide: &'g Guide,
    /// False on the general path, which has validated already: the walk then only reads (and
    /// keeps the path to the value being read), so that both paths share one instantiation of
    /// each task's `Deserialize`.
    checking: bool,
    /// The keys and indices from the root to the value being read (general path only): where
    /// serde failed, once it has.
    path: Option<Vec<String>>,
    depth: usize,
    /// The fingerprint of the last scalar read as an item of a `uniqueItems` array.
    fingerprint: Option<u64>,
    /// Fingerprints of the open containers' keys and unique items.
    seen: SeenStack,
    /// A failure found after a visitor returned (it stopped before the end of a container):
    /// reported by [`Walk::end`], so that no generic code has to handle it.
    deferred: Option<Error>,
}

/// What a value turned out to be, once read and checked.
enum Event<'de> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(&'de str),
    /// A string with escapes, unescaped in the reader's scratch buffer.
    Scratch,
    /// An array, entered; its node.
    Array(NodeId),
    /// An object, entered; its node.
    Object(NodeId),
}

impl<'de, 'g> Walk<'de, 'g> {
    /// A walk that checks `text` against `guide` (`checking`), or only reads it and keeps the
    /// path to where serde fails (`!checking`).
    pub(super) fn new(text: &'de str, guide: &'g Guide, checking: bool) -> Self {
        Walk {
            reader: JsonReader::new(text),
            guide,
            checking,
            path: (!checking).then(Vec::new),
            depth: 0,
            fingerprint: None,
            seen: SeenStack::default(),
            deferred: None,
        }
    }

    /// The deserializer of the whole text.
    pub(crate) fn root(&mut self) -> ValueWalk<'_, 'de, 'g> {
        ValueWalk {
            walk: self,
            node: ROOT,
            unique: false,
        }
    }

    /// Checks that nothing but whitespace follows the value, and that nothing failed after a
    /// visitor returned.
    pub(super) fn end(&mut self) -> Result<(), Error> {
        if let Some(error) = self.deferred.take() {
            return Err(error);
        }
        self.reader.end().map_err(|at| self.malformed(at))
    }

    /// Keeps the first failure found after a visitor returned.
    fn defer(&mut self, error: Error) {
        self.deferred.get_or_insert(error);
    }

    /// Where serde failed, as a JSON pointer, and its message (general path only).
    pub(super) fn failure(&self, error: Error) -> (String, String) {
        let path = self.path.as_deref().unwrap_or_default();
        let pointer = path
            .iter()
            .map(|token| format!("/{}", pointer::escape(token)))
            .collect();
        (pointer, error.to_string())
    }

    /// The error for text that is not JSON: never met on the general path, whose text
    /// `serde_json` wrote.
    fn malformed(&self, Malformed { at }: Malformed) -> Error {
        self.refuse(|| format!("malformed JSON at byte {at}"))
    }

    /// Gives up when checking; otherwise the message.
    fn refuse(&self, message: impl FnOnce() -> String) -> Error {
        match self.checking {
            true => Error::give_up(),
            false => Error(Some(message().into_boxed_str())),
        }
    }

    /// Reads the next value's scalar or opening bracket, checked against `node`.
    fn read(&mut self, node: NodeId, unique: bool) -> Result<Event<'de>, Error> {
        let token = self.reader.value().map_err(|at| self.malformed(at))?;
        let (event, scalar) = match token {
            Token::ArrayStart => {
                return self.enter(node, json_type::ARRAY, unique).map(Event::Array);
            }
            Token::ObjectStart => {
                return self
                    .enter(node, json_type::OBJECT, unique)
                    .map(Event::Object);
            }
            Token::Null => (Event::Null, Scalar::Null),
            Token::Bool(b) => (Event::Bool(b), Scalar::Bool(b)),
            Token::Number(number) => {
                let event = match number {
                    Number::Unsigned(n) => Event::Unsigned(n),
                    Number::Signed(n) => Event::Signed(n),
                    Number::Float(n) => Event::Float(n),
                };
                (event, Scalar::Number(number))
            }
            Token::Str(Text::Borrowed(s)) => (Event::Str(s), Scalar::Str(s)),
            Token::Str(Text::Scratch) => (Event::Scratch, Scalar::Str(&self.reader.scratch)),
        };
        if self.checking {
            self.fingerprint = check_scalar(self.guide, node, scalar, unique)?;
        }
        Ok(event)
    }

    /// Enters a container of type `found` (its bracket read) at `node`: the node to check its
    /// contents against.
    fn enter(&mut self, node: NodeId, found: u8, unique: bool) -> Result<NodeId, Error> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(self.refuse(|| "recursion limit exceeded".to_owned()));
        }
        if !self.checking {
            return Ok(ROOT);
        }
        if unique {
            // Unique items that are containers: left to the general path.
            return Err(Error::give_up());
        }
        container_node(self.guide, node, found).map_err(|GiveUp| Error::give_up())
    }

    /// Reads the opening bracket of a container of type `found` (array or object), checked
    /// against `node`; anything else is refused.
    fn read_container(&mut self, node: NodeId, found: u8, unique: bool) -> Result<NodeId, Error> {
        let (bracket, what) = match found {
            json_type::ARRAY => (b'[', "an array"),
            _ => (b'{', "an object"),
        };
        if self.reader.peek() != Some(bracket) {
            return Err(self.refuse(|| format!("invalid type: expected {what}")));
        }
        match self.read(node, unique)? {
            Event::Array(node) | Event::Object(node) => Ok(node),
            _ => unreachable!("a bracket starts a container"),
        }
    }

    /// Reads `null` if it comes next (checked against `node`).
    fn null_next(&mut self, node: NodeId, unique: bool) -> Result<bool, Error> {
        if self.reader.peek() != Some(b'n') {
            return Ok(false);
        }
        self.read(node, unique).map(|_| true)
    }

    /// Skips a value no visitor will see: only on the general path, as an unseen value cannot
    /// be checked.
    fn skip(&mut self) -> Result<(), Error> {
        if self.checking {
            return Err(Error::give_up());
        }
        let depth_left = MAX_DEPTH - 1 - self.depth;
        self.reader
            .skip_value(depth_left)
            .map_err(|at| self.malformed(at))
    }

    /// Starts an enum: `true` for a unit variant's name (a string, not yet read), `false` for
    /// the `{"variant": value}` form of other variants, whose brace is read (general path only).
    fn begin_enum(&mut self) -> Result<bool, Error> {
        match self.reader.peek() {
            Some(b'"') => Ok(true),
            Some(b'{') if !self.checking => {
                self.read(ANYTHING, false)?;
                Ok(false)
            }
            _ => Err(self.refuse(|| "expected a string or an object for an enum".to_owned())),
        }
    }

    /// Reads the variant's name: the string itself, checked at `node`, or the object's key.
    fn read_variant_name(
        &mut self,
        node: NodeId,
        unique: bool,
        unit: bool,
    ) -> Result<Text<'de>, Error> {
        if unit {
            return match self.read(node, unique)? {
                Event::Str(s) => Ok(Text::Borrowed(s)),
                Event::Scratch => Ok(Text::Scratch),
                _ => unreachable!("begin_enum saw a string"),
            };
        }
        match self.reader.next_key(true) {
            Ok(Some(key)) => Ok(key),
            Ok(None) => Err(Error(Some("expected one key for an enum variant".into()))),
            Err(at) => Err(self.malformed(at)),
        }
    }

    /// After the variant: the closing brace of the `{"variant": value}` form.
    fn close_enum(&mut self, unit: bool) {
        if unit {
            return;
        }
        match self.reader.next_key(false) {
            Ok(None) => self.depth -= 1,
            Ok(Some(_)) => self.defer(Error(Some("expected one key for an enum variant".into()))),
            Err(at) => {
                let error = self.malformed(at);
                self.defer(error);
            }
        }
    }

    /// The text of a string just read.
    fn text(&self, text: Text<'de>) -> Key<'_, 'de> {
        match text {
            Text::Borrowed(s) => Key::Borrowed(s),
            Text::Scratch => Key::Copied(&self.reader.scratch),
        }
    }

    /// Steps into a key or index (general path only).
    fn step_in(&mut self, token: impl FnOnce(&Self) -> String) {
        if self.path.is_some() {
            let token = token(self);
            if let Some(path) = &mut self.path {
                path.push(token);
            }
        }
    }

    /// Steps out of the value just read (general path only).
    fn step_out(&mut self) {
        if let Some(path) = &mut self.path {
            path.pop();
        }
    }
}

/// `Some(fingerprint)` for items of a unique array, once `scalar` passed `node`'s keywords.
fn check_scalar(
    guide: &Guide,
    node: NodeId,
    scalar: Scalar<'_>,
    unique: bool,
) -> Result<Option<u64>, Error> {
    if let Scalar::Number(Number::Float(_)) = scalar {
        // The general path reads `1.0` as the integer 1 and keeps other floats; a struct
        // keeping raw JSON would see the difference, so every float takes that path.
        return Err(Error::give_up());
    }
    match scalar_valid(guide, node, scalar) {
        Verdict::Valid => Ok(unique.then(|| scalar.fingerprint())),
        Verdict::Invalid | Verdict::Unsure => Err(Error::give_up()),
    }
}

/// The deserializer of one value: the walk, at a schema node.
pub(crate) struct ValueWalk<'a, 'de, 'g> {
    walk: &'a mut Walk<'de, 'g>,
    node: NodeId,
    /// An item of a `uniqueItems` array: its fingerprint is wanted.
    unique: bool,
}

/// Reads an object at `$position` with `$visitor`: the body of `deserialize_map` and
/// `deserialize_struct`.
macro_rules! visit_object {
    ($position:expr, $visitor:expr) => {
        // The node only, not the map walk: a struct returned through `Result` from a call
        // is read back from memory just written, a stall that showed in profiles.
        match $position
            .walk
            .read_container($position.node, json_type::OBJECT, $position.unique)
        {
            Ok(node) => {
                let mut map = MapWalk::new($position.walk, node);
                let value = $visitor.visit_map(&mut map);
                map.close(matches!(value, Ok(_)));
                value
            }
            Err(error) => Err(error),
        }
    };
}

impl<'de> Deserializer<'de> for ValueWalk<'_, 'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let ValueWalk { walk, node, unique } = self;
        match walk.read(node, unique)? {
            Event::Null => visitor.visit_unit(),
            Event::Bool(b) => visitor.visit_bool(b),
            Event::Unsigned(n) => visitor.visit_u64(n),
            Event::Signed(n) => visitor.visit_i64(n),
            Event::Float(n) => visitor.visit_f64(n),
            Event::Str(s) => visitor.visit_borrowed_str(s),
            Event::Scratch => visitor.visit_str(&walk.reader.scratch),
            Event::Array(node) => {
                let mut seq = SeqWalk::new(walk, node);
                let value = visitor.visit_seq(&mut seq);
                seq.close(matches!(value, Ok(_)));
                value
            }
            Event::Object(node) => {
                let mut map = MapWalk::new(walk, node);
                let value = visitor.visit_map(&mut map);
                map.close(matches!(value, Ok(_)));
                value
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.walk.null_next(self.node, self.unique)? {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is a string, checked like any other; the general path also reads the
    /// `{"variant": value}` form of other variants. Both go through one `EnumAccess`, so that
    /// each enum's visitor is compiled once.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let ValueWalk { walk, node, unique } = self;
        let unit = walk.begin_enum()?;
        let value = visitor.visit_enum(EnumWalk {
            walk: &mut *walk,
            node,
            unique,
            unit,
        });
        walk.close_enum(unit);
        value
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.walk.skip()?;
        visitor.visit_unit()
    }

    /// Only an object: a struct's schema says `type: object`, so the general path never meets
    /// anything else here, and a struct visitor's `visit_seq` is not compiled for each task.
    ///
    /// The same body as `deserialize_map`, not a call to it: a forwarding call would be one
    /// more function compiled for every struct.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visit_object!(self, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visit_object!(self, visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self
            .walk
            .read_container(self.node, json_type::ARRAY, self.unique)
        {
            Ok(node) => {
                let mut seq = SeqWalk::new(self.walk, node);
                let value = visitor.visit_seq(&mut seq);
                seq.close(matches!(value, Ok(_)));
                value
            }
            Err(error) => Err(error),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct identifier
    }
}

/// The items of an array.
struct SeqWalk<'a, 'de, 'g> {
    walk: &'a mut Walk<'de, 'g>,
    node: NodeId,
    /// Items started so far.
    count: usize,
    /// The last item started must be unique: its fingerprint is checked once it is read.
    unique: bool,
    /// The closing bracket has been read.
    done: bool,
    /// Where this array's fingerprints start in the walk's stack.
    seen_from: usize,
}

impl<'a, 'de, 'g> SeqWalk<'a, 'de, 'g> {
    #[inline]
    fn new(walk: &'a mut Walk<'de, 'g>, node: NodeId) -> Self {
        let seen_from = walk.seen.top();
        SeqWalk {
            walk,
            node,
            count: 0,
            unique: false,
            done: false,
            seen_from,
        }
    }

    fn array(&self) -> &'g Node {
        self.walk.guide.node(self.node)
    }

    /// The position of the next item, or `None` at the closing bracket, once the previous
    /// item is accounted for (and, at the end, the array's own keywords are checked).
    fn next_item(&mut self) -> Result<Option<ValueWalk<'_, 'de, 'g>>, Error> {
        if self.done {
            return Ok(None);
        }
        self.item_read()?;
        match self.walk.reader.more_items(self.count == 0) {
            Ok(true) => {}
            Ok(false) => {
                self.done = true;
                self.finish()?;
                return Ok(None);
            }
            Err(at) => return Err(self.walk.malformed(at)),
        }
        let index = self.count;
        self.count += 1;
        self.walk.step_in(|_| index.to_string());
        let (node, unique) = if self.walk.checking {
            let array = self.array();
            let node = match array.prefix_items.get(index) {
                Some(&node) => node,
                None if array.no_more_items => NOTHING,
                None => array.items.unwrap_or(ANYTHING),
            };
            (node, array.unique_items)
        } else {
            (ANYTHING, false)
        };
        self.unique = unique;
        Ok(Some(ValueWalk {
            walk: &mut *self.walk,
            node,
            unique,
        }))
    }

    /// After an item (if one was started): steps out of it, and refuses a repeated one in a
    /// unique array.
    fn item_read(&mut self) -> Result<(), Error> {
        if self.count == 0 {
            return Ok(());
        }
        self.walk.step_out();
        if std::mem::take(&mut self.unique) {
            let fingerprint = self.walk.fingerprint.take().ok_or_else(Error::give_up)?;
            if !self.walk.seen.insert(self.seen_from, fingerprint) {
                return Err(Error::give_up());
            }
        }
        Ok(())
    }

    /// At the closing bracket: the array's own keywords.
    fn finish(&mut self) -> Result<(), Error> {
        self.walk.depth -= 1;
        self.walk.seen.truncate(self.seen_from);
        if !self.walk.checking {
            return Ok(());
        }
        let array = self.array();
        let too_few = array.min_items.is_some_and(|min| self.count < min);
        let too_many = array.max_items.is_some_and(|max| self.count > max);
        match too_few || too_many {
            true => Err(Error::give_up()),
            false => Ok(()),
        }
    }

    /// After the visitor, which may have stopped before the end (a fixed-length type; then
    /// `serde_json` only requires the closing bracket): any failure is reported by `Walk::end`.
    /// Nothing to do if the visitor failed: the walk fails with it, and keeps its path.
    fn close(&mut self, visited: bool) {
        if self.done || !visited {
            return;
        }
        self.done = true;
        let result = match self.item_read() {
            Ok(()) if matches!(self.walk.reader.more_items(self.count == 0), Ok(false)) => {
                self.finish()
            }
            Ok(()) => Err(self.walk.refuse(|| "trailing items in an array".to_owned())),
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            self.walk.defer(error);
        }
    }
}

/// `$next` is `Result<Option<X>, Error>`; reads the value of `X` with `$read` if there is one.
/// Matches rather than `Option`/`Result` combinators, which would be compiled again for each
/// seed and type read.
macro_rules! then_read {
    ($next:expr, |$x:ident| $read:expr) => {
        match $next {
            Ok(Some($x)) => match $read {
                Ok(value) => Ok(Some(value)),
                Err(error) => Err(error),
            },
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        }
    };
}

/// Each provided method that goes through a seed (`next_element`, `next_key`, `next_value`,
/// `variant`) is written out: serde's would compile the seed's `PhantomData` layer again for
/// every type read.
impl<'de> SeqAccess<'de> for &mut SeqWalk<'_, 'de, '_> {
    type Error = Error;

    fn next_element<T: de::Deserialize<'de>>(&mut self) -> Result<Option<T>, Error> {
        then_read!(self.next_item(), |position| T::deserialize(position))
    }

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        then_read!(self.next_item(), |position| seed.deserialize(position))
    }
}

/// The entries of an object.
struct MapWalk<'a, 'de, 'g> {
    walk: &'a mut Walk<'de, 'g>,
    node: NodeId,
    count: usize,
    /// The closing brace has been read.
    done: bool,
    /// The node of the value after the key just read.
    value_node: Option<NodeId>,
    /// Bit i: `properties[i]` was read.
    seen_properties: u64,
    /// Where the fingerprints of this object's other keys (not properties) start in the walk's
    /// stack: a repeated key is refused.
    seen_from: usize,
}

impl<'a, 'de, 'g> MapWalk<'a, 'de, 'g> {
    #[inline]
    fn new(walk: &'a mut Walk<'de, 'g>, node: NodeId) -> Self {
        let seen_from = walk.seen.top();
        MapWalk {
            walk,
            node,
            count: 0,
            done: false,
            value_node: None,
            seen_properties: 0,
            seen_from,
        }
    }

    /// Reads the next key and finds its value's node, or `None` at the closing brace (once
    /// the object's own keywords are checked).
    fn read_key(&mut self) -> Result<Option<Key<'_, 'de>>, Error> {
        if self.done {
            return Ok(None);
        }
        if self.count > 0 {
            self.walk.step_out();
        }
        let key = match self.walk.reader.next_key(self.count == 0) {
            Ok(Some(key)) => key,
            Ok(None) => {
                self.done = true;
                self.finish()?;
                return Ok(None);
            }
            Err(at) => return Err(self.walk.malformed(at)),
        };
        self.count += 1;
        self.walk.step_in(|walk| walk.text(key).as_str().to_owned());
        let walk = &mut *self.walk;
        let value_node = if walk.checking {
            let text = match key {
                Text::Borrowed(s) => s,
                Text::Scratch => walk.reader.scratch.as_str(),
            };
            let node = walk.guide.node(self.node);
            let mut other_key = |fingerprint| walk.seen.insert(self.seen_from, fingerprint);
            value_node(node, text, &mut self.seen_properties, &mut other_key)
                .map_err(|GiveUp| Error::give_up())?
        } else {
            ANYTHING
        };
        self.value_node = Some(value_node);
        Ok(Some(self.walk.text(key)))
    }

    /// The position of the value after the key just read.
    fn value(&mut self) -> Result<ValueWalk<'_, 'de, 'g>, Error> {
        let node = self.value_node.take().ok_or_else(Error::give_up)?;
        Ok(ValueWalk {
            walk: &mut *self.walk,
            node,
            unique: false,
        })
    }

    /// After the visitor, which may have stopped before the end: any failure is reported by
    /// `Walk::end`. Nothing to do if the visitor failed: the walk fails with it, and keeps its
    /// path.
    fn close(&mut self, visited: bool) {
        if self.done || !visited {
            return;
        }
        if self.count > 0 {
            self.walk.step_out();
        }
        self.done = true;
        let result = match self.walk.reader.next_key(self.count == 0) {
            Ok(None) => self.finish(),
            _ => Err(self
                .walk
                .refuse(|| "trailing entries in an object".to_owned())),
        };
        if let Err(error) = result {
            self.walk.defer(error);
        }
    }

    /// At the closing brace: the object's own keywords.
    fn finish(&mut self) -> Result<(), Error> {
        self.walk.depth -= 1;
        self.walk.seen.truncate(self.seen_from);
        if !self.walk.checking {
            return Ok(());
        }
        let node = self.walk.guide.node(self.node);
        let missing = node.required & !self.seen_properties != 0;
        let too_few = node.min_properties.is_some_and(|min| self.count < min);
        let too_many = node.max_properties.is_some_and(|max| self.count > max);
        match missing || too_few || too_many {
            true => Err(Error::give_up()),
            false => Ok(()),
        }
    }
}

/// The node of `key`'s value in an object at `node`; refuses unknown and repeated keys
/// (`other_key` records a key that is not a property, `false` if it was already there).
fn value_node(
    node: &Node,
    key: &str,
    seen_properties: &mut u64,
    other_key: &mut dyn FnMut(u64) -> bool,
) -> Result<NodeId, GiveUp> {
    // Length and first byte first: most names differ there, without a call to `memcmp`.
    let first = key.as_bytes().first();
    let property = node.properties.iter().position(|(name, _)| {
        name.len() == key.len() && name.as_bytes().first() == first && &**name == key
    });
    match property {
        // A key that is a property and matches a pattern must satisfy both: not walked.
        Some(index) if node.patterned_properties & (1 << index) != 0 => Err(GiveUp),
        Some(index) => {
            let bit = 1u64 << index;
            if *seen_properties & bit != 0 {
                return Err(GiveUp);
            }
            *seen_properties |= bit;
            Ok(node.properties[index].1)
        }
        None => {
            let pattern = matching_pattern(node, key)?;
            if !other_key(Scalar::Str(key).fingerprint()) {
                return Err(GiveUp);
            }
            match (pattern, node.additional) {
                (Some(id), _) => Ok(id),
                (None, Additional::Allowed) => Ok(ANYTHING),
                (None, Additional::Schema(id)) => Ok(id),
                (None, Additional::Forbidden) => Err(GiveUp),
            }
        }
    }
}

/// The node of the one pattern `key` matches; `Err` if it matches several.
fn matching_pattern(node: &Node, key: &str) -> Result<Option<NodeId>, GiveUp> {
    if node.pattern_properties.is_empty() {
        return Ok(None);
    }
    let mut matching = node
        .pattern_properties
        .iter()
        .filter(|(pattern, _)| string_valid(pattern, key));
    match (matching.next(), matching.next()) {
        (None, _) => Ok(None),
        (Some((_, id)), None) => Ok(Some(*id)),
        (Some(_), Some(_)) => Err(GiveUp),
    }
}

impl<'de> MapAccess<'de> for &mut MapWalk<'_, 'de, '_> {
    type Error = Error;

    fn next_key<K: de::Deserialize<'de>>(&mut self) -> Result<Option<K>, Error> {
        then_read!(self.read_key(), |key| K::deserialize(key))
    }

    fn next_value<V: de::Deserialize<'de>>(&mut self) -> Result<V, Error> {
        match self.value() {
            Ok(position) => V::deserialize(position),
            Err(error) => Err(error),
        }
    }

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        then_read!(self.read_key(), |key| seed.deserialize(key))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        // The walk steps out of the value at the next key: on a failure, the path stays.
        match self.value() {
            Ok(position) => seed.deserialize(position),
            Err(error) => Err(error),
        }
    }
}

/// An enum: a unit variant's name (`unit`), or the `{"variant": value}` form (general path
/// only). It is both the `EnumAccess` and, once the name is read, the `VariantAccess`.
struct EnumWalk<'a, 'de, 'g> {
    walk: &'a mut Walk<'de, 'g>,
    node: NodeId,
    unique: bool,
    unit: bool,
}

impl<'a, 'de, 'g> EnumWalk<'a, 'de, 'g> {
    /// The variant's value, in the `{"variant": value}` form.
    fn value(self, expected: &str) -> Result<ValueWalk<'a, 'de, 'g>, Error> {
        if self.unit {
            return Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &expected,
            ));
        }
        Ok(ValueWalk {
            walk: self.walk,
            node: ANYTHING,
            unique: false,
        })
    }
}

impl<'a, 'de, 'g> EnumAccess<'de> for EnumWalk<'a, 'de, 'g> {
    type Error = Error;
    type Variant = Self;

    fn variant<V: de::Deserialize<'de>>(self) -> Result<(V, Self), Error> {
        let name = self
            .walk
            .read_variant_name(self.node, self.unique, self.unit)?;
        match V::deserialize(self.walk.text(name)) {
            Ok(variant) => Ok((variant, self)),
            Err(error) => Err(error),
        }
    }

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let name = self
            .walk
            .read_variant_name(self.node, self.unique, self.unit)?;
        match seed.deserialize(self.walk.text(name)) {
            Ok(variant) => Ok((variant, self)),
            Err(error) => Err(error),
        }
    }
}

impl<'de> de::VariantAccess<'de> for EnumWalk<'_, 'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        if self.unit {
            return Ok(());
        }
        de::Deserialize::deserialize(self.value("unit variant")?)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.value("newtype variant")?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.value("tuple variant")?.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value("struct variant")?.deserialize_map(visitor)
    }
}

/// A map key: a string, also read as a number or a boolean when the key's type asks, as
/// `serde_json` does.
#[derive(Clone, Copy)]
enum Key<'a, 'de> {
    Borrowed(&'de str),
    Copied(&'a str),
}

impl<'a, 'de: 'a> Key<'a, 'de> {
    fn as_str(self) -> &'a str {
        match self {
            Key::Borrowed(s) => s,
            Key::Copied(s) => s,
        }
    }

    /// Hands the key to `visitor` as the JSON number it spells, if it spells one.
    fn deserialize_number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.number()? {
            Number::Unsigned(n) => visitor.visit_u64(n),
            Number::Signed(n) => visitor.visit_i64(n),
            Number::Float(n) => visitor.visit_f64(n),
        }
    }

    /// The key as a JSON number, if the whole key is one.
    fn number(self) -> Result<Number, Error> {
        let text = self.as_str();
        let mut reader = JsonReader::new(text);
        match text.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => {}
            _ => return Err(de::Error::custom("expected a number as the key")),
        }
        // The whole key, with no whitespace around: `serde_json` wants the quote right after.
        match reader.number() {
            Ok(number) if reader.at_end() => Ok(number),
            _ => Err(de::Error::custom("expected a number as the key")),
        }
    }
}

/// Reads numeric keys with `Key::deserialize_number`.
macro_rules! numeric_keys {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_number(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Key<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Key::Borrowed(s) => visitor.visit_borrowed_str(s),
            Key::Copied(s) => visitor.visit_str(s),
        }
    }

    /// The body of `deserialize_any`, not a call to it: struct fields are identifiers, and a
    /// forwarding call would be one more function compiled for every struct.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Key::Borrowed(s) => visitor.visit_borrowed_str(s),
            Key::Copied(s) => visitor.visit_str(s),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            other => Err(de::Error::invalid_type(
                de::Unexpected::Str(other),
                &visitor,
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(StrDeserializer::new(self.as_str()))
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        ignored_any
    }

    numeric_keys! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::node::Guide;

    use super::Walk;

    /// Deserializes a `Value` from each walk and keeps it.
    fn reader(
        slot: &mut Option<Value>,
    ) -> impl FnMut(&mut Walk<'_, '_>) -> Result<(), super::Error> {
        |walk| {
            *slot = Some(serde::Deserialize::deserialize(walk.root())?);
            Ok(())
        }
    }

    /// The general path's reading of `text` into a `Value`, as `serde_json` would read it.
    fn read(text: &str) -> Option<Value> {
        let mut value = None;
        Guide::read_unchecked(text, &mut reader(&mut value)).ok()?;
        value
    }

    /// The fast path's reading with a schema that accepts anything.
    fn read_checked(text: &str) -> Option<Value> {
        let guide = Guide::new(&serde_json::json!({})).unwrap();
        let mut value = None;
        guide
            .read_checked(text, &mut reader(&mut value))
            .then_some(())?;
        value
    }

    fn nested(depth: usize) -> String {
        "[".repeat(depth) + &"]".repeat(depth)
    }

    /// Asserts that the reader agrees with `serde_json` on `text`: both refuse it, or both read
    /// the same value; the checking walk may give up, but never accepts what `serde_json`
    /// refuses nor reads a different value.
    fn assert_reads_as_serde_json(text: &str) {
        let expected = serde_json::from_str::<Value>(text).ok();
        assert_eq!(read(text), expected, "general path on {text:?}");
        if let Some(value) = read_checked(text) {
            assert_eq!(Some(value), expected, "fast path on {text:?}");
        }
    }

    #[test]
    fn reads_edge_cases_as_serde_json_does() {
        let cases = [
            "0",
            "-0",
            "-1",
            "1.5",
            "1e3",
            "1E+3",
            "-1.0e-3",
            "0.1",
            "123456789012345678",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "01",
            "-01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "0x10",
            "1e400",
            "-1e400",
            "NaN",
            "Infinity",
            r#""\u00e9""#,
            r#""\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            r#""\ud83d\u0041""#,
            "\"a\nb\"",
            "\"\t\"",
            "\"\u{7f}\"",
            r#""\/\b\f\n\r\t\"\\""#,
            r#""\q""#,
            r#""\u12""#,
            r#""\u12g4""#,
            r#""\U0041""#,
            r#""unterminated"#,
            r#""é ü ✓ 😀""#,
            "[1,]",
            "[,1]",
            "[1 2]",
            "[1]]",
            "[",
            "]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "{1:2}",
            r#"{"a":1 "b":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a"}"#,
            r#"{"a":}"#,
            " [ ] ",
            " { } ",
            "{}",
            "[]",
            "true",
            "tru",
            "truex",
            "nul",
            "null x",
            "null null",
            "\"\"",
            "",
            "   ",
            "\u{feff}{}",
            "\u{a0}1",
            r#"{"a":{"b":[1,{"c":null,"d":[true,false]}],"e":"f"}}"#,
            r#"[1, -2, 3.25, "x", null, [], {}]"#,
            "[1,\n2,\r\n3,\t4]",
        ];
        for text in cases {
            assert_reads_as_serde_json(text);
        }
        for depth in [1, 100, 126, 127, 128, 129, 200] {
            assert_reads_as_serde_json(&nested(depth));
        }
    }

    /// Reads `T` from `text` on both paths (the fast one with a schema accepting anything).
    fn read_both<T: serde::de::DeserializeOwned>(text: &str) -> (Option<T>, Option<T>) {
        let mut general = None;
        let mut read = |walk: &mut Walk<'_, '_>| {
            general = Some(T::deserialize(walk.root())?);
            Ok(())
        };
        let general = Guide::read_unchecked(text, &mut read).ok().and(general);
        let guide = Guide::new(&serde_json::json!({})).unwrap();
        (general, guide.deserialize_checked::<T>(text))
    }

    #[test]
    fn map_keys_read_as_numbers_booleans_and_enums_as_serde_json_does() {
        use std::collections::BTreeMap;

        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Arch {
            Amd64,
            Arm64,
        }

        fn check<T>(texts: &[&str])
        where
            T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            for text in texts {
                let expected = serde_json::from_str::<T>(text).ok();
                let (general, fast) = read_both::<T>(text);
                assert_eq!(general, expected, "general path on {text}");
                if fast.is_some() {
                    assert_eq!(fast, expected, "fast path on {text}");
                }
            }
        }
        check::<BTreeMap<i32, String>>(&[
            r#"{"1": "a", "-2": "b"}"#,
            r#"{"01": "a"}"#,
            r#"{" 1": "a"}"#,
            r#"{"1 ": "a"}"#,
            r#"{"x": "a"}"#,
            r#"{"4294967296": "a"}"#,
            r#"{"1.5": "a"}"#,
        ]);
        check::<BTreeMap<u8, bool>>(&[r#"{"255": true}"#, r#"{"256": true}"#, r#"{"-1": true}"#]);
        check::<BTreeMap<bool, u8>>(&[r#"{"true": 1, "false": 0}"#, r#"{"yes": 1}"#]);
        check::<BTreeMap<Arch, u8>>(&[r#"{"amd64": 1, "arm64": 2}"#, r#"{"i386": 1}"#]);
        check::<BTreeMap<String, u8>>(&[r#"{"a\u00e9": 1, "b": 2}"#]);
    }

    #[test]
    fn other_shapes_read_as_serde_json_does() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        enum Shape {
            Unit,
            Newtype(u8),
            Tuple(u8, String),
            Struct { a: bool },
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Lenient {
            a: u8,
            b: Option<String>,
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Newtype(Vec<u8>);
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Unit;

        fn check<T>(texts: &[&str])
        where
            T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            for text in texts {
                let expected = serde_json::from_str::<T>(text).ok();
                let (general, fast) = read_both::<T>(text);
                assert_eq!(general, expected, "general path on {text}");
                if fast.is_some() {
                    assert_eq!(fast, expected, "fast path on {text}");
                }
            }
        }
        check::<Vec<Shape>>(&[
            r#"["Unit", {"Newtype": 3}, {"Tuple": [1, "x"]}, {"Struct": {"a": true}}]"#,
            r#"[{"Unit": null}]"#,
            r#"[{"Newtype": 3, "Unit": null}]"#,
            r#"[{}]"#,
            r#"["Newtype"]"#,
            r#"[{"Tuple": [1]}]"#,
            r#"[{"Tuple": [1, "x", 2]}]"#,
            r#"["Other"]"#,
            r#"[3]"#,
        ]);
        check::<Lenient>(&[
            r#"{"a": 1, "c": [1, {"d": [null, "e"]}], "b": null}"#,
            r#"{"a": 1, "b": "x", "a": 2}"#,
            r#"{"b": "x"}"#,
        ]);
        // The one difference, by design: a struct is read only from an object (serde_json also
        // takes an array of its fields), since a struct's schema says `type: object` and the
        // general path validates before it reads.
        assert!(serde_json::from_str::<Lenient>(r#"[1, "x"]"#).is_ok());
        assert_eq!(read_both::<Lenient>(r#"[1, "x"]"#), (None, None));
        check::<(u8, u8)>(&["[1, 2]", "[1]", "[1, 2, 3]", "[]"]);
        check::<[String; 2]>(&[r#"["a", "b"]"#, r#"["a", "b", "c"]"#]);
        check::<Newtype>(&["[1, 2]", "[]", "1"]);
        check::<Unit>(&["null", "{}", "[]"]);
        check::<Option<Option<u8>>>(&["null", "1"]);
    }

    use crate::test_rng::Rng;

    fn random_value(rng: &mut Rng, depth: usize, out: &mut String) {
        const SCALARS: &[&str] = &[
            "0",
            "-7",
            "42",
            "3.5",
            "1e2",
            "null",
            "true",
            "false",
            r#""""#,
            r#""amd64""#,
            r#""a\"b""#,
            r#""\u00e9t\u00e9""#,
            r#""\ud83d\ude00""#,
            "18446744073709551615",
            "-9223372036854775808",
            r#""tab\there""#,
        ];
        match rng.index(if depth > 4 { 1 } else { 3 }) {
            0 => out.push_str(SCALARS[rng.index(SCALARS.len())]),
            1 => {
                out.push('[');
                for index in 0..rng.index(4) {
                    if index > 0 {
                        out.push(',');
                    }
                    random_value(rng, depth + 1, out);
                }
                out.push(']');
            }
            _ => {
                out.push('{');
                for index in 0..rng.index(4) {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    let keys = ["a", "b", "key", "k\\\"q", "\\u0041"];
                    out.push_str(&format!("\"{}\": ", keys[rng.index(keys.len())]));
                    random_value(rng, depth + 1, out);
                }
                out.push('}');
            }
        }
    }

    #[test]
    fn reads_generated_and_mutated_json_as_serde_json_does() {
        const PIECES: &[&str] = &[
            "", " ", ",", ":", "[", "]", "{", "}", "\"", "\\", "0", "-", ".", "e", "+", "1", "u",
            "\\u", "n", "t", "\n", "\u{1}", "é",
        ];
        let mut rng = Rng::new(0x5eed_1234_abcd_ef01);
        for _ in 0..20_000 {
            let mut text = String::new();
            random_value(&mut rng, 0, &mut text);
            assert_reads_as_serde_json(&text);
            // One to three edits at character boundaries.
            for _ in 0..=rng.index(3) {
                let boundaries: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                let start = boundaries[rng.index(boundaries.len())];
                let end = boundaries
                    .iter()
                    .copied()
                    .filter(|&i| i >= start)
                    .take(1 + rng.index(2))
                    .last()
                    .unwrap_or(start);
                let end = if rng.index(2) == 0 { start } else { end };
                text.replace_range(start..end, PIECES[rng.index(PIECES.len())]);
            }
            assert_reads_as_serde_json(&text);
        }
    }
}
