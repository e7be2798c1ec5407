//! Reading a document: bytes to a JSON value, with positions in errors.

use std::path::Path;

use serde_json::Value;

use crate::error::Error;

/// Which syntax a document is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Json,
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

/// Reads a file into a JSON value. `name` is how errors name the file.
pub fn read(path: &Path, name: &str) -> Result<Value, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&bytes, Syntax::detect(path, &String::from_utf8_lossy(&bytes[..bytes.len().min(64)])), name)
}

/// Parses text as JSON or YAML into a JSON value.
pub fn parse(bytes: &[u8], syntax: Syntax, name: &str) -> Result<Value, Error> {
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
        Syntax::Yaml => serde_yaml::from_str::<Value>(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            Error::Syntax {
                file: name.to_owned(),
                line,
                column,
                message: format!("invalid YAML: {e}"),
            }
        })?,
    };
    if !value.is_object() {
        return Err(Error::invalid(name, "", "the document is not an object"));
    }
    Ok(value)
}

fn position_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
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
    fn empty_and_scalar_documents_are_refused() {
        assert!(parse(b"  \n", Syntax::Yaml, "e.yaml").unwrap_err().to_string().contains("empty"));
        assert!(parse(b"42", Syntax::Json, "n.json").unwrap_err().to_string().contains("not an object"));
        assert!(parse(b"{\"a\": \xff}", Syntax::Json, "b.json").unwrap_err().to_string().contains("UTF-8"));
    }
}
