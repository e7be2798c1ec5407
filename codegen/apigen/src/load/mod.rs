//! Reading a document: bytes to a JSON value, with positions in errors,
//! and the files it refers to bundled into it. Loading never interprets
//! OpenAPI: what the value means is `normalize`'s.

pub mod bundle;

use std::path::Path;

use serde_json::Value;

use crate::error::Error;

/// Which syntax a document is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// JSON: a `.json` file, or text that starts with `{`.
    Json,
    /// YAML: a `.yaml` or `.yml` file, or any other text.
    Yaml,
}

impl Syntax {
    /// By extension; otherwise JSON when the text starts like JSON.
    pub fn detect(path: &Path, text: &str) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Syntax::Json,
            Some("yaml" | "yml") => Syntax::Yaml,
            _ if text.trim_start().starts_with('{') => Syntax::Json,
            _ => Syntax::Yaml,
        }
    }
}

/// How much a document may cost to read: an untrusted one cannot take the
/// memory of the machine that generates from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file read, in bytes.
    pub max_bytes: u64,
    /// The most JSON values a YAML file may expand to through its aliases,
    /// per byte of the file (with 100,000 values allowed for any file):
    /// without aliases a file cannot hold more values than bytes.
    pub max_values_per_byte: usize,
}

/// The default largest file: 128 MiB, many times the largest real specs.
pub const DEFAULT_MAX_BYTES: u64 = 128 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: DEFAULT_MAX_BYTES, max_values_per_byte: 10 }
    }
}

/// Reads a document into a JSON value, with the local files it refers to
/// bundled into it (see [`bundle`]). `name` is how errors name the file.
pub fn read(path: &Path, name: &str) -> Result<Value, Error> {
    read_with(path, name, &Limits::default())
}

/// [`read`] within `limits`.
pub fn read_with(path: &Path, name: &str, limits: &Limits) -> Result<Value, Error> {
    let mut doc = read_any_with(path, name, limits)?;
    bundle::bundle(&mut doc, path, limits)?;
    Ok(doc)
}

/// Reads a file into a JSON value, as it is (an overlay, a part of a
/// document).
pub fn read_any(path: &Path, name: &str) -> Result<Value, Error> {
    read_any_with(path, name, &Limits::default())
}

/// [`read_any`] within `limits`.
pub fn read_any_with(path: &Path, name: &str, limits: &Limits) -> Result<Value, Error> {
    use std::io::Read;
    let io = |source| Error::Io { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // One byte past the limit tells a file that is too large, whatever
    // its metadata says (a pipe, a file still growing).
    file.take(limits.max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Error::invalid(
            name,
            "",
            format!(
                "the file is larger than the limit of {} bytes; raise it with `--max-document-mb` (apigen) or `Options::limits`",
                limits.max_bytes
            ),
        ));
    }
    parse_with(&bytes, Syntax::detect(path, &String::from_utf8_lossy(&bytes[..bytes.len().min(64)])), name, limits)
}

/// Parses text as JSON or YAML into a JSON value.
pub fn parse(bytes: &[u8], syntax: Syntax, name: &str) -> Result<Value, Error> {
    parse_with(bytes, syntax, name, &Limits::default())
}

/// [`parse`] within `limits`.
pub fn parse_with(bytes: &[u8], syntax: Syntax, name: &str, limits: &Limits) -> Result<Value, Error> {
    // A byte order mark is how some editors start a UTF-8 file; neither
    // JSON nor YAML readers here take it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = position_of(bytes, e.valid_up_to());
        Error::Syntax {
            file: name.to_owned(),
            line,
            column,
            message: "the file is not UTF-8".into(),
        }
    })?;
    if text.trim().is_empty() {
        return Err(Error::Syntax {
            file: name.to_owned(),
            line: 1,
            column: 1,
            message: "the file is empty".into(),
        });
    }
    let value = match syntax {
        Syntax::Json => serde_json::from_str::<Value>(text).map_err(|e| Error::Syntax {
            file: name.to_owned(),
            line: e.line(),
            column: e.column().max(1),
            message: format!("invalid JSON: {e}"),
        })?,
        Syntax::Yaml => {
            use serde::de::DeserializeSeed;
            let budget = std::cell::Cell::new(text.len().saturating_mul(limits.max_values_per_byte).saturating_add(100_000));
            let seed = Lenient { budget: &budget, limit: budget.get() };
            let value = seed.deserialize(serde_yaml::Deserializer::from_str(text)).map_err(|e| {
                let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                Error::Syntax {
                    file: name.to_owned(),
                    line,
                    column,
                    message: format!("invalid YAML: {e}"),
                }
            })?;
            value
        }
    };
    if !value.is_object() {
        return Err(Error::invalid(name, "", "the document is not an object"));
    }
    Ok(value)
}

