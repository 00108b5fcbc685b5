//! After an error: the `compile_error!`s, plus a stub `impl Task` so that code using the type as
//! a task does not add "`Task` is not implemented" errors to the real one.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;

use crate::ast::Input;
use crate::attr::Kind;

/// The errors, and a stub impl when the type could have one.
pub fn expand(input: &Input<'_>, error: syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        // A generic stub would need bounds of its own; the error is enough.
        return errors;
    }
    let ident = input.ident;
    let type_name = ident.unraw().to_string();
    let name = input
        .attrs
        .names
        .first()
        .map_or_else(|| type_name.to_lowercase(), |name| name.value());
    let version = Literal::u32_unsuffixed(input.attrs.versions.first().map_or(0, |v| v.value));
    let kind = input
        .attrs
        .kinds
        .first()
        .map_or(Kind::Worker, |kind| kind.value);
    let kind = Ident::new(kind.variant(), Span::call_site());
    let krate = input.attrs.crate_path();
    let dynamic_data = input.attrs.dynamic_data.first().map_or_else(
        || quote!(#krate::__private::BaseDynamicData),
        ToTokens::to_token_stream,
    );
    quote! {
        #errors
        const _: () = {
            #[automatically_derived]
            impl #krate::Task for #ident
            where
                // Higher-ranked, so that the bounds are not checked here (trivial bounds are
                // unstable, rust-lang/rust#48214): the stub must not add errors of its own.
                for<'__stub> #ident: #krate::__private::TaskBounds,
                for<'__stub> #dynamic_data: #krate::__private::DynamicDataBounds,
            {
                type DynamicData = #dynamic_data;
                const NAME: &'static str = #name;
                const VERSION: u32 = #version;
                const KIND: #krate::TaskKind = #krate::TaskKind::#kind;
                const DESCRIPTION: &'static str = "";
                const TYPE_NAME: &'static str = ::core::concat!(::core::module_path!(), "::", #type_name);
                fn __compiled() -> &'static #krate::__private::CompiledSchema {
                    ::core::unreachable!("`#[derive(Task)]` failed for this type")
                }
                fn __compiled_dynamic_data() -> &'static #krate::__private::CompiledSchema {
                    ::core::unreachable!("`#[derive(Task)]` failed for this type")
                }
                fn release_forms() -> &'static [#krate::__private::ReleaseForm] {
                    ::core::unreachable!("`#[derive(Task)]` failed for this type")
                }
            }
        };
    }
}
