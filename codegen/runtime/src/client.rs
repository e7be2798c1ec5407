//! The connection every generated client wraps: base URL, credentials, the
//! reqwest client, and the one function that sends.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, Url};

use crate::auth::{ApiKeyLocation, Credentials, Secret};
use crate::error::Error;
use crate::request::Request;
use crate::response::RawResponse;

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
    _client: PhantomData<fn() -> C>,
}

/// The whole-request timeout a client has unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The connect timeout a client has unless told otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
            _client: PhantomData,
        }
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

    /// Sends a request and reads the whole response. Every status comes
    /// back as a [`RawResponse`]; generated code decides which are errors.
    pub async fn send(&self, mut req: Request) -> Result<RawResponse, Error> {
        if let Some(e) = req.error.take() {
            return Err(e);
        }
        let op = req.op;
        let url = self.url(&req)?;
        let method = Method::from_bytes(op.method.as_bytes())
            .map_err(|_| Error::invalid(op.id, format!("invalid HTTP method `{}`", op.method)))?;
        let mut builder = self.inner.http.request(method, url);
        if op.secured {
            if let Some(creds) = &self.inner.credentials {
                builder = creds.apply(builder);
            }
        }
        let mut headers = reqwest::header::HeaderMap::new();
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
        builder = builder.headers(headers);
        if let Some(timeout) = req.options.timeout.or(self.inner.timeout) {
            builder = builder.timeout(timeout);
        }
        if let Some(body) = req.body {
            builder = builder.body(body.bytes);
        }
        let transport = |source| Error::Transport {
            operation: op.id,
            source,
        };
        let resp = builder.send().await.map_err(transport)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(transport)?;
        Ok(RawResponse::new(op.id, status, headers, body))
    }

    fn url(&self, req: &Request) -> Result<Url, Error> {
        let op = req.op;
        let path = req
            .render_path()
            .map_err(|name| Error::invalid(op.id, format!("path parameter `{name}` is missing")))?;
        let mut url = Url::parse(&format!("{}{}", self.inner.base_url, path))
            .map_err(|e| Error::invalid(op.id, format!("invalid URL: {e}")))?;
        let key = self
            .inner
            .credentials
            .as_ref()
            .filter(|_| op.secured)
            .and_then(Credentials::query_pair);
        if !req.query.is_empty() || !req.options.query.is_empty() || key.is_some() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in req.query.iter().chain(&req.options.query) {
                pairs.append_pair(k, v);
            }
            if let Some((k, v)) = key {
                pairs.append_pair(k, v);
            }
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
