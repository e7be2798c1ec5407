//! Project automation: `cargo xtask <command>`.
//!
//! - `codegen [--check] [--strict]`: regenerate every crate in
//!   `spec/codegen.toml`, or check that the committed ones are fresh.
//! - `spec <crate>`: print a target's document after its overlays.
//! - `corpus [DIR]`: generate and `cargo check` a crate per spec in DIR.
//! - `bench`: generation speed and memory, compile time of the output.
//! - `prism [--port N]`: Prism serving the Replicate spec, in the foreground.
//! - `test`: everything CI runs, with Prism running for `tests/tests/prism.rs`.

mod bench;
mod codegen;
mod corpus;
mod doctests;
mod fuzz;
mod prism;
mod progenitor;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

// Generation allocates and frees millions of small strings and token
// trees: under glibc's malloc, malloc and free were a third of a profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&root, &args[1..]),
        Some("test") => test(&root, &args[1..]),
        Some("spec") => codegen::print_spec(&root, &args[1..]),
        Some("corpus") => corpus::run(&root, &args[1..]),
        Some("bench") => bench::run(&root, &args[1..]),
        Some("bench-rss") => bench::rss_probe(&root, &args[1..]),
        Some("corpus-gen") => corpus::gen_probe(&args[1..]),
        Some("prism") => prism::run(&root, &args[1..]),
        Some("fuzz") => fuzz::run(&root, &args[1..]),
        _ => Err("usage: cargo xtask <command>\n\ncommands:\n  codegen [--check] [--strict]   regenerate the crates in spec/codegen.toml\n  spec <crate>                   print a target's spec after its overlays\n  corpus [--no-check] [DIR...]   generate and check a crate for every spec in DIR (../shared/specs,\n                                 tests/specs/real), with typed coverage; --no-check: generate only\n  bench [--runs N] [--compile-runs N] [--no-compile] [--no-runtime] [--progenitor] [NAME...|FILE...]\n                                 generation speed, memory, and compile time of the output:\n                                 the built-in specs whose names contain NAME, or spec FILEs;\n                                 --progenitor: the same for progenitor, side by side\n  fuzz [TARGET] [--minutes N]    fuzz the generator: generate, mutate, or both (N=15 each)\n  prism [--port N]               serve the Replicate spec with Prism, in the foreground\n  test                           run every test, as CI does (installs and starts Prism)".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root: the parent of this crate.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository root")
        .to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

fn test(root: &Path, args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!("`cargo xtask test` takes no arguments, got {args:?}"));
    }
    codegen::run(root, &["--check".to_owned()])?;
    // Clippy comes with the toolchain's default profile; a toolchain
    // without it says so instead of passing in silence.
    let clippy = cargo().args(["clippy", "--version"]).output().is_ok_and(|o| o.status.success());
    if clippy {
        run(cargo().current_dir(root).args(["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"]))?;
    } else {
        eprintln!("clippy: SKIPPED, not installed (rustup component add clippy)");
    }
    // The libraries' documentation, with its links, builds clean.
    run(cargo()
        .current_dir(root)
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--quiet", "--no-deps", "-p", "apigen", "-p", "apigen-runtime"]))?;
    // Stopped when dropped: on success, on failure and on panic.
    let prism = prism::Prism::start(root)?;
    // The tests that need Prism or `../shared` are `#[ignore]`d, so that a
    // plain `cargo test` reports them as not run; here both are present.
    run(cargo()
        .current_dir(root)
        .env("PRISM_URL", prism.url())
        .args(["test", "--workspace", "--all-targets", "--", "--include-ignored"]))?;
    run(cargo().current_dir(root).env("PRISM_URL", prism.url()).args(["test", "--workspace", "--doc"]))?;
    drop(prism);
    // A few real specs (vendored) and the tests' own, compiled: the whole
    // corpus is `cargo xtask corpus`.
    corpus::run(root, &[root.join("tests/specs/corpus").display().to_string(), root.join("tests/specs").display().to_string()])?;
    doctests::run(root)
}
