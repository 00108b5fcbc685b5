//! The `#[derive(Task)]` macro of taskdef; use it through `taskdef::Task`.
use proc_macro::TokenStream;
use quote::quote;

/// Derives `taskdef::Task`.
#[proc_macro_derive(Task, attributes(task))]
pub fn derive_task(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    let ident = &input.ident;
    let mut version = None;
    let mut name = ident.to_string().to_lowercase();
    let mut kind = quote!(Worker);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("task")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("version") {
                let lit: syn::LitInt = meta.value()?.parse()?;
                version = Some(lit.base10_parse::<u32>()?);
            } else if meta.path.is_ident("name") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                name = lit.value();
            } else if meta.path.is_ident("kind") {
                let k: syn::Ident = meta.value()?.parse()?;
                let k = syn::Ident::new(
                    &{
                        let s = k.to_string();
                        s[..1].to_uppercase() + &s[1..]
                    },
                    k.span(),
                );
                kind = quote!(#k);
            }
            Ok(())
        });
    }
    let version = version.unwrap_or(0);
    let docs: Vec<String> = input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let description = docs.join("\n");
    let ident_str = ident.to_string();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl ::taskdef::Task for #ident {
                const NAME: &'static str = #name;
                const VERSION: u32 = #version;
                const KIND: ::taskdef::TaskKind = ::taskdef::TaskKind::#kind;
                const DESCRIPTION: &'static str = #description;
                const TYPE_NAME: &'static str = concat!(module_path!(), "::", #ident_str);
                fn __compiled() -> &'static ::taskdef::__private::CompiledSchema {
                    static COMPILED: ::taskdef::__private::OnceLock<::taskdef::__private::CompiledSchema> = ::taskdef::__private::OnceLock::new();
                    COMPILED.get_or_init(::taskdef::__private::CompiledSchema::new::<#ident>)
                }
            }
            #[::taskdef::__private::distributed_slice(::taskdef::__private::TASKS)]
            #[linkme(crate = ::taskdef::__private::linkme)]
            static ENTRY: ::taskdef::__private::TaskEntry = ::taskdef::__private::TaskEntry::of::<#ident>();
        };
    }.into()
}
