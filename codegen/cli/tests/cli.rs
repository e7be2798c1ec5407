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
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/replicate/openapi.json")
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
        ("swagger1.json", "{\"swagger\": \"1.2\", \"paths\": {}}", "#/swagger"),
        ("v4.json", "{\"openapi\": \"4.0.0\", \"paths\": {}}", "#/openapi"),
    ];
    let not_utf8: &[u8] = b"openapi: 3.0.3\ninfo: {title: \xff\xfe}\n";
    let cases = cases.iter().map(|(n, t, e)| (*n, t.as_bytes(), *e)).chain([("latin1.yaml", not_utf8, "latin1.yaml:2:")]);
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
fn what_a_human_reads_past_is_generated_with_a_diagnostic_and_refused_under_strict() {
    let dir = scratch("lenient-in");
    let cases: &[(&str, &str, &str)] = &[
        ("nopaths.json", r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}}"#, "#/paths"),
        (
            "wrongtype.json",
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": 1}}}}}}"#,
            "#/paths/~1a/get/responses/200/description",
        ),
        ("noversion.yaml", "openapi: 3.0
info: {title: t}
paths: {}
", "#/info/version"),
        (
            "nullscopes.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: 1.0}\nsecurity: [{key: null}]\ncomponents: {securitySchemes: {key: {type: apiKey, in: header, name: X-Key}}}\npaths: {}\n",
            "#/security/0/key",
        ),
    ];
    for (name, text, expected) in cases {
        let spec = dir.join(name);
        std::fs::write(&spec, text).unwrap();
        let out = dir.join(format!("{name}-out"));
        let o = generate(&spec, &out, &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{name} was refused:\n{stderr}");
        assert!(stderr.contains(expected), "{name}: expected `{expected}` in:\n{stderr}");
        let strict_out = dir.join(format!("{name}-strict"));
        let o = generate(&spec, &strict_out, &["--strict"]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{name} was accepted under --strict");
        assert!(stderr.contains(expected), "{name} under --strict: expected `{expected}` in:\n{stderr}");
        assert!(!strict_out.exists());
    }
}

#[test]
fn strict_turns_diagnostics_into_errors() {
    let dir = scratch("strict");
    let spec = dir.join("s.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n",
    )
    .unwrap();
    let lenient = generate(&spec, &dir.join("out1"), &[]);
    assert!(lenient.status.success());
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert!(stderr.contains("#/paths/~1a~1{id}/get: path parameter `id`"), "{stderr}");
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

/// A minimal document around the given `paths` and `components`.
fn doc(paths: &str, components: &str) -> String {
    format!(r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}}, "paths": {paths}, "components": {components}}}"#)
}

