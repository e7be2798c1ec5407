//! The decisions lower makes, each on a small document: names, unions,
//! response variants, error enums and their owner, credentials.

use super::*;

fn lower_with(yaml: &str, opts: &Options) -> (Api, Vec<String>) {
    let raw: serde_json::Value = serde_yaml::from_str(yaml).expect("the test document is YAML");
    let mut diags = Diagnostics::default();
    let spec = crate::normalize::normalize(raw, "test.yaml", &mut diags).expect("the test document is valid");
    let api = lower(&spec, opts, &mut diags);
    let messages = diags.into_vec().into_iter().map(|d| format!("{}: {}", d.pointer, d.message)).collect();
    (api, messages)
}

fn lower_yaml(yaml: &str) -> Api {
    lower_with(yaml, &Options::new("test")).0
}

fn doc(paths: &str, schemas: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}\n")
}

fn op<'a>(api: &'a Api, id: &str) -> &'a Operation {
    api.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"))
}

fn kind<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
    &api.types.get(name).unwrap_or_else(|| panic!("no type {name}; have {:?}", api.types.keys().collect::<Vec<_>>())).kind
}

#[test]
fn dotted_ids_make_namespaces_with_distinct_type_names() {
    let api = lower_yaml(&doc(
        "  /a: {get: {operationId: foo.bar.list, responses: {'200': {description: ok}}}}\n  /b: {get: {operationId: foo_bar.list, responses: {'200': {description: ok}}}}\n  /c: {get: {operationId: client.get, responses: {'200': {description: ok}}}}",
        "    X: {type: string}",
    ));
    let names: Vec<(String, &str)> = api.namespaces.iter().map(|n| (n.path.join("."), n.type_name.as_str())).collect();
    assert_eq!(
        names,
        [("foo".into(), "Foo"), ("foo.bar".into(), "FooBar"), ("foo_bar".into(), "FooBar2"), ("client".into(), "Client2")]
    );
    assert_eq!(op(&api, "foo.bar.list").method_name, "list");
    assert_eq!(op(&api, "foo.bar.list").static_name, "FOO_BAR_LIST");
}

#[test]
fn type_names_avoid_the_prelude_and_each_other() {
    let api = lower_yaml(&doc(
        "  /a: {get: {operationId: a, responses: {'200': {description: ok}}}}",
        "    String: {type: object, properties: {a: {type: string}}}\n    foo-bar: {type: object, properties: {type: {type: string}}}\n    foo_bar: {type: object, properties: {b: {type: string}}}",
    ));
    let names: Vec<&String> = api.types.keys().collect();
    assert_eq!(names, ["String2", "FooBar", "FooBar2"]);
    let TypeKind::Struct { fields, .. } = kind(&api, "FooBar") else { panic!("a struct") };
    assert_eq!((fields[0].name.as_str(), fields[0].ident.as_str()), ("type", "type_"));
}

#[test]
fn responses_of_different_types_get_an_enum_with_named_variants() {
    let api = lower_yaml(&doc(
        "  /a:\n    get:\n      operationId: get_a\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/X'}}}}\n        '202': {description: later}\n        '299': {description: odd, content: {text/plain: {}}}",
        "    X: {type: object, properties: {a: {type: string}}}",
    ));
    let o = op(&api, "get_a");
    assert_eq!(o.response_enum.as_deref(), Some("GetAResponse"));
    let variants: Vec<Option<&str>> = o.responses.iter().map(|r| r.variant.as_deref()).collect();
    assert_eq!(variants, [Some("Ok"), Some("Accepted"), Some("Status299")]);
}

#[test]
fn operations_with_the_same_errors_share_one_enum_defined_once() {
    let errors = "responses: {'200': {description: ok}, '404': {description: gone, content: {application/json: {schema: {$ref: '#/components/schemas/E'}}}}, default: {description: other, content: {application/json: {schema: {$ref: '#/components/schemas/E'}}}}, '500': {description: untyped}}";
    let api = lower_yaml(&doc(
        &format!("  /a: {{get: {{operationId: a, {errors}}}}}\n  /b: {{get: {{operationId: b, {errors}}}}}\n  /c: {{get: {{operationId: c, responses: {{'200': {{description: ok}}, '400': {{description: bad, content: {{application/json: {{schema: {{type: string}}}}}}}}}}}}}}"),
        "    E: {type: object, properties: {message: {type: string}}}",
    ));
    let (a, b, c) = (op(&api, "a"), op(&api, "b"), op(&api, "c"));
    assert_eq!(a.error_enum.as_deref(), Some("ErrorResponse"));
    assert_eq!(b.error_enum.as_deref(), Some("ErrorResponse"));
    assert!(a.defines_error_enum && !b.defines_error_enum);
    assert_eq!(c.error_enum.as_deref(), Some("CError"));
    assert!(c.defines_error_enum);
    let variants: Vec<Option<&str>> = a.responses.iter().map(|r| r.variant.as_deref()).collect();
    // 200, 404, 500, default. The untyped 500 has no variant: it stays
    // an untyped API error.
    assert_eq!(variants, [None, Some("NotFound"), None, Some("Default")]);
}

