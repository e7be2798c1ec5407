//! `cargo xtask bench`: how fast the generator is, how much memory it
//! takes, and how long what it generates takes to compile.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The specs measured: the Replicate target and the largest corpus specs.
const CORPUS: &[&str] = &["oxide-nexus.json", "github.json", "stripe.yaml", "kubernetes.json", "openai.yaml"];

struct Spec {
    name: String,
    source: apigen::Source,
    crate_name: String,
    /// Measured for memory and time once, never compiled.
    huge: bool,
}

/// A generated spec of about 50 MB: many operations, each with an inline
/// response schema and long descriptions, to show that memory grows with
/// the spec and stays bounded.
fn synthetic_spec(path: &Path) -> Result<(), String> {
    const TARGET_BYTES: usize = 50 * 1024 * 1024;
    let prose = "A description long enough to weigh what real specs carry in their prose, repeated for every property. ".repeat(2);
    let mut paths = serde_json::Map::new();
    let mut size = 0usize;
    let mut i = 0usize;
    while size < TARGET_BYTES {
        let mut properties = serde_json::Map::new();
        for (p, ty) in ["string", "integer", "boolean", "number", "string", "string", "integer", "string"].iter().enumerate() {
            properties.insert(format!("field_{p}"), json!({ "type": ty, "description": prose }));
        }
        properties.insert("tags".into(), json!({ "type": "array", "items": { "type": "string" }, "description": prose }));
        properties.insert("status".into(), json!({ "type": "string", "enum": ["queued", "running", "done", "failed"] }));
        let item = json!({
            "get": {
                "operationId": format!("resource{i}.get"),
                "summary": format!("Gets resource {i}"),
                "description": prose,
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": prose },
                    { "name": "expand", "in": "query", "schema": { "type": "array", "items": { "type": "string" } } }
                ],
                "responses": {
                    "200": {
                        "description": prose,
                        "content": { "application/json": { "schema": {
                            "type": "object", "required": ["field_0"], "properties": properties
                        } } }
                    }
                }
            }
        });
        size += serde_json::to_string(&item).map(|s| s.len()).unwrap_or(0);
        paths.insert(format!("/resource{i}/{{id}}"), item);
        i += 1;
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "Synthetic", "version": "1" },
        "servers": [{ "url": "https://api.example.com" }],
        "paths": paths
    });
    std::fs::create_dir_all(path.parent().expect("a file in a directory")).map_err(|e| e.to_string())?;
    std::fs::write(path, serde_json::to_vec(&doc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// Where cargo builds: `CARGO_TARGET_DIR`, or the workspace's `target`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn options(crate_name: &str, runtime: &Path) -> apigen::Options {
    crate::corpus::options(crate_name, "cargo xtask bench", crate_name, runtime)
}

/// The hidden `bench-rss SPEC...` command: one generation in this process,
/// then the process's peak resident memory, for the parent to read.
pub fn rss_probe(root: &Path, args: &[String]) -> Result<(), String> {
    let source = apigen::Source {
        spec: PathBuf::from(&args[0]),
        overlays: args[1..].iter().map(PathBuf::from).collect(),
    };
    let runtime = root.join("codegen/runtime");
    apigen::generate(&source, root, &options("probe", &runtime)).map_err(|e| e.to_string())?;
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    println!("{kb}");
    Ok(())
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    // `cargo xtask` builds without optimizations; timings of that build
    // would say nothing about the generator users run.
    if cfg!(debug_assertions) {
        eprintln!("building xtask with optimizations for the measurements");
        let status = crate::cargo()
            .current_dir(root)
            .args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench"])
            // It runs from the workspace root: spec paths must not depend on
            // where this one was started.
            .args(args.iter().map(|a| match Path::new(a).is_file().then(|| std::fs::canonicalize(a)) {
                Some(Ok(path)) => path.display().to_string(),
                _ => a.clone(),
            }))
            .status()
            .map_err(|e| e.to_string())?;
        return if status.success() { Ok(()) } else { Err(format!("the optimized bench failed: {status}")) };
    }
    let mut runs = 5usize;
    let mut compile_runs = 3usize;
    let mut only: Vec<String> = Vec::new();
    // Specs given by path, measured instead of the built-in set.
    let mut files: Vec<PathBuf> = Vec::new();
    let mut compile = true;
    let mut runtime_overhead = true;
    let mut progenitor = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).ok_or("--runs takes a number")?,
            "--compile-runs" => {
                compile_runs = it.next().and_then(|v| v.parse().ok()).ok_or("--compile-runs takes a number")?
            }
            "--no-compile" => compile = false,
            "--no-runtime" => runtime_overhead = false,
            "--progenitor" => progenitor = true,
            other if Path::new(other).is_file() => files.push(PathBuf::from(other)),
            other => only.push(other.to_owned()),
        }
    }
    let config = apigen::config::Config::read(&root.join("spec/codegen.toml")).map_err(|e| e.to_string())?;
    let replicate = config.targets.iter().find(|t| t.crate_name == "replicate").ok_or("no replicate target")?;
    let mut specs = vec![Spec {
        name: "replicate".into(),
        source: apigen::Source { spec: root.join(&replicate.spec), overlays: replicate.overlays.iter().map(|o| root.join(o)).collect() },
        crate_name: "bench-replicate".into(),
        huge: false,
    }];
    for file in CORPUS {
        specs.push(Spec {
            name: file.to_string(),
            source: apigen::Source::new(root.join("../shared/specs").join(file)),
            crate_name: crate::corpus::crate_name("bench", file),
            huge: false,
        });
    }
    let synthetic = root.join("target/bench/specs/synthetic-50mb.json");
    specs.push(Spec {
        name: "synthetic-50mb.json".into(),
        source: apigen::Source::new(&synthetic),
        crate_name: "bench-synthetic".into(),
        huge: true,
    });
    // Names select among the built-in specs; files, given alone, replace them.
    if !only.is_empty() || !files.is_empty() {
        specs.retain(|s| only.iter().any(|o| s.name.contains(o.as_str())));
    }
    for file in &files {
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        specs.push(Spec {
            crate_name: crate::corpus::crate_name("bench", &name),
            source: apigen::Source::new(std::fs::canonicalize(file).map_err(|e| format!("{}: {e}", file.display()))?),
            name,
            huge: false,
        });
    }
    if specs.iter().any(|s| s.huge) && !synthetic.exists() {
        eprintln!("writing {}", synthetic.display());
        synthetic_spec(&synthetic)?;
    }
    let work = root.join("target/bench");
    let crates = work.join("crates");
    std::fs::create_dir_all(&crates).map_err(|e| e.to_string())?;
    let runtime = root.join("codegen/runtime");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // With `--progenitor`, both generators are timed as the commands users
    // run, and progenitor's crates are built beside ours.
    let side_by_side = if progenitor {
        let exe = crate::progenitor::install(root)?;
        let status = crate::cargo()
            .current_dir(root)
            .args(["build", "--quiet", "--release", "-p", "apigen-cli", "--bin", "apigen"])
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("building the apigen CLI failed: {status}"));
        }
        let target = target_dir(root);
        Some((exe, target.join("release/apigen")))
    } else {
        None
    };
    let mut rows: Vec<Value> = Vec::new();
    for spec in &specs {
        eprintln!("measuring {}", spec.name);
        let runs = if spec.huge { 1 } else { runs };
        let bytes = std::fs::read(&spec.source.spec).map_err(|e| format!("{}: {e}", spec.source.spec.display()))?;
        let syntax = apigen::load::Syntax::detect(&spec.source.spec, &String::from_utf8_lossy(&bytes[..bytes.len().min(64)]));
        let parse = median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    let v = apigen::load::parse(&bytes, syntax, &spec.name).expect("the spec parses");
                    let t = ms(start.elapsed());
                    drop(v);
                    t
                })
                .collect(),
        );
        let opts = options(&spec.crate_name, &runtime);
        let mut totals = Vec::new();
        let mut phases: Vec<apigen::Timings> = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let start = Instant::now();
            let g = apigen::generate(&spec.source, root, &opts).map_err(|e| e.to_string())?;
            totals.push(ms(start.elapsed()));
            phases.push(g.timings);
            last = Some(g);
        }
        let g = last.expect("at least one run");
        let phase = |f: fn(&apigen::Timings) -> Duration| median(phases.iter().map(|t| ms(f(t))).collect());
        let rs_files: Vec<&apigen::File> = g.files.iter().filter(|f| f.path.ends_with(".rs")).collect();
        let lines: usize = rs_files.iter().map(|f| f.contents.lines().count()).sum();
        let code_bytes: usize = rs_files.iter().map(|f| f.contents.len()).sum();
        let mut probe = Command::new(&exe);
        probe.arg("bench-rss").arg(&spec.source.spec).args(&spec.source.overlays);
        let rss_kb: f64 = String::from_utf8_lossy(&probe.output().map_err(|e| e.to_string())?.stdout)
            .trim()
            .parse()
            .unwrap_or(f64::NAN);
        let out = crates.join(&spec.crate_name);
        if !spec.huge {
            apigen::output::write(&out, &g.files).map_err(|e| e.to_string())?;
        }
        let generate_ms = median(totals);
        let mut row = json!({
            "spec": spec.name,
            "spec_mb": bytes.len() as f64 / (1024.0 * 1024.0),
            "parse_ms": parse,
            "generate_ms": generate_ms,
            "generate_over_parse": generate_ms / parse,
            "phases_ms": {
                "load": phase(|t| t.load),
                "ir": phase(|t| t.ir),
                "emit": phase(|t| t.tokens),
                "format": phase(|t| t.format),
            },
            "peak_rss_mb": rss_kb / 1024.0,
            "lines": lines,
            "bytes": code_bytes,
            "operations": g.api.operations.len(),
            "types": g.api.types.len(),
            // Set beside progenitor's operations that return `()`.
            "unit_responses": g.api.operations.iter().filter(|o| o.returns_nothing()).count(),
        });
        if compile && !spec.huge {
            let (check, build) = compile_times(&work, Some(&root.join("Cargo.lock")), &spec.crate_name, compile_runs)?;
            row["check_s"] = json!(check);
            row["build_s"] = json!(build);
            row["build_ms_per_operation"] = json!(build * 1000.0 / g.api.operations.len().max(1) as f64);
        }
        if let Some((exe, cli)) = side_by_side.as_ref().filter(|_| !spec.huge) {
            row["cli_generate_ms"] = json!(crate::progenitor::time_cli(cli, root, &spec.source, &spec.name, runs)?);
            let spec_file = crate::progenitor::effective_spec(root, &spec.source, &spec.name)?;
            let compile_runs = compile.then_some(compile_runs);
            row["progenitor"] = crate::progenitor::measure(exe, root, &spec_file, &spec.name, runs, compile_runs)?;
            // The overlays type what the spec leaves untyped: progenitor on
            // the spec alone is what its users get.
            if !spec.source.overlays.is_empty() {
                let name = format!("{}-seed", spec.name);
                row["progenitor_seed"] = crate::progenitor::measure(exe, root, &spec.source.spec, &name, runs, compile_runs)?;
            }
        }
        eprintln!("{row}");
        rows.push(row);
    }
    print_table(&rows);
    if progenitor {
        crate::progenitor::print_table(&rows);
    }
    let results = work.join("results.json");
    std::fs::write(&results, serde_json::to_string_pretty(&rows).expect("rows serialize")).map_err(|e| e.to_string())?;
    eprintln!("written to {}", results.display());
    if runtime_overhead {
        // A request through the generated client against the same request
        // with plain reqwest, both in one run (tests/src/bin/overhead.rs).
        eprintln!("measuring the runtime overhead (release build)");
        let out = crate::cargo()
            .current_dir(root)
            .args(["run", "--quiet", "--release", "-p", "integration-tests", "--bin", "overhead"])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("the overhead program failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let mut value: Value = serde_json::from_str(&line).map_err(|e| format!("overhead output {line:?}: {e}"))?;
        println!(
            "runtime: {} requests; generated client {} req/s, plain reqwest {} req/s, overhead {}%",
            value["requests"], value["generated_rps"], value["reqwest_rps"], value["overhead_pct"]
        );
        match instructions_per_request(root)? {
            Some(counts) => {
                println!(
                    "runtime: instructions per request (callgrind): generated client {}, plain reqwest {}, overhead {}%",
                    counts["generated"], counts["reqwest"], counts["overhead_pct"]
                );
                value["instructions_per_request"] = counts;
            }
            None => eprintln!("valgrind is not installed: instructions per request not counted"),
        }
        let path = work.join("runtime.json");
        std::fs::write(&path, serde_json::to_string_pretty(&value).expect("serializes")).map_err(|e| e.to_string())?;
        eprintln!("written to {}", path.display());
    }
    Ok(())
}

