//! Verifying the webhook requests Replicate sends, as [Standard
//! Webhooks](https://www.standardwebhooks.com/) specifies and Replicate
//! documents.
//!
//! Each request carries three headers: `webhook-id`, `webhook-timestamp`
//! (Unix seconds) and `webhook-signature` (space-separated `v1,<base64>`
//! signatures). A signature is the HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}` over the body's raw bytes, keyed
//! with the base64 after the `whsec_` prefix of your signing secret (from
//! [`Client::webhook_verifier`], or the dashboard). A request is genuine when
//! any one signature matches (compared in constant time) and the timestamp
//! is within five minutes of now, which stops replays.
//!
//! Verify the body exactly as received, before parsing it: parsing and
//! re-serializing changes the bytes.
//!
//! # Example
//!
//! ```no_run
//! use replicate::webhooks::Verifier;
//!
//! # async fn example(headers: replicate::webhooks::HeaderMap, body: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
//! // Once, at start-up: the signing secret of the account's default webhook.
//! let client = replicate::Client::from_env()?;
//! let verifier: Verifier = client.webhook_verifier().await?;
//!
//! // For each request your server receives:
//! let verified = verifier.verify(&headers, &body)?;
//! let prediction = verified.prediction()?;
//! println!("{} is {:?}", verified.id(), prediction.status);
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::types::{Prediction, Training};
use crate::{Client, Error};

pub use apigen_runtime::reqwest::header::HeaderMap;

/// How far a request's timestamp may be from now unless told otherwise:
/// five minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// The header with the message id.
pub const ID_HEADER: &str = "webhook-id";
/// The header with the Unix time the message was sent at.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The header with the signatures.
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// Why a webhook request is not accepted. Each failure has its own variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    MissingHeader(&'static str),
    /// A header is present but not as specified.
    MalformedHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signing secret is not `whsec_` followed by non-empty base64.
    BadSecret(&'static str),
    /// The timestamp is further in the past than the tolerance: a late
    /// delivery or a replay.
    TimestampTooOld {
        /// The request's timestamp, in Unix seconds.
        timestamp: i64,
        /// Now, in Unix seconds.
        now: i64,
    },
    /// The timestamp is further in the future than the tolerance.
    TimestampTooNew {
        /// The request's timestamp, in Unix seconds.
        timestamp: i64,
        /// Now, in Unix seconds.
        now: i64,
    },
    /// No `v1` signature matches the body: it was changed, or signed with
    /// another secret.
    NoMatchingSignature,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader(h) => write!(f, "webhook: the `{h}` header is missing"),
            VerifyError::MalformedHeader { header, reason } => {
                write!(f, "webhook: the `{header}` header is malformed: {reason}")
            }
            VerifyError::BadSecret(reason) => write!(f, "webhook: the signing secret is invalid: {reason}"),
            VerifyError::TimestampTooOld { timestamp, now } => write!(
                f,
                "webhook: the timestamp {timestamp} is {} s in the past, more than the tolerance",
                now - timestamp
            ),
            VerifyError::TimestampTooNew { timestamp, now } => write!(
                f,
                "webhook: the timestamp {timestamp} is {} s in the future, more than the tolerance",
                timestamp - now
            ),
            VerifyError::NoMatchingSignature => write!(f, "webhook: no signature matches the body"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Where [`Verifier::verify`] reads the three headers: an
/// [`HeaderMap`] (what `http`, `axum`, `reqwest` and `hyper` use), or any
/// closure from a header name (lower-case) to its value.
///
/// ```
/// use replicate::webhooks::WebhookHeaders;
///
/// let pairs = [("webhook-id", "msg_1")];
/// let lookup = |name: &str| pairs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
/// assert_eq!(lookup.header("webhook-id").as_deref(), Some("msg_1"));
/// ```
pub trait WebhookHeaders {
    /// The value of the header `name` (given in lower case; look it up in
    /// any case), or `None` if the request lacks it.
    fn header(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl WebhookHeaders for HeaderMap {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()))
    }
}

impl WebhookHeaders for &HeaderMap {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        (**self).header(name)
    }
}

