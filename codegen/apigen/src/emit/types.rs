//! The types module: one Rust item per named type of the IR.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::{self, Doc};
use super::{ident, partial_eq, ty_tokens, Ctx};
use crate::ir::{Field, Ty, TypeDef, TypeKind};

pub fn types_head(_ctx: &Ctx) -> TokenStream {
    quote! {
        //! The types of the API's bodies and parameters, from the spec's
        //! schemas. Unknown enum values are kept in each enum's fallback
        //! variant.
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
    }
}

pub fn types_len(ctx: &Ctx) -> usize {
    ctx.api.types.len()
}

/// The types of `range`, in the document's order.
pub fn types_items(ctx: &Ctx, range: std::ops::Range<usize>) -> TokenStream {
    let items = range.filter_map(|i| ctx.api.types.get_index(i)).map(|(_, t)| type_def(t));
    quote!(#(#items)*)
}

fn type_def(t: &TypeDef) -> TokenStream {
    let name = ident(&t.name);
    let origin = Doc::new(format!("Schema: {}.", docs::code(&format!("#{}", t.pointer))));
    let doc = Doc::join([t.description.as_deref()]).then(origin);
    let none = TokenStream::new();
    let eq = partial_eq();
    match &t.kind {
        TypeKind::Struct { fields, additional } => {
            let fields_ir = fields;
            let all_optional = fields.iter().all(|f| !f.required);
            let default = all_optional.then(|| quote!(Default,));
            let fields = fields.iter().map(|f| field(&t.boxed, f));
            let extra = additional.as_ref().map(|ty| {
                let ty = match ty {
                    Ty::Json => quote!(serde_json::Map<String, serde_json::Value>),
                    other => {
                        let inner = ty_tokens(other, &none, &[]);
                        quote!(std::collections::BTreeMap<String, #inner>)
                    }
                };
                quote! {
                    /// Members not named in the schema.
                    pub additional_properties: #ty,
                }
            });
            let multipart = t.multipart.then(|| multipart_impl(&t.name, fields_ir, additional.is_some()));
            let serde = struct_serde(&name, fields_ir, additional.is_some());
            quote! {
                #doc
                #[derive(Clone, Debug, #default)]
                #eq
                pub struct #name {
                    #(#fields)*
                    #extra
                }
                #serde
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
                    let doc = Doc::new(docs::code(&v.value)).then(Doc::join([v.description.as_deref()]));
                    quote!(#doc)
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
                let ty = ty_tokens(&v.ty, &none, &t.boxed);
                let tags: Vec<String> = v.tags.iter().map(|t| docs::code(t)).collect();
                let doc = Doc::new(format!("{}: {}", docs::code(tag), tags.join(", ")));
                quote!(#doc #id(#ty),)
            });
            let ser = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let value = &v.tags[0];
                quote!(#name::#id(v) => apigen_runtime::tagged::serialize(serde_json::to_value(v), #tag, #value, serializer),)
            });
            let de = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let values = &v.tags;
                quote!(Some(#(#values)|*) => serde_json::from_value(value).map(#name::#id),)
            });
            let fallback_doc = Doc::new(format!("A {} this version does not know (or none), kept as it came.", docs::code(tag)));
            quote! {
                #doc
                #[derive(Clone, Debug)]
                #eq
                pub enum #name {
                    #(#vs)*
                    #fallback_doc
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
                        fn variant(tag: Option<&str>, value: serde_json::Value) -> Result<#name, apigen_runtime::object::Error> {
                            match tag {
                                #(#de)*
                                _ => Ok(#name::#fallback(value)),
                            }
                        }
                        let (tag, value) = apigen_runtime::tagged::split::<D>(deserializer, #tag)?;
                        apigen_runtime::object::finish(variant(tag.as_deref(), value))
                    }
                }
            }
        }
        TypeKind::Union { variants, .. } => {
            let vs = variants.iter().map(|v| {
                let id = ident(&v.ident);
                let ty = ty_tokens(&v.ty, &none, &t.boxed);
                quote!(#id(#ty),)
            });
            let ids: Vec<_> = variants.iter().map(|v| ident(&v.ident)).collect();
            let union = Literal::string(&t.name);
            quote! {
                #doc
                #[derive(Clone, Debug)]
                #eq
                pub enum #name {
                    #(#vs)*
                }
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self {
                            #( #name::#ids(v) => serde::Serialize::serialize(v, serializer), )*
                        }
                    }
                }
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        fn variants(u: &apigen_runtime::object::Untagged) -> Result<#name, apigen_runtime::object::Error> {
                            #( if let Some(v) = u.attempt() { return Ok(#name::#ids(v)); } )*
                            Err(u.no_match(#union))
                        }
                        apigen_runtime::object::finish(variants(&apigen_runtime::object::Untagged::new(deserializer)?))
                    }
                }
            }
        }
        TypeKind::Alias(ty) => {
            let ty = ty_tokens(ty, &none, &t.boxed);
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
        match presence(f) {
            Presence::Required => quote!({ let v = &self.#id; #one }),
            Presence::RequiredNullable | Presence::Optional => quote!(if let Some(v) = &self.#id { #one }),
            Presence::OptionalNullable => quote!(if let Some(Some(v)) = &self.#id { #one }),
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

fn field(boxed: &[String], f: &Field) -> TokenStream {
    let none = TokenStream::new();
    let id = ident(&f.ident);
    let doc = Doc::join([f.description.as_deref()]);
    let inner = ty_tokens(&f.ty, &none, boxed);
    // Optional: `None` when absent; optional and nullable: absent is
    // `None`, null is `Some(None)`.
    let ty = if f.required { inner } else { quote!(Option<#inner>) };
    quote! {
        #doc
        pub #id: #ty,
    }
}

/// Whether a field must be there, and whether it may be `null`: what
/// decides how it is read, written and sent in a form.
#[derive(Clone, Copy)]
enum Presence {
    /// Required and not nullable.
    Required,
    /// Required and nullable: always sent, `null` when `None`; read as
    /// `None` when absent too, as a lenient reader would.
    RequiredNullable,
    /// Optional: left out when `None`.
    Optional,
    /// Optional and nullable: absent is `None`, null is `Some(None)`.
    OptionalNullable,
}

fn presence(f: &Field) -> Presence {
    match (&f.ty, f.required) {
        (Ty::Option(_), true) => Presence::RequiredNullable,
        (_, true) => Presence::Required,
        (Ty::Option(_), false) => Presence::OptionalNullable,
        (_, false) => Presence::Optional,
    }
}

/// Whether a field is an array, or a nullable one, read and written with
/// the runtime's list methods.
fn is_list(f: &Field) -> bool {
    match &f.ty {
        Ty::Vec(_) => true,
        Ty::Option(inner) => matches!(**inner, Ty::Vec(_)),
        _ => false,
    }
}

/// The [`apigen_runtime::object`] methods that read and write a field:
/// `Reader`'s, then `Writer`'s.
fn methods(f: &Field) -> (TokenStream, TokenStream) {
    match (presence(f), is_list(f)) {
        (Presence::Required, false) => (quote!(required), quote!(field)),
        (Presence::RequiredNullable, false) => (quote!(optional), quote!(field)),
        (Presence::Optional, false) => (quote!(optional), quote!(optional)),
        (Presence::OptionalNullable, false) => (quote!(nullable), quote!(nullable)),
        (Presence::Required, true) => (quote!(list), quote!(list)),
        (Presence::RequiredNullable, true) => (quote!(optional_list), quote!(field)),
        (Presence::Optional, true) => (quote!(optional_list), quote!(optional_list)),
        (Presence::OptionalNullable, true) => (quote!(nullable_list), quote!(nullable_list)),
    }
}

/// `Serialize` and `Deserialize` for a struct, through the runtime's
/// [`apigen_runtime::object`]: a line per field instead of serde's
/// visitors, which cost most of a crate's compile time.
fn struct_serde(name: &proc_macro2::Ident, fields: &[Field], additional: bool) -> TokenStream {
    let reads = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.name;
        let (method, _) = methods(f);
        // Only a member that must be there can fail here; any other keeps
        // its error in the reader, for `end`.
        if matches!(presence(f), Presence::Required) {
            quote!(#id: o.#method(#wire)?,)
        } else {
            quote!(#id: o.#method(#wire),)
        }
    });
    let writes = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.name;
        // A `number` prints whole values as integers, so that `0` read
        // comes back `0`, not `0.0` (`apigen_runtime::number`).
        let number = matches!(&f.ty, Ty::F64) || matches!(&f.ty, Ty::Option(t) if **t == Ty::F64);
        let value = match (number, presence(f)) {
            (false, _) => quote!(&v.#id),
            (true, Presence::Required) => quote!(&apigen_runtime::number::Whole(v.#id)),
            (true, Presence::RequiredNullable | Presence::Optional) => {
                quote!(&v.#id.map(apigen_runtime::number::Whole))
            }
            (true, Presence::OptionalNullable) => quote!(&v.#id.map(|n| n.map(apigen_runtime::number::Whole))),
        };
        let (_, method) = methods(f);
        quote!(o.#method(#wire, #value);)
    });
    let (read_rest, write_rest) = if additional {
        (quote!(additional_properties: o.rest()?,), quote!(o.rest(&v.additional_properties);))
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    // A struct with no members reads and writes none.
    let (write_body, o, v) = if fields.is_empty() && !additional {
        (quote!(apigen_runtime::object::Writer::new()), quote!(_o), quote!(_v))
    } else {
        let body = quote! {
            let mut o = apigen_runtime::object::Writer::new();
            #(#writes)*
            #write_rest
            o
        };
        (body, quote!(mut o), quote!(v))
    };
    // With no member that may be left out (or none at all), no read keeps
    // an error.
    let all_required = fields.iter().all(|f| matches!(presence(f), Presence::Required));
    let read_body = if all_required {
        quote! {
            Ok(#name {
                #(#reads)*
                #read_rest
            })
        }
    } else {
        quote! {
            let value = #name {
                #(#reads)*
                #read_rest
            };
            o.end()?;
            Ok(value)
        }
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                fn fields(#v: &#name) -> apigen_runtime::object::Writer {
                    #write_body
                }
                apigen_runtime::object::write(serializer, fields(self))
            }
        }
        impl apigen_runtime::object::FromMembers for #name {
            fn from_members(#o: apigen_runtime::object::Reader) -> Result<Self, apigen_runtime::object::Error> {
                #read_body
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                apigen_runtime::object::deserialize(deserializer)
            }
        }
    }
}
