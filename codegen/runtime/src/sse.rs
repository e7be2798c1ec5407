//! Server-sent events: a `text/event-stream` response as a stream of typed
//! events, resumed with `Last-Event-ID` when the connection drops.
//!
//! The event stream format is parsed by `eventsource-stream`; this module
//! adds what a client of an API needs around it: typed data, resumption
//! where it is safe, an idle timeout, and a cap on what one event may hold.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use eventsource_stream::{EventStream, EventStreamError};
use futures_util::{stream, StreamExt};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::client::{Client, Cut};
use crate::error::{BodyError, DecodeError, Error};
use crate::pages::BoxStream;
use crate::request::Request;

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

/// The parser is fed slices of at most this many bytes, so that the bytes
/// it holds between two events can be counted from outside it: a chunk of
/// many small events is not mistaken for one large one.
const SLICE: usize = 8 * 1024;

/// Why the bytes of a connection stopped.
#[derive(Debug)]
enum Stop {
    Cut(Cut),
    /// More than the body cap arrived without completing an event.
    TooLarge,
}

type Events = EventStream<BoxStream<Result<bytes::Bytes, Stop>>>;

/// The response being read, with what a decode error reports.
struct Connection {
    events: Events,
    status: StatusCode,
    headers: HeaderMap,
    /// The server sent an id on this connection: events carry the parser's
    /// id. Before that they carry the one the connection resumed from,
    /// which the parser (new for each connection) does not know.
    own_id: bool,
}

struct State<T> {
    client: Client,
    req: Request,
    parse: ParseData<T>,
    conn: Option<Connection>,
    /// Bytes fed to the parser since it last completed an event.
    pending: Arc<AtomicUsize>,
    /// Kept across connections: what `Last-Event-ID` resumes from.
    last_id: String,
    /// The server's `retry:`, kept across connections.
    retry: Option<Duration>,
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
/// resumed. A stream the server ends cleanly is not resumed. More than the
/// client's body cap between two events ends the stream with
/// [`Error::TooLarge`]; the stream as a whole has no size limit.
pub fn events<T: Send + 'static>(client: Client, req: Request, parse: ParseData<T>) -> BoxStream<Result<Event<T>, Error>> {
    let state = State {
        client,
        req,
        parse,
        conn: None,
        pending: Arc::new(AtomicUsize::new(0)),
        last_id: String::new(),
        retry: None,
        reconnects: 0,
        done: false,
    };
    Box::pin(stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            let Some(conn) = st.conn.as_mut() else {
                let mut req = st.req.clone();
                if !st.last_id.is_empty() {
                    req.header("Last-Event-ID", st.last_id.as_str());
                }
                let resp = match st.client.open_success_stream(&req).await {
                    Ok(resp) => resp,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                };
                let (status, headers) = (resp.status(), resp.headers().clone());
                st.pending.store(0, Ordering::Relaxed);
                let events = EventStream::new(body(st.client.clone(), resp, st.pending.clone()));
                st.conn = Some(Connection { events, status, headers, own_id: false });
                continue;
            };
            let stop = match conn.events.next().await {
                Some(Ok(mut ev)) => {
                    st.pending.store(0, Ordering::Relaxed);
                    conn.own_id |= !ev.id.is_empty();
                    if conn.own_id {
                        ev.id.clone_into(&mut st.last_id);
                    } else {
                        st.last_id.clone_into(&mut ev.id);
                    }
                    if ev.retry.is_some() {
                        st.retry = ev.retry;
                    }
                    st.reconnects = 0;
                    let item = st.item(ev);
                    return Some((item, st));
                }
                // An event the server did not finish is dropped, as the
                // standard says.
                None => return None,
                Some(Err(EventStreamError::Transport(stop))) => stop,
                Some(Err(EventStreamError::Utf8(e))) => {
                    st.done = true;
                    let error = st.decode_error(e.as_bytes().to_vec(), BodyError::NotUtf8(e.utf8_error()));
                    return Some((Err(error), st));
                }
                Some(Err(EventStreamError::Parser(e))) => {
                    // The format accepts any line; kept for what a later
                    // version of the parser may refuse.
                    st.done = true;
                    let reason = format!("the event stream does not parse: {e}");
                    return Some((Err(Error::StreamCut { operation: st.req.op.id, reason, reconnects: st.reconnects }), st));
                }
            };
            st.conn = None;
            let operation = st.req.op.id;
            let cut = match stop {
                Stop::TooLarge => {
                    st.done = true;
                    let limit = st.client.body_limit();
                    return Some((Err(Error::TooLarge { operation, limit }), st));
                }
                Stop::Cut(cut) => cut,
            };
            if !crate::retry::is_idempotent(st.req.op.method) {
                st.done = true;
                return Some((Err(cut.into_error(operation, 0)), st));
            }
            if st.reconnects >= MAX_RECONNECTS {
                st.done = true;
                return Some((Err(cut.into_error(operation, st.reconnects)), st));
            }
            st.reconnects += 1;
            let wait = st.retry.unwrap_or(DEFAULT_RETRY).min(st.client.retry_policy().max_retry_after);
            tracing::debug!(reconnect = st.reconnects, wait_ms = wait.as_millis() as u64, "event stream cut; resuming");
            tokio::time::sleep(wait).await;
        }
    }))
}

