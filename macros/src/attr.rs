//! Reads `#[task(...)]`: every key occurrence is recorded (for `valid.rs`), and every value is
//! checked on its own here, so that one bad value does not hide the next.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Token, UnOp};

use crate::ctxt::Errors;

/// The keys `#[task(...)]` accepts, in the order messages list them.
pub const KEYS: &str = "`version`, `name`, `kind`, `dynamic_data`, `release`, `older`, \
                        `allow_unknown_fields` and `crate`";

/// A key of `#[task(...)]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Key {
    /// `version = N`.
    Version,
    /// `name = "..."`.
    Name,
    /// `kind = worker`.
    Kind,
    /// `dynamic_data = Type`.
    DynamicData,
    /// `release = "0.16"`: the release of the engine whose data the struct is.
    Release,
    /// `older(release = "0.11", data = Type, dynamic_data = Type)`, once per older release.
    Older,
    /// `allow_unknown_fields`, a flag without a value.
    AllowUnknownFields,
    /// `crate = path`.
    Crate,
}

impl Key {
    /// Every key.
    pub const ALL: [Key; 8] = [
        Key::Version,
        Key::Name,
        Key::Kind,
        Key::DynamicData,
        Key::Release,
        Key::Older,
        Key::AllowUnknownFields,
        Key::Crate,
    ];

    fn from_path(path: &syn::Path) -> Option<Key> {
        Key::ALL.into_iter().find(|key| path.is_ident(key.as_str()))
    }

    /// The key as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Version => "version",
            Key::Name => "name",
            Key::Kind => "kind",
            Key::DynamicData => "dynamic_data",
            Key::Release => "release",
            Key::Older => "older",
            Key::AllowUnknownFields => "allow_unknown_fields",
            Key::Crate => "crate",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Key::Version => "version = 1",
            Key::Name => "name = \"sbuild\"",
            Key::Kind => "kind = server",
            Key::DynamicData => "dynamic_data = SbuildDynamicData",
            Key::Release => "release = \"0.16\"",
            Key::Older => "older(release = \"0.11\", data = Sbuild011)",
            Key::AllowUnknownFields => "allow_unknown_fields",
            Key::Crate => "crate = my_framework::taskdef",
        }
    }
}

