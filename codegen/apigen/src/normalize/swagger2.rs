//! Swagger 2.0 to OpenAPI 3.0, on the raw document: `definitions` become
//! component schemas, `in: body` and `formData` parameters a request body
//! per `consumes` type, response schemas a content entry per `produces`
//! type, `host` + `basePath` + `schemes` a server, `securityDefinitions`
//! security schemes. What the IR is built from is then the same for both.

use serde_json::{json, Map, Value};

use crate::diag::Diagnostics;
use crate::pointer;

const DEFAULT_MEDIA: &str = "application/json";
/// Parameter fields that describe its value, and move into its schema.
const VALUE_FIELDS: &[&str] = &[
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf",
];

pub fn convert(doc: Value, diags: &mut Diagnostics) -> Value {
    let Value::Object(mut root) = doc else { return doc };
    let consumes = media_list(root.get("consumes"));
    let produces = media_list(root.get("produces"));
    let global_params = root.remove("parameters").and_then(into_object).unwrap_or_default();
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    if let Some(info) = root.remove("info") {
        out.insert("info".into(), info);
    }
    out.insert("servers".into(), servers(&root));
    for key in ["tags", "externalDocs", "security"] {
        if let Some(v) = root.remove(key) {
            out.insert(key.into(), v);
        }
    }
    for (k, v) in root.iter().filter(|(k, _)| k.starts_with("x-")) {
        out.insert(k.clone(), v.clone());
    }

    let mut components = Map::new();
    if let Some(Value::Object(defs)) = root.remove("definitions") {
        components.insert("schemas".into(), Value::Object(defs));
    }
    let mut params = Map::new();
    for (name, p) in &global_params {
        if !matches!(p.get("in").and_then(Value::as_str), Some("body" | "formData")) {
            params.insert(name.clone(), parameter(p.clone()));
        }
    }
    if !params.is_empty() {
        components.insert("parameters".into(), Value::Object(params));
    }
    if let Some(Value::Object(responses)) = root.remove("responses") {
        let converted = responses.into_iter().map(|(k, r)| (k, response(r, &produces))).collect();
        components.insert("responses".into(), Value::Object(converted));
    }
    if let Some(Value::Object(defs)) = root.remove("securityDefinitions") {
        let mut schemes = Map::new();
        for (name, d) in defs {
            match security_scheme(&d) {
                Some(s) => {
                    schemes.insert(name, s);
                }
                None => diags.push(
                    pointer::join("/securityDefinitions", &name),
                    "security definition of an unknown type is ignored",
                ),
            }
        }
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    out.insert("components".into(), Value::Object(components));

    let mut paths = Map::new();
    if let Some(Value::Object(items)) = root.remove("paths") {
        for (path, item) in items {
            let ptr = pointer::join("/paths", &path);
            paths.insert(path, path_item(item, &global_params, &consumes, &produces, &ptr, diags));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    let mut doc = Value::Object(out);
    rewrite_refs(&mut doc);
    doc
}

fn into_object(v: Value) -> Option<Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

pub(super) fn media_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| m.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn servers(root: &Map<String, Value>) -> Value {
    let base = root.get("basePath").and_then(Value::as_str).unwrap_or("");
    let url = match root.get("host").and_then(Value::as_str) {
        Some(host) => {
            let scheme = root
                .get("schemes")
                .and_then(Value::as_array)
                .and_then(|s| {
                    s.iter().filter_map(Value::as_str).find(|s| *s == "https").or_else(|| s.first()?.as_str())
                })
                .unwrap_or("https");
            format!("{scheme}://{host}{base}")
        }
        None => base.to_owned(),
    };
    if url.is_empty() {
        json!([])
    } else {
        json!([{ "url": url }])
    }
}

/// A non-body parameter: its value fields move into `schema`, its
/// `collectionFormat` becomes `style` and `explode`.
fn parameter(p: Value) -> Value {
    let Value::Object(mut p) = p else { return p };
    if p.contains_key("$ref") {
        return Value::Object(p);
    }
    let mut schema = Map::new();
    for f in VALUE_FIELDS {
        if let Some(v) = p.remove(*f) {
            schema.insert((*f).into(), v);
        }
    }
    if let Some(items) = schema.remove("items") {
        schema.insert("items".into(), items_schema(items));
    }
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".into(), json!("string"));
        schema.insert("format".into(), json!("binary"));
    }
    let location = p.get("in").and_then(Value::as_str).unwrap_or("query").to_owned();
    match p.remove("collectionFormat").as_ref().and_then(Value::as_str) {
        Some("multi") => {
            p.insert("style".into(), json!("form"));
            p.insert("explode".into(), json!(true));
        }
        Some("ssv") => {
            p.insert("style".into(), json!("spaceDelimited"));
            p.insert("explode".into(), json!(false));
        }
        Some("pipes") => {
            p.insert("style".into(), json!("pipeDelimited"));
            p.insert("explode".into(), json!(false));
        }
        _ if schema.get("type").and_then(Value::as_str) == Some("array") => {
            // csv, the 2.0 default.
            let style = if location == "query" || location == "cookie" { "form" } else { "simple" };
            p.insert("style".into(), json!(style));
            p.insert("explode".into(), json!(false));
        }
        _ => {}
    }
    if let Some(n) = p.remove("x-nullable") {
        schema.insert("nullable".into(), n);
    }
    p.remove("allowEmptyValue");
    if schema.is_empty() {
        schema.insert("type".into(), json!("string"));
    }
    p.insert("schema".into(), Value::Object(schema));
    Value::Object(p)
}

/// 2.0 `items` objects are schema-like, with `collectionFormat` too.
fn items_schema(items: Value) -> Value {
    let Value::Object(mut m) = items else { return items };
    m.remove("collectionFormat");
    if let Some(inner) = m.remove("items") {
        m.insert("items".into(), items_schema(inner));
    }
    Value::Object(m)
}

fn response(r: Value, produces: &[String]) -> Value {
    let Value::Object(mut r) = r else { return r };
    if r.contains_key("$ref") {
        return Value::Object(r);
    }
    let schema = r.remove("schema");
    let examples = r.remove("examples");
    if let Some(schema) = schema {
        let media: Vec<String> = if produces.is_empty() { vec![DEFAULT_MEDIA.into()] } else { produces.to_vec() };
        let mut content = Map::new();
        for mt in media {
            let mut entry = Map::new();
            entry.insert("schema".into(), file_schema(schema.clone()));
            if let Some(ex) = examples.as_ref().and_then(|e| e.get(&mt)) {
                entry.insert("example".into(), ex.clone());
            }
            content.insert(mt, Value::Object(entry));
        }
        r.insert("content".into(), Value::Object(content));
    }
    if let Some(Value::Object(headers)) = r.remove("headers") {
        let converted: Map<String, Value> = headers
            .into_iter()
            .map(|(k, h)| {
                let mut h = into_object(h).unwrap_or_default();
                let mut schema = Map::new();
                for f in VALUE_FIELDS {
                    if let Some(v) = h.remove(*f) {
                        schema.insert((*f).into(), v);
                    }
                }
                h.remove("collectionFormat");
                h.insert("schema".into(), Value::Object(schema));
                (k, Value::Object(h))
            })
            .collect();
        r.insert("headers".into(), Value::Object(converted));
    }
    r.entry("description").or_insert_with(|| json!(""));
    Value::Object(r)
}

/// `type: file` in a schema is binary content.
fn file_schema(schema: Value) -> Value {
    match schema {
        Value::Object(mut m) if m.get("type").and_then(Value::as_str) == Some("file") => {
            m.insert("type".into(), json!("string"));
            m.insert("format".into(), json!("binary"));
            Value::Object(m)
        }
        other => other,
    }
}

fn security_scheme(d: &Value) -> Option<Value> {
    let mut out = Map::new();
    if let Some(desc) = d.get("description") {
        out.insert("description".into(), desc.clone());
    }
    match d.get("type")?.as_str()? {
        "basic" => {
            out.insert("type".into(), json!("http"));
            out.insert("scheme".into(), json!("basic"));
        }
        "apiKey" => {
            out.insert("type".into(), json!("apiKey"));
            out.insert("in".into(), d.get("in")?.clone());
            out.insert("name".into(), d.get("name")?.clone());
        }
        "oauth2" => {
            let scopes = d.get("scopes").cloned().unwrap_or_else(|| json!({}));
            let auth = d.get("authorizationUrl").cloned().unwrap_or_else(|| json!(""));
            let token = d.get("tokenUrl").cloned().unwrap_or_else(|| json!(""));
            let flow = match d.get("flow").and_then(Value::as_str) {
                Some("implicit") => json!({"implicit": {"authorizationUrl": auth, "scopes": scopes}}),
                Some("password") => json!({"password": {"tokenUrl": token, "scopes": scopes}}),
                Some("application") => json!({"clientCredentials": {"tokenUrl": token, "scopes": scopes}}),
                _ => json!({"authorizationCode": {"authorizationUrl": auth, "tokenUrl": token, "scopes": scopes}}),
            };
            out.insert("type".into(), json!("oauth2"));
            out.insert("flows".into(), flow);
        }
        _ => return None,
    }
    Some(Value::Object(out))
}

fn resolve_param<'a>(p: &'a Value, globals: &'a Map<String, Value>) -> &'a Value {
    match p.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/parameters/")) {
        Some(name) => globals.get(&*pointer::unescape(name)).unwrap_or(p),
        None => p,
    }
}

fn path_item(
    item: Value,
    globals: &Map<String, Value>,
    consumes: &[String],
    produces: &[String],
    ptr: &str,
    diags: &mut Diagnostics,
) -> Value {
    let Value::Object(mut item) = item else { return item };
    let shared: Vec<Value> = match item.remove("parameters") {
        Some(Value::Array(ps)) => ps,
        _ => Vec::new(),
    };
    let mut out = Map::new();
    for (key, op) in item {
        match op {
            Value::Object(op) if key != "$ref" && !key.starts_with("x-") => {
                let op_ptr = pointer::join(ptr, &key);
                out.insert(key, operation(op, &shared, globals, consumes, produces, &op_ptr, diags));
            }
            other => {
                out.insert(key, other);
            }
        }
    }
    // Shared non-body parameters stay at the path level.
    let shared_plain: Vec<Value> = shared
        .iter()
        .filter(|p| !is_body_like(resolve_param(p, globals)))
        .map(|p| if p.get("$ref").is_some() { p.clone() } else { parameter(p.clone()) })
        .collect();
    if !shared_plain.is_empty() {
        out.insert("parameters".into(), Value::Array(shared_plain));
    }
    Value::Object(out)
}

fn is_body_like(p: &Value) -> bool {
    matches!(p.get("in").and_then(Value::as_str), Some("body" | "formData"))
}

fn operation(
    mut op: Map<String, Value>,
    shared: &[Value],
    globals: &Map<String, Value>,
    consumes: &[String],
    produces: &[String],
    ptr: &str,
    diags: &mut Diagnostics,
) -> Value {
    let consumes = match op.remove("consumes") {
        Some(c) => media_list(Some(&c)),
        None => consumes.to_vec(),
    };
    let produces = match op.remove("produces") {
        Some(p) => media_list(Some(&p)),
        None => produces.to_vec(),
    };
    let own: Vec<Value> = match op.remove("parameters") {
        Some(Value::Array(ps)) => ps,
        _ => Vec::new(),
    };
    let mut plain = Vec::new();
    let mut body: Option<Value> = None;
    let mut form: Vec<Value> = Vec::new();
    // Body-like parameters of the path item apply to the operation too.
    let inherited = shared.iter().filter(|p| is_body_like(resolve_param(p, globals)));
    for p in inherited.chain(own.iter()) {
        let resolved = resolve_param(p, globals);
        match resolved.get("in").and_then(Value::as_str) {
            Some("body") => body = Some(resolved.clone()),
            Some("formData") => form.push(resolved.clone()),
            _ if p.get("$ref").is_some() => plain.push(p.clone()),
            _ => plain.push(parameter(p.clone())),
        }
    }
    if !plain.is_empty() {
        op.insert("parameters".into(), Value::Array(plain));
    }
    if let Some(rb) = request_body(body.as_ref(), &form, &consumes) {
        op.insert("requestBody".into(), rb);
    }
    if let Some(Value::Object(responses)) = op.remove("responses") {
        let converted: Map<String, Value> = responses.into_iter().map(|(k, r)| (k, response(r, &produces))).collect();
        op.insert("responses".into(), Value::Object(converted));
    } else {
        diags.push(ptr, "the operation has no responses");
        op.insert("responses".into(), json!({"default": {"description": ""}}));
    }
    Value::Object(op)
}

/// The request body that an `in: body` parameter, or else `in: formData`
/// ones, describe: the body's schema under each media type the operation
/// consumes (JSON if it says none), or an object of the form fields,
/// `multipart/form-data` when one is a file or the operation consumes it.
/// Also for 3.0 documents that write their bodies the 2.0 way.
pub(super) fn request_body(body: Option<&Value>, form: &[Value], consumes: &[String]) -> Option<Value> {
    if let Some(b) = body {
        let media = if consumes.is_empty() { vec![DEFAULT_MEDIA.to_owned()] } else { consumes.to_vec() };
        let schema = b.get("schema").cloned().unwrap_or_else(|| json!({}));
        let content: Map<String, Value> = media.into_iter().map(|mt| (mt, json!({ "schema": file_schema(schema.clone()) }))).collect();
        let mut rb = Map::new();
        if let Some(d) = b.get("description") {
            rb.insert("description".into(), d.clone());
        }
        rb.insert("required".into(), b.get("required").cloned().unwrap_or(json!(false)));
        rb.insert("content".into(), Value::Object(content));
        return Some(Value::Object(rb));
    }
    if form.is_empty() {
        return None;
    }
    let is_file = |p: &Value| {
        p.get("type").and_then(Value::as_str) == Some("file")
            || p.pointer("/schema/format").and_then(Value::as_str) == Some("binary")
    };
    let multipart = form.iter().any(is_file) || consumes.iter().any(|c| c.starts_with("multipart/form-data"));
    let mt = if multipart { "multipart/form-data" } else { "application/x-www-form-urlencoded" };
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in form {
        let Some(name) = p.get("name").and_then(Value::as_str) else { continue };
        // A 3.0 document's form parameter may already carry a schema.
        let mut schema = match p.get("schema") {
            Some(s) => file_schema(s.clone()),
            None => parameter(p.clone()).get("schema").cloned().unwrap_or_else(|| json!({})),
        };
        if let (Some(d), Value::Object(s)) = (p.get("description"), &mut schema) {
            s.insert("description".into(), d.clone());
        }
        properties.insert(name.to_owned(), schema);
        if p.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(json!(name));
        }
    }
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = Value::Array(required.clone());
    }
    Some(json!({"required": !required.is_empty(), "content": {mt: {"schema": schema}}}))
}

