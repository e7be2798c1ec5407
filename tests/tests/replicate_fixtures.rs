//! Every response example in the Replicate spec's descriptions (extracted to
//! `tests/fixtures/replicate/`) decodes into the type the generated client
//! returns for that operation, and serializes back with nothing lost.

use integration_tests::{fixture, replicate_client};
use replicate::types;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Calls an operation with placeholder arguments and returns the decoded
/// body, serialized again.
async fn call(c: &replicate::Client, op: &str) -> Value {
    let input = serde_json::Map::new();
    let v = |r: Result<Value, serde_json::Error>| r.unwrap();
    match op {
        "account.get" => v(serde_json::to_value(c.account().get().await.unwrap())),
        "collections.get" => v(serde_json::to_value(c.collections().get("s").await.unwrap())),
        "collections.list" => v(serde_json::to_value(c.collections().list().await.unwrap())),
        "deployments.create" => {
            let body = types::DeploymentsCreateBody {
                hardware: "h".into(),
                max_instances: 1,
                min_instances: 0,
                model: "m".into(),
                name: "n".into(),
                version: "v".into(),
            };
            v(serde_json::to_value(c.deployments().create(body).await.unwrap()))
        }
        "deployments.get" => v(serde_json::to_value(c.deployments().get("o", "n").await.unwrap())),
        "deployments.list" => v(serde_json::to_value(c.deployments().list().await.unwrap())),
        "deployments.update" => v(serde_json::to_value(c.deployments().update("o", "n").await.unwrap())),
        "hardware.list" => v(serde_json::to_value(c.hardware().list().await.unwrap())),
        "models.create" => {
            let body = types::ModelsCreateBody {
                cover_image_url: None,
                description: None,
                github_url: None,
                hardware: "cpu".into(),
                license_url: None,
                name: "n".into(),
                owner: "o".into(),
                paper_url: None,
                visibility: types::ModelsCreateBodyVisibility::Public,
            };
            v(serde_json::to_value(c.models().create(body).await.unwrap()))
        }
        "models.get" => v(serde_json::to_value(c.models().get("o", "n").await.unwrap())),
        "models.list" => v(serde_json::to_value(c.models().list().await.unwrap())),
        "models.search" => v(serde_json::to_value(c.models().search("q").await.unwrap())),
        "models.versions.get" => v(serde_json::to_value(c.models().versions().get("o", "n", "v").await.unwrap())),
        "models.versions.list" => v(serde_json::to_value(c.models().versions().list("o", "n").await.unwrap())),
        "predictions.get" => v(serde_json::to_value(c.predictions().get("p").await.unwrap())),
        "predictions.list" => v(serde_json::to_value(c.predictions().list().await.unwrap())),
        "trainings.create" => {
            let body = types::TrainingRequest { destination: "o/n".into(), input, webhook: None, webhook_events_filter: None };
            v(serde_json::to_value(c.trainings().create("o", "n", "v").body(body).await.unwrap()))
        }
        "trainings.get" => v(serde_json::to_value(c.trainings().get("t").await.unwrap())),
        "trainings.list" => v(serde_json::to_value(c.trainings().list().await.unwrap())),
        "webhooks.default.secret.get" => v(serde_json::to_value(c.webhooks().default().secret().get().await.unwrap())),
        other => panic!("no call for fixture operation `{other}`"),
    }
}

#[tokio::test]
async fn every_spec_example_decodes_and_round_trips() {
    let index = fixture("replicate/operations.json");
    let index = index.as_object().unwrap();
    assert!(index.len() >= 20, "{} fixtures", index.len());
    for (file, meta) in index {
        let op = meta["operation"].as_str().unwrap();
        let status = meta["status"].as_u64().unwrap() as u16;
        let example = fixture(&format!("replicate/{file}"));
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(status).set_body_json(example.clone()))
            .mount(&server)
            .await;
        let back = call(&replicate_client(&server), op).await;
        assert_eq!(back, example, "{file}: round trip differs");
    }
}

#[test]
fn prediction_status_is_an_open_enum() {
    let p: types::Prediction = serde_json::from_value(json!({"id": "x", "status": "queued"})).unwrap();
    assert_eq!(p.status, Some(types::PredictionStatus::Other("queued".into())));
    let p: types::Prediction = serde_json::from_value(json!({"status": "succeeded", "output": ["a"], "error": null})).unwrap();
    assert_eq!(p.status, Some(types::PredictionStatus::Succeeded));
    assert_eq!(p.error, Some(None));
    assert_eq!(serde_json::to_value(&p).unwrap(), json!({"status": "succeeded", "output": ["a"], "error": null}));
}

#[test]
fn nulls_the_api_sends_for_missing_details_round_trip() {
    // As the API answers for a model with no description, owned by an
    // account with no name or GitHub link, whose version names no Cog.
    let model = json!({
        "url": "https://replicate.com/acme/hello", "owner": "acme", "name": "hello",
        "description": null, "visibility": "public", "github_url": null, "paper_url": null,
        "license_url": null, "run_count": 0, "cover_image_url": null, "default_example": null,
        "latest_version": {"id": "5c7d5dc6", "created_at": "2024-01-01T00:00:00.000000Z", "cog_version": null, "openapi_schema": {}}
    });
    let typed: types::Model = serde_json::from_value(model.clone()).unwrap();
    assert_eq!(typed.description, Some(None));
    assert_eq!(serde_json::to_value(&typed).unwrap(), model);
    let account = json!({"type": "user", "username": "acme", "name": null, "github_url": null});
    let typed: types::Account = serde_json::from_value(account.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), account);
}
