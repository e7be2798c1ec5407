//! Printing the IR as a crate: Rust through `quote`, parsed by `syn` and
//! formatted by `prettyplease`; the manifest as plain text.
//!
//! Emitting never decides: every name, box and variant is read from the
//! IR as `lower` chose it, and nothing here reads the document.

mod client;
pub mod docs;
mod manifest;
mod types;

use std::ops::Range;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Api, Ty, TypeKind};
use crate::options::Options;
use crate::output::File;

/// Phases of printing, for benchmarks: time summed over the threads that
/// print the files in parallel.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Building the token streams from the IR.
    pub tokens: std::time::Duration,
    /// Parsing the tokens with `syn` and printing them with `prettyplease`.
    pub format: std::time::Duration,
}

/// A Rust file to generate: its head (inner attributes, `use`s, or the
/// whole file), then its items, built and printed in chunks.
struct Unit {
    path: &'static str,
    head: fn(&Ctx) -> TokenStream,
    len: fn(&Ctx) -> usize,
    items: fn(&Ctx, Range<usize>) -> TokenStream,
}

/// Items per chunk: fixed, so that the output never depends on the
/// machine; small enough that the largest file of a large spec spreads
/// over every core.
const CHUNK: usize = 16;

fn no_items(_: &Ctx) -> usize {
    0
}

fn nothing(_: &Ctx, _: Range<usize>) -> TokenStream {
    TokenStream::new()
}

/// Prints the crate from the IR: `Cargo.toml`, `src/lib.rs`,
/// `src/client.rs`, `src/builders.rs` and `src/types.rs`. The error says
/// which file's generated code does not parse.
pub fn emit(api: &Api, opts: &Options, timings: &mut Timings) -> Result<Vec<File>, String> {
    let ctx = Ctx::new(api, opts);
    let units = [
        Unit { path: "src/lib.rs", head: client::lib_rs, len: no_items, items: nothing },
        Unit { path: "src/client.rs", head: client::client_rs, len: no_items, items: nothing },
        Unit { path: "src/builders.rs", head: client::builders_head, len: client::builders_len, items: client::builders_items },
        Unit { path: "src/types.rs", head: types::types_head, len: types::types_len, items: types::types_items },
    ];
    // Chunk `i` of a file: its head first, if `i` is 0, then its items.
    let mut jobs: Vec<(usize, Range<usize>)> = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        // A file with no items still has its head: one chunk, `0..0`.
        let len = (unit.len)(&ctx);
        jobs.extend((0..len.max(1)).step_by(CHUNK).map(|start| (u, start..(start + CHUNK).min(len))));
    }
    // Building, parsing and printing the code dominate generation, and the
    // chunks are independent: threads take them in turn (token streams
    // cannot cross threads, so each chunk is built where it is printed).
    // The output does not depend on scheduling: chunks are joined in order.
    let ctx = &ctx;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len()).max(1);
    let mut printed: Vec<(usize, Printed)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((u, range)) = jobs.get(j) else { break };
                        done.push((j, print_chunk(ctx, &units[*u], range.clone())));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| vec![(0, Err("formatting panicked".into()))]))
            .collect()
    });
    printed.sort_by_key(|(j, _)| *j);
    let mut bodies: Vec<String> = vec![String::new(); units.len()];
    for (j, result) in printed {
        let (text, t) = result?;
        timings.tokens += t.tokens;
        timings.format += t.format;
        let body = &mut bodies[jobs[j].0];
        // Items are kept apart by a blank line, across chunks as within.
        if !body.is_empty() && !text.is_empty() {
            body.push('\n');
        }
        body.push_str(&text);
    }
    let mut files = vec![File {
        path: "Cargo.toml".into(),
        contents: manifest::cargo_toml(api, opts),
    }];
    for (unit, body) in units.iter().zip(bodies) {
        files.push(File {
            path: unit.path.into(),
            contents: format!("// {}\n\n{body}", ctx.opts.preamble),
        });
    }
    Ok(files)
}

/// A chunk's text and what it took, or why its code does not parse.
type Printed = Result<(String, Timings), String>;

