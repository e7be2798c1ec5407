//! A request as generated code describes it, before it meets the network.

use std::time::Duration;

use serde::Serialize;

use crate::encode::{self, ParamValue};
use crate::error::Error;

/// What the generator knows about one operation, as a `static`.
#[derive(Debug)]
pub struct Operation {
    /// The `operationId`, or the name the generator gave the operation.
    pub id: &'static str,
    /// The HTTP method, custom ones (`QUERY`) included.
    pub method: &'static str,
    /// The path template, e.g. `/models/{model_owner}/{model_name}`.
    pub path: &'static str,
    /// Whether the client's credentials are sent (false where the spec
    /// says `security: []`).
    pub secured: bool,
}

/// Options a caller can set on one request, over the client's defaults.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Time for the whole request, response body included; for a stream,
    /// time until its response head.
    pub timeout: Option<Duration>,
    /// Headers added after the operation's own (and replacing them).
    pub headers: Vec<(String, String)>,
    /// Query parameters added after the operation's own.
    pub query: Vec<(String, String)>,
    /// Attempts in all for this request, over the client's retry policy.
    pub max_attempts: Option<u32>,
}

/// Per-request settings, on every operation builder that generated code
/// emits. Import it (it is in each generated crate's prelude) to call
/// `.timeout(..)` or `.header(..)` on a builder.
pub trait WithOptions: Sized {
    /// The builder's options, for the provided methods.
    fn options_mut(&mut self) -> &mut RequestOptions;

    /// A timeout for this request alone (for a stream, until its response
    /// head).
    fn timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().timeout = Some(timeout);
        self
    }

    /// An extra header for this request alone.
    fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options_mut().headers.push((name.into(), value.into()));
        self
    }

    /// An extra query parameter for this request alone.
    fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options_mut().query.push((name.into(), value.into()));
        self
    }

    /// Attempts in all for this request (1: no retry).
    fn max_attempts(mut self, attempts: u32) -> Self {
        self.options_mut().max_attempts = Some(attempts.max(1));
        self
    }

    /// Sends an `Idempotency-Key` header, which also makes a POST or PATCH
    /// safe to retry. Where the spec names its own header for this (say
    /// `X-Idempotency-Key`), its setter sends that one, and any header
    /// whose name ends in `Idempotency-Key` makes the request retryable.
    fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options_mut().headers.push(("Idempotency-Key".into(), key.into()));
        self
    }

    /// Replaces every option at once.
    fn options(mut self, options: RequestOptions) -> Self {
        *self.options_mut() = options;
        self
    }
}

/// A body ready to send.
#[derive(Debug, Clone)]
pub struct Body {
    /// The `Content-Type` it is sent with; for multipart, the one with the
    /// boundary is among the request's headers and replaces it.
    pub content_type: &'static str,
    /// The encoded body.
    pub bytes: bytes::Bytes,
}

/// One request under construction. Generated code adds each argument in
/// turn; the first argument that cannot be encoded is remembered and
/// returned by [`crate::Client::send`] before anything is sent.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) op: &'static Operation,
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Body>,
    pub(crate) options: RequestOptions,
    /// Why the request cannot be sent.
    pub(crate) invalid: Option<String>,
    /// An absolute URL that replaces path and query: the `next` link of a
    /// page. It must have the client's origin unless `foreign` is set.
    pub(crate) url: Option<String>,
    /// `url` may be on another origin; the request then goes without the
    /// client's credentials.
    pub(crate) foreign: bool,
}

impl Request {
    /// A request for `op` with no parameters and no body yet.
    pub fn new(op: &'static Operation) -> Self {
        Request {
            op,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            options: RequestOptions::default(),
            invalid: None,
            url: None,
            foreign: false,
        }
    }

