//! `cargo xtask bench --progenitor`: the same measurements, in the same
//! run, for oxidecomputer/progenitor's `cargo progenitor`, so that the two
//! generators are compared on one machine at one hour, on any specs.
//!
//! progenitor is installed from crates.io at a pinned version into
//! `target/bench/tools`, and its crates are built in a workspace of their
//! own (`target/bench/progenitor`), since their dependencies are not ours.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};

/// The version measured; a new one is a deliberate change of the baseline.
pub const VERSION: &str = "0.15.1";

/// The installed `cargo-progenitor`, installed first if it is not there.
pub fn install(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/bench/tools");
    let exe = tools.join("bin/cargo-progenitor");
    // Its own `--version` is the version of the crate to generate.
    let installed = exe.exists()
        && crate::cargo()
            .args(["install", "--list", "--root"])
            .arg(&tools)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("cargo-progenitor v{VERSION}:")))
            .unwrap_or(false);
    if !installed {
        eprintln!("installing cargo-progenitor {VERSION} into {}", tools.display());
        let status = crate::cargo()
            .args(["install", "--quiet", "--locked", "--force", "--root"])
            .arg(&tools)
            .arg(format!("cargo-progenitor@{VERSION}"))
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cargo install cargo-progenitor@{VERSION} failed: {status}"));
        }
    }
    Ok(exe)
}

/// What progenitor makes of one spec: the time of its command (median of
/// `runs`), the size of its crate, and that crate's check and build times.
/// A spec progenitor refuses gives `{"error": ...}` with its first line.
pub fn measure(exe: &Path, root: &Path, spec: &Path, name: &str, runs: usize, compile_runs: Option<usize>) -> Result<Value, String> {
    let work = root.join("target/bench/progenitor");
    let crate_name = crate::corpus::crate_name("progenitor", name);
    let out = work.join("crates").join(&crate_name);
    let mut times = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&out);
        let start = Instant::now();
        let result = Command::new(exe)
            .args(["progenitor", "--version", "0.1.0", "--name", &crate_name, "--input"])
            .arg(spec)
            .arg("--output")
            .arg(&out)
            .env("RUST_BACKTRACE", "0")
            .output()
            .map_err(|e| e.to_string())?;
        let elapsed = start.elapsed();
        if !result.status.success() {
            let _ = std::fs::remove_dir_all(&out);
            // It prints what it failed on to stdout, and a summary to stderr.
            let text = format!("{}\n{}", String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
            let reason = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("---") && !l.starts_with("note:") && !l.starts_with("thread "))
                .unwrap_or("no message")
                .to_owned();
            return Ok(json!({ "error": reason }));
        }
        times.push(elapsed.as_secs_f64() * 1000.0);
    }
    let code = std::fs::read_to_string(out.join("src/lib.rs")).map_err(|e| format!("{}: {e}", out.display()))?;
    // The positional interface gives one `pub async fn` per operation it
    // keeps, and `()` for a response it types as having no body.
    let operations = code.matches("pub async fn ").count();
    let mut row = json!({
        "generate_ms": crate::bench::median(times),
        "lines": code.lines().count(),
        "bytes": code.len(),
        "operations": operations,
        "unit_responses": code.matches("Result<ResponseValue<()>,").count(),
    });
    if let Some(runs) = compile_runs {
        let (check, build) = crate::bench::compile_times(&work, None, &crate_name, runs)?;
        row["check_s"] = json!(check);
        row["build_s"] = json!(build);
        row["build_ms_per_operation"] = json!(build * 1000.0 / operations.max(1) as f64);
    }
    Ok(row)
}

/// Our CLI timed as progenitor's is: a process from start to its written
/// crate, so that start-up and writing count on both sides.
pub fn time_cli(cli: &Path, root: &Path, spec: &apigen::Source, name: &str, runs: usize) -> Result<f64, String> {
    let out = root.join("target/bench/cli").join(crate::corpus::crate_name("cli", name));
    let mut times = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&out);
        let mut cmd = Command::new(cli);
        cmd.arg("--spec").arg(&spec.spec);
        for overlay in &spec.overlays {
            cmd.arg("--overlay").arg(overlay);
        }
        cmd.args(["--standalone", "--crate-name", "cli-bench", "--out"]).arg(&out);
        let start = Instant::now();
        let result = cmd.output().map_err(|e| e.to_string())?;
        let elapsed = start.elapsed();
        if !result.status.success() {
            return Err(format!("apigen on {name}: {}", String::from_utf8_lossy(&result.stderr)));
        }
        times.push(elapsed.as_secs_f64() * 1000.0);
    }
    Ok(crate::bench::median(times))
}

/// The side-by-side table, after the main one: each cell is ours, then
/// progenitor's.
pub fn print_table(rows: &[Value]) {
    println!();
    println!("ours / progenitor");
    println!(
        "{:<40} {:>13} {:>17} {:>11} {:>9} {:>11} {:>11} {:>13}",
        "spec", "gen ms (cli)", "lines", "ops", "() resp.", "check s", "build s", "build ms/op"
    );
    let rows = rows.iter().flat_map(|r| {
        let name = r["spec"].as_str().unwrap_or("").to_owned();
        [("progenitor", name.clone()), ("progenitor_seed", format!("{name}, progenitor on the spec alone"))]
            .into_iter()
            .filter_map(move |(key, label)| r.get(key).map(|p| (r, p, label)))
    });
    for (r, p, label) in rows {
        let f = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
        if let Some(error) = p.get("error").and_then(Value::as_str) {
            println!("{label:<40} {:>6.0} / –   progenitor failed: {error}", f(r, "cli_generate_ms"));
            continue;
        }
        let pair = |k: &str, digits: usize| format!("{:.*} / {:.*}", digits, f(r, k), digits, f(p, k));
        println!(
            "{label:<40} {:>13} {:>17} {:>11} {:>9} {:>11} {:>11} {:>13}",
            format!("{:.0} / {:.0}", f(r, "cli_generate_ms"), f(p, "generate_ms")),
            pair("lines", 0),
            pair("operations", 0),
            pair("unit_responses", 0),
            pair("check_s", 1),
            pair("build_s", 1),
            pair("build_ms_per_operation", 0),
        );
    }
}

/// The document both generators read: the spec file itself, or, for a
/// spec with overlays, the document after them, written out as JSON, so
/// that progenitor types the same bodies ours does.
pub fn effective_spec(root: &Path, source: &apigen::Source, name: &str) -> Result<PathBuf, String> {
    if source.overlays.is_empty() {
        return Ok(source.spec.clone());
    }
    let doc = source.effective(root).map_err(|e| e.to_string())?;
    let path = root.join("target/bench/progenitor/specs").join(format!("{}.json", crate::corpus::crate_name("effective", name)));
    std::fs::create_dir_all(path.parent().expect("a file in a directory")).map_err(|e| e.to_string())?;
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("a document serializes")).map_err(|e| e.to_string())?;
    Ok(path)
}
