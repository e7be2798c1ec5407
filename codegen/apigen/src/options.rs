//! The options of one run: how the crate is put together and how strict
//! the generator is. A leaf module: it names no other layer, so that
//! `config`, `emit`, `output` and every caller depend on it and not on
//! each other.

use serde::Deserialize;

/// The version of `apigen-runtime` this generator writes code for. The
/// runtime and the generator are released together, so generated crates
/// depend on the runtime of the generator's own version.
pub const RUNTIME_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything about a run but the spec itself. Build one with
/// [`Options::new`] and the setters; every field has a default.
///
/// ```
/// let opts = apigen::Options::new("petstore")
///     .crate_version("1.2.0")
///     .env(["PETSTORE_TOKEN"])
///     .strict(true);
/// assert_eq!(opts.crate_name, "petstore");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The crate's name (`my-client`).
    pub crate_name: String,
    /// The crate's version.
    pub crate_version: String,
    /// The TOML value of the `apigen-runtime` dependency, e.g. `"0.1.0"`
    /// or `{ version = "0.1.0", path = "../../codegen/runtime" }`.
    pub runtime_dependency: String,
    /// Extra `[dependencies]` lines, for hand-written modules.
    pub extra_dependencies: Vec<String>,
    /// Hand-written modules of the crate, declared by the generated
    /// `lib.rs` and never written by the generator.
    pub hand_written_modules: Vec<String>,
    /// Environment variables `Client::from_env` reads: one for a token or
    /// key, two (user, password) for Basic auth. Empty: derived from the
    /// crate name.
    pub env: Vec<String>,
    /// The first line of every generated file, without comment marker.
    pub preamble: String,
    /// Adds an empty `[workspace]` table, for a crate built on its own.
    pub standalone: bool,
    /// Pagination set by hand, over what is detected.
    pub pagination: Vec<PaginationOverride>,
    /// Diagnostics are errors.
    pub strict: bool,
    /// What reading the document may cost.
    pub limits: crate::load::Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options::new("client")
    }
}

impl Options {
    /// The defaults for a crate called `crate_name`: version 0.1.0, the
    /// runtime by version, no hand-written modules, lenient.
    pub fn new(crate_name: impl Into<String>) -> Self {
        Options {
            crate_name: crate_name.into(),
            crate_version: "0.1.0".into(),
            runtime_dependency: format!("\"{RUNTIME_VERSION}\""),
            extra_dependencies: Vec::new(),
            hand_written_modules: Vec::new(),
            env: Vec::new(),
            preamble: crate::output::preamble("apigen", "the OpenAPI document"),
            standalone: false,
            pagination: Vec::new(),
            strict: false,
            limits: crate::load::Limits::default(),
        }
    }

    /// Sets what reading the document may cost.
    pub fn limits(mut self, limits: crate::load::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the crate's version.
    pub fn crate_version(mut self, version: impl Into<String>) -> Self {
        self.crate_version = version.into();
        self
    }

    /// Sets the runtime dependency's TOML value as written.
    pub fn runtime_dependency(mut self, toml_value: impl Into<String>) -> Self {
        self.runtime_dependency = toml_value.into();
        self
    }

    /// Depends on the runtime at `path` (relative to the crate, or
    /// absolute), with the runtime's version beside it, as cargo allows:
    /// the crate builds from the path and publishes with the version.
    pub fn runtime_path(mut self, path: &str) -> Self {
        self.runtime_dependency = format!(
            "{{ version = \"{RUNTIME_VERSION}\", path = {} }}",
            crate::output::toml_str(&path.replace('\\', "/"))
        );
        self
    }

    /// Adds `[dependencies]` lines for hand-written modules.
    pub fn extra_dependencies<I: IntoIterator<Item = S>, S: Into<String>>(mut self, lines: I) -> Self {
        self.extra_dependencies.extend(lines.into_iter().map(Into::into));
        self
    }

    /// Declares hand-written modules of the crate.
    pub fn hand_written_modules<I: IntoIterator<Item = S>, S: Into<String>>(mut self, modules: I) -> Self {
        self.hand_written_modules.extend(modules.into_iter().map(Into::into));
        self
    }

    /// Sets the environment variables `Client::from_env` reads.
    pub fn env<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.env = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the first line of every generated file (without `//`).
    pub fn preamble(mut self, line: impl Into<String>) -> Self {
        self.preamble = line.into();
        self
    }

    /// Makes the crate its own workspace root.
    pub fn standalone(mut self, standalone: bool) -> Self {
        self.standalone = standalone;
        self
    }

    /// Sets pagination by hand for some operations.
    pub fn pagination(mut self, overrides: Vec<PaginationOverride>) -> Self {
        self.pagination = overrides;
        self
    }

    /// Makes diagnostics errors.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}

/// The pagination of one operation, set by hand.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationOverride {
    /// The `operationId` (or the generated id of an operation without one).
    pub operation: String,
    /// How the listing continues.
    pub style: PaginationStyle,
    /// The query parameter a cursor goes back in (`cursor` style).
    #[serde(default)]
    pub param: Option<String>,
    /// The response member with the next URL or cursor.
    #[serde(default)]
    pub next: Option<String>,
    /// The response member with the items (`next_url` and `cursor`).
    #[serde(default)]
    pub items: Option<String>,
}

/// How a listing continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaginationStyle {
    /// A response member holds the next page's URL.
    NextUrl,
    /// A response member holds a cursor that goes back as a query parameter.
    Cursor,
    /// The `Link` header names the next page.
    LinkHeader,
    /// Not a listing to follow, whatever detection says.
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_version_is_the_runtimes() {
        let manifest = include_str!("../../runtime/Cargo.toml");
        let line = format!("version = \"{RUNTIME_VERSION}\"");
        assert!(manifest.lines().any(|l| l.trim() == line), "codegen/runtime/Cargo.toml must say {line}");
    }

    #[test]
    fn setters_and_defaults() {
        let o = Options::new("x").runtime_path("../rt").strict(true);
        assert_eq!(o.runtime_dependency, format!("{{ version = \"{RUNTIME_VERSION}\", path = \"../rt\" }}"));
        assert!(o.strict);
        assert_eq!(Options::default().crate_name, "client");
        assert_eq!(Options::default().runtime_dependency, format!("\"{RUNTIME_VERSION}\""));
    }
}