    /// The operation the request is for.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    fn fail(&mut self, message: String) {
        if self.invalid.is_none() {
            self.invalid = Some(message);
        }
    }

    /// The error that stops this request from being sent, if any.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match &self.invalid {
            Some(m) => Err(Error::invalid(self.op.id, m.clone())),
            None => Ok(()),
        }
    }

    /// Sends to an absolute URL (a page's `next` link) instead of the path
    /// and query parameters.
    pub fn url(&mut self, url: impl Into<String>) -> &mut Self {
        self.url = Some(url.into());
        self
    }

    /// Sends to an absolute URL that may be on another origin (a signed
    /// stream or file URL a response handed out). Such a request never
    /// carries the client's credentials.
    pub fn foreign_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.url = Some(url.into());
        self.foreign = true;
        self
    }

    /// Sets a query parameter, replacing any with the same name (a page
    /// cursor).
    pub fn set_query(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// Whether the request carries a header, by name (any case).
    pub fn has_header(&self, name: &str) -> bool {
        self.headers.iter().chain(&self.options.headers).any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Whether the request carries an idempotency key, in the header of
    /// the IETF draft or one of the vendor spellings (`X-Idempotency-Key`,
    /// `Stripe-Idempotency-Key`): the server then answers a repeat with the
    /// first answer, so a POST may be retried.
    pub(crate) fn has_idempotency_key(&self) -> bool {
        const KEY: &str = "idempotency-key";
        self.headers.iter().chain(&self.options.headers).any(|(n, _)| {
            n.len() >= KEY.len() && n.is_char_boundary(n.len() - KEY.len()) && n[n.len() - KEY.len()..].eq_ignore_ascii_case(KEY)
        })
    }

    /// A path parameter, by the name it has in the template.
    pub fn path(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) -> &mut Self {
        match encode::path_segment(&value.to_param()) {
            Ok(seg) => self.path_params.push((name, seg)),
            Err(why) => self.fail(format!("path parameter `{name}` {why}")),
        }
        self
    }

    /// A query parameter.
    pub fn query(&mut self, name: &str, value: &(impl ParamValue + ?Sized)) -> &mut Self {
        self.query.push((name.to_owned(), value.to_param()));
        self
    }

    /// An array query parameter, repeated (`style: form, explode: true`).
    pub fn query_each<T: ParamValue>(&mut self, name: &str, values: &[T]) -> &mut Self {
        for v in values {
            self.query.push((name.to_owned(), v.to_param()));
        }
        self
    }

    /// An array query parameter joined with a separator (`explode: false`:
    /// `,` for form, `%20` for spaceDelimited, `|` for pipeDelimited).
    pub fn query_joined<T: ParamValue>(&mut self, name: &str, values: &[T], sep: &str) -> &mut Self {
        let joined: Vec<String> = values.iter().map(ParamValue::to_param).collect();
        self.query.push((name.to_owned(), joined.join(sep)));
        self
    }

    /// A header parameter. Values with CR, LF or NUL are refused.
    pub fn header(&mut self, name: &str, value: &(impl ParamValue + ?Sized)) -> &mut Self {
        let value = value.to_param();
        match encode::header_value(&value) {
            Ok(_) => self.headers.push((name.to_owned(), value)),
            Err(why) => self.fail(format!("header `{name}` {why}")),
        }
        self
    }

    /// A cookie parameter, added to the `Cookie` header.
    pub fn cookie(&mut self, name: &str, value: &(impl ParamValue + ?Sized)) -> &mut Self {
        let value = value.to_param();
        if value.bytes().any(|b| matches!(b, b';' | b'\r' | b'\n' | b'\0')) {
            self.fail(format!("cookie `{name}` contains `;`, CR, LF or NUL"));
            return self;
        }
        let pair = format!("{name}={value}");
        match self.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case("cookie")) {
            Some((_, v)) => {
                v.push_str("; ");
                v.push_str(&pair);
            }
            None => self.headers.push(("Cookie".to_owned(), pair)),
        }
        self
    }

    /// A JSON body.
    pub fn json(&mut self, content_type: &'static str, body: &impl Serialize) -> &mut Self {
        // Through a `Value`, so that each body type is compiled for one
        // serializer, the one its members are written with
        // (`crate::object`); all but that is compiled once, here.
        self.json_value(content_type, serde_json::to_value(body))
    }

    fn json_value(&mut self, content_type: &'static str, value: Result<serde_json::Value, serde_json::Error>) -> &mut Self {
        match value.and_then(|v| serde_json::to_vec(&v)) {
            Ok(bytes) => {
                self.body = Some(Body {
                    content_type,
                    bytes: bytes.into(),
                })
            }
            Err(e) => self.fail(format!("body does not serialize: {e}")),
        }
        self
    }

    /// A form-urlencoded body; nested members in bracket notation.
    pub fn form(&mut self, content_type: &'static str, body: &impl Serialize) -> &mut Self {
        self.form_value(content_type, serde_json::to_value(body))
    }

    fn form_value(&mut self, content_type: &'static str, value: Result<serde_json::Value, serde_json::Error>) -> &mut Self {
        match value {
            Ok(value) => {
                let mut pairs = Vec::new();
                crate::body::form_pairs(None, &value, &mut pairs);
                let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
                self.body = Some(Body {
                    content_type,
                    bytes: encoded.into(),
                });
            }
            Err(e) => self.fail(format!("body does not serialize: {e}")),
        }
        self
    }

    /// A multipart/form-data body.
    pub fn multipart(&mut self, body: &impl crate::body::Multipart) -> &mut Self {
        let mut form = crate::body::MultipartForm::default();
        body.parts(&mut form);
        let (content_type, bytes) = form.encode();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        self.headers.push(("Content-Type".into(), content_type));
        self.body = Some(Body {
            content_type: "multipart/form-data",
            bytes,
        });
        self
    }

    /// A query parameter in `style: deepObject`: `name[key]=value`, nested.
    pub fn query_deep(&mut self, name: &str, value: &impl Serialize) -> &mut Self {
        match serde_json::to_value(value) {
            Ok(v) => crate::body::form_pairs(Some(name), &v, &mut self.query),
            Err(e) => self.fail(format!("query parameter `{name}` does not serialize: {e}")),
        }
        self
    }

    /// A text body (`text/plain` and kin).
    pub fn text(&mut self, content_type: &'static str, body: impl Into<String>) -> &mut Self {
        self.body = Some(Body {
            content_type,
            bytes: body.into().into(),
        });
        self
    }

    /// A body of raw bytes (`application/octet-stream` and kin).
    pub fn bytes(&mut self, content_type: &'static str, body: impl Into<bytes::Bytes>) -> &mut Self {
        self.body = Some(Body {
            content_type,
            bytes: body.into(),
        });
        self
    }

    /// The caller's per-request options.
    pub fn options(&mut self, options: RequestOptions) -> &mut Self {
        self.options = options;
        self
    }

    /// Appends the path with every parameter substituted to `out`, or
    /// gives the name of the first template parameter that was not given.
    pub(crate) fn render_path_into(&self, out: &mut String) -> Result<(), String> {
        let mut rest = self.op.path;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                out.push_str(&rest[open..]);
                return Ok(());
            };
            let name = &rest[open + 1..open + close];
            match self.path_params.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => out.push_str(v),
                None => return Err(name.to_owned()),
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static OP: Operation = Operation {
        id: "models.get",
        method: "GET",
        path: "/models/{model_owner}/{model_name}",
        secured: true,
    };

    fn rendered(r: &Request) -> Result<String, String> {
        let mut out = String::new();
        r.render_path_into(&mut out).map(|()| out)
    }

    #[test]
    fn renders_path_by_name() {
        let mut r = Request::new(&OP);
        r.path("model_name", "a/b").path("model_owner", "me");
        assert_eq!(rendered(&r).unwrap(), "/models/me/a%2Fb");
        assert!(r.check().is_ok());
    }

    #[test]
    fn missing_and_invalid_params() {
        let mut r = Request::new(&OP);
        r.path("model_owner", "me");
        assert_eq!(rendered(&r).unwrap_err(), "model_name");
        r.path("model_name", "");
        let err = r.check().unwrap_err().to_string();
        assert_eq!(err, "models.get: invalid request: path parameter `model_name` is empty");
    }

    #[test]
    fn headers_refuse_line_breaks() {
        let mut r = Request::new(&OP);
        r.header("Prefer", "wait=5\r\nX: y");
        assert!(r.check().is_err());
        assert!(r.headers.is_empty());
    }

    #[test]
    fn arrays_in_query() {
        let mut r = Request::new(&OP);
        r.query_each("a", &[1, 2]).query_joined("b", &["x", "y"], ",");
        assert_eq!(
            r.query,
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("a".to_owned(), "2".to_owned()),
                ("b".to_owned(), "x,y".to_owned())
            ]
        );
    }
}