/// The body of one connection, in slices of at most [`SLICE`] bytes, each
/// waited for no longer than the stream idle timeout. It stops with
/// [`Stop::TooLarge`] once the parser would hold more than the body cap
/// (`pending`, which the reader of events resets at each one).
fn body(client: Client, resp: reqwest::Response, pending: Arc<AtomicUsize>) -> BoxStream<Result<bytes::Bytes, Stop>> {
    let limit = client.body_limit();
    let chunks = stream::unfold(Some((client, resp)), |state| async move {
        let (client, mut resp) = state?;
        match client.next_chunk(&mut resp).await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some((client, resp)))),
            Ok(None) => None,
            Err(cut) => Some((Err(Stop::Cut(cut)), None)),
        }
    });
    parser_input(chunks, limit, pending)
}

/// What the event parser is fed from a connection's chunks: capped, then
/// cut into whole lines. The tests feed the parser through it too.
fn parser_input<S>(chunks: S, limit: usize, pending: Arc<AtomicUsize>) -> BoxStream<Result<bytes::Bytes, Stop>>
where
    S: futures_core::Stream<Item = Result<bytes::Bytes, Stop>> + Send + 'static,
{
    whole_lines(capped(chunks, limit, pending))
}

/// `slices` as one item per line, line ending included. The event parser
/// reads its buffer from the start at every item, and copies what follows
/// each line it takes: fed a long line in many slices, or many lines in
/// one, it would read the same bytes again and again. Fed whole lines, it
/// reads each once, and [`WholeLines`] looks at each byte once.
fn whole_lines(slices: BoxStream<Result<bytes::Bytes, Stop>>) -> BoxStream<Result<bytes::Bytes, Stop>> {
    let lines = stream::unfold((slices, WholeLines::default(), false), |(mut slices, mut split, ended)| async move {
        if ended {
            return None;
        }
        let items: Vec<Result<bytes::Bytes, Stop>> = match slices.next().await {
            Some(Ok(slice)) => split.push(&slice).into_iter().map(Ok).collect(),
            Some(Err(stop)) => {
                return Some((stream::iter(vec![Err(stop)]), (slices, split, true)));
            }
            // The end: what is held is a last line without its ending.
            None => {
                let rest = split.finish();
                return Some((stream::iter(rest.into_iter().map(Ok).collect::<Vec<_>>()), (slices, split, true)));
            }
        };
        Some((stream::iter(items), (slices, split, false)))
    });
    Box::pin(lines.flatten())
}

/// Splits bytes into lines as the event stream format ends them: `\n`,
/// `\r\n` or `\r`.
#[derive(Debug, Default)]
struct WholeLines {
    /// The start of a line not yet ended.
    held: Vec<u8>,
    #[cfg(test)]
    looked_at: usize,
}

