//! The types module: one Rust item per named type of the IR.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{docs, ident, partial_eq, ty_tokens, Ctx};
use crate::ir::{Field, Ty, TypeDef, TypeKind};

pub fn types_rs(ctx: &Ctx) -> TokenStream {
    let items = ctx.api.types.values().map(|t| type_def(ctx, t));
    quote! {
        //! The types of the API's bodies and parameters, from the spec's
        //! schemas. Unknown enum values are kept in each enum's fallback
        //! variant.
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

fn type_def(ctx: &Ctx, t: &TypeDef) -> TokenStream {
    let name = ident(&t.name);
    let doc = docs::attrs([t.description.as_deref()]);
    let origin = format!(" Schema: `#{}`.", t.pointer);
    let doc = quote! { #doc #[doc = ""] #[doc = #origin] };
    let doc = if t.description.is_some() { doc } else { quote! { #[doc = #origin] } };
    let none = TokenStream::new();
    let eq = partial_eq();
    match &t.kind {
        TypeKind::Struct { fields, additional } => {
            let fields_ir = fields;
            let all_optional = fields.iter().all(|f| !f.required);
            let default = all_optional.then(|| quote!(Default,));
            let fields = fields.iter().map(|f| field(ctx, &t.name, f));
            let extra = additional.as_ref().map(|ty| {
                let ty = match ty {
                    Ty::Json => quote!(serde_json::Map<String, serde_json::Value>),
                    other => {
                        let inner = ty_tokens(ctx, other, &none, None);
                        quote!(std::collections::BTreeMap<String, #inner>)
                    }
                };
                quote! {
                    /// Members not named in the schema.
                    #[serde(flatten)]
                    pub additional_properties: #ty,
                }
            });
            let multipart = t.multipart.then(|| multipart_impl(&t.name, fields_ir, additional.is_some()));
            quote! {
                #doc
                #[derive(Clone, Debug, #default serde::Serialize, serde::Deserialize)]
                #eq
                pub struct #name {
                    #(#fields)*
                    #extra
                }
                #multipart
            }
        }
        TypeKind::StringEnum { variants, fallback } => {
            let fallback = ident(fallback);
            let idents: Vec<_> = variants.iter().map(|v| ident(&v.ident)).collect();
            let values: Vec<_> = variants.iter().map(|v| Literal::string(&v.value)).collect();
            let docs: Vec<TokenStream> = variants
                .iter()
                .map(|v| {
                    let value = format!(" `{}`", v.value.replace('`', "'"));
                    let more = docs::attrs([v.description.as_deref()]);
                    if more.is_empty() {
                        quote!(#[doc = #value])
                    } else {
                        quote!(#[doc = #value] #[doc = ""] #more)
                    }
                })
                .collect();
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq, Eq, Hash)]
                pub enum #name {
                    #( #docs #idents, )*
                    /// A value this version of the spec does not list.
                    #fallback(String),
                }
                impl #name {
                    /// The value as sent on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #( Self::#idents => #values, )*
                            Self::#fallback(value) => value,
                        }
                    }
                }
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        match value {
                            #( #values => Self::#idents, )*
                            other => Self::#fallback(other.to_owned()),
                        }
                    }
                }
                apigen_runtime::string_enum!(#name);
            }
        }
        TypeKind::IntegerEnum { variants, fallback } => {
            let fallback = ident(fallback);
            let idents: Vec<_> = variants.iter().map(|v| ident(&v.ident)).collect();
            let values: Vec<_> = variants.iter().map(|v| Literal::i64_unsuffixed(v.value)).collect();
            quote! {
                #doc
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                pub enum #name {
                    #( #idents, )*
                    /// A value this version of the spec does not list.
                    #fallback(i64),
                }
                impl #name {
                    /// The value as sent on the wire.
                    pub fn as_i64(&self) -> i64 {
                        match self {
                            #( Self::#idents => #values, )*
                            Self::#fallback(value) => *value,
                        }
                    }
                }
                impl From<i64> for #name {
                    fn from(value: i64) -> Self {
                        match value {
                            #( #values => Self::#idents, )*
                            other => Self::#fallback(other),
                        }
                    }
                }
                apigen_runtime::integer_enum!(#name);
            }
        }
        TypeKind::Union { variants, tag: Some(tag), fallback } => {
            let fallback = ident(fallback.as_deref().unwrap_or("Other"));
            let vs = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let ty = ty_tokens(ctx, &v.ty, &none, Some(&t.name));
                let doc = format!(" `{tag}`: {}", v.tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "));
                quote!(#[doc = #doc] #id(#ty),)
            });
            let ser = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let value = &v.tags[0];
                quote!(#name::#id(v) => apigen_runtime::tagged::serialize(v, #tag, #value, serializer),)
            });
            let de = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let values = &v.tags;
                quote!(Some(#(#values)|*) => apigen_runtime::tagged::variant::<D, _>(value).map(#name::#id),)
            });
            let fallback_doc = format!(" A `{tag}` this version does not know (or none), kept as it came.");
            quote! {
                #doc
                #[derive(Clone, Debug)]
                #eq
                pub enum #name {
                    #(#vs)*
                    #[doc = #fallback_doc]
                    #fallback(serde_json::Value),
                }
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self {
                            #(#ser)*
                            #name::#fallback(v) => serde::Serialize::serialize(v, serializer),
                        }
                    }
                }
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        let (tag, value) = apigen_runtime::tagged::split::<D>(deserializer, #tag)?;
                        match tag.as_deref() {
                            #(#de)*
                            _ => Ok(#name::#fallback(value)),
                        }
                    }
                }
            }
        }
        TypeKind::Union { variants, .. } => {
            let vs = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let ty = ty_tokens(ctx, &v.ty, &none, Some(&t.name));
                quote!(#id(#ty),)
            });
            quote! {
                #doc
                #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
                #eq
                #[serde(untagged)]
                pub enum #name {
                    #(#vs)*
                }
            }
        }
        TypeKind::Alias(ty) => {
            let ty = ty_tokens(ctx, ty, &none, Some(&t.name));
            quote! {
                #doc
                pub type #name = #ty;
            }
        }
    }
}

