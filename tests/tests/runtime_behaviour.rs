//! Retries, timeouts, pagination, streams (server-sent events, JSON lines),
//! body caps, decoding and errors, on the generated Replicate
//! client and the runtime's own against local servers (127.0.0.1), with a
//! paused clock where time matters.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use replicate::prelude::*;
use replicate::{types, Error};
use integration_tests::prediction;
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
    // `idempotency_key` sends the IETF draft's header; a spec's own, such
    // as `X-Idempotency-Key`, counts too. A header that merely contains
    // the words is no key.
    for (name, retried) in [("Idempotency-Key", true), ("X-Idempotency-Key", true), ("Idempotency-Key-Hint", false)] {
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
        let create = client(&server).predictions().create();
        let result = if name == "Idempotency-Key" { create.idempotency_key("k-1").await } else { create.header(name, "k-1").await };
        let requests = server.received_requests().await.unwrap();
        if retried {
            assert_eq!(result.unwrap().id.as_deref(), Some("p2"), "{name}");
            assert_eq!(requests.len(), 2, "{name}");
            assert_eq!(requests[1].headers[name], "k-1");
        } else {
            assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(503), "{name}");
            assert_eq!(requests.len(), 1, "{name}");
        }
    }
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
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
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

/// What a scripted server does on one connection, in order; it closes
/// the connection after the last step.
enum Step {
    /// Bytes as they are: a response head, a whole response.
    Raw(String),
    /// One chunk of a chunked body.
    Chunk(String),
    /// The chunk that ends a chunked body.
    End,
    /// A pause, on tokio's clock (paused or not).
    Wait(Duration),
}

const SSE_HEAD: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
const NDJSON_HEAD: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n";

/// What a scripted server was sent: when each request came, and its head.
type Seen = Arc<Mutex<Vec<(tokio::time::Instant, String)>>>;

/// A raw HTTP server on 127.0.0.1 that plays one script per connection,
/// in the order they come. Connections beyond the scripts are logged and
/// closed at once.
async fn scripted(scripts: Vec<Vec<Step>>) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Seen::default();
    let log = seen.clone();
    tokio::spawn(async move {
        let mut scripts = scripts.into_iter();
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            tokio::spawn(play(sock, scripts.next().unwrap_or_default(), log.clone()));
        }
    });
    (format!("http://{addr}"), seen)
}

/// Reads a request, logs it, and plays the script.
async fn play(mut sock: tokio::net::TcpStream, script: Vec<Step>, log: Seen) {
    // The head, then as much body as it announces.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break buf.len(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|n| n.trim().parse::<usize>().unwrap()))
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    log.lock().unwrap().push((tokio::time::Instant::now(), head));
    for step in script {
        let written = match step {
            Step::Raw(bytes) => sock.write_all(bytes.as_bytes()).await,
            Step::Chunk(body) => sock.write_all(format!("{:x}\r\n{body}\r\n", body.len()).as_bytes()).await,
            Step::End => sock.write_all(b"0\r\n\r\n").await,
            Step::Wait(d) => {
                tokio::time::sleep(d).await;
                Ok(())
            }
        };
        if written.is_err() {
            break;
        }
    }
}