/// A JSON value read from YAML through a visitor of our own, so that what
/// JSON has no room for still loads: integers beyond 64 bits become floats,
/// and keys that YAML reads as numbers or booleans (`200:`) become strings.
/// Each value read takes one from `budget`: aliases (`*a`) repeat what
/// they name, and a small file of many aliases of a large anchor would
/// otherwise expand to billions of values.
#[derive(Clone, Copy)]
struct Lenient<'b> {
    budget: &'b std::cell::Cell<usize>,
    limit: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for Lenient<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.budget.get().checked_sub(1) {
            Some(left) => self.budget.set(left),
            None => {
                return Err(serde::de::Error::custom(format!(
                    "the document expands to more than {} values through its aliases (the limit for its size); it is refused",
                    self.limit
                )))
            }
        }
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Lenient<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::from).unwrap_or_else(|_| float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map(Value::from).unwrap_or_else(|_| float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key_seed(self)? {
            let key = match k {
                Value::String(s) => s,
                Value::Null => "null".to_owned(),
                other => other.to_string(),
            };
            let v = map.next_value_seed(self)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn position_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    /// A flat "billion laughs": one anchor of many values, many aliases
    /// of it. Refused after a bounded number of values, with a message
    /// that says why; a document with a few aliases still loads.
    #[test]
    fn aliases_cannot_expand_a_document_without_bound() {
        let anchor: String = (0..2_000).map(|i| format!("{i},")).collect();
        let aliases: String = (0..3_000).map(|i| format!("  a{i}: *x\n")).collect();
        let text = format!("openapi: 3.0.3\nx-big: &x [{anchor}]\nx-copies:\n{aliases}");
        let err = parse(text.as_bytes(), Syntax::Yaml, "laughs.yaml").unwrap_err().to_string();
        assert!(err.contains("expands to more than") && err.contains("laughs.yaml"), "{err}");
        let fine = "openapi: 3.0.3\nx-a: &a {type: string}\nx-b: *a\nx-c: *a\n";
        assert_eq!(parse(fine.as_bytes(), Syntax::Yaml, "fine.yaml").unwrap()["x-c"]["type"], "string");
    }

    #[test]
    fn a_file_larger_than_the_limit_is_refused_unread() {
        let dir = std::env::temp_dir().join(format!("apigen-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.json");
        std::fs::write(&path, format!("{{\"openapi\": \"3.0.3\", \"x\": \"{}\"}}", "a".repeat(2_000))).unwrap();
        let small = Limits { max_bytes: 1_000, ..Limits::default() };
        let err = read_with(&path, "big.json", &small).unwrap_err().to_string();
        assert!(err.contains("larger than the limit of 1000 bytes") && err.contains("--max-document-mb"), "{err}");
        assert!(read_with(&path, "big.json", &Limits::default()).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_byte_order_mark_is_read_past() {
        let v = super::parse(b"\xEF\xBB\xBF{\"openapi\": \"3.0.0\"}", super::Syntax::Json, "t.json").unwrap();
        assert_eq!(v["openapi"], "3.0.0");
    }

    use super::*;

    #[test]
    fn json_errors_have_positions() {
        let e = parse(b"{\n  \"a\": tru\n}", Syntax::Json, "x.json").unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("x.json:3:1:"), "{s}");
    }

    #[test]
    fn yaml_errors_have_positions() {
        let e = parse(b"a: 1\nb: [\n", Syntax::Yaml, "x.yaml").unwrap_err();
        assert!(e.to_string().starts_with("x.yaml:"), "{e}");
    }

    #[test]
    fn yaml_numbers_and_keys_that_json_lacks() {
        let v = parse(b"min: -9223372036854776000\n200: ok\ntrue: yes\n", Syntax::Yaml, "x.yaml").unwrap();
        assert_eq!(v["min"].as_f64(), Some(-9223372036854776000.0));
        assert_eq!(v["200"], "ok");
        assert_eq!(v["true"], "yes");
    }

    #[test]
    fn empty_and_scalar_documents_are_refused() {
        assert!(parse(b"  \n", Syntax::Yaml, "e.yaml").unwrap_err().to_string().contains("empty"));
        assert!(parse(b"42", Syntax::Json, "n.json").unwrap_err().to_string().contains("not an object"));
        assert!(parse(b"{\"a\": \xff}", Syntax::Json, "b.json").unwrap_err().to_string().contains("UTF-8"));
    }
}
