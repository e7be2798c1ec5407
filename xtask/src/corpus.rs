//! `cargo xtask corpus [DIR]`: a crate for every spec in DIR, each checked
//! with `cargo check`, and how much of each spec came out as code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

/// One spec's row.
struct Row {
    name: String,
    ops_in_spec: usize,
    ops_generated: usize,
    diagnostics: usize,
    generate_ms: f64,
    error: Option<String>,
    check_ok: bool,
    check_s: f64,
    warnings: usize,
    check_output: String,
    /// A second generation gave the same bytes; `None` when not compared
    /// (`--no-check`).
    deterministic: Option<bool>,
    /// Positions typed, free-form and untyped.
    coverage: apigen::ir::Coverage,
}

/// Every method key of every path item, custom ones included: what the
/// spec has, whatever the generator makes of it.
pub fn count_operations(doc: &Value) -> usize {
    const NOT_METHODS: &[&str] = &["$ref", "summary", "description", "servers", "parameters"];
    let count = |items: Option<&Value>| {
        items
            .and_then(Value::as_object)
            .map(|m| {
                m.values()
                    .filter_map(|item| {
                        // A path item by reference counts what it names.
                        let target = item.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#'));
                        target.and_then(|p| doc.pointer(p)).unwrap_or(item).as_object()
                    })
                    .map(|item| {
                        item.iter()
                            .filter(|(k, v)| !k.starts_with("x-") && !NOT_METHODS.contains(&k.as_str()) && v.is_object())
                            .count()
                    })
                    .sum::<usize>()
            })
            .unwrap_or(0)
    };
    count(doc.get("paths"))
}

/// A crate name for a spec file: `prefix-` and the file's stem, in lower
/// case with anything but letters and digits as `-`.
pub(crate) fn crate_name(prefix: &str, file: &str) -> String {
    let stem = file.split('.').next().unwrap_or(file);
    format!("{prefix}-{}", stem.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
}

/// What `cargo xtask corpus` and `bench` generate a crate with: no
/// config of its own, the runtime at `runtime`, files that say `command`
/// made them from `file`.
/// Gives a workspace of generated crates the repository's resolved
/// versions, unless it has its own: no surprise updates.
pub(crate) fn seed_lock(root: &Path, dir: &Path) {
    let lock = root.join("Cargo.lock");
    if lock.exists() && !dir.join("Cargo.lock").exists() {
        let _ = std::fs::copy(&lock, dir.join("Cargo.lock"));
    }
}

pub(crate) fn options(name: &str, command: &str, file: &str, runtime: &Path) -> apigen::Options {
    apigen::Options::new(name)
        .runtime_path(&runtime.display().to_string())
        .preamble(apigen::output::preamble(command, file))
}

/// The spec generated again by another process (`corpus-gen`), whose
/// HashMaps have other random seeds, run from another directory with
/// another locale, time zone, home and a variable of its own: output that
/// depends on any of them shows as a difference.
fn generate_elsewhere(spec: &Path, name: &str, out: &Path, runtime: &Path) -> Result<Vec<(String, String)>, String> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let spec = std::fs::canonicalize(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let runtime = std::fs::canonicalize(runtime).map_err(|e| format!("{}: {e}", runtime.display()))?;
    let status = std::process::Command::new(exe)
        .arg("corpus-gen")
        .arg(&spec)
        .arg(name)
        .arg(out)
        .arg(&runtime)
        .current_dir(out)
        .env("LC_ALL", "tr_TR.UTF-8")
        .env("LANG", "tr_TR.UTF-8")
        .env("TZ", "Pacific/Chatham")
        .env("HOME", out)
        .env("APIGEN_CORPUS_SECOND_RUN", "1")
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("the second generation of {} failed: {status}", spec.display()));
    }
    let mut files = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(out).expect("below out").to_string_lossy().replace('\\', "/");
                let contents = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                files.push((rel, contents));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The hidden `corpus-gen SPEC NAME OUT RUNTIME`: one generation, written
/// to OUT, for [`generate_elsewhere`].
pub fn gen_probe(args: &[String]) -> Result<(), String> {
    let [spec, name, out, runtime] = args else { return Err("usage: corpus-gen SPEC NAME OUT RUNTIME".into()) };
    let spec = Path::new(spec);
    let file = label(spec);
    let g = apigen::generate_file(spec, &file, &options(name, "cargo xtask corpus", &file, Path::new(runtime))).map_err(|e| e.to_string())?;
    apigen::output::write(Path::new(out), &g.files).map(drop).map_err(|e| e.to_string())
}