/// The task kinds, as `#[task(kind = ...)]` spells them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `taskdef::TaskKind::Worker`, the default.
    Worker,
    /// `taskdef::TaskKind::Server`.
    Server,
    /// `taskdef::TaskKind::Signing`.
    Signing,
    /// `taskdef::TaskKind::Wait`.
    Wait,
    /// `taskdef::TaskKind::Internal`.
    Internal,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Worker,
        Kind::Server,
        Kind::Signing,
        Kind::Wait,
        Kind::Internal,
    ];

    /// The lowercase spelling, as in `kind = server` and in metadata key prefixes.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Worker => "worker",
            Kind::Server => "server",
            Kind::Signing => "signing",
            Kind::Wait => "wait",
            Kind::Internal => "internal",
        }
    }

    /// The `taskdef::TaskKind` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            Kind::Worker => "Worker",
            Kind::Server => "Server",
            Kind::Signing => "Signing",
            Kind::Wait => "Wait",
            Kind::Internal => "Internal",
        }
    }

    /// Names the group in which two tasks may not share a name (`""` or `"signing_"`, ...):
    /// Debusine keeps one registry per kind but forbids a worker and a server task with the
    /// same name.
    pub fn name_group(self) -> &'static str {
        match self {
            Kind::Worker | Kind::Server => "",
            Kind::Signing => "signing_",
            Kind::Wait => "wait_",
            Kind::Internal => "internal_",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A value with the span of the tokens it was read from.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// Everything read from the `#[task(...)]` attributes of one struct.
#[derive(Default)]
pub struct Attrs {
    /// Every `#[task]` attribute, for messages about the attribute as a whole.
    pub attrs: Vec<TokenStream>,
    /// Whether some `#[task]` attribute could not be read to its end, so that a key may be
    /// missing only because of that error.
    pub incomplete: bool,
    /// Every key written, valid value or not, in order (for duplicate and missing checks).
    pub keys: Vec<Spanned<Key>>,
    /// The valid `version` values.
    pub versions: Vec<Spanned<u32>>,
    /// The `name` values (string literals; their content is checked in `valid.rs`).
    pub names: Vec<LitStr>,
    /// The valid `kind` values.
    pub kinds: Vec<Spanned<Kind>>,
    /// The `dynamic_data` types.
    pub dynamic_data: Vec<syn::Type>,
    /// The valid `crate` values.
    pub crates: Vec<syn::Path>,
    /// The `release` values (string literals; their content is checked in `valid.rs`).
    pub releases: Vec<LitStr>,
    /// The `older(...)` forms, in order.
    pub older: Vec<Older>,
}

/// One `older(release = "...", data = Type, dynamic_data = Type)`.
pub struct Older {
    /// Where `older` was written.
    pub span: Span,
    /// The release, when given (its content is checked in `valid.rs`).
    pub release: Option<LitStr>,
    /// The release's task-data type, when it differs from the task's.
    pub data: Option<syn::Type>,
    /// The release's dynamic-data type, when it differs from the task's.
    pub dynamic_data: Option<syn::Type>,
}

/// The keys `older(...)` accepts.
const OLDER_KEYS: &str = "`release`, `data` and `dynamic_data`";

impl Attrs {
    /// The path of the runtime crate in generated code: the first valid `crate = ...`, or
    /// `::taskdef`.
    pub fn crate_path(&self) -> syn::Path {
        self.crates
            .first()
            .cloned()
            .unwrap_or_else(|| syn::parse_quote!(::taskdef))
    }

    /// Reads every `#[task]` attribute among `attrs`, recording problems in `errors`.
    pub fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Attrs {
        let mut out = Attrs::default();
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("task")) {
            out.attrs.push(attr.to_token_stream());
            if !matches!(attr.meta, syn::Meta::List(_)) {
                out.incomplete = true;
                errors.spanned(
                    attr,
                    "`#[task]` needs its settings in parentheses, e.g. `#[task(version = 1)]`",
                );
                continue;
            }
            if let Err(error) = attr.parse_nested_meta(|meta| out.read_key(meta, errors)) {
                out.incomplete = true;
                errors.push(error);
            }
        }
        out
    }

    fn read_key(&mut self, meta: ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<()> {
        let Some(key) = Key::from_path(&meta.path) else {
            let written = meta.path.to_token_stream().to_string().replace(' ', "");
            errors.spanned(
                &meta.path,
                format_args!("unknown key `{written}` in `#[task(...)]`; the keys are {KEYS}"),
            );
            return skip_value(&meta);
        };
        let span = meta.path.span();
        self.keys.push(Spanned { value: key, span });
        if key == Key::AllowUnknownFields {
            if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
                errors.error(
                    span,
                    "`allow_unknown_fields` takes no value: write `#[task(allow_unknown_fields)]`",
                );
                return skip_value(&meta);
            }
            return Ok(());
        }
        if key == Key::Older {
            return self.read_older(meta, span, errors);
        }
        if !meta.input.peek(Token![=]) {
            errors.error(
                span,
                format_args!(
                    "`{}` needs a value, e.g. `#[task({})]`",
                    key.as_str(),
                    key.example()
                ),
            );
            return skip_value(&meta);
        }
        if key == Key::DynamicData {
            let ty = parse_type(
                &meta,
                "`dynamic_data` must be the type of the task's dynamic data, \
                 e.g. `dynamic_data = SbuildDynamicData`",
            )?;
            self.dynamic_data.push(ty);
            return Ok(());
        }
        let value: Expr = meta.value()?.parse()?;
        let read = match key {
            Key::Version => parse_version(&value).map(|version| {
                self.versions.push(Spanned {
                    value: version,
                    span: value.span(),
                })
            }),
            Key::Name => parse_name(&value).map(|name| self.names.push(name)),
            Key::Kind => parse_kind(&value).map(|kind| {
                self.kinds.push(Spanned {
                    value: kind,
                    span: value.span(),
                })
            }),
            Key::Crate => parse_crate(&value).map(|path| self.crates.push(path)),
            Key::Release => parse_release(&value).map(|release| self.releases.push(release)),
            Key::AllowUnknownFields | Key::DynamicData | Key::Older => Ok(()),
        };
        if let Err(error) = read {
            errors.push(error);
        }
        Ok(())
    }
}

