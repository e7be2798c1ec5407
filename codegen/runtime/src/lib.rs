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
    env_var, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use retry::RetryPolicy;
pub use encode::{header_value, path_segment, AsJson, ParamValue};
pub use error::{ApiError, BodyError, DecodeError, Error, ProblemDetails};
pub use request::{Body, Operation, Request, RequestOptions, WithOptions};
pub use lines::json_lines;
pub use pages::{items, pages, BoxStream, Decode, FindNext, Next};
pub use response::{is_json, RawResponse, Response, Untyped};
pub use sse::{events, text, Event, ParseData};

pub use futures_core::Stream;
pub use futures_util::{StreamExt, TryStreamExt};

pub use bytes::Bytes;
pub use reqwest;
#[doc(hidden)]
pub use serde;

/// The future every generated operation builder turns into with `.await`.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// Sends a request and decodes its body: what every generated `send` does.
/// The sending is one future compiled here; what a generated crate
/// compiles per body type is only `Decoding`'s small `poll`.
pub fn send<T: Send + 'static>(client: Client, request: Request, decode: Decode<T>) -> BoxFuture<Result<T, Error>> {
    Box::pin(Decoding { sending: send_raw(client, request), decode }.body())
}

/// As [`send`], keeping the status and headers.
pub fn send_with_response<T: Send + 'static>(
    client: Client,
    request: Request,
    decode: Decode<T>,
) -> BoxFuture<Result<Response<T>, Error>> {
    Box::pin(Decoding { sending: send_raw(client, request), decode })
}

fn send_raw(client: Client, request: Request) -> BoxFuture<Result<RawResponse, Error>> {
    Box::pin(async move { client.send(request).await })
}

/// A request being sent, then its response decoded.
struct Decoding<T> {
    sending: BoxFuture<Result<RawResponse, Error>>,
    decode: Decode<T>,
}

impl<T> Decoding<T> {
    fn body(self) -> DecodingBody<T> {
        DecodingBody(self)
    }
}

impl<T> std::future::Future for Decoding<T> {
    type Output = Result<Response<T>, Error>;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        self.sending.as_mut().poll(cx).map(|raw| (self.decode)(raw?))
    }
}

/// [`Decoding`], the body alone.
struct DecodingBody<T>(Decoding<T>);

impl<T> std::future::Future for DecodingBody<T> {
    type Output = Result<T, Error>;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|r| r.map(Response::into_body))
    }
}