#[test]
fn a_discriminated_union_is_tagged_with_an_open_fallback() {
    let api = lower_yaml(&doc(
        "  /a: {get: {operationId: a, responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}}}",
        "    Pet: {oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}], discriminator: {propertyName: kind}}\n    Cat: {type: object, required: [kind], properties: {kind: {type: string}, meows: {type: boolean}}}\n    Dog: {type: object, required: [kind], properties: {kind: {type: string}, barks: {type: boolean}}}",
    ));
    let TypeKind::Union { variants, tag, fallback } = kind(&api, "Pet") else { panic!("a union") };
    assert_eq!(tag.as_deref(), Some("kind"));
    assert_eq!(fallback.as_deref(), Some("Other"));
    let names: Vec<(&str, &[String])> = variants.iter().map(|v| (v.ident.as_str(), v.tags.as_slice())).collect();
    assert_eq!(names, [("Cat", &["Cat".to_owned()][..]), ("Dog", &["Dog".to_owned()][..])]);
}

#[test]
fn a_union_of_string_enums_is_one_enum_and_of_one_member_is_that_member() {
    let api = lower_yaml(&doc(
        "  /a: {get: {operationId: a, responses: {'200': {description: ok}}}}",
        "    Size: {oneOf: [{type: string, enum: [s, m]}, {type: string, enum: [l]}]}\n    One: {anyOf: [{$ref: '#/components/schemas/Size'}]}",
    ));
    let TypeKind::StringEnum { variants, .. } = kind(&api, "Size") else { panic!("an enum") };
    assert_eq!(variants.iter().map(|v| v.value.as_str()).collect::<Vec<_>>(), ["s", "m", "l"]);
    assert!(matches!(kind(&api, "One"), TypeKind::Alias(Ty::Named(n)) if n == "Size"));
}

#[test]
fn credentials_are_read_from_variables_named_for_the_crate() {
    let basic = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {securitySchemes: {b: {type: http, scheme: basic}}}\nsecurity: [{b: []}]\n";
    let (api, diags) = lower_with(basic, &Options::new("my-api"));
    assert_eq!(api.credential_env, ["MY_API_USERNAME", "MY_API_PASSWORD"]);
    assert!(diags.is_empty());
    let (api, diags) = lower_with(basic, &Options::new("my-api").env(["ONLY_ONE"]));
    assert_eq!(api.credential_env, ["MY_API_USERNAME", "MY_API_PASSWORD"]);
    assert_eq!(diags.len(), 1, "a configured list of the wrong length is reported: {diags:?}");
    let (api, _) = lower_with(basic, &Options::new("my-api").env(["U", "P"]));
    assert_eq!(api.credential_env, ["U", "P"]);
}

#[test]
fn setters_never_take_a_method_every_builder_has() {
    let params: String = ["stream", "send", "body", "pages", "request", "body_form", "query"]
        .iter()
        .map(|n| format!("{{name: {n}, in: query, schema: {{type: string}}}}, "))
        .collect();
    let api = lower_yaml(&doc(
        &format!("  /a:\n    post:\n      operationId: a\n      parameters: [{params}]\n      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}, application/x-www-form-urlencoded: {{schema: {{type: object}}}}}}}}\n      responses: {{'200': {{description: ok, content: {{text/event-stream: {{}}}}}}}}"),
        "    X: {type: string}",
    ));
    let o = op(&api, "a");
    let idents: Vec<&str> = o.params.iter().map(|p| p.ident.as_str()).collect();
    assert_eq!(idents, ["stream2", "send2", "body2", "pages2", "request2", "body_form", "query"]);
    let alt = &o.body.as_ref().expect("a body").alternatives[0];
    assert_eq!(alt.method_name, "body_form2", "the form setter gives way to the parameter");
}

