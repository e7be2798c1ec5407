//! Credentials, kept out of `Debug` output and logs.

use std::fmt;

/// A secret string: a token, a password, an API key.
///
/// Its `Debug` and `Display` never show the value; only
/// [`Secret::expose`] does.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
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
    Header,
    Query,
    Cookie,
}

/// The credentials a client sends with every secured operation.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic base64(user:password)`.
    Basic { username: String, password: Secret },
    /// A key in a header, query parameter or cookie of the given name.
    ApiKey {
        location: ApiKeyLocation,
        name: String,
        value: Secret,
    },
}

impl Credentials {
    /// Adds the credentials to a request. A query API key is added to the
    /// URL instead, by [`Credentials::query_pair`].
    pub(crate) fn apply(&self, mut req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Credentials::Bearer(token) => req.bearer_auth(token.expose()),
            Credentials::Basic { username, password } => {
                req.basic_auth(username, Some(password.expose()))
            }
            Credentials::ApiKey {
                location,
                name,
                value,
            } => {
                match location {
                    ApiKeyLocation::Header => {
                        req = req.header(name.as_str(), value.expose());
                    }
                    ApiKeyLocation::Query => {}
                    ApiKeyLocation::Cookie => {
                        req = req.header(
                            reqwest::header::COOKIE,
                            format!("{name}={}", value.expose()),
                        );
                    }
                }
                req
            }
        }
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
}
