#![forbid(unsafe_code)]
#![warn(missing_docs)]

//! The runtime of every client crate that apigen generates.
//!
//! Generated code describes each operation (its path, parameters, body and
//! response types) and hands a [`Request`] to [`Client::send`]; everything
//! that is the same for every operation lives here, written once: encoding,
//! credentials, sending, decoding and errors.

mod auth;
mod body;
mod client;
mod encode;
#[doc(hidden)]
pub mod enums;
mod error;
mod lines;
pub mod number;
pub mod object;
mod pages;
mod request;
mod response;
mod retry;
mod sse;
#[doc(hidden)]
pub mod tagged;

pub use auth::{ApiKeyLocation, Credentials, Secret};
pub use body::{form_pairs, File, Multipart, MultipartForm};
pub use client::{
    env_var, redirect_policy, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PAGES, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use retry::RetryPolicy;
pub use encode::{header_value, path_segment, AsJson, ParamValue};
pub use error::{ApiError, BodyError, DecodeError, Error, ProblemDetails};
pub use request::{Body, Operation, Request, RequestOptions, WithOptions};
pub use lines::json_lines;
pub use pages::{items, pages, BoxStream, Decode, FindNext, Items, Next, Pages, PAGES_REMEMBERED};
pub use response::{is_json, RawResponse, Response, Untyped};
pub use sse::{events, text, Event, ParseData};

pub use futures_core::Stream;
pub use futures_util::{StreamExt, TryStreamExt};

pub use bytes::Bytes;
pub use reqwest;
#[doc(hidden)]
pub use serde;

/// A boxed future, `Send` and `'static`, for code that stores or returns
/// futures of different types as one.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// Sends a request and decodes its response with `decode`: what every
/// generated `send_with_response` does, and, through
/// [`SendingWithResponse::body`], every `send`.
pub fn send_with_response<T>(client: Client, request: Request, decode: Decode<T>) -> SendingWithResponse<T> {
    SendingWithResponse::new(client, request, decode)
}

/// A request being sent, then its response decoded: what an operation's
/// `send_with_response` returns.
///
/// The sending is one future, compiled once in this crate; per body type
/// only this type's small `poll` is, and only where it is awaited. A boxed
/// future around it would compile that `poll` for every operation of a
/// client crate, used or not, and cost a second allocation per request.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct SendingWithResponse<T> {
    sending: BoxFuture<Result<RawResponse, Error>>,
    decode: Decode<T>,
}

impl<T> SendingWithResponse<T> {
    fn new(client: Client, request: Request, decode: Decode<T>) -> Self {
        SendingWithResponse { sending: send_raw(client, request), decode }
    }

    /// The body alone, without the status and headers.
    pub fn body(self) -> Sending<T> {
        Sending(self)
    }
}

// Not generic, so that the future inside is compiled once, not per `T`.
fn send_raw(client: Client, request: Request) -> BoxFuture<Result<RawResponse, Error>> {
    Box::pin(async move { client.send(request).await })
}

impl<T> std::future::Future for SendingWithResponse<T> {
    type Output = Result<Response<T>, Error>;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        self.sending.as_mut().poll(cx).map(|raw| (self.decode)(raw?))
    }
}

impl<T> std::fmt::Debug for SendingWithResponse<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendingWithResponse").finish_non_exhaustive()
    }
}

/// [`SendingWithResponse`], the body alone: what an operation's `send`
/// returns, and what awaiting its builder awaits.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sending<T>(SendingWithResponse<T>);

impl<T> std::future::Future for Sending<T> {
    type Output = Result<T, Error>;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|r| r.map(Response::into_body))
    }
}

impl<T> std::fmt::Debug for Sending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sending").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `tokio::spawn` and storing the futures in a struct need: the
    /// futures are both whatever their body type, since they hold no body
    /// until they return it; `Items` holds a page's items.
    fn spawnable<F: Send + Unpin + 'static>() {}

    #[test]
    fn the_futures_and_streams_can_be_spawned_and_moved() {
        type NotSend = std::rc::Rc<()>;
        spawnable::<Sending<NotSend>>();
        spawnable::<SendingWithResponse<NotSend>>();
        spawnable::<Pages<NotSend>>();
        spawnable::<Items<NotSend, String>>();
    }
}
