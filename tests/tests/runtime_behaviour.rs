//! Retries, timeouts, pagination, server-sent events and tracing, on the
//! generated Replicate client against local servers (127.0.0.1), with a
//! paused clock where time matters.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use replicate::prelude::*;
use replicate::{types, Error};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A client with no timer of its own: with the clock paused, tokio jumps
/// time forward to the next timer whenever every task waits, even on a
/// socket, so a request timeout or the connection pool's idle timer would
/// fire (or be waited for) while the mock server is still answering. The
/// only timers left are the retry waits under test.
fn client(server: &MockServer) -> replicate::Client {
    let http = apigen_runtime::reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_test_token")
        .http_client(http)
        .timeout(None)
        .build()
        .unwrap()
}

fn prediction(id: &str) -> serde_json::Value {
    json!({"id": id, "status": "succeeded"})
}

#[tokio::test(start_paused = true)]
async fn two_503s_then_200_succeeds_in_three_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(prediction("p1")))
        .mount(&server)
        .await;
    let p = client(&server).predictions().get("p1").await.unwrap();
    assert_eq!(p.id.as_deref(), Some("p1"));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(prediction("p1")))
        .mount(&server)
        .await;
    let start = tokio::time::Instant::now();
    client(&server).predictions().get("p1").await.unwrap();
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(2), "waited {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_post_answered_500_or_503_is_not_retried_but_429_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/predictions"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/trainings/t1/cancel"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = c.predictions().create().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    let err = c.trainings().cancel("t1").await.unwrap_err();
    assert_eq!(err.as_api().unwrap().attempts, 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let err = client(&server).predictions().create().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.attempts, 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_idempotency_key_makes_a_post_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p2")))
        .mount(&server)
        .await;
    let p = client(&server).predictions().create().idempotency_key("k-1").await.unwrap();
    assert_eq!(p.id.as_deref(), Some("p2"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].headers["idempotency-key"], "k-1");
}

#[tokio::test(start_paused = true)]
async fn attempts_are_configurable_per_client_and_per_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
    let c = replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .timeout(None)
        .max_attempts(5)
        .build()
        .unwrap();
    assert_eq!(c.account().get().await.unwrap_err().as_api().unwrap().attempts, 5);
    assert_eq!(c.account().get().max_attempts(1).await.unwrap_err().as_api().unwrap().attempts, 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported_with_the_attempt_count() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = replicate::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/v1"))
        .retry_policy(apigen_runtime::RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();
    let err = c.predictions().create().await.unwrap_err();
    match &err {
        Error::Transport { attempts, .. } => assert_eq!(*attempts, 2),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_hanging_server_hits_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let c = replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .timeout(Some(Duration::from_millis(200)))
        .max_attempts(1)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = c.account().get().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_three_page_listing_streams_every_item_in_order_and_stops() {
    let server = MockServer::start().await;
    let base = server.uri();
    let page = |ids: &[&str], next: Option<String>| {
        json!({"results": ids.iter().map(|i| prediction(i)).collect::<Vec<_>>(), "next": next, "previous": null})
    };
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .and(query_param("cursor", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["c", "d"], Some(format!("{base}/v1/predictions?cursor=3")))))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .and(query_param("cursor", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["e"], None)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["a", "b"], Some(format!("{base}/v1/predictions?cursor=2")))))
        .mount(&server)
        .await;
    let items: Vec<types::Prediction> = client(&server).predictions().list().items().try_collect().await.unwrap();
    let ids: Vec<&str> = items.iter().map(|p| p.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let pages: Vec<_> = client(&server).predictions().list().pages().collect().await;
    assert_eq!(pages.len(), 3);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"results": [prediction("a")], "next": "https://evil.example/steal"}),
        ))
        .mount(&server)
        .await;
    let results: Vec<_> = client(&server).predictions().list().items().collect().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("not on the client's origin"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(10_000)))
        .mount(&server)
        .await;
    let c = replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .max_body_bytes(1_000)
        .build()
        .unwrap();
    let err = c.account().get().await.unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 1_000, .. }), "{err:?}");
}