/// With the clock paused, tokio jumps to the next timer whenever it waits,
/// even while bytes are on their way through a socket; a timer that fires
/// every few milliseconds keeps each jump that short, so only the waits
/// under test decide what happens.
fn metronome() {
    tokio::spawn(async {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
}

/// A client of the runtime itself, with the given settings, and no timer
/// of its connection pool's.
fn runtime_client(
    base: &str,
    configure: impl FnOnce(apigen_runtime::ClientBuilder) -> apigen_runtime::ClientBuilder,
) -> apigen_runtime::Client {
    let http = apigen_runtime::reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    configure(apigen_runtime::ClientBuilder::new(base, "test").http_client(http).bearer_token("r8_test_token"))
        .build()
        .unwrap()
}

static GET_STREAM: apigen_runtime::Operation =
    apigen_runtime::Operation { id: "stream.get", method: "GET", path: "/stream", secured: true };
static POST_STREAM: apigen_runtime::Operation =
    apigen_runtime::Operation { id: "stream.post", method: "POST", path: "/stream", secured: true };

fn sse(
    client: apigen_runtime::Client,
    op: &'static apigen_runtime::Operation,
) -> apigen_runtime::BoxStream<Result<apigen_runtime::Event<String>, Error>> {
    apigen_runtime::events(client, apigen_runtime::Request::new(op), apigen_runtime::text)
}

fn ndjson(client: apigen_runtime::Client) -> apigen_runtime::BoxStream<Result<serde_json::Value, Error>> {
    apigen_runtime::json_lines(client, apigen_runtime::Request::new(&GET_STREAM))
}

/// A stream of `n` events (or lines), `every` apart, that ends cleanly.
fn slow(head: &str, n: usize, every: Duration, item: impl Fn(usize) -> String) -> Vec<Step> {
    let mut steps = vec![Step::Raw(head.to_owned())];
    for i in 0..n {
        steps.push(Step::Chunk(item(i)));
        steps.push(Step::Wait(every));
    }
    steps.push(Step::End);
    steps
}

#[tokio::test(start_paused = true)]
async fn streams_outlive_the_request_timeout() {
    metronome();
    let every = Duration::from_secs(5);
    let (base, seen) = scripted(vec![
        slow(SSE_HEAD, 12, every, |i| format!("id: {i}\ndata: {i}\n\n")),
        slow(NDJSON_HEAD, 12, every, |i| format!("{{\"n\":{i}}}\n")),
    ])
    .await;
    let c = runtime_client(&base, |b| b.timeout(Some(Duration::from_secs(10))));
    let start = tokio::time::Instant::now();
    let events: Vec<_> = sse(c.clone(), &GET_STREAM).try_collect().await.unwrap();
    assert_eq!(events.len(), 12);
    assert_eq!(events[11].data, "11");
    assert!(start.elapsed() >= Duration::from_secs(55), "{:?}", start.elapsed());
    let lines: Vec<_> = ndjson(c).try_collect().await.unwrap();
    assert_eq!(lines.len(), 12);
    assert_eq!(lines[11]["n"], 11);
    assert!(start.elapsed() >= Duration::from_secs(110), "{:?}", start.elapsed());
    // Each on one connection: nothing was cut and resumed.
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_silent_stream_is_cut_after_the_idle_timeout() {
    metronome();
    let silent = |head: &str, first: &str| {
        vec![Step::Raw(head.to_owned()), Step::Chunk(first.to_owned()), Step::Wait(Duration::from_secs(3600))]
    };
    let (base, seen) = scripted(vec![silent(NDJSON_HEAD, "{\"n\":1}\n"), silent(SSE_HEAD, "data: a\n\n")]).await;
    let c = runtime_client(&base, |b| b.stream_idle_timeout(Some(Duration::from_secs(30))));
    let start = tokio::time::Instant::now();
    let lines: Vec<_> = ndjson(c.clone()).collect().await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].as_ref().unwrap()["n"], 1);
    match &lines[1] {
        Err(e @ Error::StreamCut { reconnects: 0, .. }) => assert!(e.to_string().contains("nothing arrived for 30s"), "{e}"),
        other => panic!("{other:?}"),
    }
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(30) && waited < Duration::from_secs(31), "{waited:?}");
    // A POST stream is cut the same way, and not sent again.
    let events: Vec<_> = sse(c, &POST_STREAM).collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[1], Err(Error::StreamCut { .. })), "{events:?}");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_stream_head_that_does_not_come_is_a_timeout() {
    metronome();
    let hang = || vec![Step::Wait(Duration::from_secs(3600))];
    let (base, _) = scripted(vec![hang(), hang(), hang()]).await;
    let c = runtime_client(&base, |b| b.timeout(Some(Duration::from_secs(10))));
    let start = tokio::time::Instant::now();
    let err = sse(c, &GET_STREAM).next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("no response within 10s (after 3 attempts)"), "{err}");
    assert!(start.elapsed() >= Duration::from_secs(30), "{:?}", start.elapsed());
}