impl WholeLines {
    /// The lines `slice` completes. A `\r` at its very end waits for the
    /// next byte, which may make it `\r\n`.
    fn push(&mut self, slice: &[u8]) -> Vec<bytes::Bytes> {
        let mut lines = Vec::new();
        let mut start = 0;
        // A `\r` held from the last slice ended its line unless `\n` follows.
        if self.held.last() == Some(&b'\r') && !slice.is_empty() {
            if slice[0] == b'\n' {
                start = 1;
                self.held.push(b'\n');
            }
            lines.push(bytes::Bytes::from(std::mem::take(&mut self.held)));
        }
        #[cfg(test)]
        {
            self.looked_at += slice.len() - start;
        }
        let mut i = start;
        while i < slice.len() {
            let end = match slice[i] {
                b'\n' => i + 1,
                b'\r' if i + 1 == slice.len() => break,
                b'\r' if slice[i + 1] == b'\n' => i + 2,
                b'\r' => i + 1,
                _ => {
                    i += 1;
                    continue;
                }
            };
            let line = if self.held.is_empty() {
                bytes::Bytes::copy_from_slice(&slice[start..end])
            } else {
                self.held.extend_from_slice(&slice[start..end]);
                bytes::Bytes::from(std::mem::take(&mut self.held))
            };
            lines.push(line);
            start = end;
            i = end;
        }
        self.held.extend_from_slice(&slice[start..]);
        lines
    }

    /// What is held at the end of the body.
    fn finish(&mut self) -> Option<bytes::Bytes> {
        (!self.held.is_empty()).then(|| bytes::Bytes::from(std::mem::take(&mut self.held)))
    }
}

/// `chunks` in slices of at most [`SLICE`] bytes, ending with
/// [`Stop::TooLarge`] once more than `limit` bytes are `pending` (which the
/// reader of events resets at each one).
fn capped<S>(chunks: S, limit: usize, pending: Arc<AtomicUsize>) -> BoxStream<Result<bytes::Bytes, Stop>>
where
    S: futures_core::Stream<Item = Result<bytes::Bytes, Stop>> + Send + 'static,
{
    let slices = chunks.flat_map(|chunk| {
        let pieces: Vec<Result<bytes::Bytes, Stop>> = match chunk {
            Ok(chunk) => (0..chunk.len()).step_by(SLICE).map(|at| Ok(chunk.slice(at..chunk.len().min(at + SLICE)))).collect(),
            Err(stop) => vec![Err(stop)],
        };
        stream::iter(pieces)
    });
    let mut over = false;
    Box::pin(slices.map(move |slice| {
        let slice = slice?;
        if over || pending.fetch_add(slice.len(), Ordering::Relaxed) + slice.len() > limit {
            over = true;
            return Err(Stop::TooLarge);
        }
        Ok(slice)
    }))
}

impl<T> State<T> {
    fn item(&self, ev: eventsource_stream::Event) -> Result<Event<T>, Error> {
        match (self.parse)(&ev.data) {
            Ok(data) => Ok(Event {
                event: ev.event,
                id: (!ev.id.is_empty()).then_some(ev.id),
                data,
            }),
            Err(e) => Err(self.decode_error(ev.data.into_bytes(), BodyError::Json(e))),
        }
    }