/// Rewrites 2.0 reference targets to their 3.0 places, and 2.0-only schema
/// keywords (`x-nullable`, a string `discriminator`) to their 3.0 forms.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                for (from, to) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = r.strip_prefix(from) {
                        *r = format!("{to}{rest}");
                        break;
                    }
                }
            }
            if let Some(n) = m.remove("x-nullable") {
                m.insert("nullable".into(), n);
            }
            if let Some(Value::String(prop)) = m.get("discriminator").cloned() {
                m.insert("discriminator".into(), json!({ "propertyName": prop }));
            }
            // `default` is also a response key: only examples are skipped.
            for (k, child) in m.iter_mut() {
                if k != "example" && k != "examples" && k != "x-examples" {
                    rewrite_refs(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(v: Value) -> Value {
        convert(v, &mut Diagnostics::default())
    }

    #[test]
    fn servers_definitions_and_refs() {
        let d = conv(json!({
            "swagger": "2.0", "info": {"title": "t", "version": "1"},
            "host": "api.x.com", "basePath": "/v1", "schemes": ["http", "https"],
            "definitions": {"Pet": {"type": "object", "properties": {"tag": {"$ref": "#/definitions/Tag"}}}},
            "paths": {}
        }));
        assert_eq!(d["openapi"], "3.0.3");
        assert_eq!(d["servers"][0]["url"], "https://api.x.com/v1");
        assert_eq!(d["components"]["schemas"]["Pet"]["properties"]["tag"]["$ref"], "#/components/schemas/Tag");
    }

    #[test]
    fn body_form_and_plain_parameters() {
        let d = conv(json!({
            "swagger": "2.0", "info": {"title": "t", "version": "1"}, "consumes": ["application/json"],
            "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer"}},
            "paths": {"/pets": {
                "post": {"parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}],
                         "responses": {"200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}}},
                "get": {"parameters": [{"$ref": "#/parameters/limit"},
                                       {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"}],
                        "responses": {"200": {"description": "ok"}}},
                "put": {"consumes": ["multipart/form-data"],
                        "parameters": [{"name": "file", "in": "formData", "type": "file", "required": true},
                                       {"name": "note", "in": "formData", "type": "string"}],
                        "responses": {"204": {"description": "stored"}}}
            }}
        }));
        let post = &d["paths"]["/pets"]["post"];
        assert_eq!(post["requestBody"]["required"], true);
        assert_eq!(post["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Pet");
        assert_eq!(post["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"], "#/components/schemas/Pet");
        let get = &d["paths"]["/pets"]["get"];
        assert_eq!(get["parameters"][0]["$ref"], "#/components/parameters/limit");
        assert_eq!(get["parameters"][1]["schema"]["type"], "array");
        assert_eq!(get["parameters"][1]["explode"], true);
        assert_eq!(d["components"]["parameters"]["limit"]["schema"]["type"], "integer");
        let put = &d["paths"]["/pets"]["put"]["requestBody"]["content"]["multipart/form-data"]["schema"];
        assert_eq!(put["properties"]["file"], json!({"type": "string", "format": "binary"}));
        assert_eq!(put["required"], json!(["file"]));
    }

    #[test]
    fn security_definitions() {
        let d = conv(json!({
            "swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "securityDefinitions": {
                "basic": {"type": "basic"},
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "oauth": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}
            }
        }));
        let s = &d["components"]["securitySchemes"];
        assert_eq!(s["basic"], json!({"type": "http", "scheme": "basic"}));
        assert_eq!(s["key"]["in"], "header");
        assert_eq!(s["oauth"]["flows"]["authorizationCode"]["tokenUrl"], "https://t");
    }
}