#[test]
fn bad_inputs_give_located_errors_and_leave_files_intact() {
    let out = scratch("table-out");
    assert!(generate(&replicate_spec(), &out, &[]).status.success());
    let before = snapshot(&out);
    let dir = scratch("table-in");
    let op = |id: &str| format!(r#"{{"operationId": "{id}", "responses": {{"200": {{"description": "ok"}}}}}}"#);
    let deep_json = format!(
        r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}}, "paths": {{}}, "components": {{"schemas": {{"D": {}{}}}}}}}"#,
        r#"{"items": "#.repeat(10_000),
        "}".repeat(10_001)
    );
    let deep_yaml = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    // (file, contents, --strict, what the message must say)
    let cases: Vec<(&str, String, bool, &str)> = vec![
        ("missing-ref.json", doc(r##"{"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}"##, "{}"),
            true, "missing-ref.json#/paths/~1a/get/responses/200/content/application~1json/schema/$ref: reference `#/components/schemas/Nope` points to nothing"),
        ("external-ref.json", doc("{}", r#"{"schemas": {"A": {"$ref": "common.yaml#/B"}}}"#), true, "external-ref.json#/components/schemas/A/$ref: reference `common.yaml#/B`"),
        ("ref-cycle.json", doc("{}", r##"{"parameters": {"A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}}}"##), true, "cycle of references"),
        ("deep.json", deep_json, false, "deep.json:1:"),
        ("deep.yaml", deep_yaml, false, "deep.yaml:"),
        ("duplicate-ids.json", doc(&format!(r#"{{"/a": {{"get": {}}}, "/b": {{"get": {}}}}}"#, op("same"), op("same")), "{}"), true, "#/paths/~1b/get/operationId: operationId `same` is used 2 times"),
        ("colliding-ids.json", doc(&format!(r#"{{"/a": {{"get": {}}}, "/b": {{"get": {}}}}}"#, op("getThing"), op("get_thing")), "{}"), true, "#/paths/~1b/get/operationId: method name `get_thing` collides"),
        ("colliding-props.json", doc("{}", r#"{"schemas": {"A": {"type": "object", "properties": {"fooBar": {"type": "string"}, "foo_bar": {"type": "string"}}}}}"#), true, "#/components/schemas/A/properties/foo_bar: property name `foo_bar` collides"),
        ("colliding-types.json", doc("{}", r#"{"schemas": {"a_b": {"type": "string"}, "A_B": {"type": "string"}}}"#), true, "#/components/schemas/A_B: type name `A_B` collides"),
        ("colliding-params.json", doc(r#"{"/a": {"get": {"parameters": [{"name": "pageSize", "in": "query", "schema": {"type": "integer"}}, {"name": "page_size", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}}"#, "{}"), true, "#/paths/~1a/get/parameters/1: parameter name `page_size` collides"),
        ("enum-dups.json", doc("{}", r#"{"schemas": {"E": {"type": "string", "enum": ["a-b", "a_b"]}}}"#), true, "#/components/schemas/E/enum: enum value `a_b` collides"),
        ("undeclared-path-param.json", doc(&format!(r#"{{"/a/{{id}}": {{"get": {}}}}}"#, op("a")), "{}"), true, "#/paths/~1a~1{id}/get: path parameter `id` is in the template but not declared"),
        ("empty-id.json", doc(&format!(r#"{{"/a": {{"get": {}}}}}"#, op("")), "{}"), true, "#/paths/~1a/get/operationId: operationId is empty; named from the method and path, `get_/a`"),
        ("digit-id.json", doc(&format!(r#"{{"/a": {{"get": {}}}}}"#, op("2fa.enable")), "{}"), true, "#/paths/~1a/get/operationId: operationId `2fa.enable` starts with a digit; named `enable`"),
        ("non-ascii-id.json", doc(&format!(r#"{{"/a": {{"get": {}}}}}"#, op("größe")), "{}"), true, "#/paths/~1a/get/operationId: operationId `größe` is not ASCII; named `grosse`"),
        ("non-ascii-param.json", doc(r#"{"/a": {"get": {"parameters": [{"name": "größe", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}}"#, "{}"), true, "#/paths/~1a/get/parameters/0: parameter name `größe` is not ASCII; named `grosse`"),
        ("digit-param.json", doc(r#"{"/a": {"get": {"parameters": [{"name": "2x", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}}"#, "{}"), true, "#/paths/~1a/get/parameters/0: parameter name `2x` starts with a digit; named `n2x`"),
        ("empty-param.json", doc(r#"{"/a": {"get": {"parameters": [{"name": "", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}}"#, "{}"), true, "#/paths/~1a/get/parameters/0: parameter name `` has no letter or digit; named `value`"),
        ("empty-prop.json", doc("{}", r#"{"schemas": {"A": {"type": "object", "properties": {"": {"type": "string"}}}}}"#), true, "#/components/schemas/A/properties/: property name `` has no letter or digit; named `value`"),
        ("non-ascii-prop.json", doc("{}", r#"{"schemas": {"A": {"type": "object", "properties": {"über": {"type": "string"}}}}}"#), true, "#/components/schemas/A/properties/über: property name `über` is not ASCII; named `uber`"),
        ("digit-prop.json", doc("{}", r#"{"schemas": {"A": {"type": "object", "properties": {"3d": {"type": "string"}}}}}"#), true, "#/components/schemas/A/properties/3d: property name `3d` starts with a digit; named `n3d`"),
        ("extra-path-param.json", doc(r#"{"/a": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}}"#, "{}"), true, "#/paths/~1a/get/parameters/0: path parameter `id` is not in the path template"),
    ];
    for (name, text, strict, expected) in &cases {
        let spec = dir.join(name);
        std::fs::write(&spec, text).unwrap();
        let flags: &[&str] = if *strict { &["--strict"] } else { &[] };
        let o = generate(&spec, &out, flags);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{name} was accepted:\n{stderr}");
        assert!(stderr.contains(expected), "{name}: expected `{expected}` in:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert_eq!(snapshot(&out), before, "{name} changed the generated files");
        if *strict {
            // Without --strict the same input generates, renamed or
            // repaired as the diagnostic says.
            let lenient = scratch(&format!("table-lenient-{name}"));
            let o = generate(&spec, &lenient, &[]);
            assert!(o.status.success(), "{name} without --strict: {}", String::from_utf8_lossy(&o.stderr));
        }
    }
}

#[test]
fn keywords_digits_empty_and_non_ascii_names_become_valid_rust() {
    let dir = scratch("names");
    let spec = dir.join("names.json");
    std::fs::write(
        &spec,
        doc(
            r##"{"/x/{type}": {"get": {"operationId": "2fa.self", "parameters": [{"name": "type", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "", "in": "query", "schema": {"type": "string"}}, {"name": "größe", "in": "query", "schema": {"type": "string"}}], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/match"}}}}}}}}"##,
            r#"{"schemas": {"match": {"type": "object", "properties": {"self": {"type": "string"}, "crate": {"type": "integer"}, "": {"type": "string"}, "über": {"type": "string"}, "3d": {"type": "string", "enum": ["1x", "", "ß"]}}}}}"#,
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let o = generate(&spec, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Every file parses as Rust (the generator checks it before writing);
    // the names it chose are in the types file.
    let types = std::fs::read_to_string(out.join("src/types.rs")).unwrap();
    for expected in ["pub struct Match ", "pub self_:", "pub crate_:", "pub value:", "pub uber:", "pub n3d:", "V1x,", "Empty,", "Ss,"] {
        assert!(types.contains(expected), "`{expected}` not in:\n{types}");
    }
    let builders = std::fs::read_to_string(out.join("src/builders.rs")).unwrap();
    assert!(builders.contains("pub fn grosse("), "{builders}");
    let client = std::fs::read_to_string(out.join("src/client.rs")).unwrap();
    assert!(client.contains("pub fn n2fa(&self)") && client.contains("pub fn self_(&self, type_: impl Into<String>)"), "{client}");
}

#[test]
fn overlays_apply_in_order_and_print_spec_shows_the_result() {
    let dir = scratch("overlays");
    let spec = dir.join("s.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {description: ok}\n",
    )
    .unwrap();
    let first = dir.join("first.yaml");
    std::fs::write(
        &first,
        "overlay: 1.0.0\ninfo: {title: first, version: '1'}\nactions:\n  - target: $.info\n    update: {x-added: {by: first}}\n  - target: $.paths['/a'].get\n    update: {summary: one}\n",
    )
    .unwrap();
    // Targets what the first overlay adds, so it only works second.
    let second = dir.join("second.yaml");
    std::fs::write(
        &second,
        "overlay: 1.0.0\ninfo: {title: second, version: '1'}\nactions:\n  - target: $.info['x-added']\n    update: {also: second}\n  - target: $.paths['/a'].get\n    update: {summary: two}\n",
    )
    .unwrap();
    let (s, f, n) = (spec.to_str().unwrap(), first.to_str().unwrap(), second.to_str().unwrap());
    let o = apigen(&["--spec", s, "--overlay", f, "--overlay", n, "--print-spec", "--crate-name", "c"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("--print-spec prints JSON");
    assert_eq!(doc["info"]["x-added"], serde_json::json!({"by": "first", "also": "second"}));
    assert_eq!(doc["paths"]["/a"]["get"]["summary"], "two");
    // The other way round, the second overlay's first action selects
    // nothing: an error naming it, and nothing printed.
    let o = apigen(&["--spec", s, "--overlay", n, "--overlay", f, "--print-spec", "--crate-name", "c"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.contains("second.yaml") && stderr.contains("action 0") && stderr.contains("$.info['x-added']"), "{stderr}");
    assert!(o.stdout.is_empty());
}
