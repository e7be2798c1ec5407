//! Responses: the raw one every call gets, and decoding it into the
//! operation's types.

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::object::{FromMembers, Reader};

use crate::error::{ApiError, BodyError, DecodeError, Error};

/// A decoded body with the status and headers it came with.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The status the server answered with.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T> Response<T> {
    /// The body, without the status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The same response with its body passed through `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }
}

/// A body the spec gives no schema for, decoded by its `Content-Type`:
/// nothing is thrown away.
#[derive(Debug, Clone, PartialEq)]
pub enum Untyped {
    /// No body at all.
    Empty,
    /// A JSON (`application/json`, `*+json`) body.
    Json(serde_json::Value),
    /// A `text/*` body.
    Text(String),
    /// Anything else, byte for byte.
    Bytes(Bytes),
}

impl Untyped {
    /// The body as JSON, if it is JSON.
    pub fn as_json(&self) -> Option<&serde_json::Value> {
        match self {
            Untyped::Json(v) => Some(v),
            _ => None,
        }
    }

    /// Decodes a JSON body into a type of your choosing.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match self {
            Untyped::Json(v) => T::deserialize(v),
            Untyped::Text(s) => serde_json::from_str(s),
            Untyped::Bytes(b) => serde_json::from_slice(b),
            Untyped::Empty => serde_json::from_slice(b""),
        }
    }
}

/// As the body it holds: JSON as itself, text as a string, bytes as bytes,
/// nothing as `null`.
impl serde::Serialize for Untyped {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Untyped::Empty => s.serialize_unit(),
            Untyped::Json(v) => v.serialize(s),
            Untyped::Text(t) => s.serialize_str(t),
            Untyped::Bytes(b) => s.serialize_bytes(b),
        }
    }
}

/// Whether a media type carries JSON, with or without parameters:
/// `application/json`, a `+json` suffix (`application/problem+json`), an
/// `application/*-json` subtype (`application/x-json`), and `text/json`,
/// which some servers send and which can only mean JSON. The JSON Lines
/// types (`application/jsonl`, `application/x-ndjson`) are not: they hold
/// many values.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    // Compared without case rather than lowercased: this runs on every
    // response, and lowercasing allocates.
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let ends_with = |suffix: &str| {
        let bytes = subtype.as_bytes();
        bytes.len() >= suffix.len() && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    ends_with("+json")
        || (is(kind, "application") && (is(subtype, "json") || ends_with("-json")))
        || (is(kind, "text") && (is(subtype, "json") || is(subtype, "x-json")))
}

/// A response read in full, not yet decoded.
#[derive(Debug)]
pub struct RawResponse {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    attempts: u32,
}

