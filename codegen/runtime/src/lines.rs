//! Newline-delimited JSON (`application/x-ndjson`, `application/jsonl`,
//! `application/json-seq`): a response read as it arrives, one typed value
//! per line.

use futures_util::{stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{BodyError, DecodeError, Error};
use crate::pages::BoxStream;
use crate::request::Request;

/// The record separator that starts each value of `application/json-seq`
/// (RFC 7464); elsewhere it is only whitespace between values.
const RS: u8 = 0x1e;

struct State {
    client: Client,
    req: Request,
    body: Option<BoxStream<Result<bytes::Bytes, reqwest::Error>>>,
    buf: Vec<u8>,
    done: bool,
}

/// Sends `req` and streams its response body one JSON value per line.
/// A line that does not decode is an [`Error::Decode`] carrying the line,
/// and the stream goes on; a line longer than the client's body cap is
/// [`Error::TooLarge`], and the stream ends.
pub fn json_lines<T: DeserializeOwned + Send + 'static>(client: Client, req: Request) -> BoxStream<Result<T, Error>> {
    let state = State { client, req, body: None, buf: Vec::new(), done: false };
    Box::pin(stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            if let Some(line) = next_line(&mut st.buf) {
                if let Some(item) = decode::<T>(st.req.op.id, &line) {
                    return Some((item, st));
                }
                continue;
            }
            if st.body.is_none() {
                let resp = match st.client.send_streaming(&st.req).await {
                    Ok(resp) => resp,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                };
                if !resp.status().is_success() {
                    let (status, headers) = (resp.status(), resp.headers().clone());
                    let body = resp.bytes().await.unwrap_or_default();
                    st.done = true;
                    return Some((crate::response::RawResponse::new(st.req.op.id, status, headers, body).error(), st));
                }
                st.body = Some(Box::pin(resp.bytes_stream()));
                continue;
            }
            match st.body.as_mut().expect("connected above").next().await {
                Some(Ok(chunk)) => {
                    st.buf.extend_from_slice(&chunk);
                    let limit = st.client.body_limit();
                    if st.buf.len() > limit && !st.buf.contains(&b'\n') {
                        st.done = true;
                        return Some((Err(Error::TooLarge { operation: st.req.op.id, limit }), st));
                    }
                }
                Some(Err(source)) => {
                    st.done = true;
                    let operation = st.req.op.id;
                    return Some((Err(Error::Transport { operation, source: source.without_url(), attempts: 1 }), st));
                }
                None => {
                    // The last line may lack its newline.
                    st.done = true;
                    let rest = std::mem::take(&mut st.buf);
                    return decode::<T>(st.req.op.id, &rest).map(|item| (item, st));
                }
            }
        }
    }))
}

/// Takes the first complete line out of `buf`.
fn next_line(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let end = buf.iter().position(|&b| b == b'\n')?;
    let mut line: Vec<u8> = buf.drain(..=end).collect();
    line.pop();
    Some(line)
}

/// A line's value; `None` for a blank line.
fn decode<T: DeserializeOwned>(operation: &'static str, line: &[u8]) -> Option<Result<T, Error>> {
    let trimmed = trim(line);
    if trimmed.is_empty() {
        return None;
    }
    Some(serde_json::from_slice(trimmed).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            operation,
            status: reqwest::StatusCode::OK,
            headers: Default::default(),
            body: bytes::Bytes::copy_from_slice(line),
            source: BodyError::Json(e),
        }))
    }))
}

fn trim(line: &[u8]) -> &[u8] {
    let blank = |b: &u8| b.is_ascii_whitespace() || *b == RS;
    let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !blank(b)).map_or(start, |i| i + 1);
    &line[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_and_trimmed() {
        let mut buf = b"{\"a\":1}\r\n\n\x1e{\"a\":2}\n{\"a\"".to_vec();
        assert_eq!(next_line(&mut buf).unwrap(), b"{\"a\":1}\r");
        assert_eq!(next_line(&mut buf).unwrap(), b"");
        let third = next_line(&mut buf).unwrap();
        assert_eq!(trim(&third), b"{\"a\":2}");
        assert!(next_line(&mut buf).is_none());
        assert_eq!(buf, b"{\"a\"");
    }

    #[test]
    fn blank_lines_are_skipped_and_bad_lines_are_errors_with_the_line() {
        assert!(decode::<serde_json::Value>("op", b" \r").is_none());
        let v: serde_json::Value = decode("op", b"{\"a\":1}\r").unwrap().unwrap();
        assert_eq!(v["a"], 1);
        match decode::<serde_json::Value>("op", b"{nope") {
            Some(Err(Error::Decode(d))) => assert_eq!(&d.body[..], b"{nope"),
            other => panic!("{other:?}"),
        }
    }
}
