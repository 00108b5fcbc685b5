//! Every check that needs more than one attribute value, or the item as a whole; produces the
//! checked model that `expand.rs` generates from.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Expr, Ident};

use crate::ast::{Input, Shape};
use crate::attr::{Key, Kind, UnknownFields};
use crate::ctxt::Errors;

/// A task that passed every check: all `expand.rs` needs.
pub struct Task<'a> {
    /// The type's name.
    pub ident: &'a Ident,
    /// The registered name.
    pub name: String,
    /// Where the name came from: the `name = "..."` literal, or the type's name.
    pub name_span: Span,
    /// The version.
    pub version: u32,
    /// The kind.
    pub kind: Kind,
    /// The doc comment lines.
    pub docs: &'a [&'a Expr],
    /// The path of the runtime crate (`::taskdef` unless `crate = ...` says otherwise).
    pub krate: syn::Path,
    /// The type of the dynamic data, when `dynamic_data = ...` gives one.
    pub dynamic_data: Option<&'a syn::Type>,
    /// The release whose data the struct is, when `release = "..."` names one.
    pub release: Option<String>,
    /// The forms of the older releases, in the order written.
    pub older: Vec<OlderForm<'a>>,
}

/// One checked `older(...)`.
pub struct OlderForm<'a> {
    /// The release.
    pub release: String,
    /// Its task-data type; `None`: the task's own.
    pub data: Option<&'a syn::Type>,
    /// Its dynamic-data type; `None`: the task's own.
    pub dynamic_data: Option<&'a syn::Type>,
}

const SHAPES: &str = "`#[derive(Task)]` supports only a non-generic struct with named fields, \
                      because task data is a JSON object whose keys are the field names";

/// Checks `input`; returns the task, or every error found (including those already in `errors`).
pub fn check<'a>(input: &'a Input<'a>, mut errors: Errors) -> Result<Task<'a>, syn::Error> {
    check_shape(input, &mut errors);
    check_generics(input, &mut errors);
    for &attr in &input.field_task_attrs {
        errors.spanned(attr, "`#[task(...)]` belongs on the struct, not on a field");
    }
    check_duplicates(input, &mut errors);
    let version = check_version(input, &mut errors);
    let kind = input
        .attrs
        .kinds
        .first()
        .map_or(Kind::Worker, |kind| kind.value);
    let (name, name_span) = check_name(input, &mut errors);
    check_unknown_fields(input, &mut errors);
    let (release, older) = check_releases(input, &mut errors);
    errors.finish()?;
    Ok(Task {
        ident: input.ident,
        name,
        name_span,
        // `check_version` only returns `None` after recording an error.
        version: version.unwrap_or_default(),
        kind,
        docs: &input.docs,
        krate: input.attrs.crate_path(),
        dynamic_data: input.attrs.dynamic_data.first(),
        release,
        older,
    })
}

fn check_shape(input: &Input<'_>, errors: &mut Errors) {
    let ident = input.ident;
    match input.shape {
        Shape::Named => {}
        Shape::Tuple(span) => errors.error(
            span,
            format_args!(
                "{SHAPES}; a tuple struct has no field names: write `struct {ident} {{ name: Type, ... }}`"
            ),
        ),
        Shape::Unit(span) => errors.error(
            span,
            format_args!(
                "{SHAPES}; for a task without parameters write `struct {ident} {{}}`, which accepts `{{}}`"
            ),
        ),
        Shape::Enum(span) => errors.error(
            span,
            format_args!("{SHAPES}; an enum can be the type of a field of the task struct"),
        ),
        Shape::Union(span) => errors.error(span, format_args!("{SHAPES}; a union cannot be one")),
    }
}

