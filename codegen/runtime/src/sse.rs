//! Server-sent events: a `text/event-stream` response as a stream of typed
//! events, resumed with `Last-Event-ID` when the connection drops.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::{stream, StreamExt};

use crate::client::Client;
use crate::error::{BodyError, DecodeError, Error};
use crate::pages::BoxStream;
use crate::request::Request;

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The `event:` field; `message` when the server sent none.
    pub event: String,
    /// The `id:` field, if any.
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

struct State<T> {
    client: Client,
    req: Request,
    parse: ParseData<T>,
    events: Option<BoxStream<Result<eventsource_stream::Event, String>>>,
    last_id: Option<String>,
    retry: Duration,
    reconnects: u32,
    done: bool,
}

/// Sends `req` and streams its events. A connection that drops mid-stream
/// is resumed (up to five times in a row) with the last event id seen in
/// `Last-Event-ID`, after the server's `retry:` delay; a stream the server
/// ends cleanly is not resumed.
pub fn events<T: Send + 'static>(client: Client, req: Request, parse: ParseData<T>) -> BoxStream<Result<Event<T>, Error>> {
    let state = State {
        client,
        req,
        parse,
        events: None,
        last_id: None,
        retry: DEFAULT_RETRY,
        reconnects: 0,
        done: false,
    };
    Box::pin(stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            if st.events.is_none() {
                let mut req = st.req.clone();
                if let Some(id) = &st.last_id {
                    req.header("Last-Event-ID", id.as_str());
                }
                let resp = match st.client.send_streaming(&req).await {
                    Ok(resp) => resp,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                };
                if !resp.status().is_success() {
                    let op = req.op.id;
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let body = resp.bytes().await.unwrap_or_default();
                    let raw = crate::response::RawResponse::new(op, status, headers, body);
                    st.done = true;
                    return Some((raw.error(), st));
                }
                let bytes = resp.bytes_stream().eventsource().map(|r| r.map_err(|e| e.to_string()));
                st.events = Some(Box::pin(bytes));
            }
            let next = st.events.as_mut().expect("connected above").next().await;
            match next {
                None => return None,
                Some(Ok(ev)) => {
                    st.reconnects = 0;
                    if let Some(retry) = ev.retry {
                        st.retry = retry;
                    }
                    if !ev.id.is_empty() {
                        st.last_id = Some(ev.id.clone());
                    }
                    let item = match (st.parse)(&ev.data) {
                        Ok(data) => Ok(Event {
                            event: if ev.event.is_empty() { "message".to_owned() } else { ev.event },
                            id: (!ev.id.is_empty()).then_some(ev.id),
                            data,
                        }),
                        Err(e) => Err(Error::Decode(Box::new(DecodeError {
                            operation: st.req.op.id,
                            status: reqwest::StatusCode::OK,
                            headers: Default::default(),
                            body: ev.data.into(),
                            source: BodyError::Json(e),
                        }))),
                    };
                    return Some((item, st));
                }
                Some(Err(_dropped)) => {
                    st.events = None;
                    st.reconnects += 1;
                    if st.reconnects > MAX_RECONNECTS {
                        st.done = true;
                        return Some((
                            Err(Error::invalid(st.req.op.id, "the event stream dropped and could not be resumed")),
                            st,
                        ));
                    }
                    tracing::debug!(reconnect = st.reconnects, "event stream dropped; resuming");
                    tokio::time::sleep(st.retry).await;
                }
            }
        }
    }))
}