impl Attrs {
    /// Reads `older(release = "...", data = Type, dynamic_data = Type)`.
    fn read_older(
        &mut self,
        meta: ParseNestedMeta<'_>,
        span: Span,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        if !meta.input.peek(syn::token::Paren) {
            errors.error(
                span,
                "`older` lists an older release's forms in parentheses, e.g. \
                 `older(release = \"0.11\", data = Sbuild011)`",
            );
            return skip_value(&meta);
        }
        let mut older = Older {
            span,
            release: None,
            data: None,
            dynamic_data: None,
        };
        meta.parse_nested_meta(|inner| {
            let name = inner.path.to_token_stream().to_string().replace(' ', "");
            let slot = match name.as_str() {
                "release" | "data" | "dynamic_data" => name,
                _ => {
                    errors.spanned(
                        &inner.path,
                        format_args!(
                            "unknown key `{name}` in `older(...)`; the keys are {OLDER_KEYS}"
                        ),
                    );
                    return skip_value(&inner);
                }
            };
            let repeated = match slot.as_str() {
                "release" => older.release.is_some(),
                "data" => older.data.is_some(),
                _ => older.dynamic_data.is_some(),
            };
            if repeated {
                errors.spanned(
                    &inner.path,
                    format_args!("`{slot}` is set more than once in `older(...)`; keep one"),
                );
                return skip_value(&inner);
            }
            if !inner.input.peek(Token![=]) {
                errors.spanned(
                    &inner.path,
                    format_args!(
                        "`{slot}` in `older(...)` needs a value, e.g. `older(release = \"0.11\", \
                         data = Sbuild011, dynamic_data = SbuildDynamicData011)`"
                    ),
                );
                return skip_value(&inner);
            }
            match slot.as_str() {
                "release" => {
                    let value: Expr = inner.value()?.parse()?;
                    match parse_release(&value) {
                        Ok(release) => older.release = Some(release),
                        Err(error) => errors.push(error),
                    }
                }
                "data" => {
                    older.data = Some(parse_type(
                        &inner,
                        "`data` in `older(...)` must be the type of that release's task data, \
                         e.g. `data = Sbuild011`",
                    )?);
                }
                _ => {
                    older.dynamic_data = Some(parse_type(
                        &inner,
                        "`dynamic_data` in `older(...)` must be the type of that release's \
                         dynamic data, e.g. `dynamic_data = SbuildDynamicData011`",
                    )?);
                }
            }
            Ok(())
        })?;
        self.older.push(older);
        Ok(())
    }
}

/// A type after `=`: a path, or a string holding one (as serde writes them); `Vec<u64>` does not
/// parse as an expression, so it is read as a type.
fn parse_type(meta: &ParseNestedMeta<'_>, message: &str) -> syn::Result<syn::Type> {
    let value = meta.value()?;
    let ty = if value.peek(LitStr) {
        let text: LitStr = value.parse()?;
        text.parse::<syn::Type>()
    } else {
        value.parse::<syn::Type>()
    };
    // After an unreadable type the rest of the attribute cannot be read either.
    ty.map_err(|error| syn::Error::new(error.span(), message))
}

/// What the struct's `#[serde(...)]` attributes say about keys that are not fields.
#[derive(Clone, Copy, Debug)]
pub enum UnknownFields {
    /// `#[serde(deny_unknown_fields)]`: unknown keys are errors.
    Denied,
    /// serde's default: unknown keys are ignored.
    Ignored,
    /// A `#[serde]` attribute could not be read: serde reports it, so nothing is said here.
    Unreadable,
}

/// Reads `deny_unknown_fields` out of the `#[serde(...)]` attributes among `attrs`; every other
/// serde setting is skipped (serde checks them).
pub fn serde_unknown_fields(attrs: &[Attribute]) -> UnknownFields {
    let mut found = UnknownFields::Ignored;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let read = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                found = UnknownFields::Denied;
            }
            skip_value(&meta)
        });
        if read.is_err() {
            return UnknownFields::Unreadable;
        }
    }
    found
}

