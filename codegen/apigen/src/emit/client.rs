//! `lib.rs`, the client with its namespaces, and one builder per operation.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::docs::{self, Doc};
use super::{ident, ty_tokens, Ctx};
use crate::ir::{Content, Decode, Location, MediaKind, Operation, PageField, Pagination, Param, SecurityKind, Status, Ty, TypeKind};

/// The scheme `new` and `from_env` take credentials for: the first one the
/// document's operations use, else the first declared.
fn primary_scheme<'a>(ctx: &Ctx<'a>) -> Option<&'a SecurityKind> {
    ctx.api.security_schemes.first().map(|s| &s.kind)
}

pub fn lib_rs(ctx: &Ctx) -> TokenStream {
    let api = ctx.api;
    let head = Doc::new(api.title.trim())
        .then(Doc::new(format!("API version {}.", docs::code(&api.version))))
        .then(Doc::join([api.description.as_deref()]))
        .then(Doc::new("# Example"))
        .inner();
    let krate = ctx.crate_ident();
    let ctor = match primary_scheme(ctx) {
        Some(_) => quote!(#krate::Client::from_env()?),
        None => quote!(#krate::Client::new()),
    };
    let example_call = ctx
        .api
        .operations
        .iter()
        .find(|op| {
            op.http_method == "GET"
                && op.params.iter().all(|p| !p.required)
                && op.body.as_ref().is_none_or(|b| !b.required)
        })
        .map(|op| {
            let mut call = String::from("client");
            for ns in &op.namespace {
                call.push_str(&format!(".{ns}()"));
            }
            format!("let response = {call}.{}().await?;\nprintln!(\"{{response:?}}\");", op.method_name)
        })
        .unwrap_or_default();
    let example = docs::crate_example(&format!(
        "# async fn example() -> Result<(), {krate}::Error> {{\nlet client = {ctor};\n{example_call}\n# Ok(())\n# }}",
        ctor = ctor.to_string().replace(" ", ""),
    ));
    let modules = ctx.opts.hand_written_modules.iter().map(|m| {
        let m = ident(m);
        quote!(pub mod #m;)
    });
    quote! {
        #head
        #example
        #![forbid(unsafe_code)]

        pub mod builders;
        mod client;
        pub mod types;
        #(#modules)*

        pub use apigen_runtime::{
            ApiError, ApiKeyLocation, BoxStream, ClientBuilder, Credentials, Error, Event, ProblemDetails,
            RequestOptions, Response, RetryPolicy, Untyped, WithOptions,
        };
        pub use client::*;

        /// The client and the traits its builders and streams need, in one
        /// import.
        pub mod prelude {
            pub use crate::Client;
            pub use apigen_runtime::{StreamExt, TryStreamExt, WithOptions};
        }
    }
}

pub fn client_rs(ctx: &Ctx) -> TokenStream {
    let api = ctx.api;
    let base_url = default_base_url(api.base_url.as_deref());
    let user_agent = format!("{}/{}", ctx.opts.crate_name, ctx.opts.crate_version);
    let (ctors, from_env) = match primary_scheme(ctx) {
        Some(SecurityKind::Bearer) => {
            let [var] = <[String; 1]>::try_from(api.credential_env.clone()).expect("lower names one variable");
            let env_doc = Doc::new(format!("A client with the token in {}.", docs::code(&var)));
            (
                quote! {
                    /// A client that sends `token` as a bearer token.
                    ///
                    /// # Panics
                    ///
                    /// If the TLS backend cannot be initialized, as `reqwest::Client::new` does.
                    pub fn new(token: impl Into<String>) -> Self {
                        Self::builder().bearer_token(token).build().expect("the default client configuration is valid")
                    }
                },
                quote! {
                    #env_doc
                    pub fn from_env() -> Result<Self, apigen_runtime::Error> {
                        Self::builder().bearer_token(apigen_runtime::env_var(#var)?).build()
                    }
                },
            )
        }
        Some(SecurityKind::Basic) => {
            let [user, pass] =
                <[String; 2]>::try_from(api.credential_env.clone()).expect("lower names two variables");
            let env_doc = Doc::new(format!("A client with the Basic credentials in {} and {}.", docs::code(&user), docs::code(&pass)));
            (
                quote! {
                    /// A client that sends HTTP Basic credentials.
                    ///
                    /// # Panics
                    ///
                    /// If the TLS backend cannot be initialized, as `reqwest::Client::new` does.
                    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
                        Self::builder().basic_auth(username, password).build().expect("the default client configuration is valid")
                    }
                },
                quote! {
                    #env_doc
                    pub fn from_env() -> Result<Self, apigen_runtime::Error> {
                        Self::builder()
                            .basic_auth(apigen_runtime::env_var(#user)?, apigen_runtime::env_var(#pass)?)
                            .build()
                    }
                },
            )
        }
        Some(SecurityKind::ApiKey { location, name }) => {
            let [var] = <[String; 1]>::try_from(api.credential_env.clone()).expect("lower names one variable");
            let env_doc = Doc::new(format!("A client with the API key in {}.", docs::code(&var)));
            let loc = match location.as_str() {
                "query" => quote!(Query),
                "cookie" => quote!(Cookie),
                _ => quote!(Header),
            };
            let doc = Doc::new(format!("A client that sends `key` as the {} {location} API key.", docs::code(name)));
            (
                quote! {
                    #doc
                    ///
                    /// # Panics
                    ///
                    /// If the TLS backend cannot be initialized, as `reqwest::Client::new` does.
                    pub fn new(key: impl Into<String>) -> Self {
                        Self::builder().api_key(apigen_runtime::ApiKeyLocation::#loc, #name, key).build().expect("the default client configuration is valid")
                    }
                },
                quote! {
                    #env_doc
                    pub fn from_env() -> Result<Self, apigen_runtime::Error> {
                        Self::builder()
                            .api_key(apigen_runtime::ApiKeyLocation::#loc, #name, apigen_runtime::env_var(#var)?)
                            .build()
                    }
                },
            )
        }
        None => (
            quote! {
                /// A client for the default base URL.
                ///
                /// # Panics
                ///
                /// If the TLS backend cannot be initialized, as `reqwest::Client::new` does.
                pub fn new() -> Self {
                    Self::builder().build().expect("the default client configuration is valid")
                }
            },
            TokenStream::new(),
        ),
    };
    let default_impl = primary_scheme(ctx).is_none().then(|| {
        quote! {
            impl Default for Client {
                fn default() -> Self { Self::new() }
            }
        }
    });

    let type_of = |path: &[String]| -> Ident {
        let ns = api.namespaces.iter().find(|n| n.path == path).expect("lower lists every namespace");
        ident(&ns.type_name)
    };
    let mut ns_items = Vec::new();
    let mut root_methods = TokenStream::new();
    let root: &[String] = &[];
    for ns in std::iter::once(root).chain(api.namespaces.iter().map(|n| n.path.as_slice())) {
        let mut methods = TokenStream::new();
        let children: BTreeSet<&String> = api
            .namespaces
            .iter()
            .filter(|c| c.path.len() == ns.len() + 1 && c.path.starts_with(ns))
            .map(|c| &c.path[ns.len()])
            .collect();
        let client = if ns.is_empty() { quote!(self.raw) } else { quote!(self.client) };
        for child in children {
            let mut path = ns.to_vec();
            path.push(child.clone());
            let ty = type_of(&path);
            let m = ident(child);
            let doc = Doc::new(format!("Operations under {}.", docs::code(&path.join("."))));
            methods.extend(quote! {
                #doc
                pub fn #m(&self) -> #ty {
                    #ty { client: #client.clone() }
                }
            });
        }
        for op in api.operations.iter().filter(|op| op.namespace == ns) {
            methods.extend(op_method(ctx, op, &client));
        }
        if ns.is_empty() {
            root_methods = methods;
        } else {
            let ty = type_of(ns);
            let doc = Doc::new(format!("Operations under {}, from [`Client`].", docs::code(&ns.join("."))));
            ns_items.push(quote! {
                #doc
                #[derive(Clone, Debug)]
                pub struct #ty {
                    client: apigen_runtime::Client,
                }
                impl #ty {
                    #methods
                }
            });
        }
    }

    // A spec of webhooks alone has no operations, and nothing to import.
    let use_builders = (!ctx.api.operations.is_empty()).then(|| quote! { use crate::builders; });
    quote! {
        #use_builders
        #[allow(unused_imports)]
        use crate::types;

        /// The client: one per application, cheap to clone.
        #[derive(Clone, Debug)]
        pub struct Client {
            raw: apigen_runtime::Client,
        }

        impl From<apigen_runtime::Client> for Client {
            fn from(raw: apigen_runtime::Client) -> Self {
                Client { raw }
            }
        }

        #default_impl

        impl Client {
            /// The base URL the spec names first.
            pub const DEFAULT_BASE_URL: &'static str = #base_url;

            /// A builder to set the base URL, credentials, timeouts or your
            /// own `reqwest::Client`.
            pub fn builder() -> apigen_runtime::ClientBuilder<Self> {
                apigen_runtime::ClientBuilder::new(Self::DEFAULT_BASE_URL, #user_agent)
            }

            #ctors
            #from_env

            /// The runtime client, to send requests the spec does not describe.
            pub fn raw(&self) -> &apigen_runtime::Client {
                &self.raw
            }

            #root_methods
        }

        #(#ns_items)*
    }
}

fn default_base_url(url: Option<&str>) -> String {
    let url = url.unwrap_or("http://localhost").trim_end_matches('/');
    if url.contains("://") {
        url.to_owned()
    } else {
        // A relative server URL is relative to where the document is
        // served; there is no such place here.
        format!("http://localhost{}{url}", if url.starts_with('/') { "" } else { "/" })
    }
}

fn required(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.required)
}

fn body_ty(op: &Operation) -> Option<TokenStream> {
    Some(content_ty(&op.body.as_ref()?.content))
}

fn content_ty(content: &Content) -> TokenStream {
    match content.kind {
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => {
            ty_tokens(content.ty.as_ref().unwrap_or(&Ty::Json), &quote!(types::), &[])
        }
        MediaKind::Text => quote!(String),
        MediaKind::Binary | MediaKind::EventStream | MediaKind::JsonLines => quote!(apigen_runtime::Bytes),
    }
}

/// How a body of this content is put on the request; `v` is a reference.
fn content_send(content: &Content, v: TokenStream) -> TokenStream {
    let mt = &content.media_type;
    match content.kind {
        MediaKind::Json => quote!(request.json(#mt, #v);),
        MediaKind::Form => quote!(request.form(#mt, #v);),
        MediaKind::Multipart => quote!(request.multipart(#v);),
        MediaKind::Text => quote!(request.text(#mt, String::clone(#v));),
        MediaKind::Binary | MediaKind::EventStream | MediaKind::JsonLines => {
            quote!(request.bytes(#mt, apigen_runtime::Bytes::clone(#v));)
        }
    }
}

/// The argument type of a parameter or body: `impl Into<T>`.
fn arg_ty(ctx: &Ctx, ty: &TokenStream, ir: Option<&Ty>) -> TokenStream {
    let _ = ctx;
    match ir {
        Some(Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64) => ty.clone(),
        _ => quote!(impl Into<#ty>),
    }
}

fn into(ir: Option<&Ty>, value: TokenStream) -> TokenStream {
    match ir {
        Some(Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64) => value,
        _ => quote!(#value.into()),
    }
}

fn op_method(ctx: &Ctx, op: &Operation, client: &TokenStream) -> TokenStream {
    let name = ident(&op.method_name);
    let builder = ident(&op.builder);
    let mut args = Vec::new();
    let mut values = Vec::new();
    for p in required(op) {
        let id = ident(&p.ident);
        let ty = ty_tokens(&p.ty, &quote!(types::), &[]);
        let arg = arg_ty(ctx, &ty, Some(&p.ty));
        args.push(quote!(#id: #arg));
        values.push(into(Some(&p.ty), quote!(#id)));
    }
    let doc = op_docs(op);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let Some(body) = op.body.as_ref().filter(|b| b.required) else {
        return quote! {
            #doc
            #deprecated
            pub fn #name(&self #(, #args)*) -> builders::#builder {
                builders::#builder::new(#client.clone() #(, #values)*)
            }
        };
    };
    // A required body: one method per media type the operation accepts.
    let ty = content_ty(&body.content);
    let Some(choice) = &body.choice else {
        return quote! {
            #doc
            #deprecated
            pub fn #name(&self #(, #args)*, body: impl Into<#ty>) -> builders::#builder {
                builders::#builder::new(#client.clone() #(, #values)*, body.into())
            }
        };
    };
    let choice_enum = ident(&choice.enum_name);
    let default_variant = ident(&choice.default_variant);
    let doc = doc.then(Doc::new(format!(
        "Sends the body as {}; see also the methods below for other media types.",
        docs::code(&body.content.media_type)
    )));
    let mut out = quote! {
        #doc
        #deprecated
        pub fn #name(&self #(, #args)*, body: impl Into<#ty>) -> builders::#builder {
            builders::#builder::new(#client.clone() #(, #values)*, builders::#choice_enum::#default_variant(body.into()))
        }
    };
    for alt in &body.alternatives {
        let method = ident(&alt.method_name);
        let variant = ident(&alt.variant);
        let ty = content_ty(&alt.content);
        let doc = Doc::new(format!("[`{}`](Self::{}) with the body sent as {}.", op.method_name, op.method_name, docs::code(&alt.content.media_type)));
        out.extend(quote! {
            #doc
            #deprecated
            pub fn #method(&self #(, #args)*, body: impl Into<#ty>) -> builders::#builder {
                builders::#builder::new(#client.clone() #(, #values)*, builders::#choice_enum::#variant(body.into()))
            }
        });
    }
    out
}

fn op_docs(op: &Operation) -> Doc {
    let line = Doc::new(format!("{} ({})", docs::code(&format!("{} {}", op.http_method, op.path)), docs::code(&op.id)));
    Doc::join([op.summary.as_deref(), op.description.as_deref()]).then(line)
}

pub fn builders_head(ctx: &Ctx) -> TokenStream {
    let uses = (!ctx.api.operations.is_empty()).then(|| quote! { use apigen_runtime::{Error, Request, RequestOptions, Response}; });
    quote! {
        //! One builder per operation: required arguments are given to the
        //! method that makes it, optional ones through its setters; send it
        //! with `.send()`, `.send_with_response()`, or `.await`.
        #![allow(clippy::large_enum_variant)]
        #[allow(unused_imports)]
        use crate::types;
        #uses
    }
}

pub fn builders_len(ctx: &Ctx) -> usize {
    ctx.api.operations.len()
}

/// The builders of the operations in `range`.
pub fn builders_items(ctx: &Ctx, range: std::ops::Range<usize>) -> TokenStream {
    let items = ctx.api.operations[range].iter().map(|op| builder(ctx, op));
    quote!(#(#items)*)
}

fn builder(ctx: &Ctx, op: &Operation) -> TokenStream {
    let name = ident(&op.builder);
    let op_static = ident(&op.static_name);
    let (id, method, path, secured) = (&op.id, &op.http_method, &op.path, op.secured);

    let mut fields = Vec::new();
    let mut ctor_args = Vec::new();
    let mut ctor_inits = Vec::new();
    let mut setters = Vec::new();
    let mut sends = Vec::new();
    for p in &op.params {
        let fid = ident(&p.ident);
        let ty = ty_tokens(&p.ty, &quote!(types::), &[]);
        if p.required {
            fields.push(quote!(#fid: #ty,));
            ctor_args.push(quote!(#fid: #ty));
            ctor_inits.push(quote!(#fid,));
            sends.push(param_send(ctx, p, quote!(&self.#fid)));
        } else {
            fields.push(quote!(#fid: Option<#ty>,));
            ctor_inits.push(quote!(#fid: None,));
            let arg = arg_ty(ctx, &ty, Some(&p.ty));
            let value = into(Some(&p.ty), quote!(value));
            let doc = Doc::join([p.description.as_deref()])
                .or_else(|| Doc::new(format!("The {} {} parameter.", docs::code(&p.name), location_name(p.location))));
            setters.push(quote! {
                #doc
                pub fn #fid(mut self, value: #arg) -> Self {
                    self.#fid = Some(#value);
                    self
                }
            });
            let send = param_send(ctx, p, quote!(value));
            sends.push(quote! {
                if let Some(value) = &self.#fid { #send }
            });
        }
    }
    let mut body_enum = TokenStream::new();
    if let Some(body) = &op.body {
        let (ty, arms) = match &body.choice {
            None => (body_ty(op).expect("a body has a type"), None),
            Some(choice) => {
                // The builder holds whichever body was given, and sends it
                // with its media type.
                let enum_name = ident(&choice.enum_name);
                let all = std::iter::once((&choice.default_variant, &body.content))
                    .chain(body.alternatives.iter().map(|a| (&a.variant, &a.content)));
                let (mut variants, mut arms) = (Vec::new(), Vec::new());
                for (variant, content) in all {
                    let v = ident(variant);
                    let ty = content_ty(content);
                    let doc = Doc::new(format!("Sent as {}.", docs::code(&content.media_type)));
                    variants.push(quote!(#doc #v(#ty),));
                    let send = content_send(content, quote!(value));
                    arms.push(quote!(#enum_name::#v(value) => { #send }));
                }
                let doc = Doc::new(format!("The body of [`{}`], in one of the media types it accepts.", op.builder));
                body_enum = quote! {
                    #doc
                    #[derive(Debug, Clone)]
                    pub(crate) enum #enum_name {
                        #(#variants)*
                    }
                };
                (quote!(#enum_name), Some(arms))
            }
        };
        let send = |v: TokenStream| match &arms {
            None => content_send(&body.content, v),
            Some(arms) => quote!(match #v { #(#arms)* }),
        };
        if body.required {
            fields.push(quote!(body: #ty,));
            ctor_args.push(quote!(body: #ty));
            ctor_inits.push(quote!(body,));
            sends.push(send(quote!(&self.body)));
        } else {
            fields.push(quote!(body: Option<#ty>,));
            ctor_inits.push(quote!(body: None,));
            let doc = Doc::join([body.description.as_deref()]).or_else(|| Doc::new("The request body."));
            match &body.choice {
                None => setters.push(quote! {
                    #doc
                    pub fn body(mut self, value: impl Into<#ty>) -> Self {
                        self.body = Some(value.into());
                        self
                    }
                }),
                Some(choice) => {
                    let enum_name = ident(&choice.enum_name);
                    let default_variant = ident(&choice.default_variant);
                    let default_ty = content_ty(&body.content);
                    let doc = doc.then(Doc::new(format!(
                        "Sent as {}; the setters below send other media types.",
                        docs::code(&body.content.media_type)
                    )));
                    setters.push(quote! {
                        #doc
                        pub fn body(mut self, value: impl Into<#default_ty>) -> Self {
                            self.body = Some(#enum_name::#default_variant(value.into()));
                            self
                        }
                    });
                    for alt in &body.alternatives {
                        let setter = ident(&alt.method_name);
                        let variant = ident(&alt.variant);
                        let alt_ty = content_ty(&alt.content);
                        let doc = Doc::new(format!("The request body, sent as {} (instead of any body set before).", docs::code(&alt.content.media_type)));
                        setters.push(quote! {
                            #doc
                            pub fn #setter(mut self, value: impl Into<#alt_ty>) -> Self {
                                self.body = Some(#enum_name::#variant(value.into()));
                                self
                            }
                        });
                    }
                }
            }
            let s = send(quote!(value));
            sends.push(quote!(if let Some(value) = &self.body { #s }));
        }
    }

    let (out_ty, arms, enum_item) = responses(ctx, op);
    let (error_arms, error_item) = errors(ctx, op);
    let fallback = if error_arms.iter().any(|(default, _)| *default) {
        TokenStream::new()
    } else {
        quote!(_ => raw.error(),)
    };
    let error_arms = error_arms.into_iter().map(|(_, arm)| arm);
    let extras = pagination(op, &out_ty);
    let stream = event_stream(op);
    let lines = json_lines(op);
    let doc = op_docs(op);
    let must_use = "a request does nothing until it is sent with `.send()` or `.await`";
    quote! {
        static #op_static: apigen_runtime::Operation = apigen_runtime::Operation {
            id: #id,
            method: #method,
            path: #path,
            secured: #secured,
        };

        #enum_item
        #error_item
        #body_enum

        #doc
        #[derive(Debug, Clone)]
        #[must_use = #must_use]
        pub struct #name {
            client: apigen_runtime::Client,
            options: RequestOptions,
            #(#fields)*
        }

        impl #name {
            pub(crate) fn new(client: apigen_runtime::Client #(, #ctor_args)*) -> Self {
                Self { client, options: RequestOptions::default(), #(#ctor_inits)* }
            }

            #(#setters)*

            /// Sends the request and returns the response body.
            pub fn send(self) -> apigen_runtime::Sending<#out_ty> {
                self.send_with_response().body()
            }

            /// Sends the request and returns the body with the status and headers.
            pub fn send_with_response(self) -> apigen_runtime::SendingWithResponse<#out_ty> {
                apigen_runtime::send_with_response(self.client.clone(), self.request(), Self::decode)
            }

            /// The request as it will be sent, for inspection or to send
            /// through [`apigen_runtime::Client::send`].
            pub fn request(&self) -> Request {
                let mut request = Request::new(&#op_static);
                #(#sends)*
                request.options(self.options.clone());
                request
            }

            fn decode(raw: apigen_runtime::RawResponse) -> Result<Response<#out_ty>, Error> {
                match raw.status().as_u16() {
                    #(#arms)*
                    #(#error_arms)*
                    #fallback
                }
            }

            #extras
            #stream
            #lines
        }

        impl apigen_runtime::WithOptions for #name {
            fn options_mut(&mut self) -> &mut RequestOptions {
                &mut self.options
            }
        }

        impl std::future::IntoFuture for #name {
            type Output = Result<#out_ty, Error>;
            type IntoFuture = apigen_runtime::Sending<#out_ty>;
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

/// An expression for the value of a page field as `Option<&T>`-like input
/// to `Next`, from `r.body`.
fn next_value(f: &PageField) -> TokenStream {
    let id = ident(&f.ident);
    let is_string = matches!(&f.ty, Ty::String) || matches!(&f.ty, Ty::Option(inner) if **inner == Ty::String);
    match (&f.ty, f.required, is_string) {
        (Ty::Option(_), false, true) => quote!(r.body.#id.as_ref().and_then(|v| v.as_deref())),
        (Ty::Option(_), false, false) => quote!(r.body.#id.flatten()),
        (Ty::Option(_), true, true) | (_, false, true) => quote!(r.body.#id.as_deref()),
        (Ty::Option(_), true, false) | (_, false, false) => quote!(r.body.#id),
        (_, true, true) => quote!(Some(r.body.#id.as_str())),
        (_, true, false) => quote!(Some(r.body.#id)),
    }
}

/// An expression for the items of a page `p`, as a `Vec`.
fn page_items(f: &PageField) -> TokenStream {
    let id = ident(&f.ident);
    match (&f.ty, f.required) {
        (Ty::Option(_), false) => quote!(p.#id.flatten().unwrap_or_default()),
        (Ty::Option(_), true) | (_, false) => quote!(p.#id.unwrap_or_default()),
        (_, true) => quote!(p.#id),
    }
}

fn item_ty(f: &PageField) -> TokenStream {
    let mut ty = &f.ty;
    if let Ty::Option(inner) = ty {
        ty = inner;
    }
    match ty {
        Ty::Vec(inner) => ty_tokens(inner, &quote!(types::), &[]),
        other => ty_tokens(other, &quote!(types::), &[]),
    }
}

/// `pages()` and `items()` for a listing.
fn pagination(op: &Operation, page_ty: &TokenStream) -> TokenStream {
    let Some(p) = &op.pagination else { return TokenStream::new() };
    let (next, items, item) = match p {
        Pagination::NextUrl { next, items } => {
            let v = next_value(next);
            (quote!(apigen_runtime::Next::url(#v)), page_items(items), item_ty(items))
        }
        Pagination::Cursor { param, next, items } => {
            let v = next_value(next);
            (quote!(apigen_runtime::Next::query(#param, #v)), page_items(items), item_ty(items))
        }
        Pagination::LinkHeader => {
            let item = match op.successes().first().map(|(_, d)| d.clone()) {
                Some(Decode::Json(Ty::Vec(inner))) => ty_tokens(&inner, &quote!(types::), &[]),
                _ => return TokenStream::new(),
            };
            (quote!(apigen_runtime::Next::link_header(&r.headers)), quote!(p), item)
        }
    };
    quote! {
        fn next_page(r: &Response<#page_ty>) -> Option<apigen_runtime::Next> {
            #next
        }

        /// Every page of the listing, from this request on, in order.
        pub fn pages(self) -> apigen_runtime::Pages<#page_ty> {
            apigen_runtime::pages(self.client.clone(), self.request(), Self::decode, Self::next_page)
        }

        /// Every item of every page, in order.
        pub fn items(self) -> apigen_runtime::Items<#page_ty, #item> {
            apigen_runtime::items(self.client.clone(), self.request(), Self::decode, Self::next_page, |p| #items)
        }
    }
}

/// `stream()` for a `text/event-stream` response.
fn event_stream(op: &Operation) -> TokenStream {
    let Some(data) = &op.event_stream else { return TokenStream::new() };
    let (ty, parse) = match data {
        Some(ty) => {
            let t = ty_tokens(ty, &quote!(types::), &[]);
            (t.clone(), quote!(|data| serde_json::from_str::<#t>(data)))
        }
        None => (quote!(String), quote!(apigen_runtime::text)),
    };
    quote! {
        /// Sends the request and streams the server-sent events of the
        /// response, resuming with `Last-Event-ID` if the connection drops.
        pub fn stream(self) -> apigen_runtime::BoxStream<Result<apigen_runtime::Event<#ty>, Error>> {
            let mut request = self.request();
            request.header("Accept", "text/event-stream");
            apigen_runtime::events(self.client.clone(), request, #parse)
        }
    }
}

fn json_lines(op: &Operation) -> TokenStream {
    let Some(ty) = &op.json_lines else { return TokenStream::new() };
    let ty = ty_tokens(ty, &quote!(types::), &[]);
    let accept = op
        .responses
        .iter()
        .filter(|r| r.success)
        .flat_map(|r| &r.content)
        .find(|c| c.kind == MediaKind::JsonLines)
        .map(|c| c.media_type.clone())
        .unwrap_or_default();
    quote! {
        /// Sends the request and streams the response as it arrives, one
        /// JSON value per line.
        pub fn lines(self) -> apigen_runtime::BoxStream<Result<#ty, Error>> {
            let mut request = self.request();
            request.header("Accept", #accept);
            apigen_runtime::json_lines(self.client.clone(), request)
        }
    }
}

/// The match arms that decode documented error bodies (flagged when the
/// arm is a catch-all), and the enum of them.
fn errors(ctx: &Ctx, op: &Operation) -> (Vec<(bool, TokenStream)>, TokenStream) {
    let eq = super::partial_eq();
    let Some(enum_name) = &op.error_enum else { return (Vec::new(), TokenStream::new()) };
    let e = ident(enum_name);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut failures: Vec<&crate::ir::Response> = op.responses.iter().filter(|r| !r.success).collect();
    failures.sort_by_key(|r| r.status.rank());
    for r in failures {
        let Some(v) = &r.variant else { continue };
        let ty = r.content.iter().find_map(|c| c.ty.as_ref().filter(|_| c.kind == MediaKind::Json)).expect("lower names typed errors only");
        let v = ident(v);
        let t = ty_tokens(ty, &quote!(types::), &[]);
        let doc = Doc::new(r.description.trim());
        variants.push(quote!(#doc #v(#t),));
        let (default, pat) = match r.status {
            Status::Default => (true, quote!(_)),
            s => (false, status_pattern(s)),
        };
        arms.push((default, quote!(#pat => Err(raw.typed_error::<#t, #e>(#e::#v)),)));
    }
    if !op.defines_error_enum {
        return (arms, TokenStream::new());
    }
    let sharing = ctx.api.operations.iter().filter(|o| o.error_enum.as_deref() == Some(enum_name)).count();
    let whose = match sharing {
        1 => docs::code(&op.id),
        n => format!("{} and {} other operations with the same error responses", docs::code(&op.id), n - 1),
    };
    let doc = Doc::new(format!(
        "The documented error bodies of {whose}; get one from an error with `error.as_api().and_then(|e| e.typed::<{}>())`.",
        enum_name
    ));
    (
        arms,
        quote! {
            #doc
            #[derive(Debug, Clone)]
            #eq
            pub enum #e {
                #(#variants)*
            }
        },
    )
}

fn location_name(l: Location) -> &'static str {
    match l {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
        Location::Cookie => "cookie",
    }
}

/// Whether values of `ty` implement `ParamValue` (scalars and enums).
fn is_scalar(ctx: &Ctx, ty: &Ty) -> bool {
    match crate::ir::unalias(&ctx.api.types, ty) {
        Ty::String | Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Json => true,
        Ty::Named(n) => matches!(
            ctx.api.types.get(n).map(|t| &t.kind),
            Some(TypeKind::StringEnum { .. } | TypeKind::IntegerEnum { .. })
        ),
        _ => false,
    }
}

fn param_send(ctx: &Ctx, p: &Param, value: TokenStream) -> TokenStream {
    let name = &p.name;
    let scalar_value = |v: &TokenStream, ty: &Ty| {
        if is_scalar(ctx, ty) {
            v.clone()
        } else {
            quote!(&apigen_runtime::AsJson(#v))
        }
    };
    match (p.location, &p.ty) {
        (Location::Query, Ty::Vec(inner)) if is_scalar(ctx, inner) => {
            if p.explode {
                quote!(request.query_each(#name, #value);)
            } else {
                let sep = p.separator;
                quote!(request.query_joined(#name, #value, #sep);)
            }
        }
        (Location::Path, ty) => {
            let v = scalar_value(&value, ty);
            quote!(request.path(#name, #v);)
        }
        (Location::Query, _) if p.deep => quote!(request.query_deep(#name, #value);),
        (Location::Query, ty) => {
            let v = scalar_value(&value, ty);
            quote!(request.query(#name, #v);)
        }
        (Location::Header, ty) => {
            let v = scalar_value(&value, ty);
            quote!(request.header(#name, #v);)
        }
        (Location::Cookie, ty) => {
            let v = scalar_value(&value, ty);
            quote!(request.cookie(#name, #v);)
        }
    }
}

fn status_pattern(status: Status) -> TokenStream {
    match status {
        Status::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        Status::Range(r) => {
            let lo = Literal::u16_unsuffixed(r * 100);
            let hi = Literal::u16_unsuffixed(r * 100 + 99);
            quote!(#lo..=#hi)
        }
        Status::Default => quote!(200..=299),
    }
}

fn decode_ty(d: &Decode) -> TokenStream {
    match d {
        Decode::Empty => quote!(()),
        Decode::Untyped => quote!(apigen_runtime::Untyped),
        Decode::Json(ty) => ty_tokens(ty, &quote!(types::), &[]),
        Decode::Text => quote!(String),
        Decode::Bytes => quote!(apigen_runtime::Bytes),
    }
}

fn decode_call(ctx: &Ctx, d: &Decode) -> TokenStream {
    match d {
        Decode::Empty => quote!(raw.empty()),
        Decode::Untyped => quote!(raw.untyped()),
        Decode::Json(ty) => {
            let object = ctx.is_struct(ty);
            let ty = ty_tokens(ty, &quote!(types::), &[]);
            if object {
                quote!(raw.object::<#ty>())
            } else {
                quote!(raw.json::<#ty>())
            }
        }
        Decode::Text => quote!(raw.text()),
        Decode::Bytes => quote!(raw.bytes()),
    }
}

/// The success type, the match arms that decode it, and the enum of
/// success bodies when they differ.
fn responses(ctx: &Ctx, op: &Operation) -> (TokenStream, Vec<TokenStream>, TokenStream) {
    let eq = super::partial_eq();
    let successes = op.successes();
    if successes.is_empty() {
        // The spec lists no success: every 2xx is taken as it comes.
        return (
            quote!(apigen_runtime::Untyped),
            vec![quote!(200..=299 => raw.untyped(),)],
            TokenStream::new(),
        );
    }
    match &op.response_enum {
        None => {
            let d = &successes[0].1;
            let ty = decode_ty(d);
            let call = decode_call(ctx, d);
            let pats = successes.iter().map(|(r, _)| status_pattern(r.status));
            (ty, vec![quote!(#(#pats)|* => #call,)], TokenStream::new())
        }
        Some(enum_name) => {
            let e = ident(enum_name);
            let mut variants = Vec::new();
            let mut arms = Vec::new();
            for (r, d) in &successes {
                let v = ident(r.variant.as_deref().expect("lower names the variants of a response enum"));
                let ty = decode_ty(d);
                let call = decode_call(ctx, d);
                let pat = status_pattern(r.status);
                let doc = Doc::new(r.description.trim());
                variants.push(quote!(#doc #v(#ty),));
                arms.push(quote!(#pat => #call.map(|r| r.map(#e::#v)),));
            }
            let doc = Doc::new(format!("The success responses of {}.", docs::code(&op.id)));
            (
                quote!(#e),
                arms,
                quote! {
                    #doc
                    #[derive(Debug, Clone)]
                    #eq
                    pub enum #e {
                        #(#variants)*
                    }
                },
            )
        }
    }
}
