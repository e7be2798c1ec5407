//! Every `$ref` of a document checked before anything is built from it:
//! external references, references to nothing, and cycles of references
//! that never reach a definition are errors with the pointer of the
//! reference.

use std::collections::HashSet;

use serde_json::Value;

use crate::diag;
use crate::error::Error;

/// Keys whose values are data: a `$ref` inside them is not a reference.
pub(crate) const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const", "x-examples"];

/// Checks the references of `doc`; `file` names it in errors.
pub fn check(doc: &Value, file: &str) -> Result<(), Error> {
    let mut sites = Vec::new();
    collect(doc, String::new(), &mut sites);
    for (site, target) in &sites {
        resolve(doc, target).ok_or_else(|| match target.strip_prefix('#') {
            None => Error::invalid(
                file,
                site.clone(),
                format!("external reference `{target}` is not supported: bundle the document into one file first"),
            ),
            Some(_) => Error::invalid(file, site.clone(), format!("reference `{target}` points to nothing in the document")),
        })?;
        // A reference to a reference to ... must end at a definition.
        let mut seen = HashSet::new();
        let mut current = target.clone();
        while let Some(Value::Object(obj)) = resolve(doc, &current) {
            if !seen.insert(current.clone()) {
                return Err(Error::invalid(
                    file,
                    site.clone(),
                    format!("reference `{target}` is part of a cycle of references that never reaches a definition"),
                ));
            }
            match obj.get("$ref").and_then(Value::as_str) {
                Some(next) => current = next.to_owned(),
                None => break,
            }
        }
    }
    Ok(())
}

/// The node an internal reference points to.
pub fn resolve<'a>(doc: &'a Value, target: &str) -> Option<&'a Value> {
    let pointer = target.strip_prefix('#')?;
    let decoded = percent_encoding::percent_decode_str(pointer).decode_utf8().ok()?;
    doc.pointer(&decoded)
}

fn collect(v: &Value, ptr: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(target)) = m.get("$ref") {
                out.push((diag::join(&ptr, "$ref"), target.clone()));
            }
            for (k, child) in m {
                if DATA_KEYS.contains(&k.as_str()) || k.starts_with("x-") || k == "$ref" {
                    continue;
                }
                // `properties` and other maps may have a member called
                // `example`: only schema-level data keys are skipped, and a
                // map's members are walked whatever their names.
                collect(child, diag::join(&ptr, k), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect(child, format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: Value) -> Result<(), String> {
        check(&v, "t.json").map_err(|e| e.to_string())
    }

    #[test]
    fn good_references_pass() {
        run(json!({
            "components": {"schemas": {"a~b/c": {"type": "string"}, "L": {"properties": {"next": {"$ref": "#/components/schemas/L"}}}}},
            "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/paths/~1y/get/responses/200"}}}},
                      "/y": {"get": {"responses": {"200": {"description": "ok"}}}}},
            "x": {"$ref": "#/components/schemas/a~0b~1c"},
            "y": {"$ref": "#/components/schemas/a%7E0b~1c"},
            "example": {"$ref": "not a reference"}
        }))
        .unwrap();
    }

    #[test]
    fn missing_external_and_cyclic_references_are_errors() {
        let e = run(json!({"a": {"$ref": "#/components/schemas/Nope"}})).unwrap_err();
        assert_eq!(e, "t.json#/a/$ref: reference `#/components/schemas/Nope` points to nothing in the document");
        let e = run(json!({"a": {"$ref": "other.yaml#/X"}})).unwrap_err();
        assert!(e.contains("external reference `other.yaml#/X`"), "{e}");
        let e = run(json!({"components": {"parameters": {
            "A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}}}}))
        .unwrap_err();
        assert!(e.contains("cycle of references"), "{e}");
        // A schema that refers to itself through a property is fine.
        run(json!({"components": {"schemas": {"T": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/T"}}}}}}))
            .unwrap();
    }
}
