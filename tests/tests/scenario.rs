//! The generated Scenario client: `PUT /models/{modelId}/train` over HTTP
//! on 127.0.0.1, with Basic auth and the docs page's full response.

use integration_tests::fixture;
use scenario::types::{self, PutModelsTrainResponse};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> scenario::Client {
    scenario::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .basic_auth("my-key", "my-secret")
        .build()
        .unwrap()
}

#[tokio::test]
async fn train_sends_put_with_basic_auth_to_the_encoded_path() {
    let server = MockServer::start().await;
    let example = fixture("scenario/train-response.json");
    Mock::given(method("PUT"))
        .and(path("/v1/models/model%20id%2Fx/train"))
        // base64("my-key:my-secret")
        .and(header("authorization", "Basic bXkta2V5Om15LXNlY3JldA=="))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_json(example.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let resp = client(&server)
        .models()
        .train("model id/x")
        .body(types::PutModelsTrainRequest::new())
        .await
        .unwrap();
    let job = resp.job.as_ref().unwrap();
    assert_eq!(job.job_type, Some(types::JobType::AssetsDownload));
    let back = serde_json::to_value(&resp).unwrap();
    assert_eq!(back, example, "round trip lost something");
}

#[test]
fn the_docs_example_round_trips_with_nothing_lost() {
    let example = fixture("scenario/train-response.json");
    let typed: PutModelsTrainResponse = serde_json::from_value(example.clone()).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    // Compared as serde_json compares: `0` and `0.0` differ.
    assert_eq!(back, example);
}

#[test]
fn unknown_enum_values_and_extra_fields_are_accepted() {
    let mut example = fixture("scenario/train-response.json");
    example["job"]["status"] = json!("a-status-from-the-future");
    example["job"]["jobType"] = json!("brand-new-job");
    example["model"]["privacy"] = json!("team-only");
    example["job"]["somethingNew"] = json!({"x": 1});
    let typed: PutModelsTrainResponse = serde_json::from_value(example.clone()).unwrap();
    let job = typed.job.as_ref().unwrap();
    assert_eq!(job.status, Some(types::JobStatus::Other("a-status-from-the-future".into())));
    assert_eq!(job.job_type.as_ref().map(|t| t.as_str()), Some("brand-new-job"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back["job"]["status"], "a-status-from-the-future");
    assert_eq!(back["model"]["privacy"], "team-only");
}

#[tokio::test]
async fn unauthorized_and_not_found_are_errors_with_status_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v1/models/nope/train"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": "Model not found"})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(401).set_body_string("Unauthorized"))
        .mount(&server)
        .await;
    let err = client(&server).models().train("nope").await.unwrap_err();
    assert_eq!(err.status().unwrap(), 404);
    assert_eq!(err.as_api().unwrap().body_json(), Some(json!({"error": "Model not found"})));
    let err = client(&server).models().train("other").await.unwrap_err();
    assert_eq!(err.status().unwrap(), 401);
    assert_eq!(err.body().unwrap().as_ref(), b"Unauthorized");
}

#[test]
fn credentials_come_from_the_environment_and_never_show() {
    const KEY: &str = "SCENARIO_SDK_API_KEY";
    const SECRET: &str = "SCENARIO_SDK_API_SECRET";
    if !integration_tests::is_child() {
        let name = "credentials_come_from_the_environment_and_never_show";
        integration_tests::in_child(name, &[(KEY, Some("env-key")), (SECRET, Some("env-secret")), ("EXPECT", Some("ok"))]).unwrap();
        integration_tests::in_child(name, &[(KEY, None), (SECRET, Some("env-secret")), ("EXPECT", Some(KEY))]).unwrap();
        integration_tests::in_child(name, &[(KEY, Some("env-key")), (SECRET, None), ("EXPECT", Some(SECRET))]).unwrap();
        let c = scenario::Client::new("my-key", "very-secret");
        let shown = format!("{c:?}");
        // Neither the secret nor the header made of it (base64 of
        // `my-key:very-secret`).
        assert!(!shown.contains("very-secret") && !shown.contains("bXkta2V5OnZlcnktc2VjcmV0"), "{shown}");
        return;
    }
    match std::env::var("EXPECT").unwrap().as_str() {
        "ok" => {
            let c = scenario::Client::from_env().unwrap();
            assert!(!format!("{c:?}").contains("env-secret"));
        }
        missing => {
            let err = scenario::Client::from_env().unwrap_err().to_string();
            assert!(err.contains(missing), "{err}");
        }
    }
}