/// The entry file of a multi-file spec in a folder of its own: the file
/// its `ENTRY` names, else `openapi.yaml` or `openapi.json`.
fn entry_of(dir: &Path) -> Option<PathBuf> {
    if !dir.is_dir() {
        return None;
    }
    if let Ok(named) = std::fs::read_to_string(dir.join("ENTRY")) {
        return Some(dir.join(named.trim()));
    }
    ["openapi.yaml", "openapi.json"].iter().map(|f| dir.join(f)).find(|p| p.is_file())
}

/// How a spec is named in the results: its file, or for the entry of a
/// folder, `folder/file`.
fn label(spec: &Path) -> String {
    let file = spec.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    match spec.parent() {
        Some(dir) if entry_of(dir).as_deref() == Some(spec) => {
            format!("{}/{file}", dir.file_name().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default())
        }
        _ => file,
    }
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    // --no-check: generation and coverage only, no crate is compiled.
    let check = !args.iter().any(|a| a == "--no-check");
    let args: Vec<&String> = args.iter().filter(|a| *a != "--no-check").collect();
    let dirs: Vec<PathBuf> = if args.is_empty() { vec![root.join("../shared/specs"), root.join("tests/specs/real")] } else { args.iter().map(PathBuf::from).collect() };
    let mut specs: Vec<PathBuf> = Vec::new();
    for dir in &dirs {
        let found = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for path in found.flatten().map(|e| e.path()) {
            if matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")) {
                specs.push(path);
            } else if let Some(entry) = entry_of(&path) {
                specs.push(entry);
            }
        }
    }
    specs.sort_by_key(|p| label(p));
    if specs.is_empty() {
        return Err(format!("no .json or .yaml specs in {}", dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")));
    }
    let work = root.join("target/corpus");
    let crates = work.join("crates");
    std::fs::create_dir_all(&crates).map_err(|e| e.to_string())?;
    let runtime = root.join("codegen/runtime");
    let mut rows = Vec::new();
    let mut members = Vec::new();
    for spec in &specs {
        let file = label(spec);
        let name = crate_name("corpus", &file);
        let ops_in_spec = apigen::load::read(spec, &file).map(|d| count_operations(&d)).unwrap_or(0);
        let opts = options(&name, "cargo xtask corpus", &file, &runtime);
        let start = Instant::now();
        let result = apigen::generate_file(spec, &file, &opts);
        let generate_ms = start.elapsed().as_secs_f64() * 1000.0;
        let mut row = Row {
            name: file.clone(),
            ops_in_spec,
            ops_generated: 0,
            diagnostics: 0,
            generate_ms,
            error: None,
            check_ok: false,
            check_s: 0.0,
            warnings: 0,
            check_output: String::new(),
            deterministic: None,
            coverage: apigen::ir::Coverage::default(),
        };
        match result {
            Ok(g) => {
                let again = work.join("again").join(&name);
                let mut first: Vec<(String, String)> = g.files.iter().map(|f| (f.path.clone(), f.contents.clone())).collect();
                first.sort();
                if check {
                    row.deterministic = Some(generate_elsewhere(spec, &name, &again, &runtime)? == first);
                }
                row.ops_generated = g.api.operations.len();
                row.diagnostics = g.diagnostics.len();
                row.coverage = g.api.coverage.clone();
                let out = crates.join(&name);
                apigen::output::write(&out, &g.files).map_err(|e| e.to_string())?;
                members.push(name.clone());
            }
            Err(e) => row.error = Some(e.to_string()),
        }
        rows.push((name, row));
    }
    // One workspace, one target directory: dependencies build once.
    let mut manifest = String::from("[workspace]\nresolver = \"2\"\nmembers = [\n");
    for m in &members {
        let _ = writeln!(manifest, "    \"crates/{m}\",");
    }
    manifest.push_str("]\n");
    std::fs::write(work.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    seed_lock(root, &work);
    for (name, row) in rows.iter_mut() {
        if row.error.is_some() {
            continue;
        }
        if !check {
            continue;
        }
        eprintln!("checking {}", row.name);
        let start = Instant::now();
        let out = crate::cargo()
            .current_dir(&work)
            .args(["check", "--quiet", "--message-format", "short", "-p", name])
            .output()
            .map_err(|e| e.to_string())?;
        row.check_s = start.elapsed().as_secs_f64();
        row.check_ok = out.status.success();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        row.warnings = stderr.lines().filter(|l| l.contains(": warning:") && l.contains(&format!("crates/{name}/"))).count();
        row.check_output = stderr;
    }

    println!(
        "{:<32} {:>6} {:>6} {:>6} {:>13} {:>9} {:>8} {:>8} {:>8} {:>6}",
        "spec", "ops", "gen", "diags", "typed", "gen ms", "check", "check s", "warnings", "same"
    );
    let mut json_rows = Vec::new();
    for (_, r) in &rows {
        let compiled = match (&r.error, r.check_ok) {
            (Some(_), _) => "no-gen",
            _ if !check => "-",
            (None, true) => "ok",
            (None, false) => "FAILED",
        };
        println!(
            "{:<32} {:>6} {:>6} {:>6} {:>13} {:>9.1} {:>8} {:>8.1} {:>8} {:>6}",
            r.name,
            r.ops_in_spec,
            r.ops_generated,
            r.diagnostics,
            format!("{}/{}", r.coverage.typed, r.coverage.constrained()),
            r.generate_ms,
            compiled,
            r.check_s,
            r.warnings,
            match r.deterministic {
                None => "-",
                Some(true) => "yes",
                Some(false) => "NO",
            }
        );
        if let Some(e) = &r.error {
            println!("    generation failed: {}", e.lines().next().unwrap_or(""));
        } else if check && (!r.check_ok || r.warnings > 0) {
            for l in r.check_output.lines().filter(|l| l.contains("error") || l.contains("warning")).take(5) {
                println!("    {l}");
            }
        }
        for p in r.coverage.untyped.iter().take(5) {
            println!("    untyped: {p}");
        }
        if !r.coverage.dangling.is_empty() {
            println!("    {} position(s) referring to nothing, counted apart; the first: {}", r.coverage.dangling.len(), r.coverage.dangling[0]);
        }
        if !r.coverage.impossible.is_empty() {
            println!("    {} position(s) no value satisfies, counted apart; the first: {}", r.coverage.impossible.len(), r.coverage.impossible[0]);
        }
        json_rows.push(json!({
            "spec": r.name,
            "operations_in_spec": r.ops_in_spec,
            "operations_generated": r.ops_generated,
            "diagnostics": r.diagnostics,
            "generate_ms": r.generate_ms,
            "generated": r.error.is_none(),
            "generation_error": r.error,
            "compiled": check.then_some(r.check_ok),
            "check_s": r.check_s,
            "warnings": r.warnings,
            "deterministic": r.deterministic,
            "typed_positions": r.coverage.typed,
            "constrained_positions": r.coverage.constrained(),
            "free_positions": r.coverage.free,
            "untyped_positions": r.coverage.untyped,
            "impossible_positions": r.coverage.impossible,
            "dangling_positions": r.coverage.dangling,
        }));
    }
    // Without --no-check a spec counts once it compiles; with it, once it
    // generates.
    let done = |r: &Row| if check { r.check_ok } else { r.error.is_none() };
    let compiled = rows.iter().filter(|(_, r)| done(r)).count();
    let total_ops: usize = rows.iter().map(|(_, r)| r.ops_in_spec).sum();
    let generated_ops: usize = rows.iter().filter(|(_, r)| done(r)).map(|(_, r)| r.ops_generated).sum();
    let results = work.join("results.json");
    std::fs::write(&results, serde_json::to_string_pretty(&json_rows).unwrap()).map_err(|e| e.to_string())?;
    eprintln!("rows written to {}", results.display());
    let typed: usize = rows.iter().map(|(_, r)| r.coverage.typed).sum();
    let constrained: usize = rows.iter().map(|(_, r)| r.coverage.constrained()).sum();
    let verb = if check { "compiled" } else { "generated (not compiled: --no-check)" };
    println!(
        "corpus: {compiled}/{} {verb}, {generated_ops}/{total_ops} operations generated, {typed}/{constrained} typed positions",
        rows.len()
    );
    let warned = rows.iter().filter(|(_, r)| r.warnings > 0).count();
    let unstable = rows.iter().filter(|(_, r)| r.deterministic == Some(false)).count();
    let untyped = rows.iter().filter(|(_, r)| !r.coverage.untyped.is_empty()).count();
    if compiled != rows.len() {
        Err(format!("{} spec(s) did not generate or compile", rows.len() - compiled))
    } else if warned > 0 {
        Err(format!("{warned} spec(s) compiled with warnings"))
    } else if unstable > 0 {
        Err(format!("{unstable} spec(s) generated different files on a second run"))
    } else if untyped > 0 {
        Err(format!("{untyped} spec(s) left positions their spec types as JSON values"))
    } else {
        Ok(())
    }
}
