//! The crate generated from `tests/specs/features.yaml` (one of each
//! construct) against a mock server on 127.0.0.1.

use features_client::builders::{ThingsGetError, ThingsGetResponse};
use features_client::prelude::*;
use features_client::types;
use serde_json::json;
use wiremock::matchers::{body_bytes, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> features_client::Client {
    features_client::Client::builder()
        .base_url(server.uri())
        .api_key(features_client::ApiKeyLocation::Header, "X-Api-Key", "k-123")
        .build()
        .unwrap()
}

fn thing(id: i64) -> serde_json::Value {
    json!({"id": id, "kind": "small"})
}

#[tokio::test]
async fn cursor_pagination_follows_the_echoed_cursor() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [thing(3)], "next_cursor": null})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(header("x-api-key", "k-123"))
        .and(query_param("tags", "a,b"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [thing(1), thing(2)], "next_cursor": "c2"})))
        .mount(&server)
        .await;
    let ids: Vec<i64> = client(&server)
        .items()
        .list()
        .limit(2)
        .tags(vec!["a".to_owned(), "b".to_owned()])
        .items()
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1, 2, 3]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    // The second page keeps the other parameters.
    assert_eq!(requests[1].url.query(), Some("limit=2&tags=a%2Cb&cursor=c2"));
}