impl<F, S> WebhookHeaders for F
where
    F: Fn(&str) -> Option<S>,
    S: Into<String>,
{
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self(name).map(|v| Cow::Owned(v.into()))
    }
}

/// A signing secret, decoded once, and the timestamp tolerance: checks
/// webhook requests. Its `Debug` output never shows the key.
///
/// ```
/// use std::time::Duration;
/// use replicate::webhooks::Verifier;
///
/// let verifier = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
///     .unwrap()
///     .tolerance(Duration::from_secs(60));
/// assert!(!format!("{verifier:?}").contains("MfKQ"));
/// ```
#[derive(Clone)]
pub struct Verifier {
    key: Vec<u8>,
    tolerance: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("key", &"<redacted>")
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// A request that passed verification: its id and timestamp, and its body
/// to parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified<'a> {
    id: String,
    timestamp: i64,
    body: &'a [u8],
}

impl<'a> Verified<'a> {
    /// The `webhook-id`: the same for every retry of one message, so that a
    /// handler can drop duplicates.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `webhook-timestamp`, in Unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The body, as received.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The body as a prediction (the body of webhooks for predictions).
    pub fn prediction(&self) -> Result<Prediction, serde_json::Error> {
        self.json()
    }

    /// The body as a training (the body of webhooks for trainings).
    pub fn training(&self) -> Result<Training, serde_json::Error> {
        self.json()
    }

    /// The body as any type.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.body)
    }
}

impl Verifier {
    /// A verifier for a signing secret, `whsec_` followed by the base64 of
    /// the key (the prefix may be left out, as Standard Webhooks allows),
    /// with the default tolerance of five minutes.
    pub fn new(secret: &str) -> Result<Self, VerifyError> {
        let encoded = secret.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        if encoded.is_empty() {
            return Err(VerifyError::BadSecret("it has no key after the `whsec_` prefix"));
        }
        let key = BASE64
            .decode(encoded)
            .map_err(|_| VerifyError::BadSecret("the key after `whsec_` is not base64"))?;
        Ok(Verifier {
            key,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// How far the timestamp may be from now, either way (default five
    /// minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a request against the system clock.
    pub fn verify<'a>(&self, headers: impl WebhookHeaders, body: &'a [u8]) -> Result<Verified<'a>, VerifyError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Verifies a request as if the time were `now`.
    pub fn verify_at<'a>(
        &self,
        headers: impl WebhookHeaders,
        body: &'a [u8],
        now: SystemTime,
    ) -> Result<Verified<'a>, VerifyError> {
        let id = required(&headers, ID_HEADER)?;
        let timestamp = required(&headers, TIMESTAMP_HEADER)?;
        let signatures = required(&headers, SIGNATURE_HEADER)?;
        if id.trim().is_empty() {
            return Err(VerifyError::MalformedHeader {
                header: ID_HEADER,
                reason: "it is empty",
            });
        }
        let timestamp = parse_timestamp(&timestamp)?;
        let now = unix_seconds(now);
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        if now.saturating_sub(timestamp) > tolerance {
            return Err(VerifyError::TimestampTooOld { timestamp, now });
        }
        if timestamp.saturating_sub(now) > tolerance {
            return Err(VerifyError::TimestampTooNew { timestamp, now });
        }
        let candidates = parse_signatures(&signatures)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // Every candidate is checked, in constant time each, whether or not
        // an earlier one matched.
        let mut matched = false;
        for bytes in candidates.into_iter().flatten() {
            matched |= mac.clone().verify_slice(&bytes).is_ok();
        }
        if !matched {
            return Err(VerifyError::NoMatchingSignature);
        }
        Ok(Verified {
            id: id.into_owned(),
            timestamp,
            body,
        })
    }

    /// The `v1` signature of a message, as `webhook-signature` carries it:
    /// for tests of your own webhook handlers.
    ///
    /// ```
    /// use replicate::webhooks::Verifier;
    ///
    /// let verifier = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    /// let signature = verifier.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
    /// assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /// ```
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
    }
}