/// The timeout of a request that is not a stream covers its body: a body
/// that stops coming is a timeout, counted from the request, not from its
/// head.
#[tokio::test(start_paused = true)]
async fn a_body_that_stops_coming_is_a_timeout() {
    metronome();
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    let script = vec![Step::Wait(Duration::from_secs(6)), Step::Raw(head.into()), Step::Chunk("{\"id\":".into()), Step::Wait(Duration::from_secs(3600))];
    let (base, _) = scripted(vec![script]).await;
    let c = runtime_client(&base, |b| b.timeout(Some(Duration::from_secs(10))).max_attempts(1));
    let start = tokio::time::Instant::now();
    let err = c.send(apigen_runtime::Request::new(&GET_STREAM)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("no response within 10s"), "{err}");
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(10) && waited < Duration::from_secs(12), "{waited:?}");
}

#[tokio::test]
async fn a_post_stream_that_drops_is_not_sent_again() {
    let (base, seen) = scripted(vec![vec![Step::Raw(SSE_HEAD.into()), Step::Chunk("retry: 10\nid: 1\ndata: a\n\n".into())]]).await;
    let events: Vec<_> = sse(runtime_client(&base, |b| b), &POST_STREAM).collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].as_ref().unwrap().data, "a");
    match &events[1] {
        Err(e @ Error::StreamCut { operation: "stream.post", reconnects: 0, .. }) => {
            assert!(e.to_string().contains("the stream was cut"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_stream_that_cannot_be_resumed_ends_with_stream_cut() {
    // Each connection sets a short retry and drops before any event.
    let drop_at_once = || vec![Step::Raw(SSE_HEAD.into()), Step::Chunk(": hello\nretry: 10\n".into())];
    let (base, seen) = scripted((0..6).map(|_| drop_at_once()).collect()).await;
    let events: Vec<_> = sse(runtime_client(&base, |b| b), &GET_STREAM).collect().await;
    assert_eq!(events.len(), 1, "{events:?}");
    let err = events[0].as_ref().unwrap_err();
    assert!(matches!(err, Error::StreamCut { reconnects: 5, .. }), "{err:?}");
    assert!(err.to_string().contains("(after 5 reconnects)"), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn the_servers_retry_is_waited_before_resuming_up_to_a_cap() {
    metronome();
    let (base, seen) = scripted(vec![
        vec![Step::Raw(SSE_HEAD.into()), Step::Chunk("retry: 7000\nid: 1\ndata: a\n\n".into())],
        vec![Step::Raw(SSE_HEAD.into()), Step::Chunk("retry: 86400000\nid: 2\ndata: b\n\n".into())],
        vec![Step::Raw(SSE_HEAD.into()), Step::Chunk("data: c\n\n".into()), Step::End],
    ])
    .await;
    let events: Vec<_> = sse(runtime_client(&base, |b| b), &GET_STREAM).try_collect().await.unwrap();
    let data: Vec<&str> = events.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(data, ["a", "b", "c"]);
    assert_eq!(events[2].id.as_deref(), Some("2"));
    let seen = seen.lock().unwrap();
    let gap = |i: usize| seen[i].0 - seen[i - 1].0;
    assert!(gap(1) >= Duration::from_secs(7) && gap(1) < Duration::from_secs(8), "{:?}", gap(1));
    // A day is cut to the retry policy's longest wait, a minute.
    assert!(gap(2) >= Duration::from_secs(60) && gap(2) < Duration::from_secs(61), "{:?}", gap(2));
    assert!(seen[1].1.to_ascii_lowercase().contains("last-event-id: 1"), "{}", seen[1].1);
    assert!(seen[2].1.to_ascii_lowercase().contains("last-event-id: 2"), "{}", seen[2].1);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused() {
    let chunked = |n: usize| {
        let mut steps = vec![Step::Raw("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".into())];
        steps.extend((0..n).map(|_| Step::Chunk("x".repeat(300))));
        steps.push(Step::End);
        steps
    };
    let (base, _) = scripted(vec![chunked(3), chunked(4)]).await;
    let c = runtime_client(&base, |b| b.max_body_bytes(1_000));
    static PLAIN: apigen_runtime::Operation =
        apigen_runtime::Operation { id: "plain.get", method: "GET", path: "/", secured: true };
    assert_eq!(c.send(apigen_runtime::Request::new(&PLAIN)).await.unwrap().body().len(), 900);
    let err = c.send(apigen_runtime::Request::new(&PLAIN)).await.unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 1_000, .. }), "{err:?}");
}

#[tokio::test]
async fn one_event_or_line_over_the_limit_ends_a_stream_but_a_long_stream_is_fine() {
    let long = |head: &str, item: &dyn Fn(&str) -> String| {
        let mut steps = vec![Step::Raw(head.to_owned())];
        // 50 items of 100 bytes: five times the limit in all.
        steps.extend((0..50).map(|_| Step::Chunk(item(&"x".repeat(90)))));
        steps.push(Step::Chunk(item(&"y".repeat(1_200))));
        steps.push(Step::Chunk(item("after")));
        steps.push(Step::End);
        steps
    };
    let (base, _) = scripted(vec![
        long(SSE_HEAD, &|s| format!("data: {s}\n\n")),
        long(NDJSON_HEAD, &|s| format!("\"{s}\"\n")),
    ])
    .await;
    let c = runtime_client(&base, |b| b.max_body_bytes(1_000));
    let events: Vec<_> = sse(c.clone(), &GET_STREAM).collect().await;
    assert_eq!(events.len(), 51);
    assert!(events[..50].iter().all(Result::is_ok));
    assert!(matches!(events[50], Err(Error::TooLarge { limit: 1_000, .. })), "{:?}", events[50]);
    let lines: Vec<_> = ndjson(c).collect().await;
    assert_eq!(lines.len(), 51);
    assert!(lines[..50].iter().all(Result::is_ok));
    assert!(matches!(lines[50], Err(Error::TooLarge { limit: 1_000, .. })), "{:?}", lines[50]);
}

#[tokio::test]
async fn the_error_body_of_a_stream_is_capped_too() {
    let error = |size: usize| {
        vec![
            Step::Raw("HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\n\r\n".into()),
            Step::Chunk("e".repeat(size)),
            Step::End,
        ]
    };
    let (base, _) = scripted(vec![error(5_000), error(5_000), error(10)]).await;
    let c = runtime_client(&base, |b| b.max_body_bytes(1_000));
    let first = sse(c.clone(), &GET_STREAM).next().await.unwrap().unwrap_err();
    assert!(matches!(first, Error::TooLarge { .. }), "{first:?}");
    let first = ndjson(c.clone()).next().await.unwrap().unwrap_err();
    assert!(matches!(first, Error::TooLarge { .. }), "{first:?}");
    let small = sse(c, &GET_STREAM).next().await.unwrap().unwrap_err();
    assert_eq!(small.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(small.body().unwrap().len(), 10);
}

#[tokio::test(start_paused = true)]
async fn a_body_cut_short_after_retries_reports_every_attempt() {
    metronome();
    let busy = || vec![Step::Raw("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into())];
    let cut = vec![Step::Raw("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789".into())];
    let (base, _) = scripted(vec![busy(), busy(), cut]).await;
    let c = runtime_client(&base, |b| b);
    static PLAIN: apigen_runtime::Operation =
        apigen_runtime::Operation { id: "plain.get", method: "GET", path: "/", secured: true };
    let err = c.send(apigen_runtime::Request::new(&PLAIN)).await.unwrap_err();
    assert!(matches!(err, Error::Transport { attempts: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("(after 3 attempts)"), "{err}");
}

#[tokio::test]
async fn a_listing_that_comes_back_to_any_page_it_has_seen_stops() {
    let server = MockServer::start().await;
    let base = server.uri();
    let page = |id: &str, next: &str| {
        ResponseTemplate::new(200).set_body_json(json!({"results": [prediction(id)], "next": format!("{base}/v1/predictions{next}")}))
    };
    for (cursor, id, next) in [("2", "b", "?cursor=3"), ("3", "c", "?cursor=2")] {
        Mock::given(method("GET"))
            .and(path("/v1/predictions"))
            .and(query_param("cursor", cursor))
            .respond_with(page(id, next))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .respond_with(page("a", "?cursor=2"))
        .mount(&server)
        .await;
    let ids = |items: Vec<types::Prediction>| items.into_iter().map(|p| p.id.unwrap()).collect::<Vec<_>>();
    // 3 points back at 2, two pages back: a loop that "not the page just
    // sent" does not see. The take is only there to end the test if so.
    let items: Vec<_> = client(&server).predictions().list().items().take(10).try_collect().await.unwrap();
    assert_eq!(ids(items), ["a", "b", "c"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // Back to the first page, which had no cursor.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .and(query_param("cursor", "2"))
        .respond_with(page("b", ""))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .respond_with(page("a", "?cursor=2"))
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server).predictions().list().items().take(10).try_collect().await.unwrap();
    assert_eq!(ids(items), ["a", "b"]);
}

#[tokio::test]
async fn a_success_body_that_is_not_the_json_promised_is_a_decode_error() {
    let cases: [(&str, &[u8]); 4] = [
        ("text/html", b"<html><body>502 Bad Gateway</body></html>"),
        ("text/plain", br#"{"username": "acme"}"#),
        ("application/json", br#"{"username": ["not", "a", "string"], "type": 5}"#),
        ("application/json", b"{\"username\": \"\xff\xfe\"}"),
    ];
    for (content_type, body) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_vec(), content_type))
            .mount(&server)
            .await;
        let err = client(&server).account().get().await.unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{content_type}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
        assert_eq!(err.body().unwrap().as_ref(), body);
    }
}

#[tokio::test]
async fn errors_never_show_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"title": "Unauthorized", "detail": "bad token"})))
        .mount(&server)
        .await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let secrets = ["r8_SECRET_TOKEN", "PASS_SECRET", "dXNlcjpQQVNTX1NFQ1JFVA", "QUERY_SECRET", "Bearer", "Basic"];
    let configs: [fn(apigen_runtime::ClientBuilder) -> apigen_runtime::ClientBuilder; 3] = [
        |b| b.bearer_token("r8_SECRET_TOKEN"),
        |b| b.basic_auth("user", "PASS_SECRET"),
        |b| b.api_key(apigen_runtime::ApiKeyLocation::Query, "key", "QUERY_SECRET"),
    ];
    static PLAIN: apigen_runtime::Operation =
        apigen_runtime::Operation { id: "plain.get", method: "GET", path: "/", secured: true };
    for configure in configs {
        let answered = configure(apigen_runtime::ClientBuilder::new(server.uri(), "test")).build().unwrap();
        let api = answered.send(apigen_runtime::Request::new(&PLAIN)).await.unwrap().error::<()>().unwrap_err();
        assert!(matches!(api, Error::Api(_)), "{api:?}");
        let refused = configure(apigen_runtime::ClientBuilder::new(format!("http://127.0.0.1:{port}"), "test"))
            .max_attempts(1)
            .build()
            .unwrap();
        let transport = refused.send(apigen_runtime::Request::new(&PLAIN)).await.unwrap_err();
        assert!(matches!(transport, Error::Transport { .. }), "{transport:?}");
        for err in [api, transport] {
            let shown = format!("{err}\n{err:?}\n{err:#?}");
            for secret in secrets {
                assert!(!shown.contains(secret), "`{secret}` in\n{shown}");
            }
        }
    }
    // They were sent, so their absence above means something.
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent[0].headers["authorization"], "Bearer r8_SECRET_TOKEN");
    assert_eq!(sent[1].headers["authorization"], "Basic dXNlcjpQQVNTX1NFQ1JFVA==");
    assert_eq!(sent[2].url.query(), Some("key=QUERY_SECRET"));
}

/// A redirect to another origin (here another port of 127.0.0.1) is not
/// followed, so the API key in a custom header and the one in the query
/// never reach it, not even in a `Referer`; a redirect on the same origin
/// is followed.
#[tokio::test]
async fn redirects_never_carry_credentials_to_another_origin() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/away"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/stolen", elsewhere.uri())))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/moved"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/here"))
        .mount(&api)
        .await;
    Mock::given(method("GET")).and(path("/here")).respond_with(ResponseTemplate::new(200)).mount(&api).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&elsewhere).await;
    for location in [apigen_runtime::ApiKeyLocation::Header, apigen_runtime::ApiKeyLocation::Query] {
        let client = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new(api.uri(), "test")
            .api_key(location, "x-api-key", "s3cret")
            .build()
            .unwrap();
        static AWAY: apigen_runtime::Operation =
            apigen_runtime::Operation { id: "away", method: "GET", path: "/away", secured: true };
        static MOVED: apigen_runtime::Operation =
            apigen_runtime::Operation { id: "moved", method: "GET", path: "/moved", secured: true };
        let raw = client.send(apigen_runtime::Request::new(&AWAY)).await.unwrap();
        assert_eq!(raw.status().as_u16(), 302, "the hop to another origin comes back, not followed");
        let raw = client.send(apigen_runtime::Request::new(&MOVED)).await.unwrap();
        assert_eq!(raw.status().as_u16(), 200, "a hop on the same origin is followed");
    }
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "the other origin was called");
    let here = api.received_requests().await.unwrap();
    let at_here: Vec<_> = here.iter().filter(|r| r.url.path() == "/here").collect();
    assert_eq!(at_here.len(), 2);
    assert!(at_here.iter().all(|r| !r.headers.contains_key("referer")));
}

