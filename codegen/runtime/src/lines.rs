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
    buf: LineBuffer,
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
    let state = State { client, req, body: None, buf: LineBuffer::default(), done: false };
    Box::pin(stream::unfold(state, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            let limit = st.client.body_limit();
            match st.buf.next_line(limit) {
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
                Ok(Some(chunk)) => st.buf.push(&chunk),
                Ok(None) => {
                    // The last line may lack its newline.
                    st.done = true;
                    let rest = st.buf.rest();
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

/// The bytes of a body not yet handed out as lines. Each byte is looked
/// at once: a line that arrives in many chunks is not scanned again for
/// every chunk, and taking a line does not move the bytes after it.
#[derive(Debug, Default)]
struct LineBuffer {
    buf: Vec<u8>,
    /// Where the line not yet taken starts.
    start: usize,
    /// How far `buf` has been searched for a newline.
    scanned: usize,
    /// Bytes searched, over the buffer's life.
    #[cfg(test)]
    looked_at: usize,
}

impl LineBuffer {
    fn push(&mut self, chunk: &[u8]) {
        // What was taken is dropped once it is most of the buffer, so that
        // the buffer stays within twice what is pending, and moving the rest
        // down costs no more than the bytes taken.
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Takes the first complete line, without its `\n`; an error when it,
    /// or the line not yet ended, is longer than `limit`.
    fn next_line(&mut self, limit: usize) -> Result<Option<Vec<u8>>, TooLong> {
        let from = self.scanned.max(self.start);
        let found = self.buf[from..].iter().position(|&b| b == b'\n');
        #[cfg(test)]
        {
            self.looked_at += found.map_or(self.buf.len() - from, |i| i + 1);
        }
        let Some(offset) = found else {
            self.scanned = self.buf.len();
            return if self.buf.len() - self.start > limit { Err(TooLong) } else { Ok(None) };
        };
        let end = from + offset;
        if end - self.start > limit {
            return Err(TooLong);
        }
        let line = self.buf[self.start..end].to_vec();
        self.start = end + 1;
        self.scanned = self.start;
        Ok(Some(line))
    }

    /// What is left: a last line without its newline.
    fn rest(&mut self) -> Vec<u8> {
        let rest = self.buf[self.start..].to_vec();
        *self = LineBuffer::default();
        rest
    }
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

    fn buffer(bytes: &[u8]) -> LineBuffer {
        let mut buf = LineBuffer::default();
        buf.push(bytes);
        buf
    }

    #[test]
    fn lines_are_split_and_trimmed() {
        let mut buf = buffer(b"{\"a\":1}\r\n\n\x1e{\"a\":2}\n{\"a\"");
        assert_eq!(buf.next_line(100).unwrap().unwrap(), b"{\"a\":1}\r");
        assert_eq!(buf.next_line(100).unwrap().unwrap(), b"");
        let third = buf.next_line(100).unwrap().unwrap();
        assert_eq!(trim(&third), b"{\"a\":2}");
        assert!(buf.next_line(100).unwrap().is_none());
        assert_eq!(buf.rest(), b"{\"a\"");
    }

    #[test]
    fn one_line_is_capped_not_the_buffer() {
        // Many short lines at once are fine.
        let mut buf = buffer(&b"[1]\n".repeat(100));
        for _ in 0..100 {
            assert_eq!(buf.next_line(8).unwrap().unwrap(), b"[1]");
        }
        // A long line that came whole, newline and all, in one chunk.
        let mut buf = buffer(b"[1]\n[1,2,3,4,5,6]\n[2]\n");
        assert!(buf.next_line(8).is_ok());
        assert_eq!(buf.next_line(8), Err(TooLong));
        // A long line not yet ended.
        let mut buf = buffer(b"[1,2,3,4,5");
        assert_eq!(buf.next_line(8), Err(TooLong));
    }

    /// A line that comes in many chunks, and many lines in one, cost each
    /// byte one look: the work is linear in the body, whatever its
    /// chunking (a count, not a timing).
    #[test]
    fn each_byte_is_looked_at_once() {
        let mut buf = LineBuffer::default();
        let chunk = [b'7'; 1024];
        for _ in 0..4096 {
            buf.push(&chunk);
            assert_eq!(buf.next_line(usize::MAX), Ok(None));
        }
        buf.push(b"\n");
        assert_eq!(buf.next_line(usize::MAX).unwrap().unwrap().len(), 4096 * 1024);
        assert_eq!(buf.looked_at, 4096 * 1024 + 1);

        let mut buf = LineBuffer::default();
        let lines = b"[1]\n".repeat(1 << 16);
        let mut got = 0;
        for piece in lines.chunks(1000) {
            buf.push(piece);
            while let Some(line) = buf.next_line(usize::MAX).unwrap() {
                assert_eq!(line, b"[1]");
                got += 1;
            }
        }
        assert_eq!(got, 1 << 16);
        assert!(buf.looked_at <= lines.len() + (lines.len() / 1000 + 1), "{} looks at {} bytes", buf.looked_at, lines.len());
        assert!(buf.buf.len() <= 2 * 1000, "the buffer keeps what was taken: {}", buf.buf.len());
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
