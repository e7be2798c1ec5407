//! From a raw JSON value to the typed OpenAPI 3.0 model, losing nothing:
//! what openapiv3 would drop (custom operation keys such as `query`) is
//! read from the raw document beside it.

pub mod overlay;
mod swagger2;
mod v31;

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::diag::Diagnostics;
use crate::pointer;
use crate::error::Error;

/// The keys a path item may have besides operations (OpenAPI 3.0 §4.7.9).
const PATH_ITEM_FIELDS: &[&str] = &["$ref", "summary", "description", "servers", "parameters"];
/// The methods openapiv3's `PathItem` carries.
pub const STANDARD_METHODS: &[&str] =
    &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// An operation under a key openapiv3 does not know, e.g. `query`.
#[derive(Debug)]
pub struct ExtraOperation {
    pub path: String,
    /// The key as written (`query`).
    pub key: String,
    pub operation: openapiv3::Operation,
}

/// A webhook of an OpenAPI 3.1 document: an operation the API sends.
#[derive(Debug)]
pub struct Webhook {
    pub name: String,
    pub method: String,
    pub operation: openapiv3::Operation,
}

/// A document ready for lowering into the IR.
#[derive(Debug)]
pub struct Spec {
    pub openapi: OpenAPI,
    pub extra_operations: Vec<ExtraOperation>,
    pub webhooks: Vec<Webhook>,
}

/// The versions a document may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Swagger2,
    V30,
    V31,
}

fn version(raw: &Value, file: &str) -> Result<Version, Error> {
    match (raw.get("openapi"), raw.get("swagger")) {
        (Some(Value::String(v)), _) if v.starts_with("3.0") => Ok(Version::V30),
        (Some(Value::String(v)), _) if v.starts_with("3.1") => Ok(Version::V31),
        (Some(Value::String(v)), _) => Err(Error::invalid(
            file,
            "/openapi",
            format!("OpenAPI version {v} is not supported (2.0, 3.0.x and 3.1.x are)"),
        )),
        (Some(_), _) => Err(Error::invalid(file, "/openapi", "`openapi` must be a string")),
        (None, Some(Value::String(v))) if v == "2.0" => Ok(Version::Swagger2),
        (None, Some(v)) => Err(Error::invalid(
            file,
            "/swagger",
            format!("Swagger {} is not supported (2.0 is)", v.as_str().unwrap_or("?")),
        )),
        (None, None) => Err(Error::invalid(
            file,
            "",
            "neither `openapi` nor `swagger` is set: this is not an OpenAPI document",
        )),
    }
}

/// Checks the version, brings 2.0 and 3.1 documents to the shape of 3.0,
/// and deserializes the document. Pointers in later diagnostics are into
/// that 3.0 shape.
pub fn normalize(mut raw: Value, file: &str, diags: &mut Diagnostics) -> Result<Spec, Error> {
    let version = version(&raw, file)?;
    let has_paths = raw.get("paths").is_some_and(Value::is_object);
    if !has_paths && version != Version::V31 {
        return Err(Error::invalid(file, "/paths", "the document has no `paths` object"));
    }
    if version == Version::Swagger2 {
        raw = swagger2::convert(raw, diags);
    }
    let webhooks_raw = raw.as_object_mut().and_then(|o| o.remove("webhooks"));
    v31::downlevel(&mut raw, version == Version::V31, diags);
    crate::load::refs::check(&raw, file)?;
    check_deep_schemas(&raw, file)?;
    inline_path_items(&mut raw);
    let raw = &raw;
    let openapi: OpenAPI = serde_path_to_error::deserialize(raw).map_err(|e| {
        // openapiv3's untagged enums hide where inside them an error is;
        // deserializing the parts one by one finds it.
        let (pointer, message) = narrow(raw)
            .unwrap_or_else(|| (to_pointer(e.path()), e.into_inner().to_string()));
        Error::invalid(file, pointer, message)
    })?;
    let extra_operations = extra_operations(raw, file, diags)?;
    let webhooks = webhooks(webhooks_raw, file, diags)?;
    Ok(Spec {
        openapi,
        extra_operations,
        webhooks,
    })
}

