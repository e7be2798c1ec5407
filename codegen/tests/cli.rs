//! The `apigen` command line: errors with locations, files left intact,
//! `--strict`, and identical bytes from separate runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn apigen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apigen")).args(args).output().expect("apigen runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apigen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn replicate_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/replicate/openapi.json")
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn generate(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--crate-name", "client"];
    args.extend_from_slice(extra);
    apigen(&args)
}

#[test]
fn separate_runs_write_identical_bytes() {
    let a = scratch("det-a");
    let b = scratch("det-b");
    assert!(generate(&replicate_spec(), &a, &[]).status.success());
    assert!(generate(&replicate_spec(), &b, &[]).status.success());
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.len(), 5);
    assert_eq!(sa, sb);
}

#[test]
fn broken_specs_report_their_location_and_leave_files_intact() {
    let out = scratch("broken-out");
    assert!(generate(&replicate_spec(), &out, &[]).status.success());
    let before = snapshot(&out);
    let dir = scratch("broken-in");
    let cases: &[(&str, &str, &str)] = &[
        ("bad.json", "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {,\n}", "bad.json:3:"),
        ("bad.yaml", "openapi: 3.0.3\npaths:\n  /a: [\n", "bad.yaml:"),
        ("empty.yaml", "", "the file is empty"),
        ("noversion.json", "{\"paths\": {}}", "not an OpenAPI document"),
        ("v4.json", "{\"openapi\": \"4.0.0\", \"paths\": {}}", "#/openapi"),
        ("nopaths.json", "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"}}", "#/paths"),
        (
            "wrongtype.json",
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": 1}}}}}}"#,
            "#/paths/~1a/get/responses/200",
        ),
    ];
    for (name, text, expected) in cases {
        let spec = dir.join(name);
        std::fs::write(&spec, text).unwrap();
        let o = generate(&spec, &out, &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{name} was accepted");
        assert!(stderr.contains(expected), "{name}: expected `{expected}` in:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert_eq!(snapshot(&out), before, "{name} changed the generated files");
    }
}

#[test]
fn strict_turns_diagnostics_into_errors() {
    let dir = scratch("strict");
    let spec = dir.join("s.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    )
    .unwrap();
    let lenient = generate(&spec, &dir.join("out1"), &[]);
    assert!(lenient.status.success());
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert!(stderr.contains("#/paths/~1a/get/responses/200/content/application~1json/schema"), "{stderr}");
    let strict = generate(&spec, &dir.join("out2"), &["--strict"]);
    assert!(!strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stderr).contains("--strict"));
    assert!(!dir.join("out2").exists());
}

#[test]
fn check_reports_stale_files() {
    let out = scratch("check");
    assert!(generate(&replicate_spec(), &out, &[]).status.success());
    assert!(generate(&replicate_spec(), &out, &["--check"]).status.success());
    std::fs::write(out.join("src/types.rs"), "// edited\n").unwrap();
    let o = generate(&replicate_spec(), &out, &["--check"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("types.rs"));
}
