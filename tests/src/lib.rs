//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use apigen::config::{Config, Target};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the root").to_path_buf()
}

/// A target of `spec/codegen.toml`, by crate name.
pub fn target(crate_name: &str) -> Target {
    let config = Config::read(&root().join("spec/codegen.toml")).expect("the codegen config reads");
    config
        .targets
        .into_iter()
        .find(|t| t.crate_name == crate_name)
        .unwrap_or_else(|| panic!("no target `{crate_name}` in spec/codegen.toml"))
}

/// Generates a configured crate in memory, as `cargo xtask codegen` does.
pub fn generate(crate_name: &str) -> apigen::Generated {
    target(crate_name).generate(&root(), false).expect("the spec generates")
}

/// A client for the mock server, with a known token.
pub fn replicate_client(server: &wiremock::MockServer) -> replicate::Client {
    replicate::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .bearer_token("r8_test_token")
        .build()
        .expect("client builds")
}

/// The README's examples, compiled as doctests.
#[doc = include_str!("../../README.md")]
#[allow(dead_code)]
mod readme {}

/// Reads a fixture under `tests/fixtures`.
pub fn fixture(path: &str) -> serde_json::Value {
    let p = root().join("tests/fixtures").join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A finished prediction, as the server answers with it.
pub fn prediction(id: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "status": "succeeded"})
}

/// One request as [`LocalServer`] received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// The path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 server on 127.0.0.1 whose tasks run on the test's own
/// runtime. Under a paused clock this matters: tokio moves time on only
/// when no task can run, and a server on another thread (wiremock's) looks
/// like nothing to do while it answers, so timers would fire during every
/// request. Here the answer is ready as soon as the request is written.
pub struct LocalServer {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl LocalServer {
    /// Serves every request with `respond`: its status and JSON body.
    pub async fn start<F>(respond: F) -> LocalServer
    where
        F: Fn(&Received) -> (u16, serde_json::Value) + Send + Sync + 'static,
    {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = received.clone();
        let respond = std::sync::Arc::new(respond);
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (log, respond) = (log.clone(), respond.clone());
                tokio::spawn(async move {
                    let (read, mut write) = sock.into_split();
                    let mut read = BufReader::new(read);
                    loop {
                        let mut line = String::new();
                        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let mut parts = line.split_whitespace();
                        let (method, target) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
                        let mut headers = Vec::new();
                        loop {
                            let mut h = String::new();
                            if read.read_line(&mut h).await.unwrap_or(0) == 0 {
                                return;
                            }
                            let h = h.trim_end();
                            if h.is_empty() {
                                break;
                            }
                            if let Some((k, v)) = h.split_once(':') {
                                headers.push((k.trim().to_owned(), v.trim().to_owned()));
                            }
                        }
                        let length = headers
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                            .and_then(|(_, v)| v.parse().ok())
                            .unwrap_or(0usize);
                        let mut body = vec![0u8; length];
                        if read.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let request = Received { method, target, headers, body };
                        let (status, json) = respond(&request);
                        log.lock().expect("not poisoned").push(request);
                        let body = json.to_string();
                        let head = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        if write.write_all(format!("{head}{body}").as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        LocalServer { url, received }
    }

    /// What was received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("not poisoned").clone()
    }

    /// A Replicate client for this server, with no timer of its own (no
    /// timeout, no idle-connection timer), for a paused clock.
    pub fn replicate_client(&self) -> replicate::Client {
        let http = apigen_runtime::reqwest::Client::builder().pool_idle_timeout(None).build().expect("client builds");
        replicate::Client::builder()
            .base_url(format!("{}/v1", self.url))
            .bearer_token("r8_test_token")
            .http_client(http)
            .timeout(None)
            .build()
            .expect("client builds")
    }
}

/// Whether this process is a child started by [`in_child`].
pub fn is_child() -> bool {
    std::env::var_os("APIGEN_TEST_CHILD").is_some()
}

/// Runs the test `name` of this test binary again, alone, in a child
/// process with `vars` set (`None`: removed), and says whether it passed.
/// Setting variables in the test process itself would race with every
/// other thread that reads the environment (reqwest reads proxy variables).
pub fn in_child(name: &str, vars: &[(&str, Option<&str>)]) -> Result<(), String> {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("the test binary"));
    cmd.args(["--exact", name, "--test-threads=1", "--nocapture"]).env("APIGEN_TEST_CHILD", "1");
    for (k, v) in vars {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout.contains("1 passed") {
        Ok(())
    } else {
        Err(format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr)))
    }
}
