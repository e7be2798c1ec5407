//! Snapshots of what the generator understood (the IR) and printed (every
//! file of the crate) for the Replicate spec. Review changes with
//! `cargo insta review`.

#[test]
fn replicate_ir() {
    let g = integration_tests::generate("replicate");
    insta::assert_snapshot!("replicate_ir", apigen::ir_yaml(&g.api));
}

#[test]
fn replicate_generated_files() {
    let g = integration_tests::generate("replicate");
    let paths: Vec<&str> = g.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["Cargo.toml", "src/lib.rs", "src/client.rs", "src/builders.rs", "src/types.rs"]);
    for f in &g.files {
        insta::assert_snapshot!(format!("replicate_{}", f.path.replace(['/', '.'], "_")), &f.contents);
    }
}

#[test]
fn replicate_diagnostics() {
    let g = integration_tests::generate("replicate");
    let lines: Vec<String> = g.diagnostics.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("replicate_diagnostics", lines.join("\n"));
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
fn committed_crate_is_what_the_generator_writes() {
    let g = integration_tests::generate("replicate");
    let dir = integration_tests::root().join("generated-client/replicate");
    let stale = apigen::output::stale(&dir, &g.files);
    assert!(stale.is_empty(), "stale: {stale:?}; run `cargo xtask codegen`");
}

#[test]
fn the_upstream_spec_is_the_seed_byte_for_byte() {
    let root = integration_tests::root();
    let ours = std::fs::read(root.join("spec/replicate/openapi.json")).unwrap();
    let seed = root.join("../shared/seeds/replicate-openapi.json");
    // The seed sits beside the repository in development and CI; a clone
    // elsewhere has only its own copy to check.
    if let Ok(seed) = std::fs::read(seed) {
        assert!(ours == seed, "spec/replicate/openapi.json differs from the seed");
    }
}