/// Instructions a request costs, the whole process counted (client,
/// server, runtime), with the generated client and with plain reqwest:
/// each is run for `N` and `2N` requests under callgrind, and the
/// difference divided by `N`, so that start-up and warm-up cancel out.
/// Unlike requests per second, the count does not move with this
/// machine's speed. `None` without valgrind.
fn instructions_per_request(root: &Path) -> Result<Option<Value>, String> {
    const N: u64 = 500;
    if Command::new("valgrind").arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        return Ok(None);
    }
    let target = target_dir(root);
    let program = target.join("release/overhead");
    let count = |which: &str, requests: u64| -> Result<u64, String> {
        let out = Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&program)
            .args(["--only", which, &requests.to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("the overhead program under callgrind failed: {stderr}"));
        }
        stderr
            .lines()
            .find_map(|l| l.split_once("I   refs:").map(|(_, n)| n.trim().replace(',', "")))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("no instruction count in callgrind's output: {stderr}"))
    };
    let per_request = |which: &str| -> Result<u64, String> {
        let (one, two) = (count(which, N)?, count(which, 2 * N)?);
        Ok(two.saturating_sub(one) / N)
    };
    let (generated, reqwest) = (per_request("generated")?, per_request("reqwest")?);
    let overhead = (generated as f64 / reqwest as f64 - 1.0) * 100.0;
    Ok(Some(serde_json::json!({
        "generated": generated,
        "reqwest": reqwest,
        "overhead_pct": (overhead * 10.0).round() / 10.0,
    })))
}

