//! The connection every generated client wraps: base URL, credentials, the
//! reqwest client, and the one function that sends.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use tracing::Instrument;
use reqwest::{Method, Url};

use crate::auth::{ApiKeyLocation, Credentials, Secret};
use crate::error::Error;
use crate::request::Request;
use crate::response::RawResponse;
use crate::retry::{self, RetryPolicy};

/// Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base_url: String,
    credentials: Option<Credentials>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    max_body_bytes: usize,
}

/// Builds a [`Client`], or a generated client type `C` that wraps one.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder<C = Client> {
    base_url: String,
    credentials: Option<Credentials>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    max_body_bytes: usize,
    _client: PhantomData<fn() -> C>,
}

/// The whole-request timeout a client has unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The connect timeout a client has unless told otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response body a client reads into memory unless told
/// otherwise: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 << 20;

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder for the API served at `base_url` (the spec's first server).
    pub fn new(base_url: impl Into<String>, user_agent: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            credentials: None,
            http: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: user_agent.into(),
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            _client: PhantomData,
        }
    }

    /// How requests are retried; [`RetryPolicy::never`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Attempts in all for each request (1: no retry).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.retry = self.retry.with_max_attempts(attempts);
        self
    }

    /// The largest response body read into memory; a larger one is an
    /// [`Error::TooLarge`].
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Another base URL, e.g. a proxy or a local mock server.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Bearer(Secret::new(token)));
        self
    }

    /// Sends HTTP Basic credentials.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Basic {
            username: username.into(),
            password: Secret::new(password),
        });
        self
    }

    /// Sends an API key in a header, query parameter or cookie.
    pub fn api_key(
        mut self,
        location: ApiKeyLocation,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::ApiKey {
            location,
            name: name.into(),
            value: Secret::new(value),
        });
        self
    }

    /// Any credentials at all.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Your own reqwest client (proxies, TLS roots, middleware-free pools).
    /// The timeouts set on this builder still apply per request; the
    /// connect timeout and user agent are then those of your client.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The whole-request timeout; `None` waits for ever.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    pub fn build(self) -> Result<C, Error> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("invalid base URL `{}`: {e}", self.base_url)))?;
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                credentials: self.credentials,
                timeout: self.timeout,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
            }),
        }))
    }
}

/// Reads an environment variable that holds a credential.
pub fn env_var(name: &str) -> Result<String, Error> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => Err(Error::Config(format!("environment variable {name} is empty"))),
        Err(_) => Err(Error::Config(format!("environment variable {name} is not set"))),
    }
}

impl Client {
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The underlying reqwest client, for requests the spec does not
    /// describe.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Sends a request and reads the whole response, retrying as the
    /// retry policy says. Every status comes back as a [`RawResponse`];
    /// generated code decides which are errors.
    pub async fn send(&self, req: Request) -> Result<RawResponse, Error> {
        let (resp, attempts) = self.send_retrying(&req).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = self.read_body(req.op.id, resp).await?;
        Ok(RawResponse::new(req.op.id, status, headers, body).with_attempts(attempts))
    }