/// Schemas with at least this many levels of schemas inside them are
/// deserialized on their own before the document is.
const DEEP_SCHEMA: usize = 8;

/// openapiv3 deserializes a `ReferenceOr` that fails a second time, to word
/// its error, so an invalid schema nested n levels deep costs 2^n attempts:
/// 20 levels take seconds, 30 hours. Deep schemas are deserialized here
/// first, innermost first: the first one that fails has no deep invalid
/// schema inside it, so it fails in bounded time, and is reported at its
/// own pointer (openapiv3's error does not say where inside it).
/// Shallow schemas are left to the document, at no extra cost. The schemas
/// are those of `components/schemas` and every `schema` member, outside
/// examples, extensions and references (whose siblings openapiv3 ignores).
fn check_deep_schemas(raw: &Value, file: &str) -> Result<(), Error> {
    fn roots<'v>(v: &'v Value, ptr: &str, out: &mut Vec<(String, &'v Value)>) {
        match v {
            Value::Object(m) if !m.get("$ref").is_some_and(Value::is_string) => {
                for (k, child) in m {
                    if crate::load::refs::DATA_KEYS.contains(&k.as_str()) || k.starts_with("x-") {
                        continue;
                    }
                    let p = pointer::join(ptr, k);
                    match (ptr, k.as_str(), child) {
                        ("/components", "schemas", Value::Object(schemas)) => {
                            out.extend(schemas.iter().map(|(name, s)| (pointer::join(&p, name), s)));
                        }
                        (_, "schema", Value::Object(_)) => out.push((p, child)),
                        _ => roots(child, &p, out),
                    }
                }
            }
            Value::Array(items) => items.iter().enumerate().for_each(|(i, c)| roots(c, &format!("{ptr}/{i}"), out)),
            _ => {}
        }
    }
    /// The levels of schemas inside `v`, once those deep enough are checked.
    fn height(v: &Value, ptr: &str, file: &str) -> Result<usize, Error> {
        let Some(m) = v.as_object().filter(|m| !m.get("$ref").is_some_and(Value::is_string)) else { return Ok(0) };
        let mut children: Vec<(String, &Value)> = Vec::new();
        for key in ["items", "not", "additionalProperties"] {
            if let Some(c) = m.get(key) {
                children.push((pointer::join(ptr, key), c));
            }
        }
        if let Some(Value::Object(props)) = m.get("properties") {
            let pptr = pointer::join(ptr, "properties");
            children.extend(props.iter().map(|(k, c)| (pointer::join(&pptr, k), c)));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = m.get(key) {
                let kptr = pointer::join(ptr, key);
                children.extend(parts.iter().enumerate().map(|(i, c)| (format!("{kptr}/{i}"), c)));
            }
        }
        let mut h = 0;
        for (cptr, c) in children {
            if c.is_object() {
                h = h.max(1 + height(c, &cptr, file)?);
            }
        }
        if h >= DEEP_SCHEMA {
            serde_path_to_error::deserialize::<_, openapiv3::ReferenceOr<openapiv3::Schema>>(v).map_err(|e| {
                Error::invalid(file, format!("{ptr}{}", to_pointer(e.path())), e.into_inner().to_string())
            })?;
        }
        Ok(h)
    }
    let mut found = Vec::new();
    roots(raw, "", &mut found);
    for (ptr, schema) in found {
        height(schema, &ptr, file)?;
    }
    Ok(())
}

