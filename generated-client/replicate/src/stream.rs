//! A prediction's output as it is produced, over server-sent events.
//!
//! A model that streams gives its predictions a `urls.stream` URL; the
//! events there are `output` (a piece of the output, as text), `logs`,
//! `error` and, last, `done`. [`Client::stream_prediction`] turns them into
//! [`StreamEvent`]s; an event name this version does not know is kept as
//! [`StreamEvent::Unknown`]. A connection that drops is resumed with
//! `Last-Event-ID` (so is one cut by the client's request timeout), and the
//! stream ends after `done`.
//!
//! # Example
//!
//! ```no_run
//! use replicate::prelude::*;
//! use replicate::stream::StreamEvent;
//!
//! # async fn example() -> Result<(), replicate::Error> {
//! let client = replicate::Client::from_env()?;
//! let mut events = client
//!     .run("meta/meta-llama-3-8b-instruct", serde_json::json!({ "prompt": "Tell me a story" }))
//!     .stream()
//!     .await?;
//! while let Some(event) = events.next().await {
//!     match event? {
//!         StreamEvent::Output(text) => print!("{text}"),
//!         StreamEvent::Error(message) => eprintln!("error: {message}"),
//!         StreamEvent::Done { reason } => println!("\n(done{})", reason.map(|r| format!(": {r}")).unwrap_or_default()),
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use apigen_runtime::{BoxStream, Operation, Request, StreamExt};

use crate::types::Prediction;
use crate::{Client, Error};

/// The operation that errors and spans name for a stream request.
static PREDICTIONS_STREAM: Operation = Operation {
    id: "predictions.stream",
    method: "GET",
    path: "{urls.stream}",
    // Credentials go only to the API's own origin: a stream URL elsewhere
    // is signed and gets none.
    secured: true,
};

/// The events of a prediction's stream, in order.
pub type PredictionStream = BoxStream<Result<StreamEvent, Error>>;

/// One event of a prediction's stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// `output`: the next piece of the output, as text (for a language
    /// model, the next tokens).
    Output(String),
    /// `logs`: lines the model logged.
    Logs(String),
    /// `error`: what went wrong; `done` follows.
    Error(String),
    /// `done`: the prediction has finished; the stream ends here. The reason
    /// is `None` on success, else e.g. `canceled` or `error`.
    Done {
        /// The `reason` member of the event's data, if any.
        reason: Option<String>,
    },
    /// An event this version does not know, kept as it came.
    Unknown {
        /// The event's name (`message` if it had none).
        event: String,
        /// The event's data lines, joined with `\n`.
        data: String,
    },
}

impl StreamEvent {
    /// The text of an `output` event.
    pub fn as_output(&self) -> Option<&str> {
        match self {
            StreamEvent::Output(text) => Some(text),
            _ => None,
        }
    }

    fn from_event(event: apigen_runtime::Event<String>) -> Self {
        match event.event.as_str() {
            "output" => StreamEvent::Output(event.data),
            "logs" => StreamEvent::Logs(event.data),
            "error" => StreamEvent::Error(event.data),
            "done" => StreamEvent::Done {
                reason: serde_json::from_str::<serde_json::Value>(&event.data)
                    .ok()
                    .and_then(|v| v.get("reason")?.as_str().map(str::to_owned))
                    .filter(|r| !r.is_empty()),
            },
            _ => StreamEvent::Unknown {
                event: event.event,
                data: event.data,
            },
        }
    }
}

impl Client {
    /// Streams a prediction's output from its `urls.stream`. An
    /// [`Error::InvalidRequest`] if it has none (the model does not stream).
    ///
    /// ```no_run
    /// use replicate::prelude::*;
    /// # async fn example(client: replicate::Client, prediction: replicate::types::Prediction) -> Result<(), replicate::Error> {
    /// let mut events = client.stream_prediction(&prediction)?;
    /// while let Some(event) = events.next().await {
    ///     if let Some(text) = event?.as_output() {
    ///         print!("{text}");
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream_prediction(&self, prediction: &Prediction) -> Result<PredictionStream, Error> {
        let url = prediction.urls.as_ref().and_then(|u| u.stream.as_deref());
        match url {
            Some(url) => Ok(self.stream_url(url)),
            None => Err(Error::InvalidRequest {
                operation: PREDICTIONS_STREAM.id,
                message: format!(
                    "prediction {} has no stream URL (`urls.stream`): its model does not stream output",
                    prediction.id.as_deref().unwrap_or("(without id)")
                ),
            }),
        }
    }

    /// Streams the events at a stream URL (a prediction's `urls.stream`).
    /// The client's credentials go with the request only if the URL is on
    /// the client's own origin.
    ///
    /// ```no_run
    /// use replicate::prelude::*;
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::Error> {
    /// let events: Vec<_> = client.stream_url("https://stream.replicate.com/v1/files/abc").try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream_url(&self, url: &str) -> PredictionStream {
        let mut req = Request::new(&PREDICTIONS_STREAM);
        req.foreign_url(url);
        req.header("Accept", "text/event-stream");
        req.header("Cache-Control", "no-store");
        let events = apigen_runtime::events(self.raw().clone(), req, apigen_runtime::text);
        // The stream ends after `done`, even if the server keeps the
        // connection open.
        Box::pin(
            events
                .map(|item| item.map(StreamEvent::from_event))
                .scan(false, |done, item| {
                    if *done {
                        return std::future::ready(None);
                    }
                    *done = matches!(item, Ok(StreamEvent::Done { .. }));
                    std::future::ready(Some(item))
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str) -> StreamEvent {
        StreamEvent::from_event(apigen_runtime::Event {
            event: event.into(),
            id: None,
            data: data.into(),
        })
    }

    #[test]
    fn events_by_name() {
        assert_eq!(ev("output", "hi"), StreamEvent::Output("hi".into()));
        assert_eq!(ev("logs", "l"), StreamEvent::Logs("l".into()));
        assert_eq!(ev("error", "bad"), StreamEvent::Error("bad".into()));
        assert_eq!(ev("done", "{}"), StreamEvent::Done { reason: None });
        assert_eq!(
            ev("done", r#"{"reason":"canceled"}"#),
            StreamEvent::Done {
                reason: Some("canceled".into())
            }
        );
        assert_eq!(ev("done", "not json"), StreamEvent::Done { reason: None });
        assert_eq!(
            ev("message", "x"),
            StreamEvent::Unknown {
                event: "message".into(),
                data: "x".into()
            }
        );
    }
}
