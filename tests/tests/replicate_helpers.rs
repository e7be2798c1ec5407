//! The hand-written helpers of the Replicate crate (`run`, `stream`,
//! `webhooks`, `files`) against local servers on 127.0.0.1: what they send,
//! how they poll, and what they make of the answers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use integration_tests::{replicate_client, LocalServer};
use replicate::prelude::*;
use replicate::run::RunError;
use replicate::stream::StreamEvent;
use replicate::types::{self, PredictionStatus};
use replicate::webhooks::{HeaderMap, Verifier, VerifyError};
use replicate::Error;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AUTH: &str = "Bearer r8_test_token";
const VERSION: &str = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";

/// A client with no timer of its own, for tests under a paused clock
/// (tokio jumps to the next timer whenever every task waits, even on a
/// socket).
fn paused_client(server: &MockServer) -> replicate::Client {
    let http = apigen_runtime::reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_test_token")
        .http_client(http)
        .timeout(None)
        .build()
        .unwrap()
}

fn prediction(id: &str, status: &str) -> serde_json::Value {
    json!({
        "id": id,
        "model": "replicate/hello-world",
        "version": VERSION,
        "input": {"text": "Alice"},
        "status": status,
        "logs": "",
        "error": null,
        "output": null,
        "urls": {
            "get": format!("https://api.replicate.com/v1/predictions/{id}"),
            "cancel": format!("https://api.replicate.com/v1/predictions/{id}/cancel"),
        }
    })
}

fn succeeded(id: &str, output: serde_json::Value) -> serde_json::Value {
    let mut p = prediction(id, "succeeded");
    p["output"] = output;
    p
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap()
}

// ---------------------------------------------------------------- run

