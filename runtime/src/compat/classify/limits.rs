//! Sizes and string checks: the `min`/`max` counts of strings, arrays and objects, and
//! `pattern` and `format`, which can only be compared for presence.

use serde_json::{Map, Value};

use super::numbers::Num;
use super::walk::Walk;
use crate::compat::change::{Class, What};

impl Walk<'_> {
    /// A count with a lower and an upper limit (`minLength`/`maxLength`, ...).
    pub(super) fn count(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
        min: &str,
        max: &str,
    ) {
        for (key, is_min) in [(min, true), (max, false)] {
            let (before, after) = (old.get(key), new.get(key));
            if before == after {
                continue;
            }
            let limit = |value: Option<&Value>| {
                value.and_then(Num::of).unwrap_or(if is_min {
                    Num::Integer(0)
                } else {
                    Num::Float(f64::INFINITY)
                })
            };
            let (b, a) = (limit(before), limit(after));
            if a == b {
                continue;
            }
            let tighter = if is_min { a > b } else { a < b };
            self.tightened_or_relaxed(
                path,
                tighter,
                before.cloned(),
                after.cloned(),
                &format!("`{key}`"),
            );
        }
    }

    /// A constraint that is there or not, and cannot be compared when it changes (`pattern`,
    /// `format`): new is tightened, gone is relaxed, changed is undecidable.
    pub(super) fn presence(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        path: &[String],
        key: &str,
    ) {
        let (before, after) = (old.get(key), new.get(key));
        match (before, after) {
            (Some(b), Some(a)) if a != b => self.push(
                path,
                Class::Undecidable,
                What::ConstraintTightened,
                Some(b.clone()),
                Some(a.clone()),
                format!(
                    "`{key}` changed: taskdef cannot tell whether every old value still matches"
                ),
            ),
            (None, Some(_)) | (Some(_), None) => self.tightened_or_relaxed(
                path,
                before.is_none(),
                before.cloned(),
                after.cloned(),
                &format!("`{key}`"),
            ),
            _ => {}
        }
    }
}
