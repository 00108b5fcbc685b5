//! Numbers: lower and upper bounds (inclusive or exclusive) and `multipleOf`.

use serde_json::{Map, Value};

use super::walk::Walk;
use crate::compat::change::{Class, What};

impl Walk<'_> {
    pub(super) fn bound(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
        side: Bound,
    ) {
        let (before, after) = (side.of(old), side.of(new));
        if before == after {
            return;
        }
        let tighter = match (&before, &after) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(b), Some(a)) => side.tighter(a, b),
            (None, None) => return,
        };
        let keywords = |map: &Map<String, Value>| {
            let picked: Map<String, Value> = side
                .keywords()
                .iter()
                .filter_map(|key| {
                    map.get(*key)
                        .map(|value| ((*key).to_owned(), value.clone()))
                })
                .collect();
            (!picked.is_empty()).then_some(Value::Object(picked))
        };
        self.tightened_or_relaxed(path, tighter, keywords(old), keywords(new), side.name());
    }

    pub(super) fn tightened_or_relaxed(
        &mut self,
        path: &[String],
        tighter: bool,
        old: Option<Value>,
        new: Option<Value>,
        what: &str,
    ) {
        if tighter {
            self.push(
                path,
                Class::Breaking,
                What::ConstraintTightened,
                old,
                new,
                format!("{what} tightened"),
            );
        } else {
            self.push(
                path,
                Class::Compatible,
                What::ConstraintRelaxed,
                old,
                new,
                format!("{what} relaxed"),
            );
        }
    }

    pub(super) fn multiple_of(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
    ) {
        let (before, after) = (old.get("multipleOf"), new.get("multipleOf"));
        if before == after {
            return;
        }
        let tighter = match (
            before.and_then(Value::as_f64),
            after.and_then(Value::as_f64),
        ) {
            (_, None) => false,
            (None, Some(_)) => true,
            // Every multiple of `b` is a multiple of `a` when `b` is a multiple of `a`.
            (Some(b), Some(a)) => a == 0.0 || (b / a).fract() != 0.0,
        };
        self.tightened_or_relaxed(
            path,
            tighter,
            before.cloned(),
            after.cloned(),
            "`multipleOf`",
        );
    }
}

/// A number from a schema, exact for every integer JSON can carry (`u64::MAX` and `i64::MIN`
/// alike), so that a bound moved by one is seen.
#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    Integer(i128),
    Float(f64),
}

impl Num {
    pub(super) fn of(value: &Value) -> Option<Num> {
        let number = value.as_number()?;
        if let Some(integer) = number.as_i64() {
            Some(Num::Integer(integer.into()))
        } else if let Some(integer) = number.as_u64() {
            Some(Num::Integer(integer.into()))
        } else {
            number.as_f64().map(Num::Float)
        }
    }

    pub(super) fn as_f64(self) -> f64 {
        match self {
            Num::Integer(integer) => integer as f64,
            Num::Float(float) => float,
        }
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.partial_cmp(other) == Some(std::cmp::Ordering::Equal)
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Integer(a), Num::Integer(b)) => a.partial_cmp(b),
            _ => self.as_f64().partial_cmp(&other.as_f64()),
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum Bound {
    Lower,
    Upper,
}

impl Bound {
    pub(super) fn keywords(self) -> [&'static str; 2] {
        match self {
            Bound::Lower => ["minimum", "exclusiveMinimum"],
            Bound::Upper => ["maximum", "exclusiveMaximum"],
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Bound::Lower => "lower bound",
            Bound::Upper => "upper bound",
        }
    }

    /// The effective bound: its value and whether it is exclusive.
    pub(super) fn of(self, map: &Map<String, Value>) -> Option<(Num, bool)> {
        let [inclusive, exclusive] = self.keywords();
        let candidates = [
            map.get(inclusive).and_then(Num::of).map(|v| (v, false)),
            map.get(exclusive).and_then(Num::of).map(|v| (v, true)),
        ];
        candidates
            .into_iter()
            .flatten()
            .reduce(|a, b| if self.tighter(&a, &b) { a } else { b })
    }

    /// Whether bound `a` excludes some value bound `b` allows.
    pub(super) fn tighter(self, a: &(Num, bool), b: &(Num, bool)) -> bool {
        match self {
            Bound::Lower => a.0 > b.0 || (a.0 == b.0 && a.1 && !b.1),
            Bound::Upper => a.0 < b.0 || (a.0 == b.0 && a.1 && !b.1),
        }
    }
}