/// Verifies a webhook request with a signing secret (`whsec_...`) and the
/// default tolerance of five minutes. Build a [`Verifier`] once instead to
/// decode the secret only once or to change the tolerance.
///
/// ```no_run
/// # fn example(headers: &replicate::webhooks::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let secret = std::env::var("REPLICATE_WEBHOOK_SECRET")?;
/// let prediction = replicate::webhooks::verify(&secret, headers, body)?.prediction()?;
/// # Ok(())
/// # }
/// ```
pub fn verify<'a>(secret: &str, headers: impl WebhookHeaders, body: &'a [u8]) -> Result<Verified<'a>, VerifyError> {
    Verifier::new(secret)?.verify(headers, body)
}

fn required<'h>(headers: &'h impl WebhookHeaders, name: &'static str) -> Result<Cow<'h, str>, VerifyError> {
    headers.header(name).ok_or(VerifyError::MissingHeader(name))
}

fn parse_timestamp(value: &str) -> Result<i64, VerifyError> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::MalformedHeader {
            header: TIMESTAMP_HEADER,
            reason: "it is not a number of seconds",
        });
    }
    value.parse().map_err(|_| VerifyError::MalformedHeader {
        header: TIMESTAMP_HEADER,
        reason: "it is out of range",
    })
}

/// The `v1` signatures of the header, decoded (`None` for one that is not
/// base64, which matches nothing). Signatures of other versions are
/// skipped; a header with no `version,signature` entry at all is
/// malformed.
fn parse_signatures(value: &str) -> Result<Vec<Option<Vec<u8>>>, VerifyError> {
    let mut entries = 0;
    let mut v1 = Vec::new();
    for entry in value.split(' ').filter(|e| !e.is_empty()) {
        let Some((version, signature)) = entry.split_once(',') else {
            return Err(VerifyError::MalformedHeader {
                header: SIGNATURE_HEADER,
                reason: "an entry is not `version,signature`",
            });
        };
        entries += 1;
        if version == "v1" {
            v1.push(BASE64.decode(signature).ok());
        }
    }
    if entries == 0 {
        return Err(VerifyError::MalformedHeader {
            header: SIGNATURE_HEADER,
            reason: "it holds no signature",
        });
    }
    Ok(v1)
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

impl Client {
    /// A [`Verifier`] for the signing secret of the account's default
    /// webhook, fetched with `webhooks.default.secret.get`. Fetch it once
    /// and keep it: the secret changes only when rotated.
    ///
    /// A response without a usable key is an [`Error::Decode`] that leaves
    /// out the body, which may hold a secret.
    ///
    /// ```no_run
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::Error> {
    /// let verifier = client.webhook_verifier().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn webhook_verifier(&self) -> Result<Verifier, Error> {
        let response = self.webhooks().default().secret().get().send_with_response().await?;
        let why = match response.body.key.as_deref() {
            Some(key) => match Verifier::new(key) {
                Ok(verifier) => return Ok(verifier),
                Err(VerifyError::BadSecret(why)) => why,
                Err(_) => "it is not a signing secret",
            },
            None => "it has no `key`",
        };
        Err(Error::Decode(Box::new(apigen_runtime::DecodeError {
            operation: "webhooks.default.secret.get",
            status: response.status,
            headers: response.headers,
            body: Default::default(),
            source: apigen_runtime::BodyError::Json(<serde_json::Error as serde::de::Error>::custom(format!(
                "the webhook secret is unusable: {why}"
            ))),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse() {
        assert_eq!(parse_signatures("v1,AAAA").unwrap(), vec![Some(vec![0, 0, 0])]);
        assert_eq!(parse_signatures("v2,AAAA  v1,!!").unwrap(), vec![None]);
        assert!(parse_signatures("").is_err());
        assert!(parse_signatures("v1AAAA").is_err());
    }

    #[test]
    fn timestamps_parse() {
        assert_eq!(parse_timestamp("1614265330").unwrap(), 1614265330);
        assert!(parse_timestamp("-1").is_err());
        assert!(parse_timestamp("1.5").is_err());
        assert!(parse_timestamp("99999999999999999999999").is_err());
    }
}
