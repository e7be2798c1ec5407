//! Every `$ref` of a document checked before anything is built from it:
//! external references, references to nothing, and cycles of references
//! that never reach a definition are errors with the pointer of the
//! reference.

use std::collections::HashSet;

use serde_json::Value;

use crate::pointer;
use crate::error::Error;

/// Keys whose values are data: a `$ref` inside them is not a reference.
pub(crate) const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const", "x-examples"];

/// Checks the references of `doc`; `file` names it in errors.
pub fn check(doc: &Value, file: &str) -> Result<(), Error> {
    let mut sites = Vec::new();
    collect(doc, &mut Vec::new(), &mut sites);
    // A large document refers to the same few hundred targets thousands
    // of times: each is checked once, for the first site that names it.
    let mut checked: HashSet<&str> = HashSet::new();
    for (site, target) in sites {
        if !checked.insert(target) {
            continue;
        }
        let site = || pointer(&site);
        resolve(doc, target).ok_or_else(|| match target.strip_prefix('#') {
            None => Error::invalid(
                file,
                site(),
                format!("external reference `{target}` is not supported: bundle the document into one file first"),
            ),
            Some(_) => Error::invalid(file, site(), format!("reference `{target}` points to nothing in the document")),
        })?;
        // A reference to a reference to ... must end at a definition.
        let mut seen = HashSet::new();
        let mut current = target;
        while let Some(Value::Object(obj)) = resolve(doc, current) {
            if !seen.insert(current) {
                return Err(Error::invalid(
                    file,
                    site(),
                    format!("reference `{target}` is part of a cycle of references that never reaches a definition"),
                ));
            }
            match obj.get("$ref").and_then(Value::as_str) {
                Some(next) => current = next,
                None => break,
            }
        }
    }
    Ok(())
}

/// The node an internal reference points to.
pub fn resolve<'a>(doc: &'a Value, target: &str) -> Option<&'a Value> {
    pointer::resolve(doc, target)
}

/// A step from a node to one inside it.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The JSON pointer of a path, built only for a reference in an error.
fn pointer(path: &[Step<'_>]) -> String {
    path.iter().fold(String::new(), |p, step| match step {
        Step::Key(k) => pointer::join(&p, k),
        Step::Index(i) => format!("{p}/{i}"),
    })
}

type Site<'a> = (Vec<Step<'a>>, &'a str);

fn collect<'a>(v: &'a Value, path: &mut Vec<Step<'a>>, out: &mut Vec<Site<'a>>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(target)) = m.get("$ref") {
                let mut site = path.clone();
                site.push(Step::Key("$ref"));
                out.push((site, target));
            }
            for (k, child) in m {
                if DATA_KEYS.contains(&k.as_str()) || k.starts_with("x-") || k == "$ref" {
                    continue;
                }
                // `properties` and other maps may have a member called
                // `example`: only schema-level data keys are skipped, and a
                // map's members are walked whatever their names.
                if child.is_object() || child.is_array() {
                    path.push(Step::Key(k));
                    collect(child, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.is_object() || child.is_array() {
                    path.push(Step::Index(i));
                    collect(child, path, out);
                    path.pop();
                }
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