fn print_chunk(ctx: &Ctx, unit: &Unit, range: Range<usize>) -> Printed {
    let start = std::time::Instant::now();
    let mut tokens = if range.start == 0 { (unit.head)(ctx) } else { TokenStream::new() };
    if !range.is_empty() {
        tokens.extend((unit.items)(ctx, range));
    }
    let built = start.elapsed();
    let start = std::time::Instant::now();
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("{}: generated code does not parse: {e}", unit.path))?;
    let text = space_items(&without_bare_cr(prettyplease::unparse(&file)));
    Ok((text, Timings { tokens: built, format: start.elapsed() }))
}

/// prettyplease prints a `#[doc]` string as a `///` or `/** */` comment,
/// and Rust refuses a carriage return not followed by a line feed in a
/// comment; a spec may have one in any string that reaches the docs (a
/// title, an operationId, a path, a description). String literals are
/// printed escaped, so a raw CR can only be in a comment: a space there
/// keeps the words apart.
fn without_bare_cr(src: String) -> String {
    if !src.contains('\r') {
        return src;
    }
    src.replace("\r\n", "\n").replace('\r', " ")
}

/// `PartialEq` for a generated type, behind the crate's `partial-eq`
/// feature: on an API's hundreds of types it is the most expensive derive
/// to compile (about half of a debug build of the Oxide spec's crate), and
/// most code never compares whole bodies. Open enums always have it.
pub(crate) fn partial_eq() -> TokenStream {
    quote!(#[cfg_attr(feature = "partial-eq", derive(PartialEq))])
}

/// Puts a blank line between items, which prettyplease does not, so that
/// the generated files read like hand-written ones.
fn space_items(src: &str) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = String::with_capacity(src.len() + src.len() / 16);
    let indent = |l: &str| l.len() - l.trim_start().len();
    let is_use = |t: &str| ["use ", "pub use ", "mod ", "pub mod "].iter().any(|p| t.starts_with(p));
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(i + 1) else { continue };
        let (t, nt) = (line.trim(), next.trim());
        if nt.is_empty() || nt.starts_with('}') || t.starts_with("//") && !t.starts_with("//!") || indent(next) != indent(line) {
            continue;
        }
        let closes_item = (t == "}" || t == "};") && indent(line) <= 4;
        let ends_statement = indent(line) == 0 && t.ends_with(';') && !t.starts_with("//") && !(is_use(t) && is_use(nt));
        let ends_inner_attrs = (t.starts_with("#![") || t.starts_with("//!")) && !(nt.starts_with("#![") || nt.starts_with("//!"));
        if closes_item || ends_statement || ends_inner_attrs {
            out.push('\n');
        }
    }
    out
}

/// What every printer needs: the IR and the options.
pub(crate) struct Ctx<'a> {
    pub api: &'a Api,
    pub opts: &'a Options,
}

impl<'a> Ctx<'a> {
    fn new(api: &'a Api, opts: &'a Options) -> Self {
        Ctx { api, opts }
    }

    /// Whether `ty` is a generated struct (through aliases), which
    /// implements `apigen_runtime::object::FromMembers`.
    pub fn is_struct(&self, ty: &Ty) -> bool {
        match crate::ir::unalias(&self.api.types, ty) {
            Ty::Named(name) => matches!(self.api.types.get(name).map(|t| &t.kind), Some(TypeKind::Struct { .. })),
            _ => false,
        }
    }

    pub fn crate_ident(&self) -> Ident {
        format_ident!("{}", self.opts.crate_name.replace('-', "_"))
    }
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type of `ty`. `types` is the path prefix of named types
/// (empty inside the types module); `boxed` lists the named types to box,
/// those of the owning type's [`TypeDef::boxed`](crate::ir::TypeDef::boxed).
pub(crate) fn ty_tokens(ty: &Ty, types: &TokenStream, boxed: &[String]) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::Json => quote!(serde_json::Value),
        Ty::JsonObject => quote!(serde_json::Map<String, serde_json::Value>),
        Ty::Bytes => quote!(apigen_runtime::Bytes),
        Ty::File => quote!(apigen_runtime::File),
        Ty::Vec(inner) => {
            let inner = ty_tokens(inner, types, &[]);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty_tokens(inner, types, &[]);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = ty_tokens(inner, types, boxed);
            quote!(Option<#inner>)
        }
        Ty::Named(name) => {
            let id = ident(name);
            if boxed.contains(name) {
                quote!(Box<#types #id>)
            } else {
                quote!(#types #id)
            }
        }
    }
}