fn check_generics(input: &Input<'_>, errors: &mut Errors) {
    let generics = input.generics;
    if !generics.params.is_empty() {
        errors.spanned(
            generics,
            "a task cannot have generic parameters (types, lifetimes or consts): each \
             instantiation would be a separate task, and the link-time task registry can only \
             hold concrete types; use a concrete struct per task",
        );
    } else if let Some(clause) = &generics.where_clause {
        errors.spanned(
            clause,
            "a task cannot have a `where` clause: it has no generic parameters to constrain",
        );
    }
}

fn check_duplicates(input: &Input<'_>, errors: &mut Errors) {
    // `older(...)` is written once per older release.
    for key in Key::ALL.into_iter().filter(|&key| key != Key::Older) {
        for repeat in input.attrs.keys.iter().filter(|k| k.value == key).skip(1) {
            errors.error(
                repeat.span,
                format_args!(
                    "`{}` is set more than once in `#[task(...)]`; keep one",
                    key.as_str()
                ),
            );
        }
    }
}

/// Debusine refuses keys a task does not define: a task says so with serde's
/// `deny_unknown_fields`, or opts out explicitly.
fn check_unknown_fields(input: &Input<'_>, errors: &mut Errors) {
    let allowed = input
        .attrs
        .keys
        .iter()
        .find(|key| key.value == Key::AllowUnknownFields);
    match (input.unknown_fields, allowed) {
        (UnknownFields::Denied, Some(allow)) => errors.error(
            allow.span,
            "`allow_unknown_fields` contradicts `#[serde(deny_unknown_fields)]` on the struct, \
             which refuses unknown keys; keep one of the two",
        ),
        // Not on an item that is no task at all, and not when a broken `#[task]` attribute may
        // have held the opt-in.
        (UnknownFields::Ignored, None)
            if matches!(input.shape, Shape::Named) && !input.attrs.incomplete =>
        {
            errors.error(
                input.ident.span(),
                format_args!(
                    "`{}` ignores unknown keys, so a misspelt key in its task data would be \
                     dropped without a word, while Debusine refuses keys a task does not define: \
                     add `#[serde(deny_unknown_fields)]` to the struct, or, if the task must \
                     accept unknown keys, opt in with `#[task(allow_unknown_fields)]`",
                    input.ident.unraw()
                ),
            );
        }
        _ => {}
    }
}

fn check_version(input: &Input<'_>, errors: &mut Errors) -> Option<u32> {
    let written = input.attrs.keys.iter().any(|key| key.value == Key::Version);
    if !written {
        let name = default_name(input.ident);
        match input.attrs.attrs.first() {
            // A broken attribute may be where the version was: its error is enough.
            _ if input.attrs.incomplete => {}
            Some(attr) => errors.spanned(
                attr,
                format_args!(
                    "`#[task(...)]` is missing `version`: every task has one, e.g. `#[task(version = 1)]`; \
                     workers report it as `{name}:version`"
                ),
            ),
            None => errors.error(
                input.ident.span(),
                format_args!(
                    "`#[derive(Task)]` needs `#[task(version = N)]` on the struct, e.g. `#[task(version = 1)]`; \
                     workers report the version as `{name}:version`"
                ),
            ),
        }
    }
    input.attrs.versions.first().map(|version| version.value)
}

/// The task's own release and its older forms: every release named once, a valid name, and
/// older forms only beside the task's own release.
fn check_releases<'a>(
    input: &'a Input<'a>,
    errors: &mut Errors,
) -> (Option<String>, Vec<OlderForm<'a>>) {
    let mut seen: Vec<String> = Vec::new();
    let mut named = |literal: &syn::LitStr, errors: &mut Errors| {
        let release = literal.value();
        if let Some(problem) = release_problem(&release) {
            errors.spanned(literal, format_args!("invalid release name: {problem}"));
        } else if seen.contains(&release) {
            errors.spanned(
                literal,
                format_args!(
                    "release `{release}` is named twice; each release has one form of the \
                     task's data"
                ),
            );
        } else {
            seen.push(release.clone());
        }
        release
    };
    let own = input
        .attrs
        .releases
        .first()
        .map(|literal| named(literal, errors));
    let mut older = Vec::new();
    for form in &input.attrs.older {
        let Some(literal) = &form.release else {
            errors.error(
                form.span,
                "`older(...)` needs the release it is the data of, e.g. \
                 `older(release = \"0.11\", data = Sbuild011)`",
            );
            continue;
        };
        if own.is_none() {
            errors.error(
                form.span,
                format_args!(
                    "`older(...)` needs the task's own release beside it: add `release = \"...\"` \
                     to `#[task(...)]`, naming the release whose data `{}` is",
                    input.ident.unraw()
                ),
            );
        }
        older.push(OlderForm {
            release: named(literal, errors),
            data: form.data.as_ref(),
            dynamic_data: form.dynamic_data.as_ref(),
        });
    }
    (own, older)
}

