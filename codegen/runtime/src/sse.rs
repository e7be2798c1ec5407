//! Server-sent events: a `text/event-stream` response as a stream of typed
//! events, resumed with `Last-Event-ID` when the connection drops.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::stream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::client::Client;
use crate::error::{BodyError, DecodeError, Error};
use crate::pages::BoxStream;
use crate::request::Request;
use crate::response::RawResponse;

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The `event:` field; `message` when the server sent none.
    pub event: String,
    /// The last `id:` the server sent, with this event or before it (as
    /// the standard has it), if any.
    pub id: Option<String>,
    /// The `data:` lines, joined with `\n` and parsed.
    pub data: T,
}

/// Parses an event's data. Generated code passes JSON parsing for the
/// schema's type, or [`text`] for plain data.
pub type ParseData<T> = fn(&str) -> Result<T, serde_json::Error>;

/// Data kept as text.
pub fn text(data: &str) -> Result<String, serde_json::Error> {
    Ok(data.to_owned())
}

/// How many times in a row a dropped stream is resumed before giving up.
const MAX_RECONNECTS: u32 = 5;
/// The wait before resuming when the server set no `retry:`.
const DEFAULT_RETRY: Duration = Duration::from_secs(1);

/// The response being read, with what a decode error reports.
struct Connection {
    resp: reqwest::Response,
    status: StatusCode,
    headers: HeaderMap,
}

struct State<T> {
    client: Client,
    req: Request,
    parse: ParseData<T>,
    conn: Option<Connection>,
    parser: Parser,
    reconnects: u32,
    done: bool,
}

/// Sends `req` and streams its events.
///
/// The client's timeout bounds the wait for the response head only; after
/// that, the stream lasts as long as the server sends, and counts as cut
/// when the connection drops or nothing (not even a comment) arrives
/// within the client's stream idle timeout.
///
/// A cut stream whose request is safe to send again (GET, or another
/// idempotent method) is resumed, up to five times in a row, with the last
/// event id seen in `Last-Event-ID`, after the server's `retry:` delay
/// (one second if it set none, at most the retry policy's
/// `max_retry_after`). Any other request (a POST) is never sent twice: its
/// stream ends with [`Error::StreamCut`], as does one that could not be
/// resumed. A stream the server ends cleanly is not resumed. An event
/// larger than the client's body cap ends the stream with
/// [`Error::TooLarge`]; the stream as a whole has no size limit.
pub fn events<T: Send + 'static>(client: Client, req: Request, parse: ParseData<T>) -> BoxStream<Result<Event<T>, Error>> {
    let parser = Parser::new(client.body_limit());
    let state = State {
        client,
        req,
        parse,
        conn: None,
        parser,
        reconnects: 0,
        done: false,
    };
    Box::pin(stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            if let Some(ev) = st.parser.next_event() {
                st.reconnects = 0;
                let item = st.item(ev);
                return Some((item, st));
            }
            let Some(conn) = st.conn.as_mut() else {
                let mut req = st.req.clone();
                if !st.parser.last_id.is_empty() {
                    req.header("Last-Event-ID", st.parser.last_id.as_str());
                }
                let (resp, attempts) = match st.client.open_stream(&req).await {
                    Ok(opened) => opened,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                };
                let (status, headers) = (resp.status(), resp.headers().clone());
                if !status.is_success() {
                    let op = req.op.id;
                    st.done = true;
                    let error = match st.client.read_body(op, resp, attempts).await {
                        Ok(body) => RawResponse::new(op, status, headers, body).with_attempts(attempts).error(),
                        Err(e) => Err(e),
                    };
                    return Some((error, st));
                }
                st.parser.reconnected();
                st.conn = Some(Connection { resp, status, headers });
                continue;
            };
            match st.client.next_chunk(&mut conn.resp).await {
                Ok(Some(chunk)) => {
                    if st.parser.feed(&chunk).is_err() {
                        st.done = true;
                        let limit = st.client.body_limit();
                        return Some((Err(Error::TooLarge { operation: st.req.op.id, limit }), st));
                    }
                }
                // An event the server did not finish is dropped, as the
                // standard says.
                Ok(None) => return None,
                Err(cut) => {
                    st.conn = None;
                    let operation = st.req.op.id;
                    if !crate::retry::is_idempotent(st.req.op.method) {
                        st.done = true;
                        return Some((Err(cut.into_error(operation, 0)), st));
                    }
                    if st.reconnects >= MAX_RECONNECTS {
                        st.done = true;
                        return Some((Err(cut.into_error(operation, st.reconnects)), st));
                    }
                    st.reconnects += 1;
                    let wait = st
                        .parser
                        .retry
                        .unwrap_or(DEFAULT_RETRY)
                        .min(st.client.retry_policy().max_retry_after);
                    tracing::debug!(reconnect = st.reconnects, wait_ms = wait.as_millis() as u64, "event stream cut; resuming");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }))
}

impl<T> State<T> {
    fn item(&self, ev: RawEvent) -> Result<Event<T>, Error> {
        match (self.parse)(&ev.data) {
            Ok(data) => Ok(Event {
                event: ev.event,
                id: (!ev.id.is_empty()).then_some(ev.id),
                data,
            }),
            Err(e) => {
                let (status, headers) = match &self.conn {
                    Some(c) => (c.status, c.headers.clone()),
                    None => (StatusCode::OK, HeaderMap::new()),
                };
                Err(Error::Decode(Box::new(DecodeError {
                    operation: self.req.op.id,
                    status,
                    headers,
                    body: ev.data.into(),
                    source: BodyError::Json(e),
                })))
            }
        }
    }
}

