//! Newline-delimited JSON (`application/x-ndjson`, `application/jsonl`,
//! `application/json-seq`): a response read as it arrives, one typed value
//! per line.

use futures_util::stream;
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
    body: Option<reqwest::Response>,
    buf: Vec<u8>,
    done: bool,
}

/// Sends `req` and streams its response body one JSON value per line.
/// A line that does not decode is an [`Error::Decode`] carrying the line,
/// and the stream goes on; a line longer than the client's body cap is
/// [`Error::TooLarge`], and the stream ends (the stream as a whole has no
/// size limit).
///
/// The client's timeout bounds the wait for the response head only; after
/// that, the stream lasts as long as the server sends. A connection that
/// drops, or that brings nothing within the client's stream idle timeout,
/// ends the stream with [`Error::StreamCut`]: it is never sent again.
pub fn json_lines<T: DeserializeOwned + Send + 'static>(client: Client, req: Request) -> BoxStream<Result<T, Error>> {
    let state = State { client, req, body: None, buf: Vec::new(), done: false };
    Box::pin(stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            let limit = st.client.body_limit();
            match next_line(&mut st.buf, limit) {
                Ok(Some(line)) => {
                    if let Some(item) = decode::<T>(st.req.op.id, &line) {
                        return Some((item, st));
                    }
                    continue;
                }
                Ok(None) => {}
                Err(TooLong) => {
                    st.done = true;
                    return Some((Err(Error::TooLarge { operation: st.req.op.id, limit }), st));
                }
            }
            let Some(body) = st.body.as_mut() else {
                match st.client.open_success_stream(&st.req).await {
                    Ok(resp) => st.body = Some(resp),
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                }
                continue;
            };
            match st.client.next_chunk(body).await {
                Ok(Some(chunk)) => st.buf.extend_from_slice(&chunk),
                Ok(None) => {
                    // The last line may lack its newline.
                    st.done = true;
                    let rest = std::mem::take(&mut st.buf);
                    return decode::<T>(st.req.op.id, &rest).map(|item| (item, st));
                }
                Err(cut) => {
                    st.done = true;
                    return Some((Err(cut.into_error(st.req.op.id, 0)), st));
                }
            }
        }
    }))
}

/// A line longer than the limit.
#[derive(Debug, PartialEq)]
struct TooLong;

/// Takes the first complete line out of `buf`; an error when it, or the
/// line not yet ended, is longer than `limit`.
fn next_line(buf: &mut Vec<u8>, limit: usize) -> Result<Option<Vec<u8>>, TooLong> {
    let Some(end) = buf.iter().position(|&b| b == b'\n') else {
        return if buf.len() > limit { Err(TooLong) } else { Ok(None) };
    };
    if end > limit {
        return Err(TooLong);
    }
    let mut line: Vec<u8> = buf.drain(..=end).collect();
    line.pop();
    Ok(Some(line))
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
        assert_eq!(next_line(&mut buf, 100).unwrap().unwrap(), b"{\"a\":1}\r");
        assert_eq!(next_line(&mut buf, 100).unwrap().unwrap(), b"");
        let third = next_line(&mut buf, 100).unwrap().unwrap();
        assert_eq!(trim(&third), b"{\"a\":2}");
        assert!(next_line(&mut buf, 100).unwrap().is_none());
        assert_eq!(buf, b"{\"a\"");
    }

    #[test]
    fn one_line_is_capped_not_the_buffer() {
        // Many short lines at once are fine.
        let mut buf = b"[1]\n".repeat(100);
        for _ in 0..100 {
            assert_eq!(next_line(&mut buf, 8).unwrap().unwrap(), b"[1]");
        }
        // A long line that came whole, newline and all, in one chunk.
        let mut buf = b"[1]\n[1,2,3,4,5,6]\n[2]\n".to_vec();
        assert!(next_line(&mut buf, 8).is_ok());
        assert_eq!(next_line(&mut buf, 8), Err(TooLong));
        // A long line not yet ended.
        let mut buf = b"[1,2,3,4,5".to_vec();
        assert_eq!(next_line(&mut buf, 8), Err(TooLong));
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