/// A raw HTTP server for event streams: the first connection sends two
/// events and is cut mid-stream; the second must carry `Last-Event-ID`.
async fn sse_server() -> (String, Arc<Mutex<Vec<String>>>) {
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
                ": a comment\nretry: 10\nid: 1\nevent: output\ndata: first line\ndata: second line\n\nid: 2\ndata: {\"x\":1}\n\n"
            } else {
                "id: 3\nevent: done\ndata: {}\n\n"
            };
            sock.write_all(format!("{:x}\r\n{body}\r\n", body.len()).as_bytes()).await.unwrap();
            if n == 0 {
                // Cut the connection without the last chunk: the body is
                // incomplete, as when a network drops.
                drop(sock);
            } else {
                sock.write_all(b"0\r\n\r\n").await.unwrap();
            }
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn server_sent_events_with_multiline_data_comments_and_a_resume() {
    let (base, seen) = sse_server().await;
    let client = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new(&base, "test")
        .bearer_token("r8_test_token")
        .build()
        .unwrap();
    static OP: apigen_runtime::Operation =
        apigen_runtime::Operation { id: "stream", method: "GET", path: "/stream", secured: true };
    let events: Vec<_> = apigen_runtime::events(client, apigen_runtime::Request::new(&OP), apigen_runtime::text)
        .collect()
        .await;
    let events: Vec<apigen_runtime::Event<String>> = events.into_iter().map(Result::unwrap).collect();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0].event, "output");
    assert_eq!(events[0].data, "first line\nsecond line");
    assert_eq!(events[0].id.as_deref(), Some("1"));
    assert_eq!(events[1].event, "message");
    assert_eq!(events[1].data, "{\"x\":1}");
    assert_eq!(events[2].event, "done");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(!seen[0].to_ascii_lowercase().contains("last-event-id"));
    assert!(seen[1].to_ascii_lowercase().contains("last-event-id: 2"), "{}", seen[1]);
}

/// Collects everything a tracing subscriber is given.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tracing_sees_requests_but_never_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1")))
        .mount(&server)
        .await;
    let c = replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_SECRET_TOKEN")
        .build()
        .unwrap();
    let body = types::VersionPredictionRequest {
        version: "v".into(),
        input: json!({"prompt": "BODY_SECRET"}).as_object().unwrap().clone(),
        stream: None,
        webhook: None,
        webhook_events_filter: None,
    };
    c.predictions().create().body(body).await.unwrap();
    let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("predictions.create"), "{out}");
    assert!(out.contains("/predictions"), "{out}");
    assert!(out.contains("status=201"), "{out}");
    for secret in ["r8_SECRET_TOKEN", "BODY_SECRET", "authorization", "Authorization"] {
        assert!(!out.contains(secret), "`{secret}` in the trace:\n{out}");
    }
}

#[tokio::test]
async fn a_foreign_url_goes_without_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|req: &wiremock::Request| {
            assert!(!req.headers.contains_key("authorization"), "credentials sent to another origin");
            ResponseTemplate::new(200).set_body_string("ok")
        })
        .mount(&server)
        .await;
    // The client's own origin is elsewhere; the mock server is "foreign".
    let c = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new("https://api.replicate.com/v1", "test")
        .bearer_token("r8_test_token")
        .build()
        .unwrap();
    static OP: apigen_runtime::Operation =
        apigen_runtime::Operation { id: "download", method: "GET", path: "/", secured: true };
    let mut req = apigen_runtime::Request::new(&OP);
    req.foreign_url(format!("{}/file.png", server.uri()));
    let raw = c.send(req).await.unwrap();
    assert_eq!(raw.body().as_ref(), b"ok");
}