/// Path items given as a `$ref` (to `#/components/pathItems/...` in 3.1,
/// or to another path) replaced by what they name, which openapiv3 does
/// not resolve. References were checked before: each resolves, without a
/// cycle; sibling keys of the `$ref` (a summary) override the target's.
fn inline_path_items(raw: &mut Value) {
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else { return };
    let mut resolved = Vec::new();
    for (path, item) in paths {
        let mut current = item;
        let mut siblings = serde_json::Map::new();
        // Chains of references are short; the bound only guards a cycle
        // that the check above would already have refused.
        for _ in 0..32 {
            let Some(target) = current.get("$ref").and_then(Value::as_str) else { break };
            if let Some(obj) = current.as_object() {
                for (k, v) in obj.iter().filter(|(k, _)| *k != "$ref") {
                    siblings.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            let Some(next) = target.strip_prefix('#').and_then(|p| raw.pointer(p)) else { break };
            current = next;
        }
        if !std::ptr::eq(current, item) {
            let mut value = current.clone();
            if let Value::Object(obj) = &mut value {
                obj.extend(siblings);
            }
            resolved.push((path.clone(), value));
        }
    }
    if let Some(paths) = raw.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, value) in resolved {
            paths.insert(path, value);
        }
    }
}

/// The operations under 3.1's `webhooks`, downlevelled like the rest.
fn webhooks(raw: Option<Value>, file: &str, diags: &mut Diagnostics) -> Result<Vec<Webhook>, Error> {
    let mut out = Vec::new();
    let Some(Value::Object(hooks)) = raw else { return Ok(out) };
    for (name, mut item) in hooks {
        let ptr = pointer::join("/webhooks", &name);
        v31::downlevel(&mut item, false, diags);
        let Value::Object(item) = item else { continue };
        for (method, op) in item {
            if !op.is_object() || method.starts_with("x-") || PATH_ITEM_FIELDS.contains(&method.as_str()) {
                continue;
            }
            let operation = serde_path_to_error::deserialize(&op).map_err(|e| {
                let pointer = format!("{}{}", pointer::join(&ptr, &method), to_pointer(e.path()));
                Error::invalid(file, pointer, e.into_inner().to_string())
            })?;
            out.push(Webhook {
                name: name.clone(),
                method,
                operation,
            });
        }
    }
    Ok(out)
}

/// Operation keys of path items that openapiv3 silently drops.
fn extra_operations(
    raw: &Value,
    file: &str,
    diags: &mut Diagnostics,
) -> Result<Vec<ExtraOperation>, Error> {
    let mut out = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        let item_ptr = pointer::join("/paths", path);
        for (key, value) in item {
            if key.starts_with("x-")
                || PATH_ITEM_FIELDS.contains(&key.as_str())
                || STANDARD_METHODS.contains(&key.as_str())
            {
                continue;
            }
            let ptr = pointer::join(&item_ptr, key);
            let is_method = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic());
            if !is_method || !value.is_object() {
                diags.push(ptr, format!("unknown path item key `{key}` is ignored"));
                continue;
            }
            let operation = serde_path_to_error::deserialize(value).map_err(|e| {
                let pointer = format!("{ptr}{}", to_pointer(e.path()));
                Error::invalid(file, pointer, e.into_inner().to_string())
            })?;
            out.push(ExtraOperation {
                path: path.clone(),
                key: key.clone(),
                operation,
            });
        }
    }
    Ok(out)
}

