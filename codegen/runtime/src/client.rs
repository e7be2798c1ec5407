//! The connection every generated client wraps: base URL, credentials, the
//! reqwest client, and the one function that sends.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// `base_url`, parsed once.
    base: Url,
    credentials: Option<Credentials>,
    /// The header `credentials` go in, worked out once.
    auth_header: Option<(HeaderName, HeaderValue)>,
    timeout: Option<Duration>,
    stream_idle_timeout: Option<Duration>,
    retry: RetryPolicy,
    max_body_bytes: usize,
    max_pages: Option<usize>,
}

/// Builds a [`Client`], or a generated client type `C` that wraps one.
#[must_use]
pub struct ClientBuilder<C = Client> {
    base_url: String,
    credentials: Option<Credentials>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    stream_idle_timeout: Option<Duration>,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    max_body_bytes: usize,
    max_pages: Option<usize>,
    _client: PhantomData<fn() -> C>,
}

/// The whole-request timeout a client has unless told otherwise; for a
/// stream, the wait for the response head.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stream may go without a byte before it counts as cut,
/// unless told otherwise. Long enough for a model that thinks before it
/// speaks, short enough that a dead connection is noticed.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// The connect timeout a client has unless told otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response body a client reads into memory unless told
/// otherwise: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 << 20;
/// The most pages a listing requests unless told otherwise.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder for the API served at `base_url` (the spec's first server).
    pub fn new(base_url: impl Into<String>, user_agent: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            credentials: None,
            http: None,
            timeout: Some(DEFAULT_TIMEOUT),
            stream_idle_timeout: Some(DEFAULT_STREAM_IDLE_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: user_agent.into(),
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_pages: Some(DEFAULT_MAX_PAGES),
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
    /// [`Error::TooLarge`]. For a stream it bounds one event or line, not
    /// the stream.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The most pages a listing's `pages()` or `items()` requests before
    /// it ends with [`Error::TooMany`]: a server that hands out a new
    /// cursor for ever would otherwise be listed for ever. `None` lists
    /// without end; the default is [`DEFAULT_MAX_PAGES`]. A listing can set
    /// its own with `max_pages`.
    pub fn max_pages(mut self, limit: Option<usize>) -> Self {
        self.max_pages = limit;
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
    /// connect timeout and user agent are then those of your client, and
    /// so are its redirects: build it with
    /// `.redirect(apigen_runtime::redirect_policy()).referer(false)`, as
    /// the default client is, or an API key in a header or the query may
    /// follow a redirect to another origin (reqwest strips only
    /// `Authorization`, `Cookie` and `Proxy-Authorization`).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The whole-request timeout, response body included; `None` waits for
    /// ever. A stream (server-sent events, JSON lines), which may rightly
    /// last for hours, is bounded by it only until its response head has
    /// arrived; after that, [`ClientBuilder::stream_idle_timeout`] applies.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a stream may go without receiving a byte (an event, a
    /// line, a keep-alive comment) before it counts as cut: an event
    /// stream requested with GET (or another idempotent method) is then
    /// resumed, any other stream ends with [`Error::StreamCut`]. `None`
    /// waits for ever; the default is [`DEFAULT_STREAM_IDLE_TIMEOUT`].
    pub fn stream_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream_idle_timeout = timeout;
        self
    }

    /// How long to wait for a connection; the default is
    /// [`DEFAULT_CONNECT_TIMEOUT`]. Unused with
    /// [`ClientBuilder::http_client`], whose client has its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (generated clients pass `<crate>/<version>`).
    /// Unused with [`ClientBuilder::http_client`], whose client has its own.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The client, or [`Error::Config`] for a base URL that cannot be
    /// parsed or extended, credentials no header can carry, or an HTTP
    /// client that cannot be built.
    pub fn build(self) -> Result<C, Error> {
        self.untyped().build_client().map(C::from)
    }

    /// The same settings, for the `Client` itself: what `build` does is
    /// then compiled once here, not once per generated client type.
    fn untyped(self) -> ClientBuilder<Client> {
        ClientBuilder {
            base_url: self.base_url,
            credentials: self.credentials,
            http: self.http,
            timeout: self.timeout,
            stream_idle_timeout: self.stream_idle_timeout,
            connect_timeout: self.connect_timeout,
            user_agent: self.user_agent,
            retry: self.retry,
            max_body_bytes: self.max_body_bytes,
            max_pages: self.max_pages,
            _client: PhantomData,
        }
    }
}

impl ClientBuilder<Client> {
    fn build_client(self) -> Result<Client, Error> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .redirect(redirect_policy())
                .referer(false)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let base = Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("invalid base URL `{}`: {e}", redacted(&self.base_url))))?;
        if base.cannot_be_a_base() {
            return Err(Error::Config(format!("invalid base URL `{}`: it has no path to add to", redacted(&self.base_url))));
        }
        let auth_header = match &self.credentials {
            Some(credentials) => credentials.header().map_err(Error::Config)?,
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                base_url,
                credentials: self.credentials,
                auth_header,
                timeout: self.timeout,
                stream_idle_timeout: self.stream_idle_timeout,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                max_pages: self.max_pages,
            }),
        })
    }
}

