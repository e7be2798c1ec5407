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

fn generate_spec(file: &str) -> apigen::Generated {
    let path = integration_tests::root().join("tests/specs").join(file);
    apigen::generate_file(&path, file, &apigen::Options::new("spec-test")).unwrap()
}

fn pointers(g: &apigen::Generated) -> Vec<&str> {
    g.diagnostics.iter().map(|d| d.pointer.as_str()).collect()
}

/// Each defect of `lenient.yaml` is read past with a diagnostic at its
/// pointer; `cargo xtask test` compiles the crate it gives.
#[test]
fn a_defective_spec_generates_with_a_diagnostic_for_each_repair() {
    let g = generate_spec("lenient.yaml");
    let found = pointers(&g);
    for expected in [
        "/openapi",
        "/info/title",
        "/info/version",
        "/servers",
        "/tags",
        "/security/0/key",
        "/paths/things",
        "/paths/~1things/get/parameters/0",
        "/paths/~1things/get/parameters/1",
        "/paths/~1things/get/responses/4xx",
        "/paths/~1things/get/responses/4XX/content/application~1json/schema/$ref",
        "/paths/~1things~1{id}/get/parameters/1/$ref",
        "/paths/~1things~1{id}/delete/responses",
        "/components/schemas/Thing/properties/id/required",
        "/components/schemas/Thing/properties/size/type",
        "/components/schemas/Thing/properties/count/example",
        "/components/schemas/Thing/properties/owner",
        "/components/securitySchemes/key/type",
        "/components/securitySchemes/key/in",
        "/paths/~1things~1{id}~1photo/parameters/0",
        "/paths/~1things~1{id}~1photo/put/parameters/1",
        "/paths/~1things~1{id}~1photo/put/parameters/2",
        "/paths/~1things~1{id}~1rename/post/parameters/1",
        "/components/parameters/Note",
    ] {
        assert!(found.contains(&expected), "no diagnostic at {expected}: {found:?}");
    }
    assert_eq!(g.api.operations.len(), 5, "the duplicate operationId is renamed, not dropped");
    // 2.0's body parameters in a 3.0 document are its request body.
    let upload = g.api.operations.iter().find(|o| o.id == "uploadPhoto").unwrap();
    let body = upload.body.as_ref().expect("the form fields are the body");
    assert_eq!(body.content.media_type, "multipart/form-data");
    assert_eq!(upload.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["id"]);
    let rename = g.api.operations.iter().find(|o| o.id == "renameThing").unwrap();
    assert!(rename.body.as_ref().is_some_and(|b| b.required && b.content.media_type == "application/json"));
    let strict = apigen::generate_file(
        &integration_tests::root().join("tests/specs/lenient.yaml"),
        "lenient.yaml",
        &apigen::Options::new("spec-test").strict(true),
    );
    assert!(strict.is_err(), "--strict refuses what leniency repaired");
}

/// Every reference form of `references.yaml` ends at a typed position,
/// each nested schema at one named type.
#[test]
fn every_reference_form_is_followed_to_one_named_type() {
    let g = generate_spec("references.yaml");
    assert!(g.diagnostics.is_empty(), "{:?}", pointers(&g));
    let names: Vec<&str> = g.api.types.keys().map(String::as_str).collect();
    assert_eq!(names, ["Alias", "Pet", "PetOwner", "Limit", "Legacy", "Problem", "PetKind"]);
    let list = g.api.operations.iter().find(|o| o.id == "pets.list").unwrap();
    let kind = list.params.iter().find(|p| p.name == "kind").unwrap();
    assert_eq!(kind.ty, apigen::ir::Ty::Named("PetKind".into()));
    assert_eq!(list.params.iter().filter(|p| p.name == "limit").count(), 1, "the chained parameter is the same one");
}

/// A document in several files, with a cycle across them, is one crate:
/// each schema one type, named for where it was.
#[test]
fn a_multi_file_spec_is_bundled() {
    let g = generate_spec("multi-file/openapi.yaml");
    assert!(g.diagnostics.is_empty(), "{:?}", pointers(&g));
    let ids: Vec<&str> = g.api.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["pets.list", "pets.get"]);
    let mut names: Vec<&str> = g.api.types.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["Owner", "Pet", "Problem"]);
}

/// The traps of `names.yaml` (`cargo xtask test` compiles its crate with
/// no warnings allowed): each rename is a diagnostic at the name's
/// pointer, readable, and no two names of a scope are the same.
#[test]
fn every_name_is_distinct_and_each_rename_says_so() {
    let g = generate_spec("names.yaml");
    let said = |pointer: &str, named: &str| {
        assert!(
            g.diagnostics.iter().any(|d| d.pointer == pointer && d.message.contains(&format!("named `{named}`"))),
            "no diagnostic at {pointer} naming `{named}`: {:?}",
            g.diagnostics.iter().map(|d| format!("{}: {}", d.pointer, d.message)).collect::<Vec<_>>()
        );
    };
    said("/components/schemas/Error", "Error2");
    said("/components/schemas/Result", "Result2");
    said("/components/schemas/self", "Self2");
    said("/components/schemas/model", "Model2");
    said("/components/schemas/Request/properties/Type", "type_2");
    said("/components/schemas/Request/properties/", "value");
    said("/components/schemas/Request/properties/2x", "n2x");
    said("/components/schemas/Request/properties/größe", "grosse");
    said("/components/schemas/Kind/enum", "A2");
    said("/paths/~1send~1{self}~1{crate}/post/parameters/2", "send2");
    said("/paths/~1send~1{self}~1{crate}/post/parameters/6", "stream2");
    said("/paths/~1raw/get/operationId", "raw2");
    said("/paths/~1unicode/get/operationId", "ri_ben_yu");

    let distinct = |what: &str, names: Vec<&str>| {
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "{what}: {names:?}");
    };
    distinct("types", g.api.types.keys().map(String::as_str).collect());
    // Types are keyed by name: one name given twice would leave a schema
    // without its type.
    let path = integration_tests::root().join("tests/specs/names.yaml");
    let doc = apigen::load::read(&path, "names.yaml").unwrap();
    for key in doc["components"]["schemas"].as_object().unwrap().keys() {
        let pointer = apigen::pointer::join("/components/schemas", key);
        assert!(g.api.types.values().any(|t| t.pointer == pointer), "no type for {pointer}");
    }
    let send = g.api.operations.iter().find(|o| o.id == "things.send").unwrap();
    let setters: Vec<&str> = send.params.iter().map(|p| p.ident.as_str()).collect();
    distinct("setters", setters.clone());
    for own in ["send", "request", "send_with_response", "body", "stream", "lines", "pages", "items", "new"] {
        assert!(!setters.contains(&own), "a setter takes the builder's own `{own}`");
    }
    let mut methods: Vec<(Vec<String>, &str)> =
        g.api.operations.iter().map(|o| (o.namespace.clone(), o.method_name.as_str())).collect();
    let count = methods.len();
    methods.sort();
    methods.dedup();
    assert_eq!(methods.len(), count, "two operations share a method");
    assert_eq!(g.api.operations.len(), 11, "every operation is generated");
}
