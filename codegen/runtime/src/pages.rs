//! Following a paginated listing page by page, whatever its convention:
//! a `next` URL in the body, a cursor echoed back as a query parameter, or
//! a `Link: <...>; rel="next"` header.

use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
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
    Query {
        /// The query parameter, as on the wire (`cursor`).
        name: &'static str,
        /// The cursor the page gave.
        value: String,
    },
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

    /// The `rel="next"` target of a `Link` header (RFC 8288), of any of
    /// the header's lines.
    pub fn link_header(headers: &HeaderMap) -> Option<Next> {
        headers
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(links)
            .find(|link| {
                let rel = link.rel.as_deref().unwrap_or("");
                rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next"))
            })
            .map(|link| Next::Url(link.target.to_owned()))
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
/// page, after the first error, when the server points at a page it has
/// sent among the last [`PAGES_REMEMBERED`] (which would loop for ever), or
/// with [`Error::TooMany`] past the page limit (the client's
/// `max_pages`, or [`Pages::max_pages`]), which stops a loop longer than
/// that, or a server that hands out new cursors for ever.
pub fn pages<P>(client: Client, first: Request, decode: Decode<P>, next: FindNext<P>) -> Pages<P> {
    Pages { pager: Pager::new(client, first), decode, next }
}

/// The items of every page, in order, as [`pages`] finds the pages.
pub fn items<P, I>(client: Client, first: Request, decode: Decode<P>, next: FindNext<P>, items_of: fn(P) -> Vec<I>) -> Items<P, I> {
    Items { pages: pages(client, first, decode, next), items_of, page: Vec::new().into_iter(), yielded: 0, max_items: None, done: false }
}

/// The paging itself, the same for every listing and so compiled once:
/// sends each page's request, and, told where the next page is, builds
/// the next request or ends the listing.
struct Pager {
    client: Client,
    /// The request to send next; `None` once the listing has ended.
    next: Option<Request>,
    /// The request of the page last received, which the next one follows.
    last: Option<Request>,
    /// The pages last requested, to stop a listing that loops.
    seen: Seen,
    /// The listing's operation, for errors.
    operation: &'static str,
    /// Pages requested so far, and the most there may be.
    requested: usize,
    max_pages: Option<usize>,
    sending: Option<crate::BoxFuture<Result<RawResponse, Error>>>,
}

/// How many of the last pages a listing remembers to find a loop: memory
/// stays bounded however long the listing (the page limit ends a longer
/// loop).
pub const PAGES_REMEMBERED: usize = 1024;

/// The last [`PAGES_REMEMBERED`] page keys, as hashes: a few bytes a page,
/// whatever the length of the URLs.
#[derive(Default)]
struct Seen {
    order: VecDeque<u64>,
    set: HashSet<u64>,
}

impl Seen {
    fn hash(key: &str) -> u64 {
        // SipHash with fixed keys: the same on every run.
        let mut h = std::hash::DefaultHasher::new();
        key.hash(&mut h);
        h.finish()
    }

    fn insert(&mut self, key: &str) {
        let h = Seen::hash(key);
        if self.set.insert(h) {
            self.order.push_back(h);
            if self.order.len() > PAGES_REMEMBERED {
                let oldest = self.order.pop_front().expect("longer than the bound");
                self.set.remove(&oldest);
            }
        }
    }

    fn contains(&self, key: &str) -> bool {
        self.set.contains(&Seen::hash(key))
    }
}

impl Pager {
    fn new(client: Client, first: Request) -> Pager {
        let max_pages = client.page_limit();
        let operation = first.op.id;
        Pager { client, next: Some(first), last: None, seen: Seen::default(), operation, requested: 0, max_pages, sending: None }
    }

    /// The next page's response; `None` after the last.
    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RawResponse, Error>>> {
        let sending = match &mut self.sending {
            Some(sending) => sending,
            idle @ None => {
                let Some(req) = self.next.take() else { return Poll::Ready(None) };
                if let Some(limit) = self.max_pages.filter(|limit| self.requested >= *limit) {
                    return Poll::Ready(Some(Err(Error::TooMany { operation: req.op.id, limit, what: "pages" })));
                }
                self.requested += 1;
                if let Some(key) = self.client.page_key(&req) {
                    self.seen.insert(&key);
                }
                let client = self.client.clone();
                let sent = req.clone();
                self.last = Some(req);
                idle.insert(Box::pin(async move { client.send(sent).await }))
            }
        };
        let result = std::task::ready!(sending.as_mut().poll(cx));
        self.sending = None;
        Poll::Ready(Some(result))
    }

    /// Where the page just received says the next one is.
    fn follow(&mut self, next: Option<Next>) {
        let (Some(next), Some(mut req)) = (next, self.last.take()) else { return };
        next.apply(&mut req);
        if self.client.page_key(&req).is_some_and(|key| self.seen.contains(&key)) {
            tracing::debug!(operation = req.op.id, "the next page is one already seen; the listing ends");
            return;
        }
        self.next = Some(req);
    }
}

/// Every page of a listing, decoded: what a listing's `pages()` returns.
///
/// Per page type only this `poll_next` is compiled, and only where the
/// stream is polled (as a boxed stream, it would be compiled for every
/// listing of a client crate).
#[must_use = "streams do nothing unless polled"]
pub struct Pages<P> {
    pager: Pager,
    decode: Decode<P>,
    next: FindNext<P>,
}

impl<P> Pages<P> {
    /// The most pages this listing requests before it ends with
    /// [`Error::TooMany`]; `None`: no limit. (To take only the first
    /// pages, use `StreamExt::take`.)
    pub fn max_pages(mut self, limit: Option<usize>) -> Self {
        self.pager.max_pages = limit;
        self
    }
}

impl<P, I> Items<P, I> {
    /// [`Pages::max_pages`], for the pages behind these items.
    pub fn max_pages(mut self, limit: Option<usize>) -> Self {
        self.pages = self.pages.max_pages(limit);
        self
    }

    /// The most items this listing yields before it ends with
    /// [`Error::TooMany`], if more come; `None`: no limit.
    pub fn max_items(mut self, limit: Option<usize>) -> Self {
        self.max_items = limit;
        self
    }
}

impl<P> Stream for Pages<P> {
    type Item = Result<P, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let raw = match std::task::ready!(this.pager.poll_page(cx)) {
            Some(Ok(raw)) => raw,
            Some(Err(e)) => return Poll::Ready(Some(Err(e))),
            None => return Poll::Ready(None),
        };
        Poll::Ready(Some(match (this.decode)(raw) {
            Ok(resp) => {
                this.pager.follow((this.next)(&resp));
                Ok(resp.body)
            }
            Err(e) => Err(e),
        }))
    }
}