/// The redirects a client follows: up to ten, each to the origin (scheme,
/// host and port) the request was first sent to. A redirect to another
/// origin, `https` to `http` included, is not followed: the 3xx response
/// comes back as it is, so that no credential the client added (a header,
/// a query key, a cookie) reaches an origin it was not meant for.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects")
        } else if first.is_some_and(|o| o != attempt.url().origin()) {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// `url` with any user name and password in it replaced by `***`, for
/// `Debug` and messages. Unparsable text that has an `@` is hidden whole.
pub(crate) fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) if url.contains('@') => "***".to_owned(),
        Err(_) => url.to_owned(),
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &redacted(&self.base_url))
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_pages", &self.max_pages)
            .finish_non_exhaustive()
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &redacted(&self.base_url))
            .field("credentials", &self.credentials)
            .field("http", &self.http.is_some())
            .field("timeout", &self.timeout)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_pages", &self.max_pages)
            .finish()
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
    /// The base URL requests go to, without a trailing `/`.
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
        let span = request_span(&req);
        let started = Instant::now();
        let result = async {
            let (resp, attempts, deadline) = self.send_retrying(&req, false).await?;
            let op = req.op.id;
            let reading = self.read_raw(op, resp, attempts);
            match deadline {
                // The timeout is the whole exchange's: the body is read in
                // what is left of it.
                Some((deadline, timeout)) => match tokio::time::timeout_at(deadline, reading).await {
                    Ok(raw) => raw,
                    Err(_) => Err(Error::Timeout { operation: op, timeout, attempts }),
                },
                None => reading.await,
            }
        }
        .instrument(span.clone())
        .await;
        finish(&span, started, result.as_ref().err());
        result
    }

    /// The most bytes of a body read into memory.
    pub(crate) fn body_limit(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// The most pages a listing requests, unless it sets its own.
    pub(crate) fn page_limit(&self) -> Option<usize> {
        self.inner.max_pages
    }

    /// The retry policy, whose caps also bound a stream's `retry:`.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Sends a request and returns once the headers have arrived, for
    /// bodies read as a stream (server-sent events). Retries happen only
    /// before that point. The timeout bounds only the wait for the head:
    /// reading the body is up to the caller, with no limit.
    pub async fn send_streaming(&self, req: &Request) -> Result<reqwest::Response, Error> {
        Ok(self.open_stream(req).await?.0)
    }

    /// As [`Client::send_streaming`], with the attempts it took.
    pub(crate) async fn open_stream(&self, req: &Request) -> Result<(reqwest::Response, u32), Error> {
        let span = request_span(req);
        let started = Instant::now();
        let result = self.send_retrying(req, true).instrument(span.clone()).await.map(|(resp, attempts, _)| (resp, attempts));
        finish(&span, started, result.as_ref().err());
        result
    }

    /// As [`Client::open_stream`], for a response that is read as a
    /// stream only when it is a success: any other is read, up to the body
    /// cap, into the operation's error.
    pub(crate) async fn open_success_stream(&self, req: &Request) -> Result<reqwest::Response, Error> {
        let (resp, attempts) = self.open_stream(req).await?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        self.read_raw(req.op.id, resp, attempts).await?.error()
    }

    /// The whole response, its body read up to the body cap.
    async fn read_raw(&self, operation: &'static str, mut resp: reqwest::Response, attempts: u32) -> Result<RawResponse, Error> {
        let status = resp.status();
        // Reading the body needs none of them.
        let headers = std::mem::take(resp.headers_mut());
        let body = self.read_body(operation, resp, attempts).await?;
        Ok(RawResponse::new(operation, status, headers, body).with_attempts(attempts))
    }

    /// The next bytes of a stream's body; `None` at its end. Waits no
    /// longer than the stream idle timeout.
    pub(crate) async fn next_chunk(&self, resp: &mut reqwest::Response) -> Result<Option<bytes::Bytes>, Cut> {
        let chunk = match self.inner.stream_idle_timeout {
            Some(idle) => tokio::time::timeout(idle, resp.chunk()).await.map_err(|_| Cut::Idle(idle))?,
            None => resp.chunk().await,
        };
        chunk.map_err(|e| Cut::Transport(e.without_url()))
    }

    /// Reads a whole body, up to the body cap.
    async fn read_body(
        &self,
        operation: &'static str,
        mut resp: reqwest::Response,
        attempts: u32,
    ) -> Result<bytes::Bytes, Error> {
        let limit = self.inner.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::TooLarge { operation, limit });
        }
        let transport = |source: reqwest::Error| Error::Transport { operation, source: source.without_url(), attempts };
        // Most bodies come in one chunk, which is then the body, uncopied.
        let Some(first) = resp.chunk().await.map_err(transport)? else { return Ok(bytes::Bytes::new()) };
        if first.len() > limit {
            return Err(Error::TooLarge { operation, limit });
        }
        let Some(second) = resp.chunk().await.map_err(transport)? else { return Ok(first) };
        let mut buf = bytes::BytesMut::from(first);
        let mut next = Some(second);
        while let Some(chunk) = next {
            if buf.len() + chunk.len() > limit {
                return Err(Error::TooLarge { operation, limit });
            }
            buf.extend_from_slice(&chunk);
            next = resp.chunk().await.map_err(transport)?;
        }
        Ok(buf.freeze())
    }

    /// Runs in the request span, whose status and attempts it records.
    /// The timeout bounds each attempt until its response head; for a
    /// request that is not a stream, the deadline it sets for the whole
    /// exchange comes back with the response, to read its body by.
    ///
    /// The timeout is kept here rather than by reqwest, which would apply
    /// it to a stream's body as well and cut the stream, and which costs
    /// three allocations a request to keep it.
    async fn send_retrying(
        &self,
        req: &Request,
        streaming: bool,
    ) -> Result<(reqwest::Response, u32, Option<(tokio::time::Instant, Duration)>), Error> {
        let timeout = req.options.timeout.or(self.inner.timeout);
        // Checked and built once; a retry, which is rare, builds it again
        // from the same parts rather than every request paying for a copy.
        // Held as reqwest's small future rather than as the request, which
        // would make this future, moved at every await above it, larger.
        let mut first = Some(self.inner.http.execute(self.prepare(req)?));
        let op = req.op;
        let policy = &self.inner.retry;
        let max_attempts = req.options.max_attempts.unwrap_or(policy.max_attempts).max(1);
        let idempotent = retry::is_idempotent(op.method) || req.has_idempotency_key();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let attempt_span = tracing::debug_span!(
                "attempt",
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let sending = match first.take() {
                Some(sending) => sending,
                None => self.inner.http.execute(self.prepare(req)?),
            };
            let deadline = timeout.map(|timeout| (tokio::time::Instant::now() + timeout, timeout));
            let result = try_once(sending, deadline).instrument(attempt_span.clone()).await;
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
                        return Ok((resp, attempt, deadline.filter(|_| !streaming)));
                    }
                    policy
                        .retry_after(resp.headers(), std::time::SystemTime::now())
                        .unwrap_or_else(|| policy.backoff(attempt))
                }
                Err(source) => {
                    // A connection that was never made sent nothing: safe
                    // to retry whatever the method.
                    let retryable = match &source {
                        AttemptError::Http(e) => {
                            e.is_connect() || (idempotent && (e.is_timeout() || e.is_request()))
                        }
                        AttemptError::HeadTimeout(_) => idempotent,
                    };
                    if attempt >= max_attempts || !retryable {
                        tracing::Span::current().record("attempts", attempt);
                        return Err(match source {
                            AttemptError::Http(source) => Error::Transport {
                                operation: op.id,
                                source,
                                attempts: attempt,
                            },
                            AttemptError::HeadTimeout(timeout) => Error::Timeout {
                                operation: op.id,
                                timeout,
                                attempts: attempt,
                            },
                        });
                    }
                    policy.backoff(attempt)
                }
            };
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// The request as reqwest sends it, after everything about it that can
    /// be wrong has been checked.
    fn prepare(&self, req: &Request) -> Result<reqwest::Request, Error> {
        req.check()?;
        let op = req.op;
        let method = Method::from_bytes(op.method.as_bytes())
            .map_err(|_| Error::invalid(op.id, format!("invalid HTTP method `{}`", op.method)))?;
        let url = self.url(req)?;
        let same_origin = !req.foreign || url.origin() == self.inner.base.origin();
        let mut headers = self.headers(req)?;
        if op.secured && same_origin {
            // A header the request sets itself wins over the credentials'.
            if let Some((name, value)) = &self.inner.auth_header {
                if !headers.contains_key(name) {
                    headers.insert(name.clone(), value.clone());
                }
            }
        }
        // Built in place: reqwest's builder, moved at every call, cost
        // more than all of this.
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        if let Some(body) = &req.body {
            *request.body_mut() = Some(body.bytes.clone().into());
        }
        Ok(request)
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

    /// Where a page request goes, without credentials: what a listing
    /// compares to know it has been somewhere before.
    pub(crate) fn page_key(&self, req: &Request) -> Option<String> {
        self.target(req).ok().map(String::from)
    }

    fn url(&self, req: &Request) -> Result<Url, Error> {
        let op = req.op;
        let base = &self.inner.base;
        let mut url = self.target(req)?;
        // The origins are compared only for a key that goes in the query.
        let key = self
            .inner
            .credentials
            .as_ref()
            .and_then(Credentials::query_pair)
            .filter(|_| op.secured && url.origin() == base.origin());
        if let Some((k, v)) = key {
            url.query_pairs_mut().append_pair(k, v);
        }
        Ok(url)
    }

    /// The base URL with the operation's path (its parameters already
    /// percent-encoded) after its own path. Only the path is parsed:
    /// parsing the whole URL again, host and all, was most of what
    /// building a request cost.
    fn join_path(&self, req: &Request) -> Result<Url, Error> {
        let op = req.op;
        let prefix = self.inner.base.path().trim_end_matches('/');
        let mut path = String::with_capacity(prefix.len() + op.path.len() + 16);
        path.push_str(prefix);
        req.render_path_into(&mut path)
            .map_err(|name| Error::invalid(op.id, format!("path parameter `{name}` is missing")))?;
        if path.contains(['?', '#']) {
            // A spec's path with a query of its own (`/responses?beta=true`).
            let full = format!("{}{}", self.inner.base_url, &path[prefix.len()..]);
            return Url::parse(&full).map_err(|e| Error::invalid(op.id, format!("invalid URL: {e}")));
        }
        let mut url = self.inner.base.clone();
        url.set_path(&path);
        Ok(url)
    }

    /// The URL without a query API key.
    fn target(&self, req: &Request) -> Result<Url, Error> {
        let op = req.op;
        let base = &self.inner.base;
        let url = match &req.url {
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
                let mut url = self.join_path(req)?;
                if !req.query.is_empty() || !req.options.query.is_empty() {
                    let mut pairs = url.query_pairs_mut();
                    for (k, v) in req.query.iter().chain(&req.options.query) {
                        pairs.append_pair(k, v);
                    }
                }
                url
            }
        };
        Ok(url)
    }
}

