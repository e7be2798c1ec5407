//! Every one of the 28 Replicate operations, QUERY included, is callable
//! and gives its response body back.

use integration_tests::replicate_client;
use replicate::types;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Answers every request with a JSON echo of what it was, with the status
/// the spec documents for it.
fn echo(req: &Request) -> ResponseTemplate {
    let m = req.method.as_str();
    let p = req.url.path();
    let status = match (m, p) {
        ("DELETE", p) if p.contains("/versions/") => 202,
        ("DELETE", _) => 204,
        ("POST", "/v1/models") => 201,
        ("POST", p) if p.ends_with("/trainings") => 201,
        ("POST", p) if p.ends_with("/predictions") => 202,
        _ => 200,
    };
    // The echo goes in every string field the response types have, so
    // that whichever type decodes the body keeps it.
    let e = format!("{m} {p}");
    let body = if p == "/v1/hardware" {
        json!([{"name": "CPU", "sku": e}])
    } else {
        json!({"echo": e, "id": e, "name": e, "slug": e, "username": e, "key": e, "next": e})
    };
    ResponseTemplate::new(status).set_body_json(body)
}

/// The echo the decoded body kept, found in whichever field holds it.
fn echoed(v: &impl serde::Serialize) -> String {
    fn find(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) if s.contains(" /v1/") => Some(s),
            Value::Object(m) => m.values().find_map(find),
            Value::Array(a) => a.iter().find_map(find),
            _ => None,
        }
    }
    let v = serde_json::to_value(v).unwrap();
    find(&v).unwrap_or_else(|| panic!("no echo in {v}")).to_owned()
}

#[tokio::test]
async fn all_28_operations_return_their_bodies() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(echo).mount(&server).await;
    let c = replicate_client(&server);
    let input = serde_json::Map::new();
    let mut seen = Vec::new();

    assert_eq!(echoed(&c.account().get().await.unwrap()), "GET /v1/account");
    seen.push("account.get");
    assert_eq!(echoed(&c.deployments().list().await.unwrap()), "GET /v1/deployments");
    seen.push("deployments.list");
    let body = types::DeploymentsCreateBody {
        hardware: "gpu-t4".into(),
        max_instances: 1,
        min_instances: 0,
        model: "acme/m".into(),
        name: "d".into(),
        version: "v".into(),
    };
    assert_eq!(echoed(&c.deployments().create(body).await.unwrap()), "POST /v1/deployments");
    seen.push("deployments.create");
    assert_eq!(echoed(&c.deployments().get("acme", "d").await.unwrap()), "GET /v1/deployments/acme/d");
    seen.push("deployments.get");
    assert_eq!(echoed(&c.deployments().update("acme", "d").await.unwrap()), "PATCH /v1/deployments/acme/d");
    seen.push("deployments.update");
    let () = c.deployments().delete("acme", "d").await.unwrap();
    seen.push("deployments.delete");
    let hw = c.hardware().list().await.unwrap();
    assert_eq!(hw[0].sku.as_deref(), Some("GET /v1/hardware"));
    seen.push("hardware.list");
    assert_eq!(echoed(&c.webhooks().default().secret().get().await.unwrap()), "GET /v1/webhooks/default/secret");
    seen.push("webhooks.default.secret.get");
    assert_eq!(echoed(&c.collections().list().await.unwrap()), "GET /v1/collections");
    seen.push("collections.list");
    assert_eq!(echoed(&c.collections().get("super-resolution").await.unwrap()), "GET /v1/collections/super-resolution");
    seen.push("collections.get");
    let pred = types::PredictionRequest { input: input.clone(), stream: None, webhook: None, webhook_events_filter: None };
    let r = c.deployments().predictions().create("acme", "d").body(pred.clone()).await.unwrap();
    assert_eq!(echoed(&r), "POST /v1/deployments/acme/d/predictions");
    seen.push("deployments.predictions.create");
    assert_eq!(echoed(&c.models().list().await.unwrap()), "GET /v1/models");
    seen.push("models.list");
    let model = types::ModelsCreateBody {
        cover_image_url: None,
        description: None,
        github_url: None,
        hardware: "cpu".into(),
        license_url: None,
        name: "m".into(),
        owner: "acme".into(),
        paper_url: None,
        visibility: types::ModelsCreateBodyVisibility::Public,
    };
    assert_eq!(echoed(&c.models().create(model).await.unwrap()), "POST /v1/models");
    seen.push("models.create");
    assert_eq!(echoed(&c.models().search("hello").await.unwrap()), "QUERY /v1/models");
    seen.push("models.search");
    assert_eq!(echoed(&c.models().get("acme", "m").await.unwrap()), "GET /v1/models/acme/m");
    seen.push("models.get");
    let () = c.models().delete("acme", "m").await.unwrap();
    seen.push("models.delete");
    let r = c.models().predictions().create("acme", "m").body(pred).await.unwrap();
    assert_eq!(echoed(&r), "POST /v1/models/acme/m/predictions");
    seen.push("models.predictions.create");
    assert_eq!(echoed(&c.models().versions().list("acme", "m").await.unwrap()), "GET /v1/models/acme/m/versions");
    seen.push("models.versions.list");
    assert_eq!(echoed(&c.models().versions().get("acme", "m", "v1").await.unwrap()), "GET /v1/models/acme/m/versions/v1");
    seen.push("models.versions.get");
    // The spec says this 202 has no body; whatever comes is kept.
    assert_eq!(echoed(&c.models().versions().delete("acme", "m", "v1").await.unwrap()), "DELETE /v1/models/acme/m/versions/v1");
    seen.push("models.versions.delete");
    let training = types::TrainingRequest { destination: "acme/out".into(), input, webhook: None, webhook_events_filter: None };
    let r = c.trainings().create("acme", "m", "v1").body(training).await.unwrap();
    assert_eq!(echoed(&r), "POST /v1/models/acme/m/versions/v1/trainings");
    seen.push("trainings.create");
    assert_eq!(echoed(&c.trainings().list().await.unwrap()), "GET /v1/trainings");
    seen.push("trainings.list");
    assert_eq!(echoed(&c.trainings().get("t1").await.unwrap()), "GET /v1/trainings/t1");
    seen.push("trainings.get");
    assert_eq!(echoed(&c.trainings().cancel("t1").await.unwrap()), "POST /v1/trainings/t1/cancel");
    seen.push("trainings.cancel");
    assert_eq!(echoed(&c.predictions().list().await.unwrap()), "GET /v1/predictions");
    seen.push("predictions.list");
    assert_eq!(echoed(&c.predictions().create().await.unwrap()), "POST /v1/predictions");
    seen.push("predictions.create");
    assert_eq!(echoed(&c.predictions().get("p1").await.unwrap()), "GET /v1/predictions/p1");
    seen.push("predictions.get");
    assert_eq!(echoed(&c.predictions().cancel("p1").await.unwrap()), "POST /v1/predictions/p1/cancel");
    seen.push("predictions.cancel");

    // Every operation of the spec was called, each once.
    let generated = integration_tests::generate("replicate");
    let mut ids: Vec<&str> = generated.api.operations.iter().map(|o| o.id.as_str()).collect();
    ids.sort_unstable();
    seen.sort_unstable();
    assert_eq!(ids.len(), 28);
    assert_eq!(seen, ids);
    assert_eq!(server.received_requests().await.unwrap().len(), 28);
}
