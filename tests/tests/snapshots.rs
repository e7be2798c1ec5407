//! Snapshots of what is not committed elsewhere: what the generator
//! understood (the IR) and reported (diagnostics) for each configured
//! target, and the code of the small test specs, which no target commits.
//! Review changes with `cargo insta review`.

/// The IR and the diagnostics of a configured target: what is not
/// committed. Its files are committed under `generated-client/` and
/// guarded by `cargo xtask codegen --check`, so they are reviewed there,
/// once.
fn snapshot_target(crate_name: &str, prefix: &str) {
    let g = integration_tests::generate(crate_name);
    insta::assert_snapshot!(format!("{prefix}_ir"), apigen::ir_yaml(&g.api));
    let paths: Vec<&str> = g.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["Cargo.toml", "src/lib.rs", "src/client.rs", "src/builders.rs", "src/types.rs"]);
    let lines: Vec<String> = g.diagnostics.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(format!("{prefix}_diagnostics"), lines.join("\n"));
}

/// The same for a spec of `tests/specs/` that is not a configured target:
/// the generated crate is compiled by `cargo xtask test` (its corpus step).
fn snapshot_spec(file: &str, prefix: &str) {
    let root = integration_tests::root();
    let opts = apigen::Options::new(prefix)
        .runtime_path("../../codegen/runtime")
        .preamble(apigen::output::preamble("cargo xtask codegen", prefix));
    let path = root.join("tests/specs").join(file);
    let g = apigen::generate_file(&path, &format!("tests/specs/{file}"), &opts).expect("the spec generates");
    insta::assert_snapshot!(format!("{prefix}_ir"), apigen::ir_yaml(&g.api));
    for f in g.files.iter().filter(|f| f.path != "Cargo.toml" && f.path != "src/lib.rs") {
        insta::assert_snapshot!(format!("{prefix}_{}", f.path.replace(['/', '.'], "_")), &f.contents);
    }
    let lines: Vec<String> = g.diagnostics.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(format!("{prefix}_diagnostics"), lines.join("\n"));
}

/// OpenAPI 3.1: type arrays with `null`, `const`, `examples`, `$ref` with
/// siblings, path items by reference, webhooks.
#[test]
fn v31() {
    snapshot_spec("v31.yaml", "v31");
}

/// Swagger 2.0: definitions, consumes/produces, body and formData
/// parameters, basePath.
#[test]
fn swagger2() {
    snapshot_spec("swagger2.yaml", "swagger2");
}

#[test]
fn replicate() {
    snapshot_target("replicate", "replicate");
}

#[test]
fn scenario() {
    snapshot_target("scenario", "scenario");
}

#[test]
fn features() {
    snapshot_target("features-client", "features");
}

#[test]
fn generation_is_deterministic() {
    // Every HashMap in a process gets its own random seed, so two runs in
    // one process already differ in every seed; the CLI test compares runs
    // in separate processes.
    let a = integration_tests::generate("replicate");
    let b = integration_tests::generate("replicate");
    assert_eq!(a.files, b.files);
    assert_eq!(apigen::ir_yaml(&a.api), apigen::ir_yaml(&b.api));
}

#[test]
fn committed_crates_are_what_the_generator_writes() {
    for name in ["replicate", "scenario", "features-client"] {
        let target = integration_tests::target(name);
        let g = integration_tests::generate(name);
        let stale = apigen::output::stale(&integration_tests::root().join(&target.out), &g.files);
        assert!(stale.is_empty(), "stale: {stale:?}; run `cargo xtask codegen`");
    }
}

#[test]
#[ignore = "needs ../shared/seeds beside the repository: `cargo xtask test` runs it"]
fn the_upstream_spec_is_the_seed_byte_for_byte() {
    let root = integration_tests::root();
    let ours = std::fs::read(root.join("spec/replicate/openapi.json")).unwrap();
    let seed = root.join("../shared/seeds/replicate-openapi.json");
    let seed = std::fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
    assert!(ours == seed, "spec/replicate/openapi.json differs from the seed");
}