/// One try, until the response head or the deadline.
async fn try_once(
    sending: impl std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
    deadline: Option<(tokio::time::Instant, Duration)>,
) -> Result<reqwest::Response, AttemptError> {
    let result = match deadline {
        Some((deadline, timeout)) => match tokio::time::timeout_at(deadline, sending).await {
            Ok(result) => result,
            Err(_) => return Err(AttemptError::HeadTimeout(timeout)),
        },
        None => sending.await,
    };
    // The URL can carry an API key in its query: errors never show it.
    result.map_err(|e| AttemptError::Http(e.without_url()))
}

/// The span of one request, from the first attempt to the end of its body
/// (to the response head, for a stream).
fn request_span(req: &Request) -> tracing::Span {
    let op = req.op;
    tracing::debug_span!(
        "request",
        operation = op.id,
        method = op.method,
        path = op.path,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

/// Records how long a request took, and how it ended. The status, when
/// there was one, is already on the span: an error after the head (a body
/// cut short or too large) keeps it.
fn finish(span: &tracing::Span, started: Instant, error: Option<&Error>) {
    let duration_ms = started.elapsed().as_millis() as u64;
    span.record("duration_ms", duration_ms);
    span.in_scope(|| match error {
        None => tracing::debug!(duration_ms, "done"),
        Some(e) => tracing::debug!(error = %e, duration_ms, "failed"),
    });
}

/// Why one attempt got no response.
enum AttemptError {
    Http(reqwest::Error),
    /// The response head did not come within the timeout.
    HeadTimeout(Duration),
}

impl fmt::Display for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttemptError::Http(e) => fmt::Display::fmt(e, f),
            AttemptError::HeadTimeout(t) => write!(f, "no response head within {t:?}"),
        }
    }
}