/// The first part of the document that does not deserialize, deepest
/// first: responses, parameters, request bodies, operations, path items,
/// components.
fn narrow(raw: &Value) -> Option<(String, String)> {
    use openapiv3 as o;
    fn at<T: serde::de::DeserializeOwned>(v: &Value, ptr: &str) -> Option<(String, String)> {
        if v.get("$ref").is_some() {
            return None;
        }
        serde_path_to_error::deserialize::<_, T>(v)
            .err()
            .map(|e| (format!("{ptr}{}", to_pointer(e.path())), e.into_inner().to_string()))
    }
    fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
        v.and_then(Value::as_object).into_iter().flatten()
    }
    for (path, item) in entries(raw.get("paths")) {
        let item_ptr = pointer::join("/paths", path);
        for (key, op) in entries(Some(item)) {
            if !STANDARD_METHODS.contains(&key.as_str()) {
                continue;
            }
            let op_ptr = pointer::join(&item_ptr, key);
            for (code, r) in entries(op.get("responses")) {
                if let Some(found) = at::<o::Response>(r, &pointer::join(&format!("{op_ptr}/responses"), code)) {
                    return Some(found);
                }
            }
            if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                for (i, p) in params.iter().enumerate() {
                    if let Some(found) = at::<o::Parameter>(p, &format!("{op_ptr}/parameters/{i}")) {
                        return Some(found);
                    }
                }
            }
            if let Some(body) = op.get("requestBody") {
                if let Some(found) = at::<o::RequestBody>(body, &format!("{op_ptr}/requestBody")) {
                    return Some(found);
                }
            }
            if let Some(found) = at::<o::Operation>(op, &op_ptr) {
                return Some(found);
            }
        }
        if let Some(found) = at::<o::PathItem>(item, &item_ptr) {
            return Some(found);
        }
    }
    let components = raw.get("components");
    for (kind, ptr) in [
        ("schemas", "/components/schemas"),
        ("responses", "/components/responses"),
        ("parameters", "/components/parameters"),
        ("requestBodies", "/components/requestBodies"),
        ("securitySchemes", "/components/securitySchemes"),
    ] {
        for (key, v) in entries(components.and_then(|c| c.get(kind))) {
            let p = pointer::join(ptr, key);
            let found = match kind {
                "schemas" => at::<o::Schema>(v, &p),
                "responses" => at::<o::Response>(v, &p),
                "parameters" => at::<o::Parameter>(v, &p),
                "requestBodies" => at::<o::RequestBody>(v, &p),
                _ => at::<o::SecurityScheme>(v, &p),
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

fn to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", pointer::escape(key))),
            Segment::Enum { variant } => out.push_str(&format!("/{}", pointer::escape(variant))),
            Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: Value) -> Result<Spec, String> {
        normalize(v, "t.json", &mut Diagnostics::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn versions() {
        assert!(run(json!({"swagger":"1.2","paths":{}})).unwrap_err().contains("t.json#/swagger"));
        assert!(run(json!({"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{}})).is_ok());
        assert!(run(json!({"openapi":"3.1.0","info":{"title":"t","version":"1"}})).is_ok());
        assert!(run(json!({"openapi":"4.0.0","paths":{}})).unwrap_err().contains("4.0.0"));
        assert!(run(json!({"paths":{}})).unwrap_err().contains("not an OpenAPI document"));
        assert!(run(json!({"openapi":"3.0.3","info":{"title":"t","version":"1"}}))
            .unwrap_err()
            .contains("no `paths`"));
    }

    #[test]
    fn deep_invalid_schemas_fail_fast() {
        // openapiv3 alone takes twice as long per level: days for 40.
        let mut schema = json!({"required": [1]});
        for _ in 0..40 {
            schema = json!({"type": "array", "items": schema});
        }
        let e = run(json!({"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
            "components":{"schemas":{"D": schema}}}))
        .unwrap_err();
        assert!(e.starts_with("t.json#/components/schemas/D/items/items/"), "{e}");
        assert!(e.ends_with("invalid type: integer `1`, expected a string"), "{e}");
    }

    #[test]
    fn structural_errors_have_pointers() {
        let e = run(json!({"openapi":"3.0.3","info":{"title":"t","version":"1"},
            "paths":{"/a":{"get":{"responses":{"200":{"description":5}}}}}}))
        .unwrap_err();
        assert!(e.starts_with("t.json#/paths/~1a/get/responses/200"), "{e}");
    }

    #[test]
    fn custom_methods_are_kept() {
        let mut d = Diagnostics::default();
        let s = normalize(
            json!({"openapi":"3.0.3","info":{"title":"t","version":"1"},
            "paths":{"/m":{"query":{"operationId":"m.search","responses":{"200":{"description":"ok"}}},
                            "x-ext":1, "bogus": 3}}}),
            "t.json",
            &mut d,
        )
        .unwrap();
        assert_eq!(s.extra_operations.len(), 1);
        assert_eq!(s.extra_operations[0].key, "query");
        let d = d.into_vec();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pointer, "/paths/~1m/bogus");
    }
}
