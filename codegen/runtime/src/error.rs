//! The one error type of every generated client.

use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;

/// What went wrong with a call, and everything the server said about it.
///
/// Every variant names the operation (its `operationId`, or the name the
/// generator gave it) so that a log line says which call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built: an empty or dot-only path parameter,
    /// a header value with a line break, a body that does not serialize.
    /// Nothing was sent.
    InvalidRequest {
        /// The operation's `operationId` (or the name the generator gave it).
        operation: &'static str,
        /// What could not be encoded, and why.
        message: String,
    },
    /// The request never got a complete answer: connection refused, DNS,
    /// TLS, a timeout, a body cut short.
    Transport {
        /// The operation's `operationId` (or the name the generator gave it).
        operation: &'static str,
        /// reqwest's error, whose source chain has the cause.
        source: reqwest::Error,
        /// Attempts made, retries included.
        attempts: u32,
    },
    /// The response did not arrive within the timeout: its head, or for
    /// a request that is not a stream (server-sent events, JSON lines),
    /// its body too. (A connect timeout is a [`Error::Transport`] whose
    /// source says so.)
    Timeout {
        /// The operation's `operationId` (or the name the generator gave it).
        operation: &'static str,
        /// The timeout that ran out.
        timeout: std::time::Duration,
        /// Attempts made, retries included.
        attempts: u32,
    },
    /// A stream (server-sent events, JSON lines) that had begun stopped
    /// before its end: the connection dropped, or nothing arrived within
    /// the stream idle timeout, and it could not be resumed, either
    /// because its request is not safe to send again (a POST) or because
    /// resuming failed too often. What arrived before was delivered.
    StreamCut {
        /// The operation's `operationId` (or the name the generator gave it).
        operation: &'static str,
        /// What cut it, for messages.
        reason: String,
        /// Times in a row it was resumed before giving up.
        reconnects: u32,
    },
    /// The response body (for a stream: one event or line) is larger than
    /// the client's limit (`ClientBuilder::max_body_bytes`); it was not
    /// read.
    TooLarge {
        /// The operation's `operationId` (or the name the generator gave it).
        operation: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A listing reached its limit (`max_pages`, `max_items`) with more to
    /// come; what came before was delivered.
    TooMany {
        /// The operation's `operationId` (or the name the generator gave it).
        operation: &'static str,
        /// The limit.
        limit: usize,
        /// What it counts: `"pages"` or `"items"`.
        what: &'static str,
    },
    /// The server answered with a status the operation does not treat as
    /// success.
    Api(Box<ApiError>),
    /// The server answered with a success status but a body that does not
    /// match what the spec describes. The raw body is kept.
    Decode(Box<DecodeError>),
    /// The client could not be configured, e.g. a missing environment
    /// variable in `from_env`.
    Config(String),
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The raw response body, when the server answered.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api(e) => Some(&e.body),
            Error::Decode(e) => Some(&e.body),
            _ => None,
        }
    }

    /// The operation that failed.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::InvalidRequest { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::StreamCut { operation, .. }
            | Error::TooLarge { operation, .. }
            | Error::TooMany { operation, .. } => Some(operation),
            Error::Api(e) => Some(e.operation),
            Error::Decode(e) => Some(e.operation),
            Error::Config(_) => None,
        }
    }

    /// The error response, when the server answered with a failure status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn invalid(operation: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            operation,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { operation, message } => {
                write!(f, "{operation}: invalid request: {message}")
            }
            Error::Transport {
                operation,
                source,
                attempts,
            } => {
                write!(f, "{operation}: request failed: {source}")?;
                if *attempts > 1 {
                    write!(f, " (after {attempts} attempts)")?;
                }
                Ok(())
            }
            Error::Timeout {
                operation,
                timeout,
                attempts,
            } => {
                write!(f, "{operation}: no response within {timeout:?}")?;
                if *attempts > 1 {
                    write!(f, " (after {attempts} attempts)")?;
                }
                Ok(())
            }
            Error::StreamCut {
                operation,
                reason,
                reconnects,
            } => {
                write!(f, "{operation}: the stream was cut: {reason}")?;
                if *reconnects > 0 {
                    write!(f, " (after {reconnects} reconnects)")?;
                }
                Ok(())
            }
            Error::TooLarge { operation, limit } => {
                write!(f, "{operation}: the response body is larger than the limit of {limit} bytes")
            }
            Error::TooMany { operation, limit, what } => {
                write!(f, "{operation}: the listing has more than the limit of {limit} {what}")
            }
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::Config(message) => write!(f, "client configuration: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode(e) => Some(&e.source),
            _ => None,
        }
    }
}