/// Why `release` cannot name a release, if it cannot: it becomes part of file names in the
/// published docs (`sbuild.0.11.schema.json`), so it is a short word of ASCII letters, digits and
/// `.`, `-`, `_`, `+`, `~`.
pub fn release_problem(release: &str) -> Option<String> {
    const RULE: &str = "use ASCII letters, digits and `.`, `-`, `_`, `+`, `~`, as in `0.16`";
    if release.is_empty() {
        return Some(format!("the name is empty; {RULE}"));
    }
    if release.len() > 64 {
        return Some(format!("`{release}` is longer than 64 characters"));
    }
    if !release.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some(format!(
            "`{release}` does not start with a letter or digit; {RULE}"
        ));
    }
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '~');
    (!release.chars().all(valid)).then(|| format!("`{release}` is not a release name; {RULE}"))
}

fn default_name(ident: &Ident) -> String {
    ident.unraw().to_string().to_lowercase()
}

fn check_name(input: &Input<'_>, errors: &mut Errors) -> (String, Span) {
    if let Some(literal) = input.attrs.names.first() {
        let name = literal.value();
        if let Some(problem) = name_problem(&name) {
            errors.spanned(literal, format_args!("invalid task name: {problem}"));
        }
        return (name, literal.span());
    }
    let name = default_name(input.ident);
    if let Some(problem) = name_problem(&name) {
        errors.error(
            input.ident.span(),
            format_args!(
                "the task name `{name}`, the lowercased type name, is invalid: {problem}; \
                 choose one with `#[task(name = \"...\")]`"
            ),
        );
    }
    (name, input.ident.span())
}

/// Why `name` cannot be a task name, if it cannot.
///
/// A name is ASCII lowercase letters, digits and `_`, starting with a letter: it becomes the
/// prefix of metadata keys (`name:version`), so it must never contain `:`.
pub fn name_problem(name: &str) -> Option<String> {
    const RULE: &str = "use ASCII lowercase letters, digits and `_`, starting with a letter \
                        (the name becomes metadata keys such as `name:version`)";
    let valid = |text: &str| {
        text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if valid(name) {
        return None;
    }
    Some(if name.is_empty() {
        format!("the name is empty; {RULE}")
    } else if valid(&name.to_ascii_lowercase()) {
        format!(
            "`{name}` is not lowercase; write `{}`",
            name.to_ascii_lowercase()
        )
    } else {
        format!("`{name}` is not a lowercase identifier; {RULE}")
    })
}

#[cfg(test)]
mod tests {
    use super::{name_problem, release_problem};

    #[test]
    fn releases() {
        for good in ["0.16", "0.11.3+deb13u1", "trixie", "1.0~rc1", "v2_beta-1"] {
            assert_eq!(release_problem(good), None, "{good}");
        }
        for bad in [
            "",
            " 0.16",
            "0.16 ",
            ".16",
            "0/16",
            "0.16\n",
            &"9".repeat(65),
        ] {
            assert!(release_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn names() {
        for good in ["sbuild", "a", "debian_pipeline", "x86_64", "a__b_"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in ["", "Sbuild", "_a", "1a", "a:b", "a-b", "a b", "é", "a\u{0}"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }
}