/// Each page's items, one by one: what a listing's `items()` returns.
#[must_use = "streams do nothing unless polled"]
pub struct Items<P, I> {
    pages: Pages<P>,
    items_of: fn(P) -> Vec<I>,
    page: std::vec::IntoIter<I>,
    yielded: usize,
    max_items: Option<usize>,
    done: bool,
}

// Nothing of an `Items` is ever pinned in place: items are moved out.
impl<P, I> Unpin for Items<P, I> {}

impl<P, I> Stream for Items<P, I> {
    type Item = Result<I, Error>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(item) = this.page.next() {
                if let Some(limit) = this.max_items.filter(|limit| this.yielded >= *limit) {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::TooMany { operation: this.pages.pager.operation, limit, what: "items" })));
                }
                this.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.page = (this.items_of)(page).into_iter(),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl<P> std::fmt::Debug for Pages<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl<P, I> std::fmt::Debug for Items<P, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

/// One link of a `Link` header.
#[derive(Debug, PartialEq)]
struct Link<'a> {
    target: &'a str,
    /// The first `rel` parameter, unquoted: relation types separated by
    /// spaces.
    rel: Option<String>,
}

/// The links of one `Link` header value (RFC 8288, section 3):
/// `<target>; param=value; param="quoted, or; not", <target>...`. A target
/// may hold `,` and `;`, and so may a quoted value; a link that is not
/// well formed is skipped.
fn links(value: &str) -> Vec<Link<'_>> {
    let s = value.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && matches!(s[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    // Past the end of a malformed link: the next `,` outside quotes.
    let skip_link = |i: &mut usize| {
        let mut quoted = false;
        while *i < s.len() {
            match s[*i] {
                b'\\' if quoted => *i += 1,
                b'"' => quoted = !quoted,
                b',' if !quoted => return,
                _ => {}
            }
            *i += 1;
        }
    };
    while i < s.len() {
        skip_ws(&mut i);
        if i < s.len() && s[i] == b',' {
            i += 1;
            continue;
        }
        if i >= s.len() {
            break;
        }
        if s[i] != b'<' {
            skip_link(&mut i);
            continue;
        }
        let Some(len) = s[i + 1..].iter().position(|&b| b == b'>') else {
            break;
        };
        let target = &value[i + 1..i + 1 + len];
        i += len + 2;
        let mut rel = None;
        let mut well_formed = true;
        loop {
            skip_ws(&mut i);
            if i >= s.len() || s[i] == b',' {
                break;
            }
            if s[i] != b';' {
                well_formed = false;
                skip_link(&mut i);
                break;
            }
            i += 1;
            skip_ws(&mut i);
            let start = i;
            while i < s.len() && !matches!(s[i], b'=' | b';' | b',' | b' ' | b'\t') {
                i += 1;
            }
            let name = &value[start..i];
            skip_ws(&mut i);
            let mut param = String::new();
            if i < s.len() && s[i] == b'=' {
                i += 1;
                skip_ws(&mut i);
                if i < s.len() && s[i] == b'"' {
                    i += 1;
                    while i < s.len() && s[i] != b'"' {
                        if s[i] == b'\\' && i + 1 < s.len() {
                            i += 1;
                        }
                        param.push(s[i] as char);
                        i += 1;
                    }
                    i += 1;
                } else {
                    let start = i;
                    while i < s.len() && !matches!(s[i], b';' | b',' | b' ' | b'\t') {
                        i += 1;
                    }
                    param.push_str(&value[start..i]);
                }
            }
            // Only the first `rel` counts (RFC 8288, section 3.3).
            if name.eq_ignore_ascii_case("rel") && rel.is_none() {
                rel = Some(param);
            }
        }
        if well_formed {
            out.push(Link { target, rel });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However long the listing, loop detection holds the last pages only.
    #[test]
    fn loop_detection_remembers_a_bounded_number_of_pages() {
        let mut seen = Seen::default();
        for i in 0..10 * PAGES_REMEMBERED {
            seen.insert(&format!("https://127.0.0.1/items?cursor={i}"));
        }
        assert_eq!((seen.set.len(), seen.order.len()), (PAGES_REMEMBERED, PAGES_REMEMBERED));
        assert!(seen.contains(&format!("https://127.0.0.1/items?cursor={}", 10 * PAGES_REMEMBERED - 1)));
        assert!(!seen.contains("https://127.0.0.1/items?cursor=0"));
    }

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
    fn link_targets_and_values_may_hold_commas_and_semicolons() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            concat!(
                r#"<https://x/items?ids=1,2;3&rel=next>; rel="prev"; title="a, b; rel=next","#,
                r#" <https://x/items?ids=4,5;6>;title="say \"next\"" ; REL="last Next" ; rel=prev"#,
            )
            .parse()
            .unwrap(),
        );
        assert_eq!(Next::link_header(&h), Some(Next::Url("https://x/items?ids=4,5;6".into())));
        assert_eq!(
            links(r#"<a,b>; rel=next, junk; rel=next, <c>; rel, <d>;rel=first;anchor="#),
            [
                Link { target: "a,b", rel: Some("next".into()) },
                Link { target: "c", rel: Some(String::new()) },
                Link { target: "d", rel: Some("first".into()) },
            ]
        );
        assert_eq!(links(r#"<e>; title="x\"y"; rel=next"#)[0].rel.as_deref(), Some("next"));
        assert!(links("<unclosed; rel=next").is_empty());
        assert!(links("").is_empty());
    }

    #[test]
    fn the_next_link_may_be_on_any_line() {
        let mut h = HeaderMap::new();
        h.append(LINK, r#"<https://x/1>; rel="prev""#.parse().unwrap());
        h.append(LINK, "<https://x/3>; rel=next".parse().unwrap());
        assert_eq!(Next::link_header(&h), Some(Next::Url("https://x/3".into())));
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
