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

/// Reads a document into a JSON value, with the local files it refers to
/// bundled into it (see [`bundle`]). `name` is how errors name the file.
pub fn read(path: &Path, name: &str) -> Result<Value, Error> {
    let mut doc = read_any(path, name)?;
    bundle::bundle(&mut doc, path)?;
    Ok(doc)
}

/// Reads a file into a JSON value, as it is (an overlay, a part of a
/// document).
pub fn read_any(path: &Path, name: &str) -> Result<Value, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&bytes, Syntax::detect(path, &String::from_utf8_lossy(&bytes[..bytes.len().min(64)])), name)
}

/// Parses text as JSON or YAML into a JSON value.
pub fn parse(bytes: &[u8], syntax: Syntax, name: &str) -> Result<Value, Error> {
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
            let Lenient(value) = serde_yaml::from_str::<Lenient>(text).map_err(|e| {
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
struct Lenient(Value);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
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
        while let Some(Lenient(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(Lenient(k)) = map.next_key()? {
            let key = match k {
                Value::String(s) => s,
                Value::Null => "null".to_owned(),
                other => other.to_string(),
            };
            let Lenient(v) = map.next_value()?;
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
