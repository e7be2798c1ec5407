//! The generated crate's `Cargo.toml`.

use std::fmt::Write;

use crate::ir::Api;
use crate::options::Options;
use crate::output::toml_str;

pub fn cargo_toml(api: &Api, opts: &Options) -> String {
    let mut out = String::new();
    let description = format!("A typed async client for {}, generated from its OpenAPI document.", api.title.trim());
    let _ = writeln!(out, "# {}", opts.preamble);
    let _ = writeln!(out);
    let _ = writeln!(out, "[package]");
    let _ = writeln!(out, "name = {}", toml_str(&opts.crate_name));
    let _ = writeln!(out, "version = {}", toml_str(&opts.crate_version));
    let _ = writeln!(out, "edition = \"2021\"");
    let _ = writeln!(out, "description = {}", toml_str(&description));
    let _ = writeln!(out, "publish = false");
    let _ = writeln!(out);
    let _ = writeln!(out, "[dependencies]");
    let _ = writeln!(out, "apigen-runtime = {}", opts.runtime_dependency);
    let _ = writeln!(out, "serde = \"1\"");
    let _ = writeln!(out, "serde_json = \"1\"");
    for dep in &opts.extra_dependencies {
        let _ = writeln!(out, "{dep}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "[features]");
    let _ = writeln!(out, "# `PartialEq` for every type of the API: costly to compile, so off unless");
    let _ = writeln!(out, "# asked for (a `[dev-dependencies]` entry with it serves tests alone).");
    let _ = writeln!(out, "partial-eq = []");
    if opts.standalone {
        let _ = writeln!(out);
        let _ = writeln!(out, "[workspace]");
    }
    out
}
