//! Following a paginated listing page by page, whatever its convention:
//! a `next` URL in the body, a cursor echoed back as a query parameter, or
//! a `Link: <...>; rel="next"` header.

use std::pin::Pin;

use futures_core::Stream;
use futures_util::{stream, TryStreamExt};
use reqwest::header::{HeaderMap, LINK};

use crate::client::Client;
use crate::error::Error;
use crate::request::Request;
use crate::response::{RawResponse, Response};

/// A boxed stream, as paginated and streaming operations return.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send + 'static>>;

/// Where the next page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// An absolute URL (or one relative to the base URL) on the client's
    /// origin.
    Url(String),
    /// The same request with this query parameter set.
    Query { name: &'static str, value: String },
}

impl Next {
    /// A `next` URL from a page body; `None` or empty means the end.
    pub fn url(next: Option<&str>) -> Option<Next> {
        next.filter(|s| !s.is_empty()).map(|s| Next::Url(s.to_owned()))
    }

    /// A cursor from a page body, sent back as query parameter `name`;
    /// `None` or empty means the end.
    pub fn query(name: &'static str, value: Option<impl ToString>) -> Option<Next> {
        let value = value?.to_string();
        (!value.is_empty()).then_some(Next::Query { name, value })
    }

    /// The `rel="next"` target of a `Link` header (RFC 8288).
    pub fn link_header(headers: &HeaderMap) -> Option<Next> {
        headers.get_all(LINK).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
            v.split(',').find_map(|link| {
                let (target, params) = link.trim().split_once(';')?;
                let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
                let is_next = params.split(';').any(|p| {
                    let p = p.trim();
                    p.strip_prefix("rel=")
                        .map(|r| r.trim_matches('"').split_whitespace().any(|r| r.eq_ignore_ascii_case("next")))
                        .unwrap_or(false)
                });
                is_next.then(|| Next::Url(target.to_owned()))
            })
        })
    }

    fn apply(&self, req: &mut Request) {
        match self {
            Next::Url(url) => {
                req.url(url.clone());
            }
            Next::Query { name, value } => {
                req.set_query(name, value.clone());
            }
        }
    }
}

/// Decodes one page of a response.
pub type Decode<P> = fn(RawResponse) -> Result<Response<P>, Error>;
/// Finds where the next page is, from a decoded page.
pub type FindNext<P> = fn(&Response<P>) -> Option<Next>;

/// Every page, from `first` on, in order. The stream ends after the last
/// page, after the first error, or when the server points at the page it
/// just sent (which would loop for ever).
pub fn pages<P: Send + 'static>(
    client: Client,
    first: Request,
    decode: Decode<P>,
    next: FindNext<P>,
) -> BoxStream<Result<P, Error>> {
    let state = Some((first, None::<Next>));
    Box::pin(stream::unfold(state, move |state| {
        let client = client.clone();
        async move {
            let (req, previous) = state?;
            let raw = match client.send(req.clone()).await {
                Ok(raw) => raw,
                Err(e) => return Some((Err(e), None)),
            };
            match decode(raw) {
                Ok(resp) => {
                    let following = next(&resp).filter(|n| Some(n) != previous.as_ref()).map(|n| {
                        let mut req = req;
                        n.apply(&mut req);
                        (req, Some(n))
                    });
                    Some((Ok(resp.body), following))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    }))
}

/// The items of every page, in order.
pub fn items<P: Send + 'static, I: Send + 'static>(
    pages: BoxStream<Result<P, Error>>,
    items_of: fn(P) -> Vec<I>,
) -> BoxStream<Result<I, Error>> {
    Box::pin(
        pages
            .map_ok(move |page| stream::iter(items_of(page).into_iter().map(Ok)))
            .try_flatten(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            r#"<https://api.github.com/repos?page=1>; rel="prev", <https://api.github.com/repos?page=3>; rel="next""#
                .parse()
                .unwrap(),
        );
        assert_eq!(Next::link_header(&h), Some(Next::Url("https://api.github.com/repos?page=3".into())));
        h.insert(LINK, r#"<https://x/a?page=1>; rel="first""#.parse().unwrap());
        assert_eq!(Next::link_header(&h), None);
    }

    #[test]
    fn empty_cursors_end_the_listing() {
        assert_eq!(Next::url(Some("")), None);
        assert_eq!(Next::url(None), None);
        assert_eq!(Next::query("cursor", Some("")), None);
        assert_eq!(Next::query("cursor", None::<String>), None);
        assert_eq!(
            Next::query("page", Some(2)),
            Some(Next::Query { name: "page", value: "2".into() })
        );
    }
}