#[tokio::test]
async fn run_returns_at_once_when_the_waiting_create_has_succeeded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/models/replicate/hello-world/predictions"))
        .and(header("authorization", AUTH))
        .and(header("prefer", "wait=60"))
        .and(body_json(json!({"input": {"text": "Alice"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(succeeded("p1", json!("hello Alice"))))
        .expect(1)
        .mount(&server)
        .await;
    let output = replicate_client(&server)
        .run("replicate/hello-world", json!({"text": "Alice"}))
        .await
        .unwrap();
    assert_eq!(output, json!("hello Alice"));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn run_with_a_version_uses_predictions_create_and_the_given_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/predictions"))
        .and(header("prefer", "wait=5"))
        .and(body_json(json!({
            "version": VERSION,
            "input": {"text": "Alice"},
            "webhook": "https://example.com/hook",
            "webhook_events_filter": ["completed"]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(succeeded("p1", json!(["a", "b"]))))
        .expect(1)
        .mount(&server)
        .await;
    let prediction = replicate_client(&server)
        .run(&format!("replicate/hello-world:{VERSION}"), json!({"text": "Alice"}))
        .wait(5)
        .webhook("https://example.com/hook")
        .webhook_events_filter([types::PredictionRequestWebhookEventsFilterItem::Completed])
        .prediction()
        .await
        .unwrap();
    assert_eq!(prediction.output, Some(Some(json!(["a", "b"]))));
    assert_eq!(prediction.status, Some(PredictionStatus::Succeeded));
}

#[tokio::test]
async fn run_deployment_uses_deployments_predictions_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/deployments/acme/image-app/predictions"))
        .and(header("prefer", "wait=60"))
        .respond_with(ResponseTemplate::new(201).set_body_json(succeeded("p1", json!({"url": "x"}))))
        .expect(1)
        .mount(&server)
        .await;
    let output = replicate_client(&server)
        .run_deployment("acme/image-app", json!({"prompt": "a cat"}))
        .await
        .unwrap();
    assert_eq!(output, json!({"url": "x"}));
}

#[tokio::test]
async fn wait_zero_sends_no_prefer_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/models/a/b/predictions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(succeeded("p1", json!(1))))
        .mount(&server)
        .await;
    let output = replicate_client(&server).run("a/b", json!({})).wait(0).await.unwrap();
    assert_eq!(output, json!(1));
    assert!(requests(&server).await[0].headers.get("prefer").is_none());
}

#[tokio::test(start_paused = true)]
async fn run_polls_through_starting_and_processing_with_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/models/replicate/hello-world/predictions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1", "starting")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p1"))
        .and(header("authorization", AUTH))
        .respond_with(ResponseTemplate::new(200).set_body_json(prediction("p1", "starting")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(prediction("p1", "processing")))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(succeeded("p1", json!("hello Alice"))))
        .with_priority(3)
        .mount(&server)
        .await;
    let started = tokio::time::Instant::now();
    let output = paused_client(&server)
        .run("replicate/hello-world", json!({"text": "Alice"}))
        .create_timeout(None)
        .poll_interval(Duration::from_secs(1))
        .backoff(2.0)
        .max_poll_interval(Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(output, json!("hello Alice"));
    let seen = requests(&server).await;
    assert_eq!(seen.len(), 4, "one create and three polls");
    assert!(seen[1..].iter().all(|r| r.method.as_str() == "GET"));
    // Waits of 1 s, 2 s, then 3 s (4 s capped at 3).
    assert_eq!(started.elapsed().as_secs(), 6);
}

#[tokio::test]
async fn run_surfaces_a_failure_with_its_error_and_logs() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1", "processing")))
        .mount(&server)
        .await;
    let mut failed = prediction("p1", "failed");
    failed["error"] = json!("CUDA out of memory");
    failed["logs"] = json!("loading\nrunning\n");
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(failed))
        .mount(&server)
        .await;
    let err = replicate_client(&server)
        .run("replicate/hello-world", json!({"text": "Alice"}))
        .poll_interval(Duration::from_millis(5))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "prediction p1 failed: CUDA out of memory");
    match &err {
        RunError::Failed {
            error,
            logs,
            prediction,
            ..
        } => {
            assert_eq!(error, &Some(json!("CUDA out of memory")));
            assert_eq!(logs.as_deref(), Some("loading\nrunning\n"));
            assert_eq!(prediction.id.as_deref(), Some("p1"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.prediction().unwrap().status, Some(PredictionStatus::Failed));
    let as_std: &dyn std::error::Error = &err;
    assert!(as_std.source().is_none());
}

#[tokio::test]
async fn run_reports_a_canceled_prediction() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1", "canceled")))
        .mount(&server)
        .await;
    let err = replicate_client(&server).run("a/b", json!({})).await.unwrap_err();
    assert!(matches!(err, RunError::Canceled { .. }), "{err:?}");
    assert_eq!(err.to_string(), "prediction p1 was canceled");
}

#[tokio::test]
async fn run_keeps_polling_through_an_unknown_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1", "queued")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(succeeded("p1", json!(true))))
        .mount(&server)
        .await;
    let output = replicate_client(&server)
        .run("a/b", json!({}))
        .poll_interval(Duration::from_millis(5))
        .await
        .unwrap();
    assert_eq!(output, json!(true));
}

#[tokio::test(start_paused = true)]
async fn run_stops_at_the_deadline_without_canceling_by_default() {
    let server = LocalServer::start(|r| match r.method.as_str() {
        "POST" => (201, prediction("p1", "starting")),
        _ => (200, prediction("p1", "processing")),
    })
    .await;
    let started = tokio::time::Instant::now();
    let err = server
        .replicate_client()
        .run("a/b", json!({}))
        .poll_interval(Duration::from_secs(2))
        .backoff(1.0)
        .deadline(Duration::from_secs(30))
        .await
        .unwrap_err();
    // To the second: the clock is tokio's, paused, and moves only to the
    // next timer.
    assert_eq!(started.elapsed().as_secs(), 30);
    match &err {
        RunError::DeadlineExceeded {
            prediction,
            canceled,
            cancel_error,
            ..
        } => {
            assert_eq!(prediction.as_ref().unwrap().status, Some(PredictionStatus::Processing));
            assert!(!canceled);
            assert!(cancel_error.is_none());
        }
        other => panic!("{other:?}"),
    }
    let seen = server.received();
    // One create, then a poll every 2 s (at 2 s, 4 s, ... 28 s) until the
    // deadline.
    assert_eq!(seen.len(), 1 + 14, "{seen:?}");
    assert!(seen.iter().all(|r| !r.target.ends_with("/cancel")));
    // The `Prefer: wait` (60 s by default) was cut to fit in the deadline.
    assert_eq!(seen[0].header("prefer"), Some("wait=30"));
}

