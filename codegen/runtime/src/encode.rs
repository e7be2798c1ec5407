//! Turning argument values into the text of paths, queries and headers.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters is encoded in a path
/// segment, so that no value can add a `/`, a `?` or a `#` to the URL.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes one path parameter as a single path segment.
///
/// An empty value, `.` and `..` are refused: URL parsers fold dot
/// segments (`%2e%2e` included) into the parent, so no encoding of them
/// keeps the path the caller meant.
pub fn path_segment(value: &str) -> Result<String, &'static str> {
    match value {
        "" => Err("is empty"),
        "." | ".." => Err("is a dot segment"),
        _ => Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    }
}

/// A value that can stand in a path segment, a query parameter or a header.
///
/// Implemented for the scalar types generated code uses, and by the
/// generator for every enum it emits.
pub trait ParamValue {
    /// The value as text, not yet encoded: each place (path, query,
    /// header) encodes or checks it its own way.
    fn to_param(&self) -> String;
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> String { self.to_string() }
        }
    )*};
}
display_param!(String, str, bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

impl ParamValue for serde_json::Value {
    fn to_param(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// A parameter of an object or array type, sent as its JSON text (the
/// spec's `content: application/json` parameters, and anything the
/// generator has no simpler form for).
pub struct AsJson<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> ParamValue for AsJson<'_, T> {
    fn to_param(&self) -> String {
        serde_json::to_value(self.0).map(|v| v.to_param()).unwrap_or_default()
    }
}

/// Checks that a header value cannot split into two headers or a body.
pub fn header_value(value: &str) -> Result<reqwest::header::HeaderValue, &'static str> {
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err("contains CR, LF or NUL");
    }
    reqwest::header::HeaderValue::from_str(value).map_err(|_| "is not a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(path_segment("a/b").unwrap(), "a%2Fb");
        assert_eq!(path_segment("../admin").unwrap(), "..%2Fadmin");
        assert_eq!(path_segment("%2e%2e").unwrap(), "%252e%252e");
        assert_eq!(path_segment("?x=1").unwrap(), "%3Fx%3D1");
        assert_eq!(path_segment("#").unwrap(), "%23");
        assert_eq!(path_segment("a b").unwrap(), "a%20b");
        assert_eq!(path_segment("stability-ai").unwrap(), "stability-ai");
        assert_eq!(path_segment("héllo").unwrap(), "h%C3%A9llo");
        assert!(path_segment("").is_err());
        assert!(path_segment(".").is_err());
        assert!(path_segment("..").is_err());
        assert_eq!(path_segment("...").unwrap(), "...");
    }

    #[test]
    fn header_values_cannot_split() {
        assert!(header_value("wait=5").is_ok());
        assert!(header_value("a\r\nX-Evil: 1").is_err());
        assert!(header_value("a\nb").is_err());
    }

    #[test]
    fn params_render() {
        assert_eq!(true.to_param(), "true");
        assert_eq!(5i64.to_param(), "5");
        assert_eq!("x".to_param(), "x");
        assert_eq!(serde_json::json!("s").to_param(), "s");
        assert_eq!(serde_json::json!(1.5).to_param(), "1.5");
    }
}