/// The password of a base URL with user info is in no `Debug` output.
#[test]
fn debug_output_never_shows_the_base_url_password() {
    let builder = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new("https://user:PASSWORD@127.0.0.1/v1", "test")
        .bearer_token("TOKEN");
    let shown = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown = shown + &format!("{client:?}");
    assert!(!shown.contains("PASSWORD") && !shown.contains("TOKEN") && !shown.contains("user:"), "{shown}");
    assert!(shown.contains("***@127.0.0.1"), "{shown}");
    let bad = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new("ht tp://user:PASSWORD@127.0.0.1", "test").build();
    assert!(!format!("{:?} {}", bad.as_ref().err(), bad.as_ref().err().unwrap()).contains("PASSWORD"));
}

/// A server that hands out a new cursor for ever: the listing ends at the
/// page limit with an error, the client's or its own, and remembers a
/// bounded number of pages on the way; `max_items` bounds the items.
#[tokio::test]
async fn a_listing_without_end_stops_at_its_limit() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/v1/predictions"))
        .respond_with(move |req: &wiremock::Request| {
            let n: u64 = req.url.query_pairs().find(|(k, _)| k == "cursor").map_or(0, |(_, v)| v.parse().unwrap());
            let next = format!("{base}/v1/predictions?cursor={}", n + 1);
            ResponseTemplate::new(200).set_body_json(json!({"results": [prediction(&n.to_string())], "next": next}))
        })
        .mount(&server)
        .await;
    let http = apigen_runtime::reqwest::Client::new();
    let limited = replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_test_token")
        .http_client(http)
        .max_pages(Some(40))
        .build()
        .unwrap();
    let got: Vec<_> = limited.predictions().list().items().collect().await;
    assert_eq!(got.len(), 41, "40 items, then the error");
    assert!(got[..40].iter().all(Result::is_ok));
    let err = got[40].as_ref().unwrap_err();
    assert!(matches!(err, Error::TooMany { limit: 40, what: "pages", .. }), "{err:?}");
    assert!(err.to_string().contains("more than the limit of 40 pages"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 40);

    let pages: Vec<_> = limited.predictions().list().pages().max_pages(Some(3)).collect().await;
    assert_eq!(pages.len(), 4);
    assert!(matches!(pages[3], Err(Error::TooMany { limit: 3, .. })));

    let items: Vec<_> = limited.predictions().list().items().max_items(Some(5)).collect().await;
    assert_eq!(items.len(), 6);
    assert!(matches!(items[5], Err(Error::TooMany { limit: 5, what: "items", .. })));
}
