//! Generates the code of a checked task. Never produces errors: `valid.rs` has run.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::valid::Task;

/// The `impl Task`, the compile-time checks and the registration of `task`.
pub fn expand(task: &Task<'_>) -> TokenStream {
    let ident = task.ident;
    let type_name = ident.unraw().to_string();
    let name = &task.name;
    let version = Literal::u32_unsuffixed(task.version);
    let kind = Ident::new(task.kind.variant(), Span::call_site());
    let description = description(task.docs);
    // Spanned on the type's name, so that a missing trait is reported there, once: the impl's
    // bounds are higher-ranked so the impl does not report it, and `entry` names the trait.
    let entry = quote_spanned! {ident.span()=>
        ::taskdef::__private::entry::<#ident>()
    };
    // Two tasks of one crate with the same name (in registries that may not share it) define
    // this macro twice at the crate root: a compile error, pointing at both names.
    let guard = format_ident!(
        "__taskdef_duplicate_{}task_name_{}",
        task.kind.name_group(),
        name,
        span = task.name_span
    );
    let guard = quote_spanned! {task.name_span=>
        #[doc(hidden)]
        #[macro_export]
        // Exported to the crate root wherever the task is, also in a function body (a test).
        #[allow(non_local_definitions)]
        macro_rules! #guard { () => {}; }
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            impl ::taskdef::Task for #ident
            where
                for<'__task> #ident: ::taskdef::__private::TaskData,
            {
                const NAME: &'static str = #name;
                const VERSION: u32 = #version;
                const KIND: ::taskdef::TaskKind = ::taskdef::TaskKind::#kind;
                const DESCRIPTION: &'static str = #description;
                const TYPE_NAME: &'static str = ::core::concat!(::core::module_path!(), "::", #type_name);
                fn __compiled() -> &'static ::taskdef::__private::CompiledSchema {
                    static COMPILED: ::taskdef::__private::OnceLock<::taskdef::__private::CompiledSchema> =
                        ::taskdef::__private::OnceLock::new();
                    ::taskdef::__private::compiled(&COMPILED, ::taskdef::__private::CompiledSchema::new::<#ident>)
                }
            }
            #[::taskdef::__private::distributed_slice(::taskdef::__private::TASKS)]
            #[linkme(crate = ::taskdef::__private::linkme)]
            static ENTRY: ::taskdef::__private::TaskEntry = #entry;
            #guard
        };
    }
}

/// `DESCRIPTION`: the doc lines joined as schemars joins them (one leading space trimmed per
/// line, `\n` between lines), then cut by the same rule schemars uses for the schema's
/// `description`, so that the two are always equal.
fn description(docs: &[&Expr]) -> TokenStream {
    if docs.is_empty() {
        return quote!("");
    }
    let mut lines = TokenStream::new();
    for (index, &line) in docs.iter().enumerate() {
        if index > 0 {
            lines.extend(quote!("\n",));
        }
        match line {
            Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) => match text.value().strip_prefix(' ') {
                Some(trimmed) => LitStr::new(trimmed, text.span()).to_tokens(&mut lines),
                None => text.to_tokens(&mut lines),
            },
            other => other.to_tokens(&mut lines),
        }
        lines.extend(quote!(,));
    }
    quote! {
        ::taskdef::__private::doc_description(::core::concat!(#lines))
    }
}