/// Why a stream's body stopped before its end.
#[derive(Debug)]
pub(crate) enum Cut {
    Transport(reqwest::Error),
    /// Nothing came for this long.
    Idle(Duration),
}

impl Cut {
    pub(crate) fn into_error(self, operation: &'static str, reconnects: u32) -> Error {
        let reason = match self {
            Cut::Transport(e) => e.to_string(),
            Cut::Idle(t) => format!("nothing arrived for {t:?}"),
        };
        Error::StreamCut { operation, reason, reconnects }
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

#[cfg(test)]
mod tests {
    use super::*;

    static GET: crate::Operation = crate::Operation {
        id: "models.get",
        method: "GET",
        path: "/models/{owner}",
        secured: true,
    };
    static WITH_QUERY: crate::Operation = crate::Operation {
        id: "responses.create",
        method: "POST",
        path: "/responses?beta=true",
        secured: false,
    };

    fn url(base: &str, op: &'static crate::Operation) -> String {
        let client: Client = ClientBuilder::new(base, "test").api_key(ApiKeyLocation::Query, "key", "s3cret").build().unwrap();
        let mut req = Request::new(op);
        req.path("owner", "a b/c").query("q", "x&y");
        client.url(&req).unwrap().to_string()
    }

    #[test]
    fn paths_go_after_the_base_path_with_the_query_and_key_last() {
        assert_eq!(url("http://127.0.0.1:9/v1/", &GET), "http://127.0.0.1:9/v1/models/a%20b%2Fc?q=x%26y&key=s3cret");
        assert_eq!(url("http://127.0.0.1:9", &GET), "http://127.0.0.1:9/models/a%20b%2Fc?q=x%26y&key=s3cret");
        assert_eq!(url("http://127.0.0.1:9/v1?v=2", &GET), "http://127.0.0.1:9/v1/models/a%20b%2Fc?v=2&q=x%26y&key=s3cret");
    }

    #[test]
    fn a_path_with_its_own_query_keeps_it() {
        assert_eq!(url("http://127.0.0.1:9/v1", &WITH_QUERY), "http://127.0.0.1:9/v1/responses?beta=true&q=x%26y");
    }

    #[test]
    fn a_base_url_must_have_a_path() {
        let built: Result<Client, _> = ClientBuilder::new("mailto:someone@127.0.0.1", "test").build();
        assert!(matches!(built, Err(Error::Config(_))));
    }
}