#[tokio::test]
async fn link_header_pagination() {
    let server = MockServer::start().await;
    let next = format!("<{}/repos?page=2>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path("/repos"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(["c"])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(["a", "b"])).insert_header("link", next.as_str()))
        .mount(&server)
        .await;
    let all: Vec<String> = client(&server).repos().list().items().try_collect().await.unwrap();
    assert_eq!(all, ["a", "b", "c"]);
}

#[tokio::test]
async fn several_success_statuses_are_an_enum_and_errors_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/things/1"))
        .and(header("x-request-id", "r1"))
        .and(header("cookie", "session=s1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(thing(1)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things/2"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"job_id": "j"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things/3"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "no thing 3"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things/4"))
        .respond_with(ResponseTemplate::new(418).set_body_json(json!({"title": "teapot", "detail": "short and stout"})))
        .mount(&server)
        .await;
    let c = client(&server);
    match c.things().get(1).x_request_id("r1").session("s1").await.unwrap() {
        ThingsGetResponse::Ok(t) => assert_eq!(t.id, 1),
        other => panic!("{other:?}"),
    }
    match c.things().get(2).await.unwrap() {
        ThingsGetResponse::Accepted(j) => assert_eq!(j.job_id.as_deref(), Some("j")),
        other => panic!("{other:?}"),
    }
    let err = c.things().get(3).await.unwrap_err();
    match err.as_api().and_then(|e| e.typed::<ThingsGetError>()) {
        Some(ThingsGetError::NotFound(nf)) => assert_eq!(nf.message, "no thing 3"),
        other => panic!("{other:?}"),
    }
    let err = c.things().get(4).await.unwrap_err();
    assert_eq!(err.status().unwrap(), 418);
    match err.as_api().and_then(|e| e.typed::<ThingsGetError>()) {
        Some(ThingsGetError::Default(p)) => assert_eq!(p.detail.as_deref(), Some("short and stout")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn binary_upload_text_response_and_unsecured_operations() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/things/7/raw"))
        .and(header("content-type", "application/octet-stream"))
        .and(body_bytes(vec![0u8, 159, 146, 150]))
        .respond_with(ResponseTemplate::new(200).set_body_string("stored"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(|req: &Request| {
            assert!(!req.headers.contains_key("x-api-key"), "credentials sent to an unsecured operation");
            ResponseTemplate::new(200)
        })
        .mount(&server)
        .await;
    // Bytes that are not UTF-8 come back as they were sent.
    Mock::given(method("GET"))
        .and(path("/things/7/raw"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0u8, 255, 10, 13], "application/octet-stream"))
        .mount(&server)
        .await;
    let c = client(&server);
    let text = c.things().upload(7, vec![0u8, 159, 146, 150]).await.unwrap();
    assert_eq!(text, "stored");
    let bytes = c.things().download(7).await.unwrap();
    assert_eq!(&bytes[..], [0u8, 255, 10, 13]);
    c.health().await.unwrap();
}

#[test]
fn any_of_is_an_untagged_enum_of_scalars() {
    let t: types::Thing = serde_json::from_value(json!({"id": 1, "kind": "small", "contact": "a@b.c"})).unwrap();
    assert_eq!(t.contact, Some(types::ThingContact::String("a@b.c".into())));
    let t: types::Thing = serde_json::from_value(json!({"id": 1, "kind": "small", "contact": 204})).unwrap();
    assert_eq!(t.contact, Some(types::ThingContact::Integer(204)));
    assert_eq!(serde_json::to_value(&t).unwrap()["contact"], 204);
}

#[test]
fn an_inline_schema_named_like_a_component_gets_another_name() {
    // The component keeps its name; the page of `items.list` is the other.
    let c = types::ItemsListResponse { total: Some(3) };
    let page = types::ItemsListResponse2 { data: Vec::new(), next_cursor: None };
    assert_eq!(serde_json::to_value(&c).unwrap(), json!({"total": 3}));
    assert_eq!(serde_json::to_value(&page).unwrap(), json!({"data": []}));
}

#[tokio::test]
async fn server_sent_events_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat"))
        .and(header("accept", "text/event-stream"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "data: {\"text\":\"Hel\"}\n\n: keep-alive\n\ndata: {\"text\":\"lo\"}\n\n",
            "text/event-stream",
        ))
        .mount(&server)
        .await;
    let body = types::ChatBody { prompt: "hi".into() };
    let events: Vec<features_client::Event<types::Token>> =
        client(&server).chat(body).stream().try_collect().await.unwrap();
    let text: String = events.iter().filter_map(|e| e.data.text.clone()).collect();
    assert_eq!(text, "Hello");
}

#[test]
fn types_round_trip() {
    let v = json!({
        "id": 1, "kind": "3d", "type": "t", "self": "s", "2fa": true, "level": -1,
        "labels": {"a": "b"}, "note": null,
        // A whole `number` prints as an integer (`apigen_runtime::number`).
        "shape": {"name": "sq", "side": 2},
        "tree": {"children": [{"children": []}], "parent": {"children": []}},
        "value": [1, "two"]
    });
    let t: types::Thing = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(t.kind, types::Kind::V3d);
    assert_eq!(t.level, Some(types::Level::Minus1));
    assert_eq!(t.type_.as_deref(), Some("t"));
    assert_eq!(t.n2fa, Some(true));
    assert!(matches!(t.shape, Some(types::Shape::Square(ref s)) if s.name == "sq" && s.side == 2.0));
    assert_eq!(t.tree.as_ref().unwrap().children.as_ref().unwrap().len(), 1);
    assert_eq!(serde_json::to_value(&t).unwrap(), v);
    let circle: types::Shape = serde_json::from_value(json!({"radius": 1.5})).unwrap();
    assert!(matches!(circle, types::Shape::Circle(_)));
    let s: types::Shape = serde_json::from_value(json!("blob")).unwrap();
    assert_eq!(s, types::Shape::String("blob".into()));
    let k: types::Kind = serde_json::from_value(json!("Small")).unwrap();
    assert_eq!(k.as_str(), "Small");
    assert_ne!(k, types::Kind::Small);
}

#[test]
fn members_a_schema_does_not_name_are_kept_in_place_and_errors_name_the_member() {
    let v = json!({"title": "Gone", "instance": "/items/7", "retry": {"after": 3}});
    let p: types::Problem = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(p.title.as_deref(), Some("Gone"));
    assert_eq!(p.detail, None);
    assert_eq!(p.additional_properties.get("instance"), Some(&json!("/items/7")));
    assert!(!p.additional_properties.contains_key("title"));
    assert_eq!(serde_json::to_value(&p).unwrap(), v);
    // From bytes, as a response body is read, as from a `Value`.
    let from_text: types::Problem = serde_json::from_str(&v.to_string()).unwrap();
    assert_eq!(serde_json::to_value(&from_text).unwrap(), v);

    let err = serde_json::from_value::<types::NotFound>(json!({})).unwrap_err().to_string();
    assert!(err.contains("missing field `message`"), "{err}");
    let err = serde_json::from_value::<types::Thing>(json!({"id": 1, "kind": "3d", "labels": {"a": 1}}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`labels`: invalid type: integer `1`"), "{err}");
    // A struct is an object: an array is not taken for one.
    assert!(serde_json::from_value::<types::NotFound>(json!(["gone"])).is_err());
}

#[test]
fn discriminated_unions_are_tagged_enums_that_keep_unknown_tags() {
    // The mapping names Cat twice; Cat declares the tag itself, Dog does not.
    let cat: types::Pet = serde_json::from_value(json!({"petType": "kitten", "lives": 9})).unwrap();
    assert!(matches!(&cat, types::Pet::Cat(c) if c.lives == 9 && c.pet_type == "kitten"));
    assert_eq!(serde_json::to_value(&cat).unwrap(), json!({"petType": "kitten", "lives": 9}));
    let dog = types::Pet::Dog(types::Dog { bark: true });
    assert_eq!(serde_json::to_value(&dog).unwrap(), json!({"bark": true, "petType": "dog"}));
    assert_eq!(serde_json::from_value::<types::Pet>(json!({"petType": "dog", "bark": true})).unwrap(), dog);
    let bird = json!({"petType": "bird", "wings": 2});
    assert_eq!(serde_json::from_value::<types::Pet>(bird.clone()).unwrap(), types::Pet::Other(bird));
    // A known tag with a body that does not fit is an error, not `Other`.
    assert!(serde_json::from_value::<types::Pet>(json!({"petType": "cat", "lives": "nine"})).is_err());

    // Without a discriminator, a property every variant fixes is the tag:
    // `deleted` is not taken for `created` though both have the same shape.
    let deleted: types::Event = serde_json::from_value(json!({"type": "deleted", "id": "e1"})).unwrap();
    assert!(matches!(&deleted, types::Event::Deleted(d) if d.id == "e1"));
    let created: types::Event = serde_json::from_value(json!({"type": "created", "id": "e2"})).unwrap();
    assert!(matches!(created, types::Event::Created(_)));
    assert_eq!(serde_json::to_value(&deleted).unwrap(), json!({"type": "deleted", "id": "e1"}));
}

#[test]
fn a_union_of_one_value_enums_is_one_open_enum() {
    assert_eq!(serde_json::from_value::<types::Size>(json!("m")).unwrap(), types::Size::M);
    assert_eq!(serde_json::from_value::<types::Size>(json!("s")).unwrap(), types::Size::S);
    let xl: types::Size = serde_json::from_value(json!("xl")).unwrap();
    assert_eq!(xl.as_str(), "xl");
    assert_eq!(serde_json::to_value(&xl).unwrap(), json!("xl"));
}

#[test]
fn patch_bodies_tell_absent_from_null() {
    let clear = types::ThingPatch { note: Some(None), labels: None };
    assert_eq!(serde_json::to_value(&clear).unwrap(), json!({"note": null}));
    let keep = types::ThingPatch::default();
    assert_eq!(serde_json::to_value(&keep).unwrap(), json!({}));
}

#[tokio::test]
async fn multipart_uploads_carry_files_and_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/files"))
        .respond_with(|req: &Request| {
            let ct = req.headers["content-type"].to_str().unwrap().to_owned();
            let boundary = ct.strip_prefix("multipart/form-data; boundary=").expect("a multipart content type");
            let body = String::from_utf8_lossy(&req.body).into_owned();
            let expected = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.jsonl\"\r\n\
                 Content-Type: application/jsonl\r\n\r\n{{\"a\":1}}\n\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nx\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\ny\r\n--{boundary}--\r\n"
            );
            assert_eq!(body, expected);
            ResponseTemplate::new(200).set_body_json(json!({"job_id": "f1"}))
        })
        .expect(1)
        .mount(&server)
        .await;
    let file = apigen_runtime::File::new(&b"{\"a\":1}\n"[..]).file_name("data.jsonl").content_type("application/jsonl");
    let body = types::FilesUploadBody { file, purpose: "fine-tune".into(), tags: Some(vec!["x".into(), "y".into()]) };
    let job = client(&server).files().upload(body).await.unwrap();
    assert_eq!(job.job_id.as_deref(), Some("f1"));
}

#[tokio::test]
async fn form_bodies_nest_in_brackets_and_deep_objects_go_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/charges"))
        .and(query_param("created[gt]", "10"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(wiremock::matchers::body_string("amount=500&metadata%5Border%5D=42&items%5B0%5D%5Bprice%5D=p_1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let body = types::ChargesCreateBody {
        amount: 500,
        metadata: Some([("order".to_owned(), "42".to_owned())].into()),
        items: Some(vec![types::ChargesCreateBodyItemsItem { price: Some("p_1".into()) }]),
    };
    client(&server)
        .charges()
        .create(body)
        .created(types::ChargesCreateCreated { gt: Some(10), lt: None })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_body_in_several_media_types_is_a_choice_of_methods_and_setters() {
    let server = MockServer::start().await;
    let created = ResponseTemplate::new(201).set_body_json(json!({"text": "hi"}));
    for (content_type, body) in [
        ("application/json", &b"{\"text\":\"hi\",\"pinned\":true}"[..]),
        ("application/x-www-form-urlencoded", b"text=hi&pinned=true"),
        ("text/plain", b"hi"),
        ("application/vnd.notes.v1", b"\x00hi"),
    ] {
        Mock::given(method("POST"))
            .and(path("/notes"))
            .and(header("content-type", content_type))
            .and(body_bytes(body))
            .respond_with(created.clone())
            .expect(1)
            .mount(&server)
            .await;
    }
    let note = types::Note { text: "hi".into(), pinned: Some(true) };
    let c = client(&server);
    assert_eq!(c.notes().create(note.clone()).await.unwrap().text, "hi");
    c.notes().create_form(note.clone()).await.unwrap();
    c.notes().create_text("hi").await.unwrap();
    c.notes().create_vnd_notes_v1(apigen_runtime::Bytes::from_static(b"\x00hi")).await.unwrap();

    Mock::given(method("PUT"))
        .and(path("/notes"))
        .and(header("content-type", "application/merge-patch+json"))
        .and(body_bytes(&b"{\"text\":\"hi\",\"pinned\":true}"[..]))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/notes"))
        .and(|r: &Request| {
            let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            let body = String::from_utf8_lossy(&r.body);
            ct.starts_with("multipart/form-data; boundary=") && body.contains("name=\"text\"\r\n\r\nhi\r\n")
        })
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    c.notes().replace().body(note.clone()).await.unwrap();
    // The last body set is the one sent.
    c.notes().replace().body(note.clone()).body_multipart(note).await.unwrap();
}

#[tokio::test]
async fn newline_delimited_json_is_a_stream_of_typed_values() {
    let server = MockServer::start().await;
    let body = "{\"text\":\"a\"}\n\n{\"text\":\"b\",\"pinned\":true}\r\n{\"text\":7}\n{\"text\":\"c\"}";
    Mock::given(method("GET"))
        .and(path("/notes/feed"))
        .and(header("accept", "application/x-ndjson"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/x-ndjson"))
        .expect(1)
        .mount(&server)
        .await;
    let items: Vec<Result<types::Note, features_client::Error>> = client(&server).notes().feed().lines().collect().await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().text, "a");
    assert_eq!(items[1].as_ref().unwrap().pinned, Some(true));
    // A line that does not decode is an error carrying it; the rest goes on.
    match &items[2] {
        Err(features_client::Error::Decode(d)) => assert_eq!(&d.body[..], b"{\"text\":7}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(items[3].as_ref().unwrap().text, "c");
}
