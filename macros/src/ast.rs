//! The derive input as a small model: what `valid.rs` checks and `expand.rs` generates from.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Generics, Ident};

use crate::attr::{Attrs, UnknownFields, serde_unknown_fields};
use crate::ctxt::Errors;

/// What kind of item the derive was put on.
pub enum Shape {
    /// A struct with named fields: the only supported shape.
    Named,
    /// A tuple struct; the span covers its fields.
    Tuple(Span),
    /// A unit struct; the span is its name.
    Unit(Span),
    /// An enum; the span is the `enum` keyword.
    Enum(Span),
    /// A union; the span is the `union` keyword.
    Union(Span),
}

/// The derive input, read once.
pub struct Input<'a> {
    /// The type's name.
    pub ident: &'a Ident,
    /// Its generic parameters (tasks may have none).
    pub generics: &'a Generics,
    /// The item's shape.
    pub shape: Shape,
    /// The `#[task(...)]` settings.
    pub attrs: Attrs,
    /// Whether `#[serde(deny_unknown_fields)]` is on the struct.
    pub unknown_fields: UnknownFields,
    /// The values of the `#[doc = ...]` attributes (`///` lines), in order.
    pub docs: Vec<&'a Expr>,
    /// `#[task]` attributes found on fields, where they do not belong.
    pub field_task_attrs: Vec<&'a syn::Attribute>,
}

impl<'a> Input<'a> {
    /// Reads the derive input; attribute syntax errors go to `errors`.
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Input<'a> {
        let (shape, fields) = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(_) => (Shape::Named, Some(&data.fields)),
                Fields::Unnamed(fields) => (Shape::Tuple(fields.span()), Some(&data.fields)),
                Fields::Unit => (Shape::Unit(input.ident.span()), None),
            },
            Data::Enum(data) => (Shape::Enum(data.enum_token.span), None),
            Data::Union(data) => (Shape::Union(data.union_token.span), None),
        };
        let field_task_attrs = fields
            .into_iter()
            .flatten()
            .flat_map(|field| &field.attrs)
            .filter(|attr| attr.path().is_ident("task"))
            .collect();
        let docs = input
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("doc"))
            .filter_map(|attr| attr.meta.require_name_value().ok())
            .map(|doc| &doc.value)
            .collect();
        Input {
            ident: &input.ident,
            generics: &input.generics,
            shape,
            attrs: Attrs::from_attrs(&input.attrs, errors),
            unknown_fields: serde_unknown_fields(&input.attrs),
            docs,
            field_task_attrs,
        }
    }
}
