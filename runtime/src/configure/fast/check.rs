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

/// The scalar types for which [`scalar_valid`] is `Ok(true)` whatever the value. `memo` holds
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

/// Whether `scalar` is valid at `node`: `Ok(false)` when invalid, `Err` when unsure.
pub(super) fn scalar_valid(guide: &Guide, node: NodeId, scalar: Scalar<'_>) -> Result<bool, ()> {
    let n = guide.node(node);
    let found = scalar.json_type();
    if n.trivially_valid & found != 0 {
        return Ok(true);
    }
    if n.unsupported {
        return Err(());
    }
    let type_ok =
        n.types & found != 0 || (found == json_type::INTEGER && n.types & json_type::NUMBER != 0);
    if !type_ok {
        return Ok(false);
    }
    if let Some(allowed) = &n.allowed {
        let mut any = false;
        for value in allowed {
            any |= scalar.equals(value).ok_or(())?;
        }
        if !any {
            return Ok(false);
        }
    }
    if let Scalar::Number(number) = scalar {
        use std::cmp::Ordering::{Greater, Less};
        if let Some(min) = n.minimum {
            match number.compare(min.value).ok_or(())? {
                Less => return Ok(false),
                std::cmp::Ordering::Equal if min.exclusive => return Ok(false),
                _ => {}
            }
        }
        if let Some(max) = n.maximum {
            match number.compare(max.value).ok_or(())? {
                Greater => return Ok(false),
                std::cmp::Ordering::Equal if max.exclusive => return Ok(false),
                _ => {}
            }
        }
    }
    if let (Scalar::Str(text), Some(check)) = (scalar, &n.string_check)
        && !string_valid(check, text)
    {
        return Ok(false);
    }
    if let Some((branches, one_of)) = &n.choice {
        let mut matches = 0;
        for &branch in branches {
            matches += usize::from(scalar_valid(guide, branch, scalar)?);
        }
        return Ok(if *one_of { matches == 1 } else { matches >= 1 });
    }
    Ok(true)
}

/// The node a container of `found` type (array or object) is checked against at `node`,
/// following `anyOf`/`oneOf` when exactly one branch admits that type.
pub(super) fn container_node(guide: &Guide, mut node: NodeId, found: u8) -> Result<NodeId, ()> {
    loop {
        let n = guide.node(node);
        if n.unsupported || n.types & found == 0 {
            return Err(());
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
            _ => return Err(()),
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
