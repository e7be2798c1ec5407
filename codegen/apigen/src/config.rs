//! The codegen configuration: one entry per generated crate, so that a new
//! API is one more `[[target]]`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::options::Options;
pub use crate::options::{PaginationOverride, PaginationStyle};

/// The codegen configuration (`spec/codegen.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The crates to generate, one per `[[target]]` table.
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

/// One crate to generate. Paths are relative to the repository root.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The upstream document, never edited by hand.
    pub spec: PathBuf,
    /// Overlays applied to the document, in order.
    #[serde(default)]
    pub overlays: Vec<PathBuf>,
    /// The crate directory.
    pub out: PathBuf,
    /// The generated crate's package name (`crate = "replicate"`).
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// The generated crate's version; `0.1.0` when not set.
    #[serde(default = "default_version")]
    pub version: String,
    /// Environment variables `Client::from_env` reads.
    #[serde(default)]
    pub env: Vec<String>,
    /// Hand-written modules of the crate (files in `src/` that the
    /// generator declares but never writes).
    #[serde(default)]
    pub modules: Vec<String>,
    /// Extra `[dependencies]` lines for the hand-written modules.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// How listings continue, where detection from the spec is not enough.
    #[serde(default)]
    pub pagination: Vec<PaginationOverride>,
}

/// The command that regenerates configured targets, named in every
/// generated file's first line.
pub const COMMAND: &str = "cargo xtask codegen";

impl Target {
    /// The generator options for this target, with paths relative to the
    /// root so that output is the same on every machine.
    pub fn options(&self) -> Options {
        let runtime = relative_path(&self.out, Path::new("codegen/runtime"));
        let source = self.spec.display().to_string().replace('\\', "/");
        Options::new(self.crate_name.clone())
            .crate_version(self.version.clone())
            .runtime_path(&runtime)
            .extra_dependencies(self.dependencies.clone())
            .hand_written_modules(self.modules.clone())
            .env(self.env.clone())
            .preamble(crate::output::preamble(COMMAND, &source))
            .pagination(self.pagination.clone())
    }

    /// Generates this target in memory; `root` is the repository root.
    pub fn generate(&self, root: &Path, strict: bool) -> Result<crate::Generated, Error> {
        crate::generate(&self.source(), root, &self.options().strict(strict))
    }

    /// The spec and its overlays.
    pub fn source(&self) -> crate::Source {
        crate::Source {
            spec: self.spec.clone(),
            overlays: self.overlays.clone(),
        }
    }
}

fn default_version() -> String {
    "0.1.0".into()
}

impl Config {
    /// Reads and parses the configuration file at `path`.
    pub fn read(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| Error::Config {
            file: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// The path from directory `from` to `to`, both relative to the same root,
/// with `/` separators whatever the platform, so that generated manifests
/// are the same everywhere.
pub fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("generated-client/replicate"), Path::new("codegen/runtime")),
            "../../codegen/runtime"
        );
        assert_eq!(relative_path(Path::new("a"), Path::new("a/b")), "b");
    }

    #[test]
    fn parses_targets() {
        let c: Config = toml::from_str(
            "[[target]]\nspec = \"spec/x.json\"\nout = \"generated-client/x\"\ncrate = \"x\"\n",
        )
        .unwrap();
        assert_eq!(c.targets[0].crate_name, "x");
        assert_eq!(c.targets[0].version, "0.1.0");
        assert!(toml::from_str::<Config>("[[target]]\nspec = \"a\"\nout = \"b\"\ncrate = \"c\"\nbogus = 1\n").is_err());
    }
}