/// `cargo check` and debug `cargo build` of one generated crate alone, its
/// dependencies already built: `cargo clean -p` before each timed run.
/// `lock` seeds the workspace's `Cargo.lock` on its first run.
pub fn compile_times(work: &Path, lock: Option<&Path>, crate_name: &str, runs: usize) -> Result<(f64, f64), String> {
    let members: Vec<String> = std::fs::read_dir(work.join("crates"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| format!("    \"crates/{}\",", e.file_name().to_string_lossy()))
        .collect();
    let mut members = members;
    members.sort();
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n", members.join("\n"));
    std::fs::write(work.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    if let Some(lock) = lock.filter(|_| !work.join("Cargo.lock").exists()) {
        let _ = std::fs::copy(lock, work.join("Cargo.lock"));
    }
    let cargo = || {
        let mut c = crate::cargo();
        c.current_dir(work);
        c
    };
    let run = |args: &[&str]| -> Result<f64, String> {
        let start = Instant::now();
        let out = cargo().args(args).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("cargo {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(start.elapsed().as_secs_f64())
    };
    // Dependencies first, for both profiles of use.
    run(&["build", "--quiet", "-p", crate_name])?;
    run(&["check", "--quiet", "-p", crate_name])?;
    let mut checks = Vec::new();
    let mut builds = Vec::new();
    for _ in 0..runs {
        run(&["clean", "--quiet", "-p", crate_name])?;
        checks.push(run(&["check", "--quiet", "-p", crate_name])?);
        run(&["clean", "--quiet", "-p", crate_name])?;
        builds.push(run(&["build", "--quiet", "-p", crate_name])?);
    }
    Ok((median(checks), median(builds)))
}

fn print_table(rows: &[Value]) {
    println!(
        "{:<18} {:>8} {:>9} {:>6} {:>8} {:>7} {:>6} {:>6} {:>8} {:>8} {:>9}",
        "spec", "parse ms", "gen ms", "x", "rss MB", "lines", "ops", "types", "check s", "build s", "ms/op"
    );
    for r in rows {
        let f = |k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
        println!(
            "{:<18} {:>8.1} {:>9.1} {:>6.1} {:>8.1} {:>7} {:>6} {:>6} {:>8.1} {:>8.1} {:>9.1}",
            r["spec"].as_str().unwrap_or(""),
            f("parse_ms"),
            f("generate_ms"),
            f("generate_over_parse"),
            f("peak_rss_mb"),
            r["lines"],
            r["operations"],
            r["types"],
            f("check_s"),
            f("build_s"),
            f("build_ms_per_operation"),
        );
    }
}