/// The parts of a struct sent as multipart/form-data: files as file parts,
/// arrays as one part per item, anything else as text or JSON.
fn multipart_impl(name: &str, fields: &[Field], additional: bool) -> TokenStream {
    let name = ident(name);
    let parts = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.name;
        let base = match &f.ty {
            Ty::Option(inner) => inner.as_ref(),
            other => other,
        };
        let one = match base {
            Ty::File => quote!(form.file(#wire, v);),
            Ty::Vec(inner) if **inner == Ty::File => quote!(for item in v { form.file(#wire, item); }),
            Ty::Vec(_) => quote!(for item in v { form.value(#wire, item); }),
            _ => quote!(form.value(#wire, v);),
        };
        let optional = !f.required || matches!(f.ty, Ty::Option(_));
        let double = !f.required && matches!(f.ty, Ty::Option(_));
        match (optional, double) {
            (false, _) => quote!({ let v = &self.#id; #one }),
            (true, false) => quote!(if let Some(v) = &self.#id { #one }),
            (true, true) => quote!(if let Some(Some(v)) = &self.#id { #one }),
        }
    });
    let extra = additional.then(|| quote!(for (k, v) in &self.additional_properties { form.value(k, v); }));
    quote! {
        impl apigen_runtime::Multipart for #name {
            fn parts(&self, form: &mut apigen_runtime::MultipartForm) {
                #(#parts)*
                #extra
            }
        }
    }
}

fn field(ctx: &Ctx, owner: &str, f: &Field) -> TokenStream {
    let none = TokenStream::new();
    let id = ident(&f.ident);
    let doc = docs::attrs([f.description.as_deref()]);
    let rename = (f.ident != f.name).then(|| {
        let name = &f.name;
        quote!(#[serde(rename = #name)])
    });
    let inner = ty_tokens(ctx, &f.ty, &none, Some(owner));
    // A `number` prints whole values as integers, so that `0` read comes
    // back `0`, not `0.0` (`apigen_runtime::number`).
    let number = matches!(&f.ty, Ty::F64) || matches!(&f.ty, Ty::Option(t) if **t == Ty::F64);
    let (ty, attr) = match (&f.ty, f.required) {
        // Required and nullable: always sent, `null` when `None`.
        (Ty::Option(_), true) if number => {
            (inner, quote!(#[serde(default, serialize_with = "apigen_runtime::number::option::serialize")]))
        }
        (Ty::Option(_), true) => (inner, quote!(#[serde(default)])),
        (_, true) if number => (inner, quote!(#[serde(serialize_with = "apigen_runtime::number::serialize")])),
        (_, true) => (inner, TokenStream::new()),
        // Optional and nullable: absent is `None`, null is `Some(None)`.
        (Ty::Option(_), false) if number => (
            quote!(Option<#inner>),
            quote!(#[serde(default, skip_serializing_if = "Option::is_none", with = "apigen_runtime::number::double_option")]),
        ),
        (Ty::Option(_), false) => (
            quote!(Option<#inner>),
            quote!(#[serde(default, skip_serializing_if = "Option::is_none", with = "apigen_runtime::double_option")]),
        ),
        // Optional: left out when `None`.
        (_, false) if number => (
            quote!(Option<#inner>),
            quote!(#[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "apigen_runtime::number::option::serialize")]),
        ),
        (_, false) => (
            quote!(Option<#inner>),
            quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
        ),
    };
    quote! {
        #doc
        #rename
        #attr
        pub #id: #ty,
    }
}
