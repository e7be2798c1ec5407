//! From a raw JSON value to the typed OpenAPI 3.0 model, losing nothing:
//! what openapiv3 would drop (custom operation keys such as `query`) is
//! read from the raw document beside it.
//!
//! Normalizing never names anything Rust will see and never reads the
//! disk: it only rewrites documents into the one shape `lower` reads.

pub mod overlay;
mod refs;
mod repair;
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
    /// The key of its path item (`/models`).
    pub path: String,
    /// The key as written (`query`).
    pub key: String,
    /// The operation, read as openapiv3 reads the standard ones.
    pub operation: openapiv3::Operation,
}

/// A webhook of an OpenAPI 3.1 document: an operation the API sends.
#[derive(Debug)]
pub struct Webhook {
    /// The key under `webhooks` (`prediction.completed`).
    pub name: String,
    /// The method the API sends it with (`post`).
    pub method: String,
    /// What it sends, as an operation.
    pub operation: openapiv3::Operation,
}

/// A document ready for lowering into the IR.
#[derive(Debug)]
pub struct Spec {
    /// The document in openapiv3's model, repaired and with every
    /// reference in the form `lower` reads.
    pub openapi: OpenAPI,
    /// Operations under methods openapiv3 drops (`query`).
    pub extra_operations: Vec<ExtraOperation>,
    /// The 3.1 `webhooks`, which openapiv3's 3.0 model has no room for.
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
    repair::version(&mut raw, diags);
    let version = version(&raw, file)?;
    let has_paths = raw.get("paths").is_some_and(Value::is_object);
    if !has_paths && version != Version::V31 {
        // 3.1 made `paths` optional; before, a document without it is one
        // whose operations are not written yet.
        diags.push("/paths", "the document has no `paths`; it has no operations");
        if let Some(doc) = raw.as_object_mut() {
            doc.insert("paths".into(), Value::Object(serde_json::Map::new()));
        }
    }
    if version == Version::Swagger2 {
        raw = swagger2::convert(raw, diags);
    }
    let webhooks_raw = raw.as_object_mut().and_then(|o| o.remove("webhooks"));
    v31::downlevel(&mut raw, version == Version::V31, diags);
    repair::repair(&mut raw, diags);
    let bundled = raw.get(crate::load::bundle::BUNDLE_KEY).is_some();
    // Before references are resolved: a path item may come from a bundled
    // file, which resolving drops.
    inline_path_items(&mut raw);
    refs::resolve(&mut raw, file, diags)?;
    if bundled {
        // What came from other files was not in the document when it was
        // repaired.
        repair::repair(&mut raw, diags);
    }
    check_deep_schemas(&mut raw, diags);
    let openapi = deserialize(&mut raw, file, diags)?;
    let raw = &raw;
    let extra_operations = extra_operations(raw, diags);
    let webhooks = webhooks(webhooks_raw, diags);
    Ok(Spec {
        openapi,
        extra_operations,
        webhooks,
    })
}

/// How many broken parts a document may have before it is refused: each
/// costs a pass over the document.
const MAX_BROKEN_PARTS: usize = 200;

