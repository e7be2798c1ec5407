//! The Replicate overlay applies cleanly, and an overlay action broken on
//! purpose stops generation with a message that names it.

use apigen::Source;

#[test]
fn a_broken_overlay_action_fails_generation_naming_it() {
    let root = integration_tests::root();
    let target = integration_tests::target("replicate");
    let text = std::fs::read_to_string(root.join("spec/replicate/overlay.yaml")).unwrap();
    let broken = text.replacen("$.paths['/predictions/{prediction_id}']", "$.paths['/predictionz/{prediction_id}']", 1);
    assert_ne!(broken, text, "the overlay has a predictions.get action to break");
    let dir = std::env::temp_dir().join(format!("apigen-overlay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let overlay = dir.join("broken-overlay.yaml");
    std::fs::write(&overlay, broken).unwrap();
    let source = Source { spec: root.join(&target.spec), overlays: vec![overlay] };
    let err = apigen::generate(&source, &root, &target.options()).unwrap_err().to_string();
    assert!(err.contains("broken-overlay.yaml#/actions/"), "{err}");
    assert!(err.contains("target `$.paths['/predictionz/{prediction_id}']"), "{err}");
    assert!(err.contains("selects nothing"), "{err}");
}

#[test]
fn the_overlay_types_every_response_that_has_a_body() {
    let g = integration_tests::generate("replicate");
    for op in &g.api.operations {
        for (r, decode) in op.successes() {
            let untyped = matches!(decode, apigen::ir::Decode::Untyped);
            // models.versions.delete answers an empty 202, as its prose says.
            assert!(!untyped || op.id == "models.versions.delete", "{} {:?} is untyped", op.id, r.status);
        }
    }
}