/// A response whose status the operation does not treat as success.
pub struct ApiError {
    /// The operation's `operationId` (or the name the generator gave it).
    pub operation: &'static str,
    /// The status the server answered with.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body exactly as received.
    pub body: Bytes,
    /// The body parsed as RFC 9457 problem details, when it is one.
    pub problem: Option<ProblemDetails>,
    /// Attempts made, retries included.
    pub attempts: u32,
    /// The body decoded as the operation's documented error type for this
    /// status, if the spec documents one; see [`ApiError::typed`].
    pub typed: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("problem", &self.problem)
            .field("attempts", &self.attempts)
            .field("typed", &self.typed.is_some())
            .finish()
    }
}

impl ApiError {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        let problem = ProblemDetails::parse(&body);
        ApiError {
            operation,
            status,
            headers,
            body,
            problem,
            attempts: 1,
            typed: None,
        }
    }

    /// The documented error body, as the operation's error enum (generated
    /// beside its builder, e.g. `builders::PredictionsGetError`).
    pub fn typed<T: 'static>(&self) -> Option<&T> {
        self.typed.as_ref()?.downcast_ref()
    }

    /// The body as text, lossily, for messages.
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: server answered {}", self.operation, self.status)?;
        if let Some(p) = &self.problem {
            match (&p.title, &p.detail) {
                (Some(t), Some(d)) => write!(f, ": {t}: {d}")?,
                (Some(m), None) | (None, Some(m)) => write!(f, ": {m}")?,
                (None, None) => {}
            }
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

/// RFC 9457 (formerly 7807) problem details, as Replicate and many APIs
/// send them with their errors. Unknown members are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProblemDetails {
    /// A URI reference that names the problem type.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// A short summary of the problem type.
    #[serde(default)]
    pub title: Option<String>,
    /// The HTTP status, as the server repeats it in the body.
    #[serde(default)]
    pub status: Option<u16>,
    /// What went wrong this time.
    #[serde(default)]
    pub detail: Option<String>,
    /// A URI reference that names this occurrence of the problem.
    #[serde(default)]
    pub instance: Option<String>,
    /// Every other member (extension members).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ProblemDetails {
    /// Parses a body as problem details when it is a JSON object carrying
    /// at least `title` or `detail`; anything else is not one.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let p: ProblemDetails = serde_json::from_slice(body).ok()?;
        (p.title.is_some() || p.detail.is_some()).then_some(p)
    }
}

/// A success response whose body does not match the spec.
#[derive(Debug)]
pub struct DecodeError {
    /// The operation's `operationId` (or the name the generator gave it).
    pub operation: &'static str,
    /// The success status the body came with.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body exactly as received.
    pub body: Bytes,
    /// Why the body does not decode.
    pub source: BodyError,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the {} response body ({} bytes): {}",
            self.operation,
            self.status,
            self.body.len(),
            self.source
        )
    }
}

/// Why a body could not be decoded.
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// The body (or an event's data) is not JSON, or not JSON of the type
    /// the operation expects.
    Json(serde_json::Error),
    /// A text body, or an event stream, is not UTF-8.
    NotUtf8(std::str::Utf8Error),
    /// JSON was expected, and the `Content-Type` (given here) says the
    /// body is something else: an HTML error page from a proxy, say.
    NotJson(String),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Json(e) => write!(f, "invalid JSON: {e}"),
            BodyError::NotUtf8(e) => write!(f, "not UTF-8: {e}"),
            BodyError::NotJson(content_type) => write!(f, "expected JSON, got `{content_type}`"),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::Json(e) => Some(e),
            BodyError::NotUtf8(e) => Some(e),
            BodyError::NotJson(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_details_need_title_or_detail() {
        let p = ProblemDetails::parse(br#"{"title":"Bad","detail":"no","status":422,"x":1}"#)
            .unwrap();
        assert_eq!(p.title.as_deref(), Some("Bad"));
        assert_eq!(p.status, Some(422));
        assert_eq!(p.extra["x"], 1);
        assert!(ProblemDetails::parse(br#"{"status":422}"#).is_none());
        assert!(ProblemDetails::parse(b"<html>").is_none());
        assert!(ProblemDetails::parse(b"[1]").is_none());
    }

    #[test]
    fn api_error_display_uses_problem() {
        let e = ApiError::new(
            "predictions.get",
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            Bytes::from_static(br#"{"title":"Not found","detail":"No such prediction"}"#),
        );
        assert_eq!(
            e.to_string(),
            "predictions.get: server answered 404 Not Found: Not found: No such prediction"
        );
    }
}
