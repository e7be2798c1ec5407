//! Generator behaviour on the tests' own spec: what the codegen config can
//! change, and what is detected.

use apigen::config::{PaginationOverride, PaginationStyle};
use apigen::ir::Pagination;

fn generate_with(overrides: Vec<PaginationOverride>) -> apigen::Generated {
    let target = integration_tests::target("features-client");
    let mut opts = target.options();
    opts.pagination = overrides;
    apigen::generate(&target.source(), &integration_tests::root(), &opts).unwrap()
}

fn pagination<'a>(g: &'a apigen::Generated, id: &str) -> Option<&'a Pagination> {
    g.api.operations.iter().find(|o| o.id == id).unwrap().pagination.as_ref()
}

#[test]
fn listing_conventions_are_detected() {
    let g = generate_with(Vec::new());
    assert!(matches!(pagination(&g, "items.list"), Some(Pagination::Cursor { param, .. }) if param == "cursor"));
    assert!(matches!(pagination(&g, "repos.list"), Some(Pagination::LinkHeader)));
    assert!(pagination(&g, "things.get").is_none());
    let replicate = integration_tests::generate("replicate");
    for id in ["predictions.list", "trainings.list", "models.list", "collections.list", "deployments.list"] {
        assert!(matches!(pagination(&replicate, id), Some(Pagination::NextUrl { .. })), "{id}");
    }
}

#[test]
fn the_config_can_set_or_turn_off_pagination() {
    let g = generate_with(vec![
        PaginationOverride { operation: "repos.list".into(), style: PaginationStyle::None, param: None, next: None, items: None },
        PaginationOverride {
            operation: "items.list".into(),
            style: PaginationStyle::NextUrl,
            param: None,
            next: Some("next_cursor".into()),
            items: Some("data".into()),
        },
    ]);
    assert!(pagination(&g, "repos.list").is_none());
    assert!(matches!(pagination(&g, "items.list"), Some(Pagination::NextUrl { next, .. }) if next.ident == "next_cursor"));
}

#[test]
fn a_wrong_override_is_a_diagnostic() {
    let g = generate_with(vec![PaginationOverride {
        operation: "items.list".into(),
        style: PaginationStyle::Cursor,
        param: Some("page_token".into()),
        next: Some("next_cursor".into()),
        items: Some("data".into()),
    }]);
    assert!(pagination(&g, "items.list").is_none());
    let d = g.diagnostics.iter().find(|d| d.pointer == "/paths/~1items/get").expect("a diagnostic");
    assert!(d.message.contains("no query parameter `page_token`"), "{d}");
}

#[test]
fn operations_that_answer_with_no_body_are_known() {
    let g = generate_with(Vec::new());
    let nothing: Vec<&str> = g.api.operations.iter().filter(|o| o.returns_nothing()).map(|o| o.id.as_str()).collect();
    // The two whose only success is a 204; `things.get` has a body.
    assert_eq!(nothing, ["delete_/things/{id}", "notes.replace"]);
}