/// The typed model of the document. A part that does not deserialize
/// even after the repairs (a response, parameter, request body,
/// operation, path item or component) is left out with a diagnostic, and
/// the rest is read: one broken operation does not cost the others.
fn deserialize(raw: &mut Value, file: &str, diags: &mut Diagnostics) -> Result<OpenAPI, Error> {
    for _ in 0..=MAX_BROKEN_PARTS {
        let e = match serde_path_to_error::deserialize::<_, OpenAPI>(&*raw) {
            Ok(openapi) => return Ok(openapi),
            Err(e) => e,
        };
        // openapiv3's untagged enums hide where inside them an error is;
        // deserializing the parts one by one finds it.
        let Some(broken) = narrow(raw) else {
            return Err(Error::invalid(file, to_pointer(e.path()), e.into_inner().to_string()));
        };
        let replacement = match broken.kind {
            Part::Response => Some(serde_json::json!({ "description": "" })),
            Part::Schema => Some(Value::Object(serde_json::Map::new())),
            Part::Other => None,
        };
        let what = match broken.kind {
            Part::Response => "the response is read as one without a body",
            Part::Schema => "the schema takes any value",
            Part::Other => "it is left out",
        };
        diags.push(broken.pointer.clone(), format!("{}; {what}", broken.message));
        if !pointer::replace(raw, &broken.part, replacement) {
            return Err(Error::invalid(file, broken.pointer, broken.message));
        }
    }
    let e = serde_path_to_error::deserialize::<_, OpenAPI>(&*raw).expect_err("the loop returns on success");
    Err(Error::invalid(file, to_pointer(e.path()), format!("more than {MAX_BROKEN_PARTS} parts of the document are broken; the first left: {}", e.into_inner())))
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
/// A failing one takes any value instead, with a diagnostic.
fn check_deep_schemas(raw: &mut Value, diags: &mut Diagnostics) {
    fn roots<'v>(v: &'v Value, ptr: &str, out: &mut Vec<(String, &'v Value)>) {
        match v {
            Value::Object(m) if !m.get("$ref").is_some_and(Value::is_string) => {
                for (k, child) in m {
                    if refs::DATA_KEYS.contains(&k.as_str()) || k.starts_with("x-") {
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
    /// The levels of schemas inside `v`, once those deep enough are
    /// checked; the pointers of those that fail, with why.
    fn height(v: &Value, ptr: &str, broken: &mut Vec<(String, String)>) -> usize {
        let Some(m) = v.as_object().filter(|m| !m.get("$ref").is_some_and(Value::is_string)) else { return 0 };
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
        let before = broken.len();
        for (cptr, c) in children {
            if c.is_object() {
                h = h.max(1 + height(c, &cptr, broken));
            }
        }
        // Once an inner schema failed, this one is checked after it is
        // replaced, by the document's own pass.
        if h >= DEEP_SCHEMA && broken.len() == before {
            if let Err(e) = serde_path_to_error::deserialize::<_, openapiv3::ReferenceOr<openapiv3::Schema>>(v) {
                broken.push((ptr.to_owned(), format!("{}{}: {}", ptr, to_pointer(e.path()), e.into_inner())));
            }
        }
        h
    }
    let mut found = Vec::new();
    roots(raw, "", &mut found);
    let mut broken = Vec::new();
    for (ptr, schema) in found {
        height(schema, &ptr, &mut broken);
    }
    for (ptr, why) in broken {
        diags.push(ptr.clone(), format!("the schema does not deserialize ({why}); it takes any value"));
        pointer::replace(raw, &ptr, Some(Value::Object(serde_json::Map::new())));
    }
}

/// Path items given as a `$ref` (to `#/components/pathItems/...` in 3.1,
/// or to another path) replaced by what they name, which openapiv3 does
/// not resolve; sibling keys of the `$ref` (a summary) override the
/// target's. One that resolves to nothing stays a reference, which
/// `lower` reports.
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

/// The operations under 3.1's `webhooks`, downlevelled like the rest;
/// one that does not deserialize is left out with a diagnostic.
fn webhooks(raw: Option<Value>, diags: &mut Diagnostics) -> Vec<Webhook> {
    let mut out = Vec::new();
    let Some(Value::Object(hooks)) = raw else { return out };
    for (name, mut item) in hooks {
        let ptr = pointer::join("/webhooks", &name);
        v31::downlevel(&mut item, false, diags);
        let Value::Object(item) = item else { continue };
        for (method, op) in item {
            if !op.is_object() || method.starts_with("x-") || PATH_ITEM_FIELDS.contains(&method.as_str()) {
                continue;
            }
            let operation = match serde_path_to_error::deserialize(&op) {
                Ok(operation) => operation,
                Err(e) => {
                    let pointer = format!("{}{}", pointer::join(&ptr, &method), to_pointer(e.path()));
                    diags.push(pointer, format!("{}; the webhook is left out", e.into_inner()));
                    continue;
                }
            };
            out.push(Webhook {
                name: name.clone(),
                method,
                operation,
            });
        }
    }
    out
}

/// Operation keys of path items that openapiv3 silently drops; one that
/// does not deserialize is left out with a diagnostic.
fn extra_operations(raw: &Value, diags: &mut Diagnostics) -> Vec<ExtraOperation> {
    let mut out = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return out;
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
            let operation = match serde_path_to_error::deserialize(value) {
                Ok(operation) => operation,
                Err(e) => {
                    diags.push(format!("{ptr}{}", to_pointer(e.path())), format!("{}; the operation is left out", e.into_inner()));
                    continue;
                }
            };
            out.push(ExtraOperation {
                path: path.clone(),
                key: key.clone(),
                operation,
            });
        }
    }
    out
}

/// What kind of part of a document failed, for what replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Replaced by a response without a body.
    Response,
    /// Replaced by a schema that takes anything.
    Schema,
    /// Left out.
    Other,
}

/// A part of the document that does not deserialize.
#[derive(Debug)]
struct Broken {
    /// Where the part is.
    part: String,
    kind: Part,
    /// Where inside it the error is.
    pointer: String,
    message: String,
}

/// The first part of the document that does not deserialize, deepest
/// first: schemas of media types and parameters, responses, parameters,
/// request bodies, operations, path items, components.
fn narrow(raw: &Value) -> Option<Broken> {
    use openapiv3 as o;
    fn at<T: serde::de::DeserializeOwned>(v: &Value, ptr: &str, kind: Part) -> Option<Broken> {
        if v.get("$ref").is_some() {
            return None;
        }
        serde_path_to_error::deserialize::<_, T>(v).err().map(|e| Broken {
            part: ptr.to_owned(),
            kind,
            pointer: format!("{ptr}{}", to_pointer(e.path())),
            message: e.into_inner().to_string(),
        })
    }
    fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
        v.and_then(Value::as_object).into_iter().flatten()
    }
    /// The schemas of a parameter, response or request body, and of their
    /// media types and headers.
    fn schemas(v: &Value, ptr: &str) -> Option<Broken> {
        if let Some(s) = v.get("schema") {
            if let Some(found) = at::<o::ReferenceOr<o::Schema>>(s, &pointer::join(ptr, "schema"), Part::Schema) {
                return Some(found);
            }
        }
        for key in ["content", "headers"] {
            for (name, inner) in entries(v.get(key)) {
                let p = pointer::join(&pointer::join(ptr, key), name);
                if let Some(found) = schemas(inner, &p) {
                    return Some(found);
                }
            }
        }
        None
    }
    fn parameters(v: &Value, ptr: &str) -> Option<Broken> {
        let params = v.get("parameters").and_then(Value::as_array)?;
        params.iter().enumerate().find_map(|(i, p)| {
            let pp = format!("{ptr}/parameters/{i}");
            schemas(p, &pp).or_else(|| at::<o::ReferenceOr<o::Parameter>>(p, &pp, Part::Other))
        })
    }
    for (path, item) in entries(raw.get("paths")) {
        let item_ptr = pointer::join("/paths", path);
        if let Some(found) = parameters(item, &item_ptr) {
            return Some(found);
        }
        for (key, op) in entries(Some(item)) {
            if !STANDARD_METHODS.contains(&key.as_str()) {
                continue;
            }
            let op_ptr = pointer::join(&item_ptr, key);
            for (code, r) in entries(op.get("responses")) {
                let rp = pointer::join(&format!("{op_ptr}/responses"), code);
                if let Some(found) = schemas(r, &rp).or_else(|| at::<o::Response>(r, &rp, Part::Response)) {
                    return Some(found);
                }
            }
            if let Some(found) = parameters(op, &op_ptr) {
                return Some(found);
            }
            if let Some(body) = op.get("requestBody") {
                let bp = format!("{op_ptr}/requestBody");
                if let Some(found) = schemas(body, &bp).or_else(|| at::<o::RequestBody>(body, &bp, Part::Other)) {
                    return Some(found);
                }
            }
            if let Some(found) = at::<o::Operation>(op, &op_ptr, Part::Other) {
                return Some(found);
            }
        }
        if let Some(found) = at::<o::PathItem>(item, &item_ptr, Part::Other) {
            return Some(found);
        }
    }
    let components = raw.get("components");
    for (kind, ptr) in [
        ("schemas", "/components/schemas"),
        ("responses", "/components/responses"),
        ("parameters", "/components/parameters"),
        ("requestBodies", "/components/requestBodies"),
        ("headers", "/components/headers"),
        ("securitySchemes", "/components/securitySchemes"),
    ] {
        for (key, v) in entries(components.and_then(|c| c.get(kind))) {
            let p = pointer::join(ptr, key);
            let found = match kind {
                "schemas" => at::<o::Schema>(v, &p, Part::Schema),
                "responses" => schemas(v, &p).or_else(|| at::<o::Response>(v, &p, Part::Response)),
                "parameters" => schemas(v, &p).or_else(|| at::<o::Parameter>(v, &p, Part::Other)),
                "requestBodies" => schemas(v, &p).or_else(|| at::<o::RequestBody>(v, &p, Part::Other)),
                "headers" => schemas(v, &p).or_else(|| at::<o::Header>(v, &p, Part::Other)),
                _ => at::<o::SecurityScheme>(v, &p, Part::Other),
            };
            if found.is_some() {
                return found;
            }
        }
    }
    // Anything else of the document (`info`, `servers`, `tags`, ...) with
    // a default to take.
    for key in ["servers", "tags", "security", "externalDocs"] {
        if let Some(v) = raw.get(key) {
            let broken = match key {
                "servers" => at::<Vec<o::Server>>(v, "/servers", Part::Other),
                "tags" => at::<Vec<o::Tag>>(v, "/tags", Part::Other),
                "security" => at::<Vec<o::SecurityRequirement>>(v, "/security", Part::Other),
                _ => at::<o::ExternalDocumentation>(v, "/externalDocs", Part::Other),
            };
            if broken.is_some() {
                return broken;
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

    fn lenient(v: Value) -> (Spec, Vec<String>) {
        let mut d = Diagnostics::default();
        let spec = normalize(v, "t.json", &mut d).expect("read leniently");
        (spec, d.into_vec().into_iter().map(|d| format!("{}: {}", d.pointer, d.message)).collect())
    }

    #[test]
    fn versions() {
        assert!(run(json!({"swagger":"1.2","paths":{}})).unwrap_err().contains("t.json#/swagger"));
        assert!(run(json!({"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{}})).is_ok());
        assert!(run(json!({"openapi":"3.1.0","info":{"title":"t","version":"1"}})).is_ok());
        assert!(run(json!({"openapi":"4.0.0","paths":{}})).unwrap_err().contains("4.0.0"));
        assert!(run(json!({"paths":{}})).unwrap_err().contains("not an OpenAPI document"));
        let (_, d) = lenient(json!({"openapi":"3.0.3","info":{"title":"t","version":"1"}}));
        assert_eq!(d, ["/paths: the document has no `paths`; it has no operations"]);
    }

    #[test]
    fn deep_invalid_schemas_fail_fast_and_take_any_value() {
        // openapiv3 alone takes twice as long per level: days for 40.
        let mut schema = json!({"externalDocs": 1});
        for _ in 0..40 {
            schema = json!({"type": "array", "items": schema});
        }
        let (spec, d) = lenient(json!({"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
            "components":{"schemas":{"D": schema, "E": {"type": "string"}}}}));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].starts_with("/components/schemas/D/items/items/"), "{d:?}");
        assert!(d[0].ends_with("it takes any value"), "{d:?}");
        assert_eq!(spec.openapi.components.unwrap().schemas.len(), 2);
    }

    #[test]
    fn a_broken_part_is_left_out_with_its_pointer() {
        let (spec, d) = lenient(json!({"openapi":"3.0.3","info":{"title":"t","version":"1"},
            "paths":{"/a":{"get":{"responses":{"200":{"description":"ok", "links": {"l": {"operationId": 5}}}}},
                           "post":{"externalDocs": 3, "responses":{}}},
                     "/b":{"get":{"responses":{"200":{"description":"ok"}}}}}}));
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("/paths/~1a/get/responses/200/links/l"), "{d:?}");
        assert!(d[0].ends_with("the response is read as one without a body"), "{d:?}");
        assert!(d[1].starts_with("/paths/~1a/post/externalDocs"), "{d:?}");
        let paths = &spec.openapi.paths.paths;
        assert_eq!(paths.len(), 2);
        let openapiv3::ReferenceOr::Item(a) = &paths["/a"] else { panic!("an item") };
        assert!(a.get.is_some() && a.post.is_none());
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