#[tokio::test(start_paused = true)]
async fn dropping_a_run_stops_its_polling() {
    let server = LocalServer::start(|r| match r.method.as_str() {
        "POST" => (201, prediction("p1", "starting")),
        _ => (200, prediction("p1", "processing")),
    })
    .await;
    let client = server.replicate_client();
    let run = client.run("a/b", json!({})).poll_interval(Duration::from_secs(1)).backoff(1.0);
    // Given up on after 10 s of polling, the future is dropped.
    assert!(tokio::time::timeout(Duration::from_millis(10_500), run).await.is_err());
    assert_eq!(server.received().len(), 1 + 10, "one create and a poll a second");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(server.received().len(), 11, "a dropped run went on polling");
}

#[tokio::test(start_paused = true)]
async fn run_cancels_at_the_deadline_when_asked() {
    let server = LocalServer::start(|r| match (r.method.as_str(), r.target.as_str()) {
        ("POST", "/v1/models/a/b/predictions") => (201, prediction("p1", "starting")),
        ("POST", "/v1/predictions/p1/cancel") => (200, prediction("p1", "canceled")),
        ("GET", "/v1/predictions/p1") => (200, prediction("p1", "processing")),
        _ => (404, json!({"detail": "not here"})),
    })
    .await;
    let started = tokio::time::Instant::now();
    let err = server
        .replicate_client()
        .run("a/b", json!({}))
        .poll_interval(Duration::from_secs(1))
        .deadline(Duration::from_secs(20))
        .cancel_on_deadline(true)
        .await
        .unwrap_err();
    assert_eq!(started.elapsed().as_secs(), 20);
    match &err {
        RunError::DeadlineExceeded {
            prediction, canceled, ..
        } => {
            assert!(canceled);
            assert_eq!(prediction.as_ref().unwrap().status, Some(PredictionStatus::Canceled));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.to_string(), "prediction p1 did not finish before the deadline; it was canceled");
    let seen = server.received();
    let last = seen.last().unwrap();
    assert_eq!((last.method.as_str(), last.target.as_str()), ("POST", "/v1/predictions/p1/cancel"));
    assert_eq!(last.header("authorization"), Some(AUTH));
    assert_eq!(seen.iter().filter(|r| r.target.ends_with("/cancel")).count(), 1);
}

#[tokio::test]
async fn a_deadline_during_the_creating_request_gives_no_prediction() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(prediction("p1", "starting"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let err = replicate_client(&server)
        .run("a/b", json!({}))
        .deadline(Duration::from_millis(100))
        .cancel_on_deadline(true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RunError::DeadlineExceeded { prediction: None, canceled: false, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_failed_cancel_is_reported_beside_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/models/a/b/predictions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1", "processing")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(prediction("p1", "processing")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/predictions/p1/cancel"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"title": "Not found", "detail": "gone"})))
        .mount(&server)
        .await;
    let err = replicate_client(&server)
        .run("a/b", json!({}))
        .poll_interval(Duration::from_millis(10))
        .deadline(Duration::from_millis(100))
        .cancel_on_deadline(true)
        .await
        .unwrap_err();
    match &err {
        RunError::DeadlineExceeded {
            canceled, cancel_error, ..
        } => {
            assert!(!canceled);
            assert_eq!(cancel_error.as_ref().unwrap().status().unwrap().as_u16(), 404);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("canceling it failed"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn run_surfaces_an_api_error_of_the_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(422).set_body_json(json!({"title": "Invalid input", "detail": "prompt is required"})),
        )
        .mount(&server)
        .await;
    let err = replicate_client(&server).run("a/b", json!({})).await.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.status().unwrap().as_u16(), 422);
    assert!(err.to_string().contains("prompt is required"), "{err}");
}

#[tokio::test]
async fn malformed_models_and_inputs_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = replicate_client(&server);
    for model in ["no-slash", "a/b/c", "a/b:", ""] {
        let err = client.run(model, json!({})).await.unwrap_err();
        assert!(
            matches!(err, RunError::Api(Error::InvalidRequest { .. })),
            "{model}: {err:?}"
        );
    }
    let err = client.run_deployment("acme", json!({})).await.unwrap_err();
    assert!(err.to_string().contains("not a deployment"), "{err}");
    let err = client.run("a/b", json!(["not", "an", "object"])).await.unwrap_err();
    assert!(err.to_string().contains("JSON object"), "{err}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn a_running_prediction_without_an_id_cannot_be_polled() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"status": "starting"})))
        .mount(&server)
        .await;
    let err = replicate_client(&server).run("a/b", json!({})).await.unwrap_err();
    assert!(matches!(err, RunError::MissingId { .. }), "{err:?}");
}

// ---------------------------------------------------------------- wait

#[tokio::test]
async fn wait_prediction_by_id_fetches_then_polls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(prediction("p9", "processing")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(succeeded("p9", json!("done"))))
        .with_priority(2)
        .mount(&server)
        .await;
    let p = replicate_client(&server)
        .wait_prediction("p9")
        .poll_interval(Duration::from_millis(5))
        .await
        .unwrap();
    assert_eq!(p.output, Some(Some(json!("done"))));
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn wait_prediction_by_a_finished_value_sends_nothing() {
    let server = MockServer::start().await;
    let done: types::Prediction = serde_json::from_value(succeeded("p1", json!(1))).unwrap();
    let p = replicate_client(&server).wait_prediction(&done).await.unwrap();
    assert_eq!(p, done);
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn wait_training_polls_trainings_and_reports_failure() {
    let server = MockServer::start().await;
    let training = json!({"id": "t1", "status": "processing", "destination": "me/model"});
    Mock::given(method("GET"))
        .and(path("/v1/trainings/t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "t1", "status": "failed", "error": {"message": "bad weights"}, "logs": "epoch 1"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let start: types::Training = serde_json::from_value(training).unwrap();
    let err = replicate_client(&server)
        .wait_training(start)
        .poll_interval(Duration::from_millis(5))
        .await
        .unwrap_err();
    match &err {
        RunError::Failed { error, logs, prediction, .. } => {
            assert_eq!(error, &Some(json!({"message": "bad weights"})));
            assert_eq!(logs.as_deref(), Some("epoch 1"));
            assert_eq!(prediction.id.as_deref(), Some("t1"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.to_string(), r#"training t1 failed: {"message":"bad weights"}"#);
}

#[tokio::test(start_paused = true)]
async fn wait_training_cancels_at_the_deadline() {
    let server = LocalServer::start(|r| match (r.method.as_str(), r.target.as_str()) {
        ("GET", "/v1/trainings/t1") => (200, json!({"id": "t1", "status": "processing"})),
        ("POST", "/v1/trainings/t1/cancel") => (200, json!({"id": "t1", "status": "canceled"})),
        _ => (404, json!({"detail": "not here"})),
    })
    .await;
    let started = tokio::time::Instant::now();
    let err = server
        .replicate_client()
        .wait_training("t1")
        .poll_interval(Duration::from_secs(1))
        .deadline(Duration::from_secs(10))
        .cancel_on_deadline(true)
        .await
        .unwrap_err();
    assert_eq!(started.elapsed().as_secs(), 10);
    assert!(matches!(err, RunError::DeadlineExceeded { canceled: true, .. }), "{err:?}");
    assert_eq!(server.received().iter().filter(|r| r.target.ends_with("/cancel")).count(), 1);
}

// ---------------------------------------------------------------- stream

const EVENTS: &str = "id: 1\nevent: output\ndata: Hello\n\n\
id: 2\nevent: output\ndata: , world\ndata: !\n\n\
id: 3\nevent: logs\ndata: step 1\n\n\
id: 4\nevent: heartbeat\ndata: \n\n\
id: 5\nevent: error\ndata: something broke\n\n\
id: 6\nevent: done\ndata: {\"reason\": \"error\"}\n\n\
id: 7\nevent: output\ndata: after done\n\n";

fn expected_events() -> Vec<StreamEvent> {
    vec![
        StreamEvent::Output("Hello".into()),
        StreamEvent::Output(", world\n!".into()),
        StreamEvent::Logs("step 1".into()),
        StreamEvent::Unknown {
            event: "heartbeat".into(),
            data: "".into(),
        },
        StreamEvent::Error("something broke".into()),
        StreamEvent::Done {
            reason: Some("error".into()),
        },
    ]
}

async fn mount_stream(server: &MockServer, at: &str) {
    Mock::given(method("GET"))
        .and(path(at))
        .and(header("accept", "text/event-stream"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(EVENTS, "text/event-stream"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn stream_yields_typed_events_in_order_and_ends_at_done() {
    let api = MockServer::start().await;
    let streams = MockServer::start().await;
    mount_stream(&streams, "/v1/streams/p1").await;
    let mut p: types::Prediction = serde_json::from_value(prediction("p1", "starting")).unwrap();
    p.urls.as_mut().unwrap().stream = Some(format!("{}/v1/streams/p1", streams.uri()));
    let events: Vec<StreamEvent> = replicate_client(&api).stream_prediction(&p).unwrap().try_collect().await.unwrap();
    assert_eq!(events, expected_events());
    // The stream URL is on another origin: no credentials went there.
    let seen = requests(&streams).await;
    assert_eq!(seen.len(), 1);
    assert!(seen[0].headers.get("authorization").is_none());
    assert!(requests(&api).await.is_empty());
}

#[tokio::test]
async fn a_prediction_without_a_stream_url_is_an_error() {
    let server = MockServer::start().await;
    let p: types::Prediction = serde_json::from_value(prediction("p1", "starting")).unwrap();
    let err = match replicate_client(&server).stream_prediction(&p) {
        Err(e) => e,
        Ok(_) => panic!("a stream without a URL"),
    };
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("does not stream"), "{err}");
}

#[tokio::test]
async fn run_stream_creates_without_waiting_and_streams() {
    let server = MockServer::start().await;
    mount_stream(&server, "/stream/p1").await;
    let mut created = prediction("p1", "starting");
    created["urls"]["stream"] = json!(format!("{}/stream/p1", server.uri()));
    Mock::given(method("POST"))
        .and(path("/v1/models/meta/llama/predictions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(created))
        .expect(1)
        .mount(&server)
        .await;
    let stream = replicate_client(&server)
        .run("meta/llama", json!({"prompt": "hi"}))
        .stream()
        .await
        .unwrap();
    let events: Vec<StreamEvent> = stream.try_collect().await.unwrap();
    assert_eq!(events, expected_events());
    let seen = requests(&server).await;
    assert!(seen[0].headers.get("prefer").is_none(), "a streamed run does not wait");
    // Same origin as the API: the credentials go along.
    assert_eq!(seen[1].headers.get("authorization").unwrap(), AUTH);
}

/// A server whose first connection sends two events and drops mid-body;
/// the second must carry `Last-Event-ID` and ends with `done`.
async fn dropping_sse_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for n in 0..2 {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let len = sock.read(&mut buf).await.unwrap();
            log.lock().unwrap().push(String::from_utf8_lossy(&buf[..len]).into_owned());
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
            sock.write_all(head.as_bytes()).await.unwrap();
            let body = if n == 0 {
                "retry: 10\nid: a1\nevent: output\ndata: one\n\nid: a2\nevent: output\ndata: two\n\n"
            } else {
                "id: a3\nevent: output\ndata: three\n\nid: a4\nevent: done\ndata: {}\n\n"
            };
            sock.write_all(format!("{:x}\r\n{body}\r\n", body.len()).as_bytes()).await.unwrap();
            if n == 0 {
                drop(sock);
            } else {
                sock.write_all(b"0\r\n\r\n").await.unwrap();
            }
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn stream_resumes_after_a_dropped_connection() {
    let (base, seen) = dropping_sse_server().await;
    let api = MockServer::start().await;
    let events: Vec<StreamEvent> = replicate_client(&api)
        .stream_url(&format!("{base}/v1/streams/p1"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![
            StreamEvent::Output("one".into()),
            StreamEvent::Output("two".into()),
            StreamEvent::Output("three".into()),
            StreamEvent::Done { reason: None },
        ]
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let second = seen[1].to_ascii_lowercase();
    assert!(second.contains("last-event-id: a2"), "{second}");
    assert!(second.contains("accept: text/event-stream"), "{second}");
    assert!(!second.contains("authorization"), "{second}");
}

#[tokio::test]
async fn a_failing_stream_request_is_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(410).set_body_json(json!({"detail": "stream expired"})))
        .mount(&server)
        .await;
    let mut events = replicate_client(&server).stream_url(&format!("{}/streams/p1", server.uri()));
    let err = events.next().await.unwrap().unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 410);
    assert_eq!(err.operation(), Some("predictions.stream"));
    assert!(events.next().await.is_none());
}

// ---------------------------------------------------------------- webhooks

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP: u64 = 1614265330;
const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("webhook-id", id.parse().unwrap());
    h.insert("webhook-timestamp", timestamp.parse().unwrap());
    h.insert("webhook-signature", signature.parse().unwrap());
    h
}

fn vector_headers() -> HeaderMap {
    headers(MSG_ID, &TIMESTAMP.to_string(), SIGNATURE)
}

#[test]
fn the_standard_webhooks_vector_verifies() {
    let verifier = Verifier::new(SECRET).unwrap();
    let verified = verifier.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP + 10)).unwrap();
    assert_eq!(verified.id(), MSG_ID);
    assert_eq!(verified.timestamp(), TIMESTAMP as i64);
    assert_eq!(verified.json::<serde_json::Value>().unwrap(), json!({"test": 2432232314u64}));
    assert_eq!(verifier.sign(MSG_ID, TIMESTAMP as i64, PAYLOAD), SIGNATURE);
    // A secret without the prefix is the same key.
    let bare = Verifier::new(SECRET.trim_start_matches("whsec_")).unwrap();
    assert!(bare.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP)).is_ok());
}

#[test]
fn a_changed_body_is_rejected() {
    let verifier = Verifier::new(SECRET).unwrap();
    let err = verifier
        .verify_at(vector_headers(), br#"{"test": 2432232315}"#, at(TIMESTAMP))
        .unwrap_err();
    assert_eq!(err, VerifyError::NoMatchingSignature);
    // Whitespace matters: the signed bytes are the raw body.
    let err = verifier.verify_at(vector_headers(), br#"{"test":2432232314}"#, at(TIMESTAMP)).unwrap_err();
    assert_eq!(err, VerifyError::NoMatchingSignature);
}

#[test]
fn a_wrong_secret_is_rejected() {
    let other = Verifier::new("whsec_aGVsbG8gd29ybGQgc2VjcmV0IGtleQ==").unwrap();
    let err = other.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP)).unwrap_err();
    assert_eq!(err, VerifyError::NoMatchingSignature);
    // The message id and timestamp are signed too.
    let v = Verifier::new(SECRET).unwrap();
    let err = v.verify_at(headers("msg_other", &TIMESTAMP.to_string(), SIGNATURE), PAYLOAD, at(TIMESTAMP));
    assert_eq!(err.unwrap_err(), VerifyError::NoMatchingSignature);
    let err = v.verify_at(headers(MSG_ID, &(TIMESTAMP + 1).to_string(), SIGNATURE), PAYLOAD, at(TIMESTAMP));
    assert_eq!(err.unwrap_err(), VerifyError::NoMatchingSignature);
}

#[test]
fn malformed_secrets_are_refused() {
    for bad in ["whsec_", "", "whsec_!!!not base64"] {
        assert!(matches!(Verifier::new(bad), Err(VerifyError::BadSecret(_))), "{bad}");
    }
    assert!(matches!(
        replicate::webhooks::verify("whsec_%%%", vector_headers(), PAYLOAD),
        Err(VerifyError::BadSecret(_))
    ));
}

#[test]
fn old_and_future_timestamps_are_rejected() {
    let v = Verifier::new(SECRET).unwrap();
    let err = v.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP + 301)).unwrap_err();
    assert_eq!(
        err,
        VerifyError::TimestampTooOld {
            timestamp: TIMESTAMP as i64,
            now: (TIMESTAMP + 301) as i64
        }
    );
    assert!(v.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP + 300)).is_ok());
    let err = v.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP - 301)).unwrap_err();
    assert!(matches!(err, VerifyError::TimestampTooNew { .. }), "{err:?}");
    // With the system clock, a 2021 timestamp is long past.
    let err = v.verify(vector_headers(), PAYLOAD).unwrap_err();
    assert!(matches!(err, VerifyError::TimestampTooOld { .. }), "{err:?}");
    // A wider tolerance accepts it.
    let wide = v.clone().tolerance(Duration::from_secs(3600));
    assert!(wide.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP + 3000)).is_ok());
    let narrow = v.tolerance(Duration::from_secs(5));
    assert!(narrow.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP + 6)).is_err());
}

