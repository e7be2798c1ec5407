//! What a tracing subscriber sees of requests: a span per request and per
//! attempt, with their status and duration, and never a secret.
//!
//! In a test binary of its own: tracing caches, per call site and for the
//! whole process, whether anyone listens, and a test on another thread
//! with no subscriber could make this one's spans be skipped.

use std::sync::{Arc, Mutex};

use replicate::{types, Error};
use integration_tests::prediction;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

/// The spans a line of the trace is in, outermost first: each name with
/// its fields as shown.
fn spans(line: &str) -> Vec<(&str, &str)> {
    let Some(start) = line.find(" DEBUG ").map(|i| i + " DEBUG ".len()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut name, mut fields, mut quoted, mut escaped) = (start, None, false, false);
    for (i, c) in line.char_indices().skip_while(|(i, _)| *i < start) {
        match (fields, c) {
            _ if escaped => escaped = false,
            (Some(_), '\\') if quoted => escaped = true,
            (Some(_), '"') => quoted = !quoted,
            (Some(f), '}') if !quoted => {
                out.push((&line[name..f - 1], &line[f..i]));
                fields = None;
                name = i + 2;
                if !line[i + 1..].starts_with(':') || line[i + 1..].starts_with(": ") {
                    break;
                }
            }
            (None, '{') => fields = Some(i + 1),
            (None, ' ') => break,
            _ => {}
        }
    }
    out
}

/// The lines that close a span named `name`, as the spans they are in.
fn closed<'a>(out: &'a str, name: &str) -> Vec<Vec<(&'a str, &'a str)>> {
    out.lines()
        .filter(|l| l.contains(" close time."))
        .map(spans)
        .filter(|s| s.last().is_some_and(|(n, _)| *n == name))
        .collect()
}

/// Whether span fields show `name` with this value, quoted or not.
fn has(fields: &str, name: &str, value: &str) -> bool {
    fields.contains(&format!("{name}=\"{value}\"")) || fields.split(' ').any(|f| f == format!("{name}={value}"))
}

#[tokio::test]
async fn tracing_sees_requests_but_never_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(prediction("p1")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/predictions/p_SECRET_ID"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"detail": "boom"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2_000)))
        .mount(&server)
        .await;
    let c = replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_SECRET_TOKEN")
        .max_attempts(1)
        .max_body_bytes(1_000)
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
    // Error paths: an error status, a body over the limit after a 200, and
    // no answer at all.
    assert_eq!(c.predictions().get("p_SECRET_ID").await.unwrap_err().status().map(|s| s.as_u16()), Some(500));
    assert!(matches!(c.account().get().await.unwrap_err(), Error::TooLarge { .. }));
    let basic = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new(server.uri(), "test")
        .basic_auth("user", "PASS_SECRET")
        .max_attempts(1)
        .build()
        .unwrap();
    static PLAIN: apigen_runtime::Operation =
        apigen_runtime::Operation { id: "plain.get", method: "GET", path: "/v1/account", secured: true };
    basic.send(apigen_runtime::Request::new(&PLAIN)).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = apigen_runtime::ClientBuilder::<apigen_runtime::Client>::new(format!("http://127.0.0.1:{port}"), "test")
        .basic_auth("user", "PASS_SECRET")
        .max_attempts(2)
        .build()
        .unwrap();
    assert!(matches!(refused.send(apigen_runtime::Request::new(&PLAIN)).await, Err(Error::Transport { .. })));
    // The Basic credentials did go, so their absence below means something.
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.last().unwrap().headers["authorization"], "Basic dXNlcjpQQVNTX1NFQ1JFVA==");

    let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let requests = closed(&out, "request");
    let attempts = closed(&out, "attempt");
    assert_eq!(requests.len(), 5, "{out}");
    assert_eq!(attempts.len(), 6, "{out}");
    let expect = [
        ("predictions.create", "POST", "/predictions", Some("201"), "1"),
        ("predictions.get", "GET", "/predictions/{prediction_id}", Some("500"), "1"),
        ("account.get", "GET", "/account", Some("200"), "1"),
        ("plain.get", "GET", "/v1/account", Some("200"), "1"),
        ("plain.get", "GET", "/v1/account", None, "2"),
    ];
    for (spans, (operation, method, path, status, tries)) in requests.iter().zip(expect) {
        let f = spans.last().unwrap().1;
        assert!(has(f, "operation", operation) && has(f, "method", method) && has(f, "path", path), "{f}");
        assert!(has(f, "attempts", tries) && f.contains("duration_ms="), "{f}");
        match status {
            Some(status) => assert!(has(f, "status", status), "{f}"),
            None => assert!(!f.contains("status="), "{f}"),
        }
    }
    let mut with_status = 0;
    for spans in &attempts {
        // An attempt is a span within its request, which carries the
        // method and path template.
        let [.., (request, r), (_, f)] = spans.as_slice() else { panic!("{spans:?}") };
        assert_eq!(*request, "request");
        assert!(r.contains("method=") && r.contains("path="), "{r}");
        assert!(f.contains("attempt=") && f.contains("duration_ms="), "{f}");
        with_status += usize::from(f.contains("status="));
    }
    assert_eq!(with_status, 4, "{out}");
    assert!(out.contains("failed") && out.contains("larger than the limit"), "{out}");
    for secret in [
        "r8_SECRET_TOKEN",
        "BODY_SECRET",
        "p_SECRET_ID",
        "PASS_SECRET",
        "dXNlcjpQQVNTX1NFQ1JFVA",
        "Basic",
        "Bearer",
        "authorization",
        "Authorization",
    ] {
        assert!(!out.contains(secret), "`{secret}` in the trace:\n{out}");
    }
}