/// Consumes the value of a key that could not be used, so that the keys after it are still read.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

fn tokens(value: &impl ToTokens) -> String {
    let text = value.to_token_stream().to_string();
    // `- 1` reads better as `-1`.
    text.strip_prefix("- ")
        .map_or_else(|| text.clone(), |rest| format!("-{rest}"))
}

fn parse_version(value: &Expr) -> syn::Result<u32> {
    const RULE: &str = "`version` must be a whole number from 0 to 4294967295 (a `u32`)";
    let message = match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            if !matches!(int.suffix(), "" | "u32") {
                format!(
                    "{RULE}, written without a suffix: `version = {}`",
                    int.base10_digits()
                )
            } else {
                return int.base10_parse::<u32>().map_err(|_| {
                    syn::Error::new_spanned(
                        int,
                        format_args!("{RULE}; `{}` is too big", int.base10_digits()),
                    )
                });
            }
        }
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => {
            format!("{RULE}; `{}` is negative", tokens(value))
        }
        Expr::Lit(ExprLit {
            lit: Lit::Float(float),
            ..
        }) => format!("{RULE}; `{float}` is not a whole number"),
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => match text.value().parse::<u32>() {
            Ok(number) => format!("{RULE}, not a string: write `version = {number}`"),
            Err(_) => format!("{RULE}, not a string"),
        },
        other => format!("{RULE}, written as a literal; found `{}`", tokens(other)),
    };
    Err(syn::Error::new_spanned(value, message))
}

fn parse_name(value: &Expr) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(name),
            ..
        }) => Ok(name.clone()),
        other => {
            let written = tokens(other);
            Err(syn::Error::new_spanned(
                other,
                format_args!("`name` must be a string literal: `name = \"{written}\"`"),
            ))
        }
    }
}

fn parse_release(value: &Expr) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(release),
            ..
        }) => Ok(release.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            format_args!(
                "`release` must be a string literal naming a release of the engine, \
                 e.g. `release = \"0.16\"`; found `{}`",
                tokens(other)
            ),
        )),
    }
}

fn parse_kind(value: &Expr) -> syn::Result<Kind> {
    let written = match value {
        Expr::Path(path) if path.path.get_ident().is_some() && path.attrs.is_empty() => {
            tokens(&path.path)
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => text.value(),
        other => {
            return Err(syn::Error::new_spanned(
                other,
                format_args!(
                    "`kind` must be one of {}, e.g. `kind = server`",
                    kind_list()
                ),
            ));
        }
    };
    Kind::parse(&written).ok_or_else(|| {
        let hint = match Kind::parse(&written.to_lowercase()) {
            Some(kind) => format!("; kinds are lowercase: `kind = {}`", kind.as_str()),
            None => String::new(),
        };
        syn::Error::new_spanned(
            value,
            format_args!(
                "unknown task kind `{written}`; expected one of {}{hint}",
                kind_list()
            ),
        )
    })
}

fn parse_crate(value: &Expr) -> syn::Result<syn::Path> {
    let path = match value {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
            Some(path.path.clone())
        }
        // As serde and schemars write it: `crate = "my_framework::taskdef"`.
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => text.parse::<syn::Path>().ok(),
        _ => None,
    };
    match path {
        Some(path) if path.segments.iter().all(|s| s.arguments.is_none()) => Ok(path),
        _ => Err(syn::Error::new_spanned(
            value,
            format_args!(
                "`crate` must be the path under which the `taskdef` crate is reachable, \
                 e.g. `crate = my_framework::taskdef`; found `{}`",
                match value {
                    Expr::Lit(_) => tokens(value),
                    _ => tokens(value).replace(' ', ""),
                }
            ),
        )),
    }
}

fn kind_list() -> String {
    let names: Vec<String> = Kind::ALL
        .iter()
        .map(|kind| match kind {
            Kind::Worker => "`worker` (the default)".to_owned(),
            other => format!("`{}`", other.as_str()),
        })
        .collect();
    names.join(", ")
}