    fn decode_error(&self, body: Vec<u8>, source: BodyError) -> Error {
        let (status, headers) = match &self.conn {
            Some(c) => (c.status, c.headers.clone()),
            None => (StatusCode::OK, HeaderMap::new()),
        };
        Error::Decode(Box::new(DecodeError {
            operation: self.req.op.id,
            status,
            headers,
            body: body.into(),
            source,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The events of `chunks`, fed as one connection would feed them, with
    /// what stopped them, if anything.
    async fn parse(chunks: &[&[u8]], limit: usize) -> (Vec<(String, String, String)>, Option<&'static str>) {
        let pending = Arc::new(AtomicUsize::new(0));
        let owned: Vec<Result<bytes::Bytes, Stop>> = chunks.iter().map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
        let slices = parser_input(stream::iter(owned), limit, pending.clone());
        let mut events = EventStream::new(slices);
        let mut out = Vec::new();
        while let Some(ev) = events.next().await {
            match ev {
                Ok(ev) => {
                    pending.store(0, Ordering::Relaxed);
                    out.push((ev.event, ev.id, ev.data));
                }
                Err(EventStreamError::Transport(Stop::TooLarge)) => return (out, Some("too large")),
                Err(e) => panic!("{e:?}"),
            }
        }
        (out, None)
    }

    fn ev(event: &str, id: &str, data: &str) -> (String, String, String) {
        (event.to_owned(), id.to_owned(), data.to_owned())
    }

    #[tokio::test]
    async fn fields_comments_and_line_endings_split_anywhere() {
        let stream = ": hi\nretry: 2500\nid: 1\nevent: output\ndata: a\ndata:b\r\n\r\ndata\rid: 2\r\rdata: x: y\n\nid: 3\nevent: nothing\n\nevent: e\ndata: z\n\n";
        // A byte at a time, to split every line and CRLF.
        let bytes: Vec<&[u8]> = stream.as_bytes().chunks(1).collect();
        let (events, stop) = parse(&bytes, 1 << 20).await;
        // An empty `data:` is an event; a block without data is not, but
        // its id counts.
        assert_eq!(events, [ev("output", "1", "a\nb"), ev("message", "2", ""), ev("message", "2", "x: y"), ev("e", "3", "z")]);
        assert_eq!(stop, None);
    }

    /// However the bytes are sliced, each is looked at once, and the lines
    /// handed on are the lines of the stream.
    #[test]
    fn lines_are_whole_and_each_byte_is_looked_at_once() {
        let text = "data: a\r\ndata: b\rdata: c\n\r\n: x\r\r";
        for size in [1, 2, 3, 5, 100] {
            let mut split = WholeLines::default();
            let mut lines: Vec<bytes::Bytes> = Vec::new();
            for piece in text.as_bytes().chunks(size) {
                lines.extend(split.push(piece));
            }
            lines.extend(split.finish());
            let lines: Vec<&str> = lines.iter().map(|l| std::str::from_utf8(l).unwrap()).collect();
            assert_eq!(lines, ["data: a\r\n", "data: b\r", "data: c\n", "\r\n", ": x\r", "\r"], "slices of {size}");
        }
        let mut split = WholeLines::default();
        let chunk = [b'7'; 1024];
        split.push(b"data: ");
        for _ in 0..4096 {
            assert!(split.push(&chunk).is_empty());
        }
        assert_eq!(split.push(b"\n\n").len(), 2);
        assert_eq!(split.looked_at, 6 + 4096 * 1024 + 2);
    }

    /// One event of 4 MiB in 1 KiB slices comes out whole. (That it comes
    /// out in linear time is what the count above shows for the
    /// splitter the parser is fed through.)
    #[tokio::test]
    async fn a_long_line_in_small_slices_is_one_event() {
        let mut chunks: Vec<Vec<u8>> = vec![b"data: ".to_vec()];
        chunks.extend(std::iter::repeat_n(vec![b'7'; 1024], 4096));
        chunks.push(b"\n\n".to_vec());
        let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let (events, stop) = parse(&refs, 8 << 20).await;
        assert_eq!((events.len(), events[0].2.len(), stop), (1, 4096 * 1024, None));
    }

    #[tokio::test]
    async fn the_cap_is_on_what_comes_between_two_events() {
        // Many small events in one chunk, far more than the cap in all.
        let many = "data: 0123456789\ndata: 0123456789\n\n".repeat(10_000);
        let (events, stop) = parse(&[many.as_bytes()], SLICE * 2).await;
        assert_eq!((events.len(), stop), (10_000, None));
        // One event of many lines.
        let big = format!("{}\n", "data: 0123456789\n".repeat(10_000));
        let (events, stop) = parse(&[big.as_bytes()], SLICE * 2).await;
        assert_eq!((events.len(), stop), (0, Some("too large")));
        // One line that never ends, in small chunks.
        let line = "data: 0123456789".repeat(100);
        let chunks: Vec<&[u8]> = std::iter::repeat_n(line.as_bytes(), 100).collect();
        let (_, stop) = parse(&chunks, SLICE * 2).await;
        assert_eq!(stop, Some("too large"));
    }
}