    /// The most bytes of a body read into memory.
    pub(crate) fn body_limit(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// Sends a request and returns once the headers have arrived, for
    /// bodies read as a stream (server-sent events). Retries happen only
    /// before that point.
    pub async fn send_streaming(&self, req: &Request) -> Result<reqwest::Response, Error> {
        Ok(self.send_retrying(req).await?.0)
    }

    async fn read_body(&self, operation: &'static str, mut resp: reqwest::Response) -> Result<bytes::Bytes, Error> {
        let limit = self.inner.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::TooLarge { operation, limit });
        }
        let mut buf = bytes::BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(|source| Error::Transport {
            operation,
            source: source.without_url(),
            attempts: 1,
        })? {
            if buf.len() + chunk.len() > limit {
                return Err(Error::TooLarge { operation, limit });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    async fn send_retrying(&self, req: &Request) -> Result<(reqwest::Response, u32), Error> {
        self.validate(req)?;
        let op = req.op;
        let policy = &self.inner.retry;
        let max_attempts = req.options.max_attempts.unwrap_or(policy.max_attempts).max(1);
        let idempotent = retry::is_idempotent(op.method) || req.has_header("idempotency-key");
        let span = tracing::debug_span!(
            "request",
            operation = op.id,
            method = op.method,
            path = op.path,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        async {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let started = std::time::Instant::now();
                let attempt_span = tracing::debug_span!(
                    "attempt",
                    attempt,
                    status = tracing::field::Empty,
                    duration_ms = tracing::field::Empty,
                );
                // The URL can carry an API key in its query: errors never
                // show it.
                let result = self
                    .attempt(req)
                    .instrument(attempt_span.clone())
                    .await
                    .map_err(reqwest::Error::without_url);
                let duration_ms = started.elapsed().as_millis() as u64;
                attempt_span.record("duration_ms", duration_ms);
                attempt_span.in_scope(|| match &result {
                    Ok(resp) => tracing::debug!(status = resp.status().as_u16(), duration_ms, "response"),
                    Err(e) => tracing::debug!(error = %e, duration_ms, "no response"),
                });
                let wait = match result {
                    Ok(resp) => {
                        let status = resp.status();
                        attempt_span.record("status", status.as_u16());
                        if attempt >= max_attempts || !retry::retryable_status(status, idempotent) {
                            let span = tracing::Span::current();
                            span.record("status", status.as_u16());
                            span.record("attempts", attempt);
                            return Ok((resp, attempt));
                        }
                        policy
                            .retry_after(resp.headers(), std::time::SystemTime::now())
                            .unwrap_or_else(|| policy.backoff(attempt))
                    }
                    Err(source) => {
                        // A connection that was never made sent nothing: safe
                        // to retry whatever the method.
                        let retryable = source.is_connect()
                            || (idempotent && (source.is_timeout() || source.is_request()));
                        if attempt >= max_attempts || !retryable {
                            tracing::Span::current().record("attempts", attempt);
                            return Err(Error::Transport {
                                operation: op.id,
                                source,
                                attempts: attempt,
                            });
                        }
                        policy.backoff(attempt)
                    }
                };
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
            }
        }
        .instrument(span)
        .await
    }

    async fn attempt(&self, req: &Request) -> Result<reqwest::Response, reqwest::Error> {
        let op = req.op;
        let url = self.url(req).expect("checked before the first attempt");
        let method = Method::from_bytes(op.method.as_bytes()).expect("checked before the first attempt");
        let same_origin = !req.foreign || self.same_origin(&url);
        let mut builder = self.inner.http.request(method, url);
        if op.secured && same_origin {
            if let Some(creds) = &self.inner.credentials {
                builder = creds.apply(builder);
            }
        }
        builder = builder.headers(self.headers(req).expect("checked before the first attempt"));
        if let Some(timeout) = req.options.timeout.or(self.inner.timeout) {
            builder = builder.timeout(timeout);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.bytes.clone());
        }
        builder.send().await
    }

    fn headers(&self, req: &Request) -> Result<HeaderMap, Error> {
        let op = req.op;
        let mut headers = HeaderMap::new();
        if let Some(body) = &req.body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(body.content_type));
        }
        for (name, value) in req.headers.iter().chain(&req.options.headers) {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid(op.id, format!("invalid header name `{name}`")))?;
            let value = crate::encode::header_value(value)
                .map_err(|why| Error::invalid(op.id, format!("header `{name}` {why}")))?;
            headers.insert(name, value);
        }
        Ok(headers)
    }

    /// Everything about a request that can be wrong before it is sent.
    pub(crate) fn validate(&self, req: &Request) -> Result<(), Error> {
        req.check()?;
        Method::from_bytes(req.op.method.as_bytes())
            .map_err(|_| Error::invalid(req.op.id, format!("invalid HTTP method `{}`", req.op.method)))?;
        self.url(req)?;
        self.headers(req)?;
        Ok(())
    }

    fn same_origin(&self, url: &Url) -> bool {
        Url::parse(&self.inner.base_url).is_ok_and(|base| base.origin() == url.origin())
    }

    fn url(&self, req: &Request) -> Result<Url, Error> {
        let op = req.op;
        let base = Url::parse(&self.inner.base_url).map_err(|e| Error::invalid(op.id, e.to_string()))?;
        let mut url = match &req.url {
            Some(next) => {
                let url = base
                    .join(next)
                    .map_err(|e| Error::invalid(op.id, format!("invalid next-page URL: {e}")))?;
                // The credentials go with the request: never to another origin.
                if url.origin() != base.origin() && !req.foreign {
                    return Err(Error::invalid(
                        op.id,
                        format!("next-page URL `{next}` is not on the client's origin; it is not followed"),
                    ));
                }
                url
            }
            None => {
                let path = req
                    .render_path()
                    .map_err(|name| Error::invalid(op.id, format!("path parameter `{name}` is missing")))?;
                let mut url = Url::parse(&format!("{}{}", self.inner.base_url, path))
                    .map_err(|e| Error::invalid(op.id, format!("invalid URL: {e}")))?;
                if !req.query.is_empty() || !req.options.query.is_empty() {
                    let mut pairs = url.query_pairs_mut();
                    for (k, v) in req.query.iter().chain(&req.options.query) {
                        pairs.append_pair(k, v);
                    }
                }
                url
            }
        };
        let key = self
            .inner
            .credentials
            .as_ref()
            .filter(|_| op.secured && url.origin() == base.origin())
            .and_then(Credentials::query_pair);
        if let Some((k, v)) = key {
            url.query_pairs_mut().append_pair(k, v);
        }
        Ok(url)
    }
}

impl ApiKeyLocation {
    /// The location named by a spec's `in` field.
    pub fn from_spec(value: &str) -> Option<Self> {
        match value {
            "header" => Some(ApiKeyLocation::Header),
            "query" => Some(ApiKeyLocation::Query),
            "cookie" => Some(ApiKeyLocation::Cookie),
            _ => None,
        }
    }
}