#[test]
fn malformed_and_missing_headers_are_rejected() {
    let v = Verifier::new(SECRET).unwrap();
    let ts = TIMESTAMP.to_string();
    let cases = [
        (headers(MSG_ID, &ts, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), "webhook-signature"),
        (headers(MSG_ID, &ts, " "), "webhook-signature"),
        (headers(MSG_ID, "yesterday", SIGNATURE), "webhook-timestamp"),
        (headers(MSG_ID, "-5", SIGNATURE), "webhook-timestamp"),
        (headers(" ", &ts, SIGNATURE), "webhook-id"),
    ];
    for (h, name) in cases {
        match v.verify_at(&h, PAYLOAD, at(TIMESTAMP)) {
            Err(VerifyError::MalformedHeader { header, .. }) => assert_eq!(header, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut h = vector_headers();
        h.remove(name);
        assert_eq!(
            v.verify_at(&h, PAYLOAD, at(TIMESTAMP)).unwrap_err(),
            VerifyError::MissingHeader(name)
        );
    }
}

#[test]
fn any_one_of_several_signatures_may_match() {
    let v = Verifier::new(SECRET).unwrap();
    let ts = TIMESTAMP.to_string();
    let several = format!("v1,bm90IGl0 v2,whatever v1,???? {SIGNATURE}");
    assert!(v.verify_at(headers(MSG_ID, &ts, &several), PAYLOAD, at(TIMESTAMP)).is_ok());
    // The right signature under another version does not count.
    let wrong_version = SIGNATURE.replacen("v1,", "v2,", 1);
    let err = v.verify_at(headers(MSG_ID, &ts, &wrong_version), PAYLOAD, at(TIMESTAMP));
    assert_eq!(err.unwrap_err(), VerifyError::NoMatchingSignature);
}

#[test]
fn headers_from_a_closure_and_a_typed_body() {
    let v = Verifier::new(SECRET).unwrap();
    let body = serde_json::to_vec(&succeeded("p1", json!("hi"))).unwrap();
    let now = 1_700_000_000;
    let signature = v.sign("msg_1", now, &body);
    let pairs = [
        ("Webhook-Id".to_owned(), "msg_1".to_owned()),
        ("Webhook-Timestamp".to_owned(), now.to_string()),
        ("Webhook-Signature".to_owned(), signature),
    ];
    let lookup = |name: &str| pairs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let verified = v.verify_at(lookup, &body, at(now as u64)).unwrap();
    let prediction = verified.prediction().unwrap();
    assert_eq!(prediction.output, Some(Some(json!("hi"))));
    assert_eq!(prediction.status, Some(PredictionStatus::Succeeded));
    let training_body = br#"{"id": "t1", "status": "succeeded", "output": {"version": "v2"}}"#;
    let signature = v.sign("msg_2", now, training_body);
    let h = headers("msg_2", &now.to_string(), &signature);
    let training = v.verify_at(&h, training_body, at(now as u64)).unwrap().training().unwrap();
    assert_eq!(training.output, Some(Some(json!({"version": "v2"}))));
}

#[test]
fn the_secret_is_never_shown() {
    let v = Verifier::new(SECRET).unwrap();
    let debug = format!("{v:?}");
    assert!(!debug.contains("MfKQ"), "{debug}");
    let err = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!").unwrap_err();
    assert!(!err.to_string().contains("MfKQ"), "{err}");
    assert!(!format!("{err:?}").contains("MfKQ"));
}

#[tokio::test]
async fn the_default_secret_is_fetched_into_a_verifier() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/webhooks/default/secret"))
        .and(header("authorization", AUTH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": SECRET})))
        .expect(1)
        .mount(&server)
        .await;
    let verifier = replicate_client(&server).webhook_verifier().await.unwrap();
    assert!(verifier.verify_at(vector_headers(), PAYLOAD, at(TIMESTAMP)).is_ok());
}

#[tokio::test]
async fn an_unusable_default_secret_is_a_decode_error_without_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/webhooks/default/secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "whsec_s3cr3t!!"})))
        .mount(&server)
        .await;
    let err = replicate_client(&server).webhook_verifier().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(!format!("{err:?}{err}").contains("s3cr3t"), "{err:?}");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let err = replicate_client(&server).webhook_verifier().await.unwrap_err();
    assert!(err.to_string().contains("no `key`"), "{err}");
}

