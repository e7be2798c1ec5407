//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use apigen::config::{Config, Target};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the root").to_path_buf()
}

/// A target of `spec/codegen.toml`, by crate name.
pub fn target(crate_name: &str) -> Target {
    let config = Config::read(&root().join("spec/codegen.toml")).expect("the codegen config reads");
    config
        .targets
        .into_iter()
        .find(|t| t.crate_name == crate_name)
        .unwrap_or_else(|| panic!("no target `{crate_name}` in spec/codegen.toml"))
}

/// Generates a configured crate in memory, as `cargo xtask codegen` does.
pub fn generate(crate_name: &str) -> apigen::Generated {
    target(crate_name).generate(&root(), false).expect("the spec generates")
}

/// A client for the mock server, with a known token.
pub fn replicate_client(server: &wiremock::MockServer) -> replicate::Client {
    replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_test_token")
        .build()
        .expect("client builds")
}

/// The README's examples, compiled as doctests.
#[doc = include_str!("../../README.md")]
#[allow(dead_code)]
mod readme {}

/// Reads a fixture under `tests/fixtures`.
pub fn fixture(path: &str) -> serde_json::Value {
    let p = root().join("tests/fixtures").join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