/// An event as the stream spells it, before its data is parsed.
#[derive(Debug, PartialEq)]
struct RawEvent {
    event: String,
    id: String,
    data: String,
}

/// The event stream format of the HTML standard ("Server-sent events",
/// 9.2.6), fed bytes as they arrive. It holds at most `limit` bytes of an
/// event not yet complete.
#[derive(Debug)]
struct Parser {
    limit: usize,
    /// The line not yet ended.
    line: Vec<u8>,
    /// The last byte was a CR, so an LF right after it ends no line.
    after_cr: bool,
    /// The next line is the connection's first, which may start with a BOM.
    first_line: bool,
    data: String,
    event: String,
    /// Kept across events and connections: what `Last-Event-ID` resumes
    /// from.
    last_id: String,
    /// The server's `retry:`, kept across connections.
    retry: Option<Duration>,
    ready: VecDeque<RawEvent>,
}

/// An event larger than the limit.
#[derive(Debug, PartialEq)]
struct TooLarge;

impl Parser {
    fn new(limit: usize) -> Self {
        Parser {
            limit,
            line: Vec::new(),
            after_cr: false,
            first_line: true,
            data: String::new(),
            event: String::new(),
            last_id: String::new(),
            retry: None,
            ready: VecDeque::new(),
        }
    }

    /// A new connection: what the old one left unfinished is dropped.
    fn reconnected(&mut self) {
        self.line.clear();
        self.after_cr = false;
        self.first_line = true;
        self.data.clear();
        self.event.clear();
        self.ready.clear();
    }

    fn next_event(&mut self) -> Option<RawEvent> {
        self.ready.pop_front()
    }

    fn feed(&mut self, mut bytes: &[u8]) -> Result<(), TooLarge> {
        while !bytes.is_empty() {
            if std::mem::take(&mut self.after_cr) && bytes[0] == b'\n' {
                bytes = &bytes[1..];
                continue;
            }
            match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(end) => {
                    self.line.extend_from_slice(&bytes[..end]);
                    self.after_cr = bytes[end] == b'\r';
                    bytes = &bytes[end + 1..];
                    self.check()?;
                    let line = std::mem::take(&mut self.line);
                    self.process(&line);
                    self.check()?;
                }
                None => {
                    self.line.extend_from_slice(bytes);
                    bytes = &[];
                }
            }
        }
        self.check()
    }

    fn check(&self) -> Result<(), TooLarge> {
        if self.line.len() + self.data.len() + self.event.len() > self.limit {
            return Err(TooLarge);
        }
        Ok(())
    }

    fn process(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line);
        let mut line = line.as_ref();
        if std::mem::take(&mut self.first_line) {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.last_id),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        self.ready.push_back(RawEvent {
            event: if event.is_empty() { "message".to_owned() } else { event },
            id: self.last_id.clone(),
            data,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(parser: &mut Parser) -> Vec<(String, String, String)> {
        std::iter::from_fn(|| parser.next_event()).map(|e| (e.event, e.id, e.data)).collect()
    }

    fn ev(event: &str, id: &str, data: &str) -> (String, String, String) {
        (event.to_owned(), id.to_owned(), data.to_owned())
    }

    #[test]
    fn fields_comments_and_every_line_ending() {
        let mut p = Parser::new(1 << 20);
        let stream = "\u{feff}: hi\nretry: 2500\nid: 1\nevent: output\ndata: a\ndata:b\r\n\r\ndata\rid: 2\r\rdata: x: y\n\nid\nevent: e\ndata: z\n\n";
        // Fed a byte at a time, to split every line, CRLF and BOM.
        for b in stream.as_bytes() {
            p.feed(std::slice::from_ref(b)).unwrap();
        }
        assert_eq!(
            all(&mut p),
            [ev("output", "1", "a\nb"), ev("message", "2", ""), ev("message", "2", "x: y"), ev("e", "", "z")]
        );
        assert_eq!(p.retry, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn events_without_data_are_not_dispatched_but_their_id_counts() {
        let mut p = Parser::new(1 << 20);
        p.feed(b"id: 7\nevent: nothing\n\nretry: soon\nid: a\0b\ndata: d\n\n").unwrap();
        assert_eq!(all(&mut p), [ev("message", "7", "d")]);
        assert_eq!(p.retry, None);
    }

    #[test]
    fn an_unfinished_event_is_dropped_on_reconnect_but_the_id_is_kept() {
        let mut p = Parser::new(1 << 20);
        p.feed(b"id: 3\ndata: whole\n\ndata: half").unwrap();
        assert_eq!(all(&mut p).len(), 1);
        p.reconnected();
        p.feed(b"\xef\xbb\xbfdata: next\n\n").unwrap();
        assert_eq!(all(&mut p), [ev("message", "3", "next")]);
    }

    #[test]
    fn one_event_is_capped_not_the_stream() {
        let mut p = Parser::new(64);
        for _ in 0..100 {
            p.feed(b"data: 0123456789\ndata: 0123456789\n\n").unwrap();
        }
        assert_eq!(all(&mut p).len(), 100);
        // Many lines of one event, in one chunk.
        let big = "data: 0123456789\n".repeat(10);
        assert_eq!(Parser::new(64).feed(big.as_bytes()), Err(TooLarge));
        // One line that never ends, in small chunks.
        let mut p = Parser::new(64);
        let fed: Result<Vec<()>, TooLarge> = (0..10).map(|_| p.feed(b"data: 0123456789")).collect();
        assert_eq!(fed, Err(TooLarge));
        // Comments and ids hold nothing.
        let mut p = Parser::new(64);
        for _ in 0..100 {
            p.feed(b": keep-alive 0123456789\nid: 0123456789\n").unwrap();
        }
    }
}