// ---------------------------------------------------------------- files

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("replicate-helpers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn data_urls_from_bytes_and_paths() {
    use replicate::files::{data_url, data_url_from_path, FileError, MAX_DATA_URL_BYTES};
    assert_eq!(data_url(b"\x89PNG", "image/png").unwrap(), "data:image/png;base64,iVBORw==");
    assert_eq!(data_url(b"", "").unwrap(), "data:application/octet-stream;base64,");
    let png = temp_file("tiny.png", b"\x89PNG\r\n");
    assert_eq!(data_url_from_path(&png).unwrap(), "data:image/png;base64,iVBORw0K");
    let wav = temp_file("a.wav", b"RIFF");
    assert!(data_url_from_path(&wav).unwrap().starts_with("data:audio/"));
    let unknown = temp_file("blob.zzunknown", b"x");
    assert_eq!(data_url_from_path(&unknown).unwrap(), "data:application/octet-stream;base64,eA==");
    let exact = temp_file("exact.bin", &vec![7; MAX_DATA_URL_BYTES]);
    assert!(data_url_from_path(&exact).is_ok());
    let big = temp_file("big.jpg", &vec![0; MAX_DATA_URL_BYTES + 1]);
    let err = data_url_from_path(&big).unwrap_err();
    assert!(matches!(err, FileError::TooLarge { size, .. } if size == (MAX_DATA_URL_BYTES + 1) as u64), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("upload") && message.contains("HTTP URL"), "{message}");
    assert!(matches!(data_url(&vec![0; 300_000], "image/png"), Err(FileError::TooLarge { .. })));
    let missing = data_url_from_path("/definitely/not/here.png").unwrap_err();
    assert!(matches!(missing, FileError::Io { .. }), "{missing:?}");
    assert!(missing.to_string().contains("/definitely/not/here.png"));
}

