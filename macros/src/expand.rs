//! Generates the code of a checked task. Never produces errors: `valid.rs` has run.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::valid::{OlderForm, Task};

/// The `impl Task`, the compile-time checks and the registration of `task`.
pub fn expand(task: &Task<'_>) -> TokenStream {
    let ident = task.ident;
    let type_name = ident.unraw().to_string();
    let name = &task.name;
    let version = Literal::u32_unsuffixed(task.version);
    let kind = Ident::new(task.kind.variant(), Span::call_site());
    let krate = &task.krate;
    let description = description(krate, task.docs);
    // Spanned on the type's name, so that a missing trait is reported there, once: the impl's
    // bounds are higher-ranked so the impl does not report it, and `entry` names the trait.
    let entry = quote_spanned! {ident.span()=>
        #krate::__private::entry::<#ident>()
    };
    // Two tasks of one crate with the same name (in registries that may not share it) define
    // this macro twice at the crate root: a compile error, pointing at both names. rustc's
    // message names the macro ("the name `__taskdef_task_named_sbuild` is defined multiple
    // times"), so its name is what the message should say.
    let guard = format_ident!(
        "__taskdef_{}task_named_{}",
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
    // Written with the span of the type in `dynamic_data = Type`, so that a missing trait (the
    // bounds of `Task::DynamicData`) is reported there.
    let dynamic_data = task.dynamic_data.map_or_else(
        || quote!(#krate::__private::BaseDynamicData),
        ToTokens::to_token_stream,
    );
    let (forms, form_items) = release_forms(task);
    quote! {
        const _: () = {
            #form_items
            #[automatically_derived]
            impl #krate::Task for #ident
            where
                for<'__task> #ident: #krate::__private::TaskData,
            {
                type DynamicData = #dynamic_data;
                const NAME: &'static str = #name;
                const VERSION: u32 = #version;
                const KIND: #krate::TaskKind = #krate::TaskKind::#kind;
                const DESCRIPTION: &'static str = #description;
                const TYPE_NAME: &'static str = ::core::concat!(::core::module_path!(), "::", #type_name);
                fn __compiled() -> &'static #krate::__private::CompiledSchema {
                    static COMPILED: #krate::__private::OnceLock<#krate::__private::CompiledSchema> =
                        #krate::__private::OnceLock::new();
                    #krate::__private::compiled(&COMPILED, #krate::__private::CompiledSchema::new::<#ident>)
                }
                fn __compiled_dynamic_data() -> &'static #krate::__private::CompiledSchema {
                    static COMPILED: #krate::__private::OnceLock<#krate::__private::CompiledSchema> =
                        #krate::__private::OnceLock::new();
                    #krate::__private::compiled(&COMPILED, #krate::__private::dynamic_data_schema::<Self>)
                }
                fn release_forms() -> &'static [#krate::__private::ReleaseForm] {
                    #forms
                }
            }
            #[#krate::__private::distributed_slice(#krate::__private::TASKS)]
            #[linkme(crate = #krate::__private::linkme)]
            static ENTRY: #krate::__private::TaskEntry = #entry;
            #guard
        };
    }
}