impl RawResponse {
    /// A response to `operation` as received, counted as one attempt.
    pub fn new(operation: &'static str, status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        RawResponse {
            operation,
            status,
            headers,
            body,
            attempts: 1,
        }
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The status the server answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, exactly as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    fn content_type(&self) -> &str {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `Content-Type`, when there is one and it is not JSON. A missing
    /// one is taken to be what the spec says.
    fn not_json(&self) -> Option<String> {
        let value = self.headers.get(CONTENT_TYPE)?;
        // Borrowed, not copied, when the header is UTF-8.
        let shown = String::from_utf8_lossy(value.as_bytes());
        (!shown.trim().is_empty() && !is_json(&shown)).then(|| shown.into_owned())
    }

    fn decode_error(self, source: BodyError) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: self.operation,
            status: self.status,
            headers: self.headers,
            body: self.body,
            source,
        }))
    }

    fn ok<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status,
            headers: self.headers,
            body,
        }
    }

    /// Decodes a JSON body. A body whose `Content-Type` says it is not
    /// JSON is not decoded, even if it parses: it is not what the spec
    /// describes (a proxy's error page, a `null` in plain text).
    pub fn json<T: DeserializeOwned>(self) -> Result<Response<T>, Error> {
        // Through a `Value`, so that each body type is compiled for one
        // deserializer, the one its members are read with
        // (`crate::object`), not for `serde_json`'s reader as well; and
        // all but `T::deserialize` is compiled once, here.
        let (this, value) = self.json_document()?;
        match T::deserialize(value) {
            Ok(v) => Ok(this.ok(v)),
            Err(e) => Err(this.decode_error(BodyError::Json(e))),
        }
    }

    /// Decodes a JSON object body into a generated struct, as
    /// [`RawResponse::json`] does, reading the members straight from the
    /// bytes: through a `Value` they would be parsed, then copied.
    pub fn object<T: FromMembers>(self) -> Result<Response<T>, Error> {
        let (this, members) = self.json_members()?;
        match T::from_members(members) {
            Ok(v) => Ok(this.ok(v)),
            Err(e) => Err(this.decode_error(BodyError::Json(e))),
        }
    }

    /// The body as a JSON document, if it is one and says so.
    fn json_document(self) -> Result<(Self, serde_json::Value), Error> {
        self.json_parsed(|body| serde_json::from_slice(body))
    }

    /// The members of the body, if it is a JSON object and says it is JSON.
    fn json_members(self) -> Result<(Self, Reader), Error> {
        self.json_parsed(crate::object::parse_members)
    }

    /// The body parsed by `parse`, if the content type allows JSON.
    fn json_parsed<V>(self, parse: fn(&[u8]) -> Result<V, serde_json::Error>) -> Result<(Self, V), Error> {
        let this = self.json_checked()?;
        match parse(&this.body) {
            Ok(parsed) => Ok((this, parsed)),
            Err(e) => Err(this.decode_error(BodyError::Json(e))),
        }
    }

    /// The response, if its content type allows a JSON body.
    fn json_checked(self) -> Result<Self, Error> {
        match self.not_json() {
            Some(content_type) => Err(self.decode_error(BodyError::NotJson(content_type))),
            None => Ok(self),
        }
    }

    fn json_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// Decodes a text body, which must be UTF-8.
    pub fn text(self) -> Result<Response<String>, Error> {
        match std::str::from_utf8(&self.body) {
            Ok(s) => {
                let s = s.to_owned();
                Ok(self.ok(s))
            }
            Err(e) => Err(self.decode_error(BodyError::NotUtf8(e))),
        }
    }

    /// The body as bytes.
    pub fn bytes(self) -> Result<Response<Bytes>, Error> {
        let body = self.body.clone();
        Ok(self.ok(body))
    }

    /// A response the spec says has no content; any body is ignored.
    pub fn empty(self) -> Result<Response<()>, Error> {
        Ok(self.ok(()))
    }

    /// A body the spec gives no schema for, decoded by its `Content-Type`.
    pub fn untyped(self) -> Result<Response<Untyped>, Error> {
        if self.body.is_empty() {
            return Ok(self.ok(Untyped::Empty));
        }
        let ct = self.content_type().to_ascii_lowercase();
        if is_json(&ct) {
            return match serde_json::from_slice(&self.body) {
                Ok(v) => Ok(self.ok(Untyped::Json(v))),
                Err(e) => Err(self.decode_error(BodyError::Json(e))),
            };
        }
        if ct.starts_with("text/") {
            if let Ok(s) = std::str::from_utf8(&self.body) {
                let s = s.to_owned();
                return Ok(self.ok(Untyped::Text(s)));
            }
        }
        let body = self.body.clone();
        Ok(self.ok(Untyped::Bytes(body)))
    }

    /// The response as an error: the status is not one the operation
    /// treats as success.
    pub fn error<T>(self) -> Result<T, Error> {
        Err(self.into_error())
    }

    // Apart from `error`, which is generic in the `Ok` type it never
    // returns, so that a decoder compiles only a call.
    fn into_error(self) -> Error {
        let mut e = ApiError::new(self.operation, self.status, self.headers, self.body);
        e.attempts = self.attempts;
        Error::Api(Box::new(e))
    }

    /// The response as an error whose body is the operation's documented
    /// error type for this status: `wrap` turns the decoded body into the
    /// operation's error enum. A body that does not decode leaves only the
    /// raw body.
    ///
    /// Generic only in what must be: one copy per (body, enum) pair, which
    /// operations with the same error responses share.
    pub fn typed_error<B, E>(self, wrap: fn(B) -> E) -> Error
    where
        B: DeserializeOwned,
        E: Send + Sync + 'static,
    {
        let typed = match self.not_json() {
            Some(_) => None,
            None => self.json_value().and_then(B::deserialize).ok(),
        };
        let typed = typed.map(|b| Box::new(wrap(b)) as Box<dyn std::any::Any + Send + Sync>);
        self.into_api_error(typed)
    }

    fn into_api_error(self, typed: Option<Box<dyn std::any::Any + Send + Sync>>) -> Error {
        let mut e = ApiError::new(self.operation, self.status, self.headers, self.body);
        e.attempts = self.attempts;
        e.typed = typed;
        Error::Api(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(ct: &str, body: &'static [u8]) -> RawResponse {
        let mut headers = HeaderMap::new();
        if !ct.is_empty() {
            headers.insert(CONTENT_TYPE, ct.parse().unwrap());
        }
        RawResponse::new("op", StatusCode::OK, headers, Bytes::from_static(body))
    }

    #[test]
    fn untyped_follows_content_type() {
        let j = raw("application/json; charset=utf-8", br#"{"a":1}"#);
        assert_eq!(j.untyped().unwrap().body, Untyped::Json(serde_json::json!({"a":1})));
        let p = raw("application/problem+json", br#"{"a":1}"#);
        assert!(matches!(p.untyped().unwrap().body, Untyped::Json(_)));
        let t = raw("text/plain", b"hi");
        assert_eq!(t.untyped().unwrap().body, Untyped::Text("hi".into()));
        let b = raw("image/png", b"\x89PNG");
        assert_eq!(b.untyped().unwrap().body, Untyped::Bytes(Bytes::from_static(b"\x89PNG")));
        let e = raw("", b"");
        assert_eq!(e.untyped().unwrap().body, Untyped::Empty);
        let bad_text = raw("text/plain", b"\xff\xfe");
        assert!(matches!(bad_text.untyped().unwrap().body, Untyped::Bytes(_)));
    }

    #[test]
    fn bad_json_keeps_raw_body() {
        let r = raw("application/json", b"{\"id\": tru");
        let err = r.json::<serde_json::Value>().unwrap_err();
        assert_eq!(err.body().unwrap().as_ref(), b"{\"id\": tru");
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert!(err.to_string().contains("could not decode"), "{err}");
        let err = raw("application/json", b"oops").untyped().unwrap_err();
        assert_eq!(err.body().unwrap().as_ref(), b"oops");
    }

    /// A struct as generated code writes one.
    #[derive(Debug, PartialEq)]
    struct Point {
        x: i64,
        label: Option<String>,
    }

    impl FromMembers for Point {
        fn from_members(mut o: Reader) -> Result<Self, crate::object::Error> {
            let value = Point { x: o.required("x")?, label: o.optional("label") };
            o.end()?;
            Ok(value)
        }
    }

    #[test]
    fn objects_are_read_from_the_bytes_and_anything_else_is_a_decode_error_with_the_body() {
        let ok = raw("application/json", br#" {"label":"a","x":3,"extra":[1]} "#).object::<Point>().unwrap();
        assert_eq!(ok.body, Point { x: 3, label: Some("a".into()) });
        let bad: [&'static [u8]; 5] = [b"[1]", br#"{"x":1} {}"#, br#"{"label":"a"}"#, br#"{"x":"3"}"#, br#"{"x":"#];
        for body in bad {
            let err = raw("application/json", body).object::<Point>().unwrap_err();
            assert_eq!(err.body().unwrap().as_ref(), body);
            assert!(err.to_string().contains("could not decode"), "{err}");
        }
        let err = raw("text/html", br#"{"x":1}"#).object::<Point>().unwrap_err();
        assert!(err.to_string().contains("text/html"), "{err}");
        // A missing member is named.
        let err = raw("application/json", br#"{"label":"a"}"#).object::<Point>().unwrap_err();
        assert!(format!("{err:?}").contains("`x`"), "{err:?}");
    }

    #[test]
    fn not_utf8_text_is_an_error_with_body() {
        let err = raw("text/plain", b"\xff").text().unwrap_err();
        assert_eq!(err.body().unwrap().as_ref(), b"\xff");
    }

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON ; charset=utf-8"));
        assert!(is_json("application/vnd.github.v3+json"));
        assert!(!is_json("application/jsonl"));
        assert!(!is_json("text/plain"));
        assert!(is_json("application/x-json"));
        assert!(is_json("text/json; charset=utf-8"));
        assert!(is_json("application/geo+json"));
        assert!(!is_json("application/x-ndjson"));
        assert!(!is_json("application/json-seq"));
        assert!(!is_json("text/html"));
        assert!(!is_json("json"));
        assert!(!is_json(""));
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        id: String,
        count: u32,
    }

    fn assert_decode_error(err: Error, body: &[u8]) -> BodyError {
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert_eq!(err.body().unwrap().as_ref(), body);
        assert!(err.to_string().contains("could not decode the 200 OK response body"), "{err}");
        match err {
            Error::Decode(d) => d.source,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_under_another_content_type_is_a_decode_error() {
        let body = br#"{"id":"a","count":1}"#;
        let err = raw("text/html; charset=utf-8", body).json::<Thing>().unwrap_err();
        match assert_decode_error(err, body) {
            BodyError::NotJson(ct) => assert_eq!(ct, "text/html; charset=utf-8"),
            other => panic!("{other:?}"),
        }
        let err = raw("text/plain", b"null").json::<Option<Thing>>().unwrap_err();
        assert!(matches!(assert_decode_error(err, b"null"), BodyError::NotJson(_)));
        // No content type: the spec is believed. JSON in any of its names
        // is JSON.
        for ct in ["", "application/json", "Application/JSON;charset=UTF-8", "application/vnd.api+json", "text/json"] {
            let thing = raw(ct, body).json::<Thing>().unwrap_or_else(|e| panic!("{ct}: {e}")).body;
            assert_eq!((thing.id.as_str(), thing.count), ("a", 1));
        }
    }

    #[test]
    fn json_of_the_wrong_shape_or_not_utf8_is_a_decode_error_with_the_body() {
        let body = br#"{"id":7,"count":"many"}"#;
        let err = raw("application/json", body).json::<Thing>().unwrap_err();
        assert!(matches!(assert_decode_error(err, body), BodyError::Json(_)));
        let body = b"{\"id\":\"\xff\xfe\",\"count\":1}";
        let err = raw("application/json", body).json::<Thing>().unwrap_err();
        assert!(matches!(assert_decode_error(err, body), BodyError::Json(_)));
    }

    #[test]
    fn a_typed_error_needs_a_json_body() {
        let typed = |ct| match raw(ct, br#""busy""#).typed_error::<String, String>(|s| s) {
            Error::Api(e) => e.typed::<String>().cloned(),
            other => panic!("{other:?}"),
        };
        assert_eq!(typed("application/json").as_deref(), Some("busy"));
        assert_eq!(typed("text/html"), None);
    }
}