#[tokio::test]
async fn download_fetches_output_bytes_without_credentials_elsewhere() {
    let api = MockServer::start().await;
    let files = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/pbxt/abc/out.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"\x89PNG-bytes".to_vec(), "image/png"))
        .expect(1)
        .mount(&files)
        .await;
    let bytes = replicate_client(&api)
        .download(&format!("{}/pbxt/abc/out.png", files.uri()))
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"\x89PNG-bytes");
    assert!(requests(&files).await[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn download_on_the_api_origin_sends_credentials_and_reports_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/files/f1/content"))
        .and(header("authorization", AUTH))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"data".to_vec(), "application/octet-stream"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/missing.png"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = replicate_client(&server);
    let bytes = client.download(&format!("{}/v1/files/f1/content", server.uri())).await.unwrap();
    assert_eq!(&bytes[..], b"data");
    let err = client.download(&format!("{}/missing.png", server.uri())).await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 404);
    assert_eq!(err.operation(), Some("files.download"));
}

#[tokio::test]
async fn download_decodes_data_urls_and_refuses_other_schemes() {
    let server = MockServer::start().await;
    let client = replicate_client(&server);
    assert_eq!(&client.download("data:text/plain;base64,aGVsbG8=").await.unwrap()[..], b"hello");
    assert_eq!(&client.download("data:,a%2Cb").await.unwrap()[..], b"a,b");
    for bad in ["file:///etc/passwd", "ftp://example.com/x", "data:;base64,***"] {
        let err = client.download(bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{bad}: {err:?}");
    }
    assert!(requests(&server).await.is_empty());
}
