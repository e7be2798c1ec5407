//! Credentials, kept out of `Debug` output and logs.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, COOKIE};

/// A secret string: a token, a password, an API key.
///
/// Its `Debug` and `Display` never show the value; only
/// [`Secret::expose`] does.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value to keep it out of logs.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// Where an API key goes, as the spec's `securitySchemes` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header named after the key.
    Header,
    /// A query parameter named after the key.
    Query,
    /// A cookie named after the key, in the `Cookie` header.
    Cookie,
}

/// The credentials a client sends with every secured operation.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// The user name, before the `:`.
        username: String,
        /// The password, after the `:`.
        password: Secret,
    },
    /// A key in a header, query parameter or cookie of the given name.
    ApiKey {
        /// Where the key goes.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name (`X-API-Key`).
        name: String,
        /// The key itself.
        value: Secret,
    },
}

impl Credentials {
    /// The header that carries the credentials, worked out once per
    /// client; `None` for a query API key, which goes in the URL
    /// ([`Credentials::query_pair`]). The value is marked sensitive, so
    /// that neither HTTP/2's header compression nor `Debug` shows it.
    pub(crate) fn header(&self) -> Result<Option<(HeaderName, HeaderValue)>, String> {
        let (name, value) = match self {
            Credentials::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose())),
            Credentials::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                (AUTHORIZATION, format!("Basic {}", BASE64.encode(pair)))
            }
            Credentials::ApiKey { location, name, value } => match location {
                ApiKeyLocation::Header => {
                    let name = HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| format!("`{name}` is not a valid header name for an API key"))?;
                    (name, value.expose().to_owned())
                }
                ApiKeyLocation::Query => return Ok(None),
                ApiKeyLocation::Cookie => (COOKIE, format!("{name}={}", value.expose())),
            },
        };
        // The error names the header, never the secret.
        let mut value = HeaderValue::try_from(value)
            .map_err(|_| format!("the credentials cannot be sent in the `{name}` header: they hold a character a header cannot"))?;
        value.set_sensitive(true);
        Ok(Some((name, value)))
    }
}

impl Credentials {
    pub(crate) fn query_pair(&self) -> Option<(&str, &str)> {
        match self {
            Credentials::ApiKey {
                location: ApiKeyLocation::Query,
                name,
                value,
            } => Some((name, value.expose())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::Basic {
            username: "key".into(),
            password: Secret::new("hunter2"),
        };
        let shown = format!("{c:?} {}", Secret::new("hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
        let b = Credentials::Bearer(Secret::new("r8_abc"));
        assert!(!format!("{b:?}").contains("r8_abc"));
    }

    #[test]
    fn each_kind_of_credentials_has_its_header_marked_sensitive() {
        let header = |c: Credentials| c.header().unwrap().map(|(n, v)| (n.to_string(), v));
        let (name, value) = header(Credentials::Basic { username: "Aladdin".into(), password: Secret::new("open sesame") }).unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("QWxh"), "{value:?}");
        let (name, value) = header(Credentials::Bearer(Secret::new("r8_abc"))).unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("authorization", "Bearer r8_abc"));
        let key = |location| Credentials::ApiKey { location, name: "X-Api-Key".into(), value: Secret::new("k1") };
        let (name, value) = header(key(ApiKeyLocation::Header)).unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-api-key", "k1"));
        let (name, value) = header(key(ApiKeyLocation::Cookie)).unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("cookie", "X-Api-Key=k1"));
        assert!(header(key(ApiKeyLocation::Query)).is_none());
    }

    #[test]
    fn credentials_a_header_cannot_hold_are_an_error_that_does_not_show_them() {
        let err = Credentials::Bearer(Secret::new("r8_\nabc")).header().unwrap_err();
        assert!(err.contains("authorization") && !err.contains("r8_"), "{err}");
        let bad_name = Credentials::ApiKey { location: ApiKeyLocation::Header, name: "a b".into(), value: Secret::new("k1") };
        assert!(!bad_name.header().unwrap_err().contains("k1"));
    }
}
