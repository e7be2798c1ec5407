//! The runtime of every client crate that apigen generates.
//!
//! Generated code describes each operation (its path, parameters, body and
//! response types) and hands a [`Request`] to [`Client::send`]; everything
//! that is the same for every operation lives here, written once: encoding,
//! credentials, sending, decoding and errors.

mod auth;
mod body;
mod client;
pub mod double_option;
mod encode;
#[doc(hidden)]
pub mod enums;
mod error;
mod lines;
mod pages;
mod request;
mod response;
mod retry;
mod sse;
#[doc(hidden)]
pub mod tagged;

pub use auth::{ApiKeyLocation, Credentials, Secret};
pub use body::{form_pairs, File, Multipart, MultipartForm};
pub use client::{env_var, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT};
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
/// Written once here, so that a generated crate compiles one future per
/// body type rather than one per operation.
pub fn send<T: Send + 'static>(client: Client, request: Request, decode: Decode<T>) -> BoxFuture<Result<T, Error>> {
    Box::pin(async move { decode(client.send(request).await?).map(Response::into_body) })
}

/// As [`send`], keeping the status and headers.
pub fn send_with_response<T: Send + 'static>(
    client: Client,
    request: Request,
    decode: Decode<T>,
) -> BoxFuture<Result<Response<T>, Error>> {
    Box::pin(async move { decode(client.send(request).await?) })
}
