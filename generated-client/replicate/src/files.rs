//! Files in and out: small files as `data:` URL inputs, and downloads of
//! output files.
//!
//! Replicate takes file inputs as HTTP URLs or, for files up to 256 KB, as
//! `data:` URLs that carry the file in the request. [`data_url`] and
//! [`data_url_from_path`] make the latter and refuse larger files, which
//! belong on a server of your own (or any storage that gives an HTTPS URL)
//! and go in as their URL. [`Client::download`] fetches an output file.
//!
//! # Example
//!
//! ```no_run
//! use replicate::files;
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let client = replicate::Client::from_env()?;
//! let image = files::data_url_from_path("cat.png")?; // data:image/png;base64,...
//! let output = client
//!     .run("nightmareai/real-esrgan", serde_json::json!({ "image": image, "scale": 2 }))
//!     .await?;
//! if let Some(url) = output.as_str() {
//!     let bytes = client.download(url).await?;
//!     std::fs::write("cat-2x.png", &bytes)?;
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use apigen_runtime::{Bytes, Operation, Request};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::{Client, Error};

/// The largest file a `data:` URL input may carry: 256 KB (262,144
/// bytes, before base64).
pub const MAX_DATA_URL_BYTES: usize = 256 * 1024;

/// The operation that errors and spans name for a download.
static FILES_DOWNLOAD: Operation = Operation {
    id: "files.download",
    method: "GET",
    path: "{url}",
    // Credentials go only to the API's own origin: a file elsewhere
    // (`replicate.delivery`) gets none.
    secured: true,
};

/// Why a file cannot be made into a `data:` URL.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileError {
    /// The file is larger than [`MAX_DATA_URL_BYTES`].
    #[non_exhaustive]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The largest size a `data:` URL may carry.
        limit: usize,
    },
    /// The file could not be read.
    #[non_exhaustive]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::TooLarge { size, limit } => write!(
                f,
                "the file is {size} bytes, more than the {limit} bytes a data URL may carry; \
                 upload it somewhere it can be fetched over HTTP(S) and pass its HTTP URL as the input instead"
            ),
            FileError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io { source, .. } => Some(source),
            FileError::TooLarge { .. } => None,
        }
    }
}

/// A `data:` URL for `bytes` of the MIME type `mime` (e.g. `image/png`), to
/// pass as a file input. Refuses more than [`MAX_DATA_URL_BYTES`].
///
/// ```
/// let url = replicate::files::data_url(b"hello", "text/plain").unwrap();
/// assert_eq!(url, "data:text/plain;base64,aGVsbG8=");
/// ```
pub fn data_url(bytes: &[u8], mime: &str) -> Result<String, FileError> {
    check_size(bytes.len() as u64)?;
    let mime = if mime.trim().is_empty() { "application/octet-stream" } else { mime.trim() };
    Ok(format!("data:{mime};base64,{}", BASE64.encode(bytes)))
}

/// A `data:` URL for the file at `path`, its MIME type guessed from its
/// extension (`application/octet-stream` when unknown). Refuses files
/// larger than [`MAX_DATA_URL_BYTES`] before reading them.
///
/// ```no_run
/// let url = replicate::files::data_url_from_path("photo.jpg")?; // data:image/jpeg;base64,...
/// # Ok::<(), replicate::files::FileError>(())
/// ```
pub fn data_url_from_path(path: impl AsRef<Path>) -> Result<String, FileError> {
    let path = path.as_ref();
    let io = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    check_size(std::fs::metadata(path).map_err(io)?.len())?;
    let bytes = std::fs::read(path).map_err(io)?;
    data_url(&bytes, mime_type(path).as_ref())
}

/// The MIME type of a file, from its extension.
///
/// ```
/// assert_eq!(replicate::files::mime_type("a/b.png"), "image/png");
/// assert_eq!(replicate::files::mime_type("notes"), "application/octet-stream");
/// ```
pub fn mime_type(path: impl AsRef<Path>) -> String {
    mime_guess::from_path(path).first_or_octet_stream().essence_str().to_owned()
}

fn check_size(size: u64) -> Result<(), FileError> {
    if size > MAX_DATA_URL_BYTES as u64 {
        return Err(FileError::TooLarge {
            size,
            limit: MAX_DATA_URL_BYTES,
        });
    }
    Ok(())
}

/// The bytes of a `data:` URL, base64 or percent-encoded.
fn decode_data_url(url: &str) -> Result<Bytes, String> {
    let rest = &url["data:".len()..];
    let (meta, payload) = rest.split_once(',').ok_or("a data URL without a `,`")?;
    let payload = percent_decode(payload)?;
    if meta.split(';').any(|p| p.trim().eq_ignore_ascii_case("base64")) {
        let text: Vec<u8> = payload.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
        BASE64.decode(text).map(Bytes::from).map_err(|e| format!("a data URL whose base64 is invalid: {e}"))
    } else {
        Ok(Bytes::from(payload))
    }
}

fn percent_decode(s: &str) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or("a data URL with a bad `%` escape")?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

impl Client {
    /// Downloads a file the API handed out (an output URL) with GET and
    /// returns its bytes; a `data:` URL output is decoded without a request.
    /// The client's credentials go with the request only if the URL is on
    /// the client's own origin; the client's body size limit applies.
    ///
    /// ```no_run
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::Error> {
    /// let bytes = client.download("https://replicate.delivery/pbxt/abc/out.png").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn download(&self, url: &str) -> Result<Bytes, Error> {
        let invalid = |message: String| Error::InvalidRequest {
            operation: FILES_DOWNLOAD.id,
            message,
        };
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("data") => return decode_data_url(url).map_err(|m| invalid(m.to_owned())),
            Some("http" | "https") => {}
            _ => return Err(invalid("only http(s) and data URLs can be downloaded".to_owned())),
        }
        let mut req = Request::new(&FILES_DOWNLOAD);
        req.foreign_url(url);
        let raw = self.raw().send(req).await?;
        if raw.status().is_success() {
            Ok(raw.body().clone())
        } else {
            raw.error()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_decode() {
        assert_eq!(decode_data_url("data:text/plain;base64,aGVsbG8=").unwrap(), "hello");
        assert_eq!(decode_data_url("data:,a%20b").unwrap(), "a b");
        assert!(decode_data_url("data:text/plain").is_err());
        assert!(decode_data_url("data:;base64,!!").is_err());
        assert!(decode_data_url("data:,%zz").is_err());
    }

    #[test]
    fn size_limit() {
        assert!(data_url(&vec![0; MAX_DATA_URL_BYTES], "application/octet-stream").is_ok());
        let e = data_url(&vec![0; MAX_DATA_URL_BYTES + 1], "application/octet-stream").unwrap_err();
        assert!(e.to_string().contains("HTTP URL"), "{e}");
    }
}
