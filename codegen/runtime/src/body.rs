//! Request bodies beyond JSON: form-urlencoded (nested members in bracket
//! notation) and multipart/form-data with files.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::encode::ParamValue;

/// A file to upload, or binary content in a schema (`format: binary`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct File {
    /// The file's content.
    pub bytes: Bytes,
    /// The file name sent in `Content-Disposition`.
    pub file_name: Option<String>,
    /// The part's `Content-Type`; `application/octet-stream` when unset.
    pub content_type: Option<String>,
}

impl File {
    /// A file of these bytes, with no name or content type: as a multipart
    /// part it is named after the part and sent as
    /// `application/octet-stream`.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        File { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// Reads a file from disk, named after it.
    pub fn read(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(File { bytes: bytes.into(), file_name, content_type: None })
    }

    /// Sets the file name sent in `Content-Disposition`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's `Content-Type`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Vec<u8>> for File {
    fn from(v: Vec<u8>) -> Self {
        File::new(v)
    }
}

impl From<Bytes> for File {
    fn from(v: Bytes) -> Self {
        File::new(v)
    }
}

impl From<&'static [u8]> for File {
    fn from(v: &'static [u8]) -> Self {
        File::new(Bytes::from_static(v))
    }
}

/// In JSON, binary content is the text it holds.
impl Serialize for File {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(&self.bytes))
    }
}

impl<'de> Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| File::new(s.into_bytes()))
    }
}

/// A multipart/form-data body under construction.
#[derive(Debug, Default)]
pub struct MultipartForm {
    parts: Vec<(String, Option<String>, Option<String>, Bytes)>,
}

impl MultipartForm {
    /// A text part: the value as it would go in a query string.
    pub fn text(&mut self, name: &str, value: &(impl ParamValue + ?Sized)) -> &mut Self {
        self.parts.push((name.to_owned(), None, None, value.to_param().into()));
        self
    }

    /// A part holding a value of a schema type: strings as they are,
    /// anything else as JSON.
    pub fn value(&mut self, name: &str, value: &impl Serialize) -> &mut Self {
        let text = match serde_json::to_value(value) {
            Ok(Value::String(s)) => s,
            Ok(Value::Null) => return self,
            Ok(other) => other.to_string(),
            Err(_) => return self,
        };
        self.parts.push((name.to_owned(), None, None, text.into()));
        self
    }

    /// A file part.
    pub fn file(&mut self, name: &str, file: &File) -> &mut Self {
        let file_name = Some(file.file_name.clone().unwrap_or_else(|| name.to_owned()));
        let ct = Some(file.content_type.clone().unwrap_or_else(|| "application/octet-stream".into()));
        self.parts.push((name.to_owned(), file_name, ct, file.bytes.clone()));
        self
    }

    /// The body and its content type. The boundary is random and checked
    /// not to occur in any part.
    pub fn encode(&self) -> (String, Bytes) {
        let boundary = loop {
            let b = format!("apigen-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
            if !self.parts.iter().any(|p| contains(&p.3, b.as_bytes())) {
                break b;
            }
        };
        let mut out = Vec::new();
        for (name, file_name, content_type, bytes) in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", quote(name));
            if let Some(f) = file_name {
                disposition.push_str(&format!("; filename=\"{}\"", quote(f)));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(ct) = content_type {
                out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), out.into())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Quotes a name for a `Content-Disposition` parameter (RFC 7578 §4.2:
/// quotes and line breaks percent-encoded).
fn quote(s: &str) -> String {
    s.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

/// A body type that knows its multipart parts; generated for every schema
/// sent as multipart/form-data.
pub trait Multipart {
    /// Adds the body's parts to `form`: one per member with a value, one
    /// per item of an array.
    fn parts(&self, form: &mut MultipartForm);
}

impl Multipart for serde_json::Map<String, Value> {
    fn parts(&self, form: &mut MultipartForm) {
        for (k, v) in self {
            form.value(k, v);
        }
    }
}

/// A value as form-urlencoded pairs: nested objects in brackets
/// (`metadata[key]=v`), arrays with indices (`items[0][price]=p`), the
/// convention of Stripe, Rails and PHP.
pub fn form_pairs(prefix: Option<&str>, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                let key = match prefix {
                    Some(p) => format!("{p}[{k}]"),
                    None => k.clone(),
                };
                form_pairs(Some(&key), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let key = match prefix {
                    Some(p) => format!("{p}[{i}]"),
                    None => i.to_string(),
                };
                form_pairs(Some(&key), v, out);
            }
        }
        scalar => {
            if let Some(p) = prefix {
                out.push((p.to_owned(), scalar.to_param()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_form_pairs() {
        let mut out = Vec::new();
        form_pairs(None, &json!({"amount": 5, "metadata": {"k": "v"}, "items": [{"price": "p"}], "none": null}), &mut out);
        let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("amount", "5"), ("metadata[k]", "v"), ("items[0][price]", "p")]);
    }

    #[test]
    fn multipart_encoding() {
        let mut f = MultipartForm::default();
        f.text("purpose", "fine-tune").file("file", &File::new(&b"{}\n"[..]).file_name("a \"b\".jsonl"));
        let (ct, body) = f.encode();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(
            text,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a %22b%22.jsonl\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n{{}}\n\r\n--{boundary}--\r\n"
            )
        );
    }

    #[test]
    fn files_in_debug_show_no_content() {
        let f = File::new(&b"secret-bytes"[..]);
        assert!(!format!("{f:?}").contains("secret"));
    }
}
