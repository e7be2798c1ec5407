#![forbid(unsafe_code)]
#![warn(missing_docs)]

//! apigen: typed async Rust clients from OpenAPI documents.
//!
//! The pipeline is `load` (bytes to JSON) → `normalize` (JSON to the
//! typed OpenAPI model, plus what that model would drop) → `lower` (to the
//! [`ir`]) → `emit` (Rust tokens, formatted files). [`generate`] runs it
//! all in memory; [`output`] writes or checks the files.

pub mod config;
pub mod diag;
pub mod emit;
mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod normalize;
pub mod options;
pub mod output;
pub mod pointer;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use diag::Diagnostic;
pub use options::Options;
pub use output::File;
pub use error::Error;

/// Everything one run produces, in memory.
#[derive(Debug)]
pub struct Generated {
    /// The crate's files: `Cargo.toml`, then the Rust sources.
    pub files: Vec<File>,
    /// What the generator could not represent or changed, in the order
    /// found.
    pub diagnostics: Vec<Diagnostic>,
    /// The IR the files were printed from, for review ([`ir_yaml`]).
    pub api: ir::Api,
    /// How long each phase took.
    pub timings: Timings,
}

/// Time spent in each phase.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading the document and its overlays, and normalizing it.
    pub load: Duration,
    /// Lowering the document to the IR.
    pub ir: Duration,
    /// Building the Rust token streams, summed over threads.
    pub tokens: Duration,
    /// Parsing and pretty-printing the tokens, summed over threads.
    pub format: Duration,
}

/// Where a document comes from: the spec file and the overlays applied to
/// it, in order. Paths are as messages name them and as they are read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The OpenAPI document, JSON or YAML.
    pub spec: PathBuf,
    /// Overlay documents, applied in order.
    pub overlays: Vec<PathBuf>,
}

impl Source {
    /// A spec with no overlays.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Source {
            spec: spec.into(),
            overlays: Vec::new(),
        }
    }

    /// How messages name the spec.
    pub fn name(&self) -> String {
        self.spec.display().to_string()
    }

    /// The document after every overlay: what the generator reads.
    pub fn effective(&self, root: &Path) -> Result<serde_json::Value, Error> {
        self.effective_with(root, &load::Limits::default())
    }

    /// [`Source::effective`], each file read within `limits`.
    pub fn effective_with(&self, root: &Path, limits: &load::Limits) -> Result<serde_json::Value, Error> {
        let mut doc = load::read_with(&root.join(&self.spec), &self.name(), limits)?;
        for o in &self.overlays {
            let name = o.display().to_string();
            let overlay = load::read_any_with(&root.join(o), &name, limits)?;
            normalize::overlay::apply(&mut doc, &overlay, &name)?;
        }
        Ok(doc)
    }

    /// The document as the generator reads it: after every overlay, the
    /// conversion to OpenAPI 3.0, the repairs and the resolution of
    /// references, each repair in `diags`.
    pub fn normalized(&self, root: &Path, limits: &load::Limits, diags: &mut diag::Diagnostics) -> Result<normalize::Spec, Error> {
        normalize::normalize(self.effective_with(root, limits)?, &self.name(), diags)
    }
}

/// Reads the spec and its overlays (paths relative to `root`) and
/// generates the crate in memory.
pub fn generate(source: &Source, root: &Path, opts: &Options) -> Result<Generated, Error> {
    let start = Instant::now();
    let raw = source.effective_with(root, &opts.limits)?;
    let load_time = start.elapsed();
    let mut out = generate_value(raw, &source.name(), opts)?;
    out.timings.load += load_time;
    Ok(out)
}

/// Generates the crate from one spec file with no overlays.
pub fn generate_file(path: &Path, name: &str, opts: &Options) -> Result<Generated, Error> {
    let start = Instant::now();
    let raw = load::read_with(path, name, &opts.limits)?;
    let load_time = start.elapsed();
    let mut out = generate_value(raw, name, opts)?;
    out.timings.load += load_time;
    Ok(out)
}

/// Generates the crate from a parsed document.
pub fn generate_value(raw: serde_json::Value, name: &str, opts: &Options) -> Result<Generated, Error> {
    let mut timings = Timings::default();
    let start = Instant::now();
    let mut diags = diag::Diagnostics::default();
    let spec = normalize::normalize(raw, name, &mut diags)?;
    timings.load += start.elapsed();
    let start = Instant::now();
    let api = lower::lower(&spec, opts, &mut diags);
    timings.ir += start.elapsed();
    let diagnostics = diags.into_vec();
    if opts.strict && !diagnostics.is_empty() {
        return Err(Error::Strict {
            file: name.to_owned(),
            diagnostics,
        });
    }
    let mut emit_timings = emit::Timings::default();
    let files = emit::emit(&api, opts, &mut emit_timings).map_err(|message| Error::Invalid {
        file: name.to_owned(),
        pointer: String::new(),
        message,
    })?;
    timings.tokens = emit_timings.tokens;
    timings.format = emit_timings.format;
    Ok(Generated {
        files,
        diagnostics,
        api,
        timings,
    })
}

/// The IR as YAML, for review and snapshots.
pub fn ir_yaml(api: &ir::Api) -> String {
    // Through a JSON value: serde_yaml cannot write nested enums directly.
    let value = serde_json::to_value(api).expect("the IR serializes");
    serde_yaml::to_string(&value).expect("a JSON value serializes as YAML")
}
