//! The generated Replicate client over real HTTP on 127.0.0.1: what it
//! sends, and what it makes of what comes back.

use integration_tests::replicate_client;
use replicate::prelude::*;
use replicate::{types, Error};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const AUTH: &str = "Bearer r8_test_token";

#[tokio::test]
async fn get_decodes_a_typed_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .and(header("authorization", AUTH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "organization", "username": "acme", "name": "Acme Corp, Inc.",
            "github_url": "https://github.com/acme"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let account = replicate_client(&server).account().get().await.unwrap();
    assert_eq!(account.username.as_deref(), Some("acme"));
    assert_eq!(account.type_, Some(types::AccountType::Organization));
}

#[tokio::test]
async fn post_sends_json_body_and_prefer_header_and_keeps_schemaless_body() {
    let server = MockServer::start().await;
    let prediction = json!({"id": "gm3qorzdhgbfurvjtvhg6dckhu", "status": "starting", "input": {"text": "Alice"}});
    Mock::given(method("POST"))
        .and(path("/v1/predictions"))
        .and(header("authorization", AUTH))
        .and(header("content-type", "application/json"))
        .and(header("prefer", "wait=5"))
        .and(body_json(json!({
            "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
            "input": {"text": "Alice"},
            "webhook_events_filter": ["start", "completed"]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let body = types::VersionPredictionRequest {
        version: "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa".into(),
        input: json!({"text": "Alice"}).as_object().unwrap().clone(),
        webhook: None,
        webhook_events_filter: Some(vec!["start".into(), types::PredictionRequestWebhookEventsFilterItem::Completed]),
        stream: None,
    };
    let resp = replicate_client(&server)
        .predictions()
        .create()
        .body(body)
        .prefer("wait=5")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.body.id.as_deref(), Some("gm3qorzdhgbfurvjtvhg6dckhu"));
    assert_eq!(resp.body.status, Some(types::PredictionStatus::Starting));
    assert_eq!(serde_json::to_value(&resp.body).unwrap(), prediction);
}

#[tokio::test]
async fn patch_sends_only_the_fields_set() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1/deployments/acme/my-app-image-generator"))
        .and(body_json(json!({"min_instances": 3})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "owner": "acme", "name": "my-app-image-generator",
            "current_release": {"number": 2, "model": "stability-ai/sdxl", "version": "da77bc59",
                "created_at": "2024-02-15T16:32:57.018467Z",
                "created_by": {"type": "organization", "username": "acme"},
                "configuration": {"hardware": "gpu-t4", "min_instances": 3, "max_instances": 10}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let update = types::DeploymentsUpdateBody { min_instances: Some(3), ..Default::default() };
    let deployment = replicate_client(&server)
        .deployments()
        .update("acme", "my-app-image-generator")
        .body(update)
        .await
        .unwrap();
    assert_eq!(deployment.current_release.unwrap().configuration.unwrap().min_instances, Some(3));
}

#[tokio::test]
async fn delete_with_204_is_unit() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v1/deployments/acme/old"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let resp = replicate_client(&server).deployments().delete("acme", "old").send_with_response().await.unwrap();
    assert_eq!(resp.status, 204);
    let () = resp.body;
}

#[tokio::test]
async fn query_method_sends_text_body() {
    let server = MockServer::start().await;
    let page = json!({"next": null, "previous": null, "results": [{"owner": "acme", "name": "hello-world"}]});
    Mock::given(method("QUERY"))
        .and(path("/v1/models"))
        .and(header("authorization", AUTH))
        .and(header("content-type", "text/plain"))
        .and(body_string("hello"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let found = replicate_client(&server).models().search("hello").await.unwrap();
    assert_eq!(found.results.as_ref().unwrap()[0].name.as_deref(), Some("hello-world"));
    assert_eq!(serde_json::to_value(&found).unwrap(), page);
}

#[tokio::test]
async fn path_parameters_cannot_change_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|req: &Request| ResponseTemplate::new(200).set_body_json(json!({"name": req.url.path()})))
        .mount(&server)
        .await;
    let client = replicate_client(&server);
    let cases = [
        ("../admin", "/v1/models/..%2Fadmin/x"),
        ("a/b", "/v1/models/a%2Fb/x"),
        ("%2e%2e", "/v1/models/%252e%252e/x"),
        ("?x=1", "/v1/models/%3Fx%3D1/x"),
        ("#", "/v1/models/%23/x"),
    ];
    for (owner, expected) in cases {
        let got = client.models().get(owner, "x").await.unwrap();
        assert_eq!(got.name.as_deref(), Some(expected), "owner {owner:?}");
    }
    for bad in ["", ".", ".."] {
        let err = client.models().get(bad, "x").await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{bad:?}: {err}");
    }
    let err = client.predictions().create().prefer("wait=1\r\nX-Injected: 1").await.unwrap_err();
    assert!(err.to_string().contains("header `Prefer`"), "{err}");
    // Nothing above that was refused reached the server.
    assert_eq!(server.received_requests().await.unwrap().len(), cases.len());
}

#[tokio::test]
async fn errors_carry_status_headers_body_and_problem_details() {
    let server = MockServer::start().await;
    let problem = json!({"title": "Not found", "detail": "Prediction not found", "status": 404});
    Mock::given(method("GET"))
        .and(path("/v1/predictions/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(problem.clone()).insert_header("x-request-id", "req-1"))
        .mount(&server)
        .await;
    let err = replicate_client(&server).predictions().get("missing").await.unwrap_err();
    assert_eq!(err.operation(), Some("predictions.get"));
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.headers["x-request-id"], "req-1");
    assert_eq!(api.body_json(), Some(problem));
    assert_eq!(api.problem.as_ref().unwrap().detail.as_deref(), Some("Prediction not found"));
    assert!(err.to_string().contains("Not found: Prediction not found"), "{err}");
    let source: &dyn std::error::Error = &err;
    let _ = source.source();
}

#[tokio::test]
async fn malformed_success_body_is_a_decode_error_with_the_raw_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"{\"username\": \"acm".to_vec(), "application/json"))
        .mount(&server)
        .await;
    let err = replicate_client(&server).account().get().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.status(), Some(200.try_into().unwrap()));
    assert_eq!(err.body().unwrap().as_ref(), b"{\"username\": \"acm");
}

#[tokio::test]
async fn optional_query_and_per_request_options() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .and(query_param("cursor", "abc"))
        .and(header("x-trace", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .expect(1)
        .mount(&server)
        .await;
    replicate_client(&server)
        .predictions()
        .list()
        .query("cursor", "abc")
        .header("x-trace", "1")
        .await
        .unwrap();
}

#[tokio::test]
async fn timeouts_are_errors_not_hangs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(5)))
        .mount(&server)
        .await;
    let err = replicate_client(&server)
        .account()
        .get()
        .timeout(std::time::Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { timeout, .. } if timeout.as_millis() == 100), "{err:?}");
}

#[test]
fn debug_output_never_shows_the_token() {
    let client = replicate::Client::new("r8_secret_value");
    let shown = format!("{client:?} {:?}", client.predictions().get("x"));
    assert!(!shown.contains("r8_secret_value"), "{shown}");
}

#[test]
fn from_env_reads_the_token_and_names_it_when_missing() {
    if !integration_tests::is_child() {
        let name = "from_env_reads_the_token_and_names_it_when_missing";
        integration_tests::in_child(name, &[("REPLICATE_API_TOKEN", Some("r8_from_env")), ("EXPECT", Some("ok"))]).unwrap();
        integration_tests::in_child(name, &[("REPLICATE_API_TOKEN", None), ("EXPECT", Some("missing"))]).unwrap();
        return;
    }
    match std::env::var("EXPECT").unwrap().as_str() {
        "ok" => {
            let client = replicate::Client::from_env().unwrap();
            assert!(!format!("{client:?}").contains("r8_from_env"));
        }
        _ => {
            let err = replicate::Client::from_env().unwrap_err();
            assert!(err.to_string().contains("REPLICATE_API_TOKEN"), "{err}");
        }
    }
}
