//! The checks of one value against one node: scalar keywords, container types, choices.

use std::cell::RefCell;

use jsonschema::Validator;
use serde_json::Value;

use super::node::{Guide, NodeId, json_type};
use super::scalar::Scalar;

/// Whether `text` passes a string validator, without allocating a `Value` for each check: the
/// validators take a `&Value`, so one per thread is reused.
pub(super) fn string_valid(validator: &Validator, text: &str) -> bool {
    thread_local! {
        static SCRATCH: RefCell<Value> = const { RefCell::new(Value::String(String::new())) };
    }
    SCRATCH.with(|scratch| {
        let mut value = scratch.borrow_mut();
        if let Value::String(buffer) = &mut *value {
            buffer.clear();
            buffer.push_str(text);
        }
        validator.is_valid(&value)
    })
}

/// The scalar types for which [`scalar_valid`] is [`Verdict::Valid`] whatever the value. `memo` holds
/// what is known; a node met again while it is being worked out (a recursive schema) counts as
/// having none, which only costs the full check.
pub(super) fn trivially_valid(guide: &Guide, node: NodeId, memo: &mut Vec<Option<u8>>) -> u8 {
    const SCALARS: u8 = json_type::NULL
        | json_type::BOOLEAN
        | json_type::INTEGER
        | json_type::NUMBER
        | json_type::STRING;
    if let Some(known) = memo[node as usize] {
        return known;
    }
    memo[node as usize] = Some(0);
    let n = guide.node(node);
    let mut mask = n.types & SCALARS;
    if n.types & json_type::NUMBER != 0 {
        mask |= json_type::INTEGER;
    }
    if n.unsupported || n.allowed.is_some() {
        mask = 0;
    }
    if n.minimum.is_some() || n.maximum.is_some() {
        mask &= !(json_type::INTEGER | json_type::NUMBER);
    }
    if n.string_check.is_some() {
        mask &= !json_type::STRING;
    }
    if let Some((branches, one_of)) = &n.choice {
        let trivial: Vec<u8> = branches
            .iter()
            .map(|&branch| trivially_valid(guide, branch, memo))
            .collect();
        let by_branches = if *one_of {
            // Exactly one branch valid: one trivially so, and no other able to take the type.
            let mut exactly_one = 0;
            for bit in [
                json_type::NULL,
                json_type::BOOLEAN,
                json_type::INTEGER,
                json_type::NUMBER,
                json_type::STRING,
            ] {
                let trivially = trivial.iter().filter(|&&t| t & bit != 0).count();
                let possible = branches
                    .iter()
                    .filter(|&&branch| admits_scalar(guide, branch, bit))
                    .count();
                if trivially == 1 && possible == 1 {
                    exactly_one |= bit;
                }
            }
            exactly_one
        } else {
            trivial.iter().fold(0, |all, t| all | t)
        };
        mask &= by_branches;
    }
    memo[node as usize] = Some(mask);
    mask
}

/// Whether a scalar of type `bit` could be valid at `node` (its type allows it).
pub(super) fn admits_scalar(guide: &Guide, node: NodeId, bit: u8) -> bool {
    let n = guide.node(node);
    let numeric = bit == json_type::INTEGER && n.types & json_type::NUMBER != 0;
    if n.types & bit == 0 && !numeric {
        return false;
    }
    match &n.choice {
        Some((branches, _)) => branches.iter().any(|&b| admits_scalar(guide, b, bit)),
        None => true,
    }
}

/// What the fast path makes of a value at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Valid: the walk goes on.
    Valid,
    /// Invalid: the general path will find and explain it.
    Invalid,
    /// The walk cannot tell (a keyword it does not implement, a comparison it cannot make
    /// exactly): the general path decides.
    Unsure,
}

/// The walk cannot follow the schema here; the general path decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GiveUp;

/// Whether `scalar` is valid at `node`.
pub(super) fn scalar_valid(guide: &Guide, node: NodeId, scalar: Scalar<'_>) -> Verdict {
    let n = guide.node(node);
    let found = scalar.json_type();
    if n.trivially_valid & found != 0 {
        return Verdict::Valid;
    }
    if n.unsupported {
        return Verdict::Unsure;
    }
    let type_ok =
        n.types & found != 0 || (found == json_type::INTEGER && n.types & json_type::NUMBER != 0);
    if !type_ok {
        return Verdict::Invalid;
    }
    if let Some(allowed) = &n.allowed {
        let mut any = false;
        for value in allowed {
            match scalar.equals(value) {
                Some(equal) => any |= equal,
                None => return Verdict::Unsure,
            }
        }
        if !any {
            return Verdict::Invalid;
        }
    }
    if let Scalar::Number(number) = scalar {
        use std::cmp::Ordering::{Equal, Greater, Less};
        if let Some(min) = n.minimum {
            match number.compare(min.value) {
                None => return Verdict::Unsure,
                Some(Less) => return Verdict::Invalid,
                Some(Equal) if min.exclusive => return Verdict::Invalid,
                Some(_) => {}
            }
        }
        if let Some(max) = n.maximum {
            match number.compare(max.value) {
                None => return Verdict::Unsure,
                Some(Greater) => return Verdict::Invalid,
                Some(Equal) if max.exclusive => return Verdict::Invalid,
                Some(_) => {}
            }
        }
    }
    if let (Scalar::Str(text), Some(check)) = (scalar, &n.string_check)
        && !string_valid(check, text)
    {
        return Verdict::Invalid;
    }
    if let Some((branches, one_of)) = &n.choice {
        let mut matches = 0;
        for &branch in branches {
            match scalar_valid(guide, branch, scalar) {
                Verdict::Valid => matches += 1,
                Verdict::Invalid => {}
                Verdict::Unsure => return Verdict::Unsure,
            }
        }
        let valid = if *one_of { matches == 1 } else { matches >= 1 };
        return if valid {
            Verdict::Valid
        } else {
            Verdict::Invalid
        };
    }
    Verdict::Valid
}

/// The node a container of `found` type (array or object) is checked against at `node`,
/// following `anyOf`/`oneOf` when exactly one branch admits that type.
pub(super) fn container_node(guide: &Guide, mut node: NodeId, found: u8) -> Result<NodeId, GiveUp> {
    loop {
        let n = guide.node(node);
        if n.unsupported || n.types & found == 0 {
            return Err(GiveUp);
        }
        let Some((branches, _)) = &n.choice else {
            return Ok(node);
        };
        let mut admitting = branches
            .iter()
            .copied()
            .filter(|&branch| admits(guide, branch, found));
        match (admitting.next(), admitting.next()) {
            // One branch: for `oneOf` the others fail on their type, so exactly one matches.
            (Some(branch), None) => node = branch,
            // None (invalid) or several (ambiguous): the general path decides.
            _ => return Err(GiveUp),
        }
    }
}

pub(super) fn admits(guide: &Guide, node: NodeId, found: u8) -> bool {
    let n = guide.node(node);
    if n.types & found == 0 {
        return false;
    }
    match &n.choice {
        Some((branches, _)) => branches.iter().any(|&b| admits(guide, b, found)),
        None => true,
    }
}