/// The body of `release_forms` (a static array of the task's forms, its own first) and the
/// items it needs: one compiled-schema cell per type that an older release adds.
///
/// Each form's types are written with their own spans, so that a type that does not convert
/// into the task's (or lacks a trait) is reported at the type in `older(...)`.
fn release_forms(task: &Task<'_>) -> (TokenStream, TokenStream) {
    let krate = &task.krate;
    let own_release = match &task.release {
        Some(release) => quote!(::core::option::Option::Some(#release)),
        None => quote!(::core::option::Option::None),
    };
    let mut items = TokenStream::new();
    let mut forms = vec![quote!(#krate::__private::ReleaseForm::own::<Self>(#own_release))];
    for (index, form) in task.older.iter().enumerate() {
        let OlderForm {
            release,
            data,
            dynamic_data,
        } = form;
        let data = match data {
            Some(ty) => {
                let compiled = format_ident!("__taskdef_release_form_{}_data", index);
                items.extend(compiled_schema_fn(krate, &compiled, ty));
                quote_spanned! {ty.span()=>
                    #krate::__private::DataForm::of::<Self, #ty>(#compiled)
                }
            }
            None => quote! {
                #krate::__private::DataForm::of::<Self, Self>(<Self as #krate::Task>::__compiled)
            },
        };
        let own_dynamic_data = quote!(<Self as #krate::Task>::DynamicData);
        let dynamic_data = match dynamic_data {
            Some(ty) => {
                let compiled = format_ident!("__taskdef_release_form_{}_dynamic_data", index);
                items.extend(compiled_schema_fn(krate, &compiled, ty));
                quote_spanned! {ty.span()=>
                    #krate::__private::DynamicDataForm::of::<#own_dynamic_data, #ty>(#compiled)
                }
            }
            None => quote! {
                #krate::__private::DynamicDataForm::of::<#own_dynamic_data, #own_dynamic_data>(
                    <Self as #krate::Task>::__compiled_dynamic_data
                )
            },
        };
        forms.push(quote! {
            #krate::__private::ReleaseForm::older(#release, #data, #dynamic_data)
        });
    }
    // An inline const, not a `static`: it is checked under the impl's where clause, so that a
    // struct lacking `Deserialize` is reported once, by `entry`, not again here. Its value is
    // promoted to a `'static` slice.
    let body = quote! {
        const { &[#(#forms),*] }
    };
    (body, items)
}

/// A function giving the compiled schema of `ty`, built on first use.
fn compiled_schema_fn(krate: &syn::Path, name: &Ident, ty: &syn::Type) -> TokenStream {
    let new = quote_spanned! {ty.span()=>
        #krate::__private::CompiledSchema::new::<#ty>
    };
    quote! {
        fn #name() -> &'static #krate::__private::CompiledSchema {
            static COMPILED: #krate::__private::OnceLock<#krate::__private::CompiledSchema> =
                #krate::__private::OnceLock::new();
            #krate::__private::compiled(&COMPILED, #new)
        }
    }
}

/// `DESCRIPTION`: the doc lines joined as schemars joins them (one leading space trimmed per
/// line, `\n` between lines), then cut by the same rule schemars uses for the schema's
/// `description`, so that the two are always equal.
fn description(krate: &syn::Path, docs: &[&Expr]) -> TokenStream {
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
        #krate::__private::doc_description(::core::concat!(#lines))
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::Input;
    use crate::ctxt::Errors;

    /// The generated code of `input`: the task's, or the fallback's after an error.
    fn generated(input: syn::DeriveInput) -> String {
        let mut errors = Errors::default();
        let model = Input::from_syn(&input, &mut errors);
        match crate::valid::check(&model, errors) {
            Ok(task) => super::expand(&task),
            Err(error) => crate::fallback::expand(&model, error),
        }
        .to_string()
    }

    /// Whether every path into the runtime in `code` goes through `framework::taskdef`.
    fn only_through_framework(code: &str) -> bool {
        let runtime = code.matches("taskdef ::").count();
        runtime > 0 && runtime == code.matches("framework :: taskdef ::").count()
    }

    #[test]
    fn a_crate_path_replaces_every_path_into_the_runtime() {
        let code = generated(syn::parse_quote! {
            /// Docs.
            #[serde(deny_unknown_fields)]
            #[task(version = 1, crate = framework::taskdef)]
            struct Sample {}
        });
        assert!(only_through_framework(&code), "{code}");
        assert!(code.contains("framework :: taskdef :: __private :: linkme"));
    }

    #[test]
    fn the_stub_after_an_error_uses_the_crate_path_too() {
        let code = generated(syn::parse_quote! {
            #[serde(deny_unknown_fields)]
            #[task(crate = "framework::taskdef")]
            struct Sample {}
        });
        assert!(code.contains("compile_error"), "{code}");
        assert!(only_through_framework(&code), "{code}");
    }

    #[test]
    fn the_dynamic_data_type_is_the_one_named_or_what_every_task_gets() {
        let code = generated(syn::parse_quote! {
            #[serde(deny_unknown_fields)]
            #[task(version = 1, dynamic_data = found::Data, crate = framework::taskdef)]
            struct Sample {}
        });
        assert!(
            code.contains("type DynamicData = found :: Data ;"),
            "{code}"
        );
        assert!(only_through_framework(&code), "{code}");
        let code = generated(syn::parse_quote! {
            #[serde(deny_unknown_fields)]
            #[task(version = 1)]
            struct Sample {}
        });
        assert!(
            code.contains("type DynamicData = :: taskdef :: __private :: BaseDynamicData ;"),
            "{code}"
        );
    }

    #[test]
    fn the_stub_after_an_error_keeps_the_dynamic_data_type() {
        let code = generated(syn::parse_quote! {
            #[serde(deny_unknown_fields)]
            #[task(dynamic_data = found::Data)]
            struct Sample {}
        });
        assert!(code.contains("compile_error"), "{code}");
        assert!(
            code.contains("type DynamicData = found :: Data ;"),
            "{code}"
        );
    }

    #[test]
    fn without_a_crate_path_the_runtime_is_taskdef() {
        let code = generated(syn::parse_quote! {
            #[serde(deny_unknown_fields)]
            #[task(version = 1)]
            struct Sample {}
        });
        assert!(code.contains(":: taskdef :: __private :: TASKS"), "{code}");
        assert!(!code.contains("framework"));
    }
}
