//! `cargo xtask fuzz [TARGET] [--minutes N]`: the cargo-fuzz targets of
//! `fuzz/`, each for N minutes (every target in turn when none is named).
//!
//! cargo-fuzz needs nightly flags; `RUSTC_BOOTSTRAP=1` lets a stable
//! toolchain take them. The sanitizer is off (`-s none`): the generator is
//! safe Rust, so AddressSanitizer finds nothing there and runs it about
//! five times slower; what the targets look for is panics and output that
//! does not parse.

use std::path::{Path, PathBuf};

/// The targets, with what libFuzzer needs beyond the corpus.
const TARGETS: &[(&str, &[&str])] = &[
    // Raw bytes: a dictionary of OpenAPI words gets past the parsers.
    ("generate", &["-dict=generate.dict"]),
    // Bytes are decisions (which seed, which mutations): long inputs from
    // the start, since a few bytes choose nothing interesting.
    ("mutate", &["-max_len=1024", "-len_control=0"]),
];

/// Seeds of the `generate` corpus: the specs of this repository, the small
/// ones of the shared corpus (the large ones take seconds per run), and
/// every input that once broke the generator.
const SEED_FILES: &[&str] = &["tests/specs/features.yaml", "spec/scenario/openapi.yaml", "spec/replicate/openapi.json"];
const SHARED_SEEDS: &[&str] = &[
    "petstore3.yaml",
    "oai-petstore-expanded-v2.yaml",
    "oai-webhook-example.yaml",
    "progenitor-keeper.json",
    "progenitor-buildomat.json",
    "progenitor-propolis.json",
    "hf-tgi.json",
];
const REGRESSIONS: &str = "codegen/apigen/tests/fuzz-regressions";

const USAGE: &str = "usage: cargo xtask fuzz [generate|mutate] [--minutes N]";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut targets: Vec<&str> = Vec::new();
    let mut minutes: u64 = 15;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--minutes" => {
                minutes = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or(format!("--minutes takes a positive number\n{USAGE}"))?;
            }
            other => match TARGETS.iter().find(|(name, _)| *name == other) {
                Some((name, _)) => targets.push(name),
                None => return Err(format!("unknown argument `{other}`\n{USAGE}")),
            },
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|(name, _)| *name).collect();
    }
    install()?;
    let fuzz_dir = root.join("fuzz");
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        if target == "generate" {
            seed(root, &corpus)?;
        }
        let extra = TARGETS.iter().find(|(name, _)| *name == target).map_or(&[][..], |(_, extra)| *extra);
        let mut cmd = crate::cargo();
        cmd.current_dir(&fuzz_dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "-s", "none", target])
            .arg(format!("corpus/{target}"))
            .arg("--")
            .arg(format!("-max_total_time={}", minutes * 60))
            // A small spec that takes this long is a bug of its own (the
            // margin is for a machine busy with other work).
            .arg("-timeout=120")
            .args(extra);
        crate::run(&mut cmd).map_err(|e| {
            format!("{e}\nthe failing input is in fuzz/artifacts/{target}/; see README.md (Fuzzing) for how to keep it as a regression test")
        })?;
    }
    Ok(())
}

/// cargo-fuzz, installed from crates.io when `cargo fuzz` is not there.
fn install() -> Result<(), String> {
    let present = crate::cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    crate::run(crate::cargo().args(["install", "cargo-fuzz", "--locked"]))
}

/// Copies the seed specs into the corpus; files already there are kept,
/// and a missing shared corpus only means fewer seeds.
fn seed(root: &Path, corpus: &Path) -> Result<(), String> {
    let mut sources: Vec<PathBuf> = SEED_FILES.iter().map(|f| root.join(f)).collect();
    let shared = root.join("../shared/specs");
    sources.extend(SHARED_SEEDS.iter().map(|f| shared.join(f)).filter(|p| p.exists()));
    if let Ok(entries) = std::fs::read_dir(root.join(REGRESSIONS)) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        sources.extend(files);
    }
    for src in sources {
        // Named after where they come from, so that two `openapi.yaml`s do
        // not overwrite each other.
        let rel = src.strip_prefix(root).unwrap_or(&src).display().to_string();
        let name = format!("seed-{}", rel.replace(['/', '\\'], "_").trim_start_matches(".._"));
        let dst = corpus.join(name);
        if dst.exists() {
            continue;
        }
        let bytes = std::fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
        std::fs::write(&dst, bytes).map_err(|e| format!("{}: {e}", dst.display()))?;
    }
    Ok(())
}