#[test]
fn an_all_of_of_one_scalar_type_is_its_most_specific_member() {
    let api = lower_yaml(&doc(
        "  /a: {get: {operationId: a, responses: {'200': {description: ok}}}}",
        "    Size: {type: string, enum: [s, m]}\n    Crate: {type: object, properties: {\n      size: {allOf: [{$ref: '#/components/schemas/Size'}, {type: string, description: the size}]},\n      count: {allOf: [{type: integer}, {type: integer, minimum: 1}]},\n      odd: {allOf: [{type: integer}, {type: string}]}}}",
    ));
    let TypeKind::Struct { fields, .. } = kind(&api, "Crate") else { panic!("a struct") };
    let ty = |name: &str| &fields.iter().find(|f| f.name == name).expect("a field").ty;
    assert_eq!(ty("size"), &Ty::Named("Size".into()));
    assert_eq!(ty("count"), &Ty::I64);
    assert_eq!(ty("odd"), &Ty::Json, "members that contradict each other take any value");
}

#[test]
fn composition_is_typed_by_what_its_members_constrain() {
    let (api, diags) = lower_with(include_str!("../../../../tests/specs/composition.yaml"), &Options::new("test"));
    let field_names = |name: &str| match kind(&api, name) {
        TypeKind::Struct { fields, .. } => fields.iter().map(|f| (f.name.clone(), f.required)).collect::<Vec<_>>(),
        other => panic!("{name} is not a struct: {other:?}"),
    };
    let variants = |name: &str| match kind(&api, name) {
        TypeKind::Union { variants, tag, .. } => (variants.iter().map(|v| v.ty.clone()).collect::<Vec<_>>(), tag.clone()),
        other => panic!("{name} is not a union: {other:?}"),
    };
    // `type: object` and `required` beside allOf: merged, `name` required.
    assert_eq!(field_names("NewPet"), [("name".to_owned(), true), ("tag".to_owned(), false)]);
    // Properties beside a discriminated oneOf: each variant holds them.
    let (pet, tag) = variants("Pet");
    assert_eq!(tag.as_deref(), Some("kind"));
    let Ty::Named(cat) = &pet[0] else { panic!("a named variant") };
    assert_eq!(field_names(cat).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["id", "kind", "lives"]);
    // A base that lists its variants, each merging the base back: tagged
    // by the mapping, each variant the base's members and its own.
    let (animal, tag) = variants("Animal");
    assert_eq!(tag.as_deref(), Some("species"));
    let Ty::Named(bird) = &animal[0] else { panic!("a named variant") };
    assert_eq!(field_names(bird).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["species", "wingspan"]);
    assert_eq!(field_names("Bird").iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["species", "wingspan"]);
    // `type: object` beside oneOf: the union.
    assert_eq!(variants("Shape").0.len(), 2);
    // An object and a union in one allOf: the union of the merged variants.
    let (owner, _) = variants("Owner");
    let Ty::Named(by_mail) = &owner[0] else { panic!("a named variant") };
    assert_eq!(field_names(by_mail), [("name".to_owned(), false), ("tag".to_owned(), false), ("email".to_owned(), true)]);
    // Object keywords beside a union: merged into its object variants only.
    let (payload, _) = variants("Payload");
    assert_eq!(payload[0], Ty::String);
    let Ty::Named(object) = &payload[1] else { panic!("a named variant") };
    assert_eq!(field_names(object), [("id".to_owned(), true), ("name".to_owned(), false)]);
    // A union that only requires: the object alone.
    assert_eq!(field_names("Contact").len(), 2);
    assert!(matches!(kind(&api, "Level"), TypeKind::StringEnum { .. }));
    assert!(matches!(kind(&api, "Priority"), TypeKind::IntegerEnum { .. }));
    assert!(matches!(kind(&api, "Counts"), TypeKind::Alias(Ty::Map(v)) if **v == Ty::I64));
    // Everything typed but the contradiction, which is counted apart and
    // reported where it is.
    assert_eq!(api.coverage.untyped, Vec::<String>::new());
    assert_eq!(api.coverage.impossible, ["/paths/~1shapes/get/responses/200/content/application~1json/schema/properties/broken"]);
    assert!(diags.iter().any(|d| d.starts_with("/components/schemas/Broken/allOf/")), "{diags:#?}");
}
