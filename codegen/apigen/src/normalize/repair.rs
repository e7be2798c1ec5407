//! Leniency: what a careful human would read past, repaired on the JSON
//! value before the typed model reads it, each repair a diagnostic with
//! its pointer and the default taken (`--strict` refuses them all).
//!
//! The pass knows the shape of an OpenAPI 3.0 document (3.1 and 2.0 are
//! brought to it first) and walks it object by object: `null` where a
//! list, map or string belongs, scalars of the wrong type (YAML's
//! `version: 1.0`), a missing `info`, `description` or `responses`, a
//! parameter without a schema, `required: true` on a property, type names
//! in the wrong case. It never invents meaning: where the default is not
//! obvious, the member is left out and the diagnostic says so.

use serde_json::{Map, Value};

use crate::diag::Diagnostics;
use crate::pointer;

/// The title and version a document without them is given.
pub const DEFAULT_TITLE: &str = "API";
/// See [`DEFAULT_TITLE`].
pub const DEFAULT_VERSION: &str = "unspecified";

/// `openapi: 3.0` read by YAML as a number, or a version without its
/// patch number (`"3.1"`): the version string as the spec means it. Runs
/// before the version is checked.
pub fn version(raw: &mut Value, diags: &mut Diagnostics) {
    let Some(doc) = raw.as_object_mut() else { return };
    for (key, full) in [("openapi", None), ("swagger", Some("2.0"))] {
        let Some(v) = doc.get(key) else { continue };
        let written = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_owned(),
            _ => continue,
        };
        let fixed = match full {
            Some(two) if written == "2" || written == "2.0" => two.to_owned(),
            Some(_) => written.clone(),
            None => match written.split('.').count() {
                1 => format!("{written}.0.0"),
                2 => format!("{written}.0"),
                _ => written.clone(),
            },
        };
        if v.is_number() {
            diags.push(format!("/{key}"), format!("`{key}` is the number {written}, not a string; read as \"{fixed}\""));
        } else if fixed != written {
            diags.push(format!("/{key}"), format!("`{key}` \"{written}\" has no patch number; read as \"{fixed}\""));
        } else if v.as_str() == Some(fixed.as_str()) {
            continue;
        }
        doc.insert(key.to_owned(), Value::String(fixed));
    }
}

/// Repairs a document of 3.0 shape in place.
pub fn repair(raw: &mut Value, diags: &mut Diagnostics) {
    let mut r = Repair { diags };
    r.document(raw);
}

struct Repair<'d> {
    diags: &'d mut Diagnostics,
}

/// Keys of a schema whose values are data, where `null` is a value.
const SCHEMA_DATA: &[&str] = &["default", "example", "const", "x-examples"];

const SCHEMA_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// `Vec::retain_mut`, giving each element its pointer: `ptr` and the
/// index it had before any was removed.
fn retain_at(list: &mut Vec<Value>, ptr: &str, mut keep: impl FnMut(&mut Value, &str) -> bool) {
    let mut index = 0;
    list.retain_mut(|v| {
        let p = pointer::join_index(ptr, index);
        index += 1;
        keep(v, &p)
    });
}

/// Puts the component parameters that are `in: body` or `in: formData`
/// in place of the references to them in operations and path items, where
/// the repair of the operation can read them as its request body.
fn inline_body_parameters(doc: &mut Map<String, Value>) {
    let Some(Value::Object(components)) = doc.get("components").and_then(|c| c.get("parameters")) else { return };
    let body_like: Map<String, Value> = components
        .iter()
        .filter(|(_, p)| {
            let l = p.get("in").and_then(Value::as_str).map(|l| l.trim().to_ascii_lowercase());
            matches!(l.as_deref(), Some("body" | "formdata"))
        })
        .map(|(k, p)| (format!("#{}", pointer::join("/components/parameters", k)), p.clone()))
        .collect();
    if body_like.is_empty() {
        return;
    }
    let Some(Value::Object(paths)) = doc.get_mut("paths") else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (key, v) in item.iter_mut() {
            let list = match v {
                Value::Array(_) if key == "parameters" => Some(v),
                Value::Object(op) => op.get_mut("parameters"),
                _ => None,
            };
            let Some(Value::Array(params)) = list else { continue };
            for p in params.iter_mut() {
                if let Some(target) = p.get("$ref").and_then(Value::as_str).and_then(|r| body_like.get(r)) {
                    *p = target.clone();
                }
            }
        }
    }
}

/// What the repair of a parameter makes of it.
enum Fate {
    Kept,
    Dropped,
    /// `in: body` or `in: formData`: part of the request body.
    Body,
}

impl Repair<'_> {
    fn note(&mut self, ptr: &str, message: impl Into<String>) {
        self.diags.push(ptr, message);
    }

    /// Removes members whose value is `null` (but in `keep`, and
    /// extensions): an absent member means what the author meant.
    fn drop_nulls(&mut self, m: &mut Map<String, Value>, ptr: &str, keep: &[&str]) {
        let nulls: Vec<String> =
            m.iter().filter(|(k, v)| v.is_null() && !keep.contains(&k.as_str()) && !k.starts_with("x-")).map(|(k, _)| k.clone()).collect();
        for k in nulls {
            m.shift_remove(&k);
            self.note(&pointer::join(ptr, &k), format!("`{k}` is null; read as absent"));
        }
    }

    /// A member that must be a string: numbers and booleans are written
    /// out; anything else is dropped.
    fn string(&mut self, m: &mut Map<String, Value>, key: &str, ptr: &str) {
        let Some(v) = m.get(key) else { return };
        let fixed = match v {
            Value::String(_) => return,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                m.shift_remove(key);
                self.note(&pointer::join(ptr, key), format!("`{key}` is not a string; ignored"));
                return;
            }
        };
        self.note(&pointer::join(ptr, key), format!("`{key}` is {fixed}, not a string; read as \"{fixed}\""));
        m.insert(key.to_owned(), Value::String(fixed));
    }

    /// A member that must be a boolean: `"true"` and `"false"` are read
    /// as such; anything else is dropped.
    fn boolean(&mut self, m: &mut Map<String, Value>, key: &str, ptr: &str) {
        let Some(v) = m.get(key) else { return };
        if v.is_boolean() {
            return;
        }
        let p = pointer::join(ptr, key);
        match v.as_str().map(str::trim).map(str::to_ascii_lowercase).as_deref() {
            Some(s @ ("true" | "false")) => {
                let b = s == "true";
                m.insert(key.to_owned(), Value::Bool(b));
                self.note(&p, format!("`{key}` is the string \"{s}\", not a boolean; read as {b}"));
            }
            _ => {
                m.shift_remove(key);
                self.note(&p, format!("`{key}` is not a boolean; ignored"));
            }
        }
    }

    /// A member that must be a number.
    fn number(&mut self, m: &mut Map<String, Value>, key: &str, ptr: &str, whole: bool) {
        let Some(v) = m.get(key) else { return };
        let p = pointer::join(ptr, key);
        let parsed = match v {
            Value::Number(n) if !whole || n.is_u64() => return,
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let fixed = match parsed {
            Some(f) if whole && f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 => Some(Value::from(f as u64)),
            Some(f) if !whole && f.is_finite() => serde_json::Number::from_f64(f).map(Value::Number),
            _ => None,
        };
        match fixed {
            Some(n) => {
                self.note(&p, format!("`{key}` is {v}, not {}; read as {n}", if whole { "a whole number" } else { "a number" }));
                m.insert(key.to_owned(), n);
            }
            None => {
                self.note(&p, format!("`{key}` is {v}, not {}; ignored", if whole { "a whole number" } else { "a number" }));
                m.shift_remove(key);
            }
        }
    }

    /// A member that must be a list: `null` is removed, a lone value is a
    /// list of one.
    fn list(&mut self, m: &mut Map<String, Value>, key: &str, ptr: &str) {
        match m.get(key) {
            None | Some(Value::Array(_)) => {}
            Some(Value::Null) => {
                m.shift_remove(key);
                self.note(&pointer::join(ptr, key), format!("`{key}` is null; read as an empty list"));
            }
            Some(Value::Object(_)) if key != "tags" && key != "enum" && key != "required" => {
                // An object where a list belongs is not a value written
                // alone: its meaning is unclear.
                m.shift_remove(key);
                self.note(&pointer::join(ptr, key), format!("`{key}` is an object, not a list; ignored"));
            }
            Some(v) => {
                let v = v.clone();
                self.note(&pointer::join(ptr, key), format!("`{key}` is a single value, not a list; read as a list of it"));
                m.insert(key.to_owned(), Value::Array(vec![v]));
            }
        }
    }

    /// A member that must be a map: anything else is removed.
    fn map<'v>(&mut self, m: &'v mut Map<String, Value>, key: &str, ptr: &str) -> Option<&'v mut Map<String, Value>> {
        if m.get(key).is_some_and(|v| !v.is_object()) {
            let what = if m[key].is_null() { "null" } else { "not a map" };
            m.shift_remove(key);
            self.note(&pointer::join(ptr, key), format!("`{key}` is {what}; read as empty"));
        }
        m.get_mut(key).and_then(Value::as_object_mut)
    }

    fn document(&mut self, raw: &mut Value) {
        let Some(doc) = raw.as_object_mut() else { return };
        self.drop_nulls(doc, "", &[]);
        self.info(doc);
        self.list(doc, "servers", "");
        if let Some(Value::Array(servers)) = doc.get_mut("servers") {
            self.servers(servers, "/servers");
        }
        self.list(doc, "tags", "");
        if let Some(Value::Array(tags)) = doc.get_mut("tags") {
            self.tags(tags);
        }
        self.list(doc, "security", "");
        if let Some(Value::Array(reqs)) = doc.get_mut("security") {
            self.security(reqs, "/security");
        }
        if !doc.contains_key("paths") {
            doc.insert("paths".into(), Value::Object(Map::new()));
        }
        inline_body_parameters(doc);
        if let Some(paths) = self.map(doc, "paths", "") {
            let mut r = Repair { diags: self.diags };
            r.paths(paths);
        }
        if let Some(components) = self.map(doc, "components", "") {
            let mut r = Repair { diags: self.diags };
            r.components(components);
        }
    }

    fn info(&mut self, doc: &mut Map<String, Value>) {
        if !doc.get("info").is_some_and(Value::is_object) {
            self.note("/info", format!("the document has no `info`; its title is taken as \"{DEFAULT_TITLE}\" and its version as \"{DEFAULT_VERSION}\""));
            let info = serde_json::json!({ "title": DEFAULT_TITLE, "version": DEFAULT_VERSION });
            doc.insert("info".into(), info);
            return;
        }
        let info = doc.get_mut("info").and_then(Value::as_object_mut).expect("checked above");
        self.drop_nulls(info, "/info", &[]);
        for key in ["title", "version", "description", "termsOfService"] {
            self.string(info, key, "/info");
        }
        for (key, default) in [("title", DEFAULT_TITLE), ("version", DEFAULT_VERSION)] {
            let empty = info.get(key).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty());
            if empty {
                let how = if info.contains_key(key) { "empty" } else { "missing" };
                self.note(&pointer::join("/info", key), format!("`info.{key}` is {how}; taken as \"{default}\""));
                info.insert(key.into(), Value::String(default.into()));
            }
        }
        for key in ["contact", "license"] {
            if let Some(sub) = self.map(info, key, "/info") {
                let p = pointer::join("/info", key);
                let mut r = Repair { diags: self.diags };
                r.drop_nulls(sub, &p, &[]);
                for k in ["name", "url", "email", "identifier"] {
                    r.string(sub, k, &p);
                }
                if key == "license" && !sub.contains_key("name") {
                    r.note(&p, "`license` has no `name`; ignored");
                    info.shift_remove(key);
                }
            }
        }
    }

    fn servers(&mut self, servers: &mut Vec<Value>, ptr: &str) {
        retain_at(servers, ptr, |s, p| {
            let keep = match s {
                Value::String(url) => {
                    let url = url.clone();
                    *s = serde_json::json!({ "url": url });
                    self.note(p, "a server is a string, not an object; read as its `url`");
                    true
                }
                Value::Object(m) => {
                    self.drop_nulls(m, p, &[]);
                    self.string(m, "url", p);
                    self.string(m, "description", p);
                    if let Some(vars) = self.map(m, "variables", p) {
                        let vp = pointer::join(p, "variables");
                        let mut r = Repair { diags: self.diags };
                        vars.retain(|name, var| {
                            let varp = pointer::join(&vp, name);
                            let Some(vm) = var.as_object_mut() else {
                                r.note(&varp, "a server variable is not an object; ignored");
                                return false;
                            };
                            r.drop_nulls(vm, &varp, &[]);
                            r.string(vm, "default", &varp);
                            r.list(vm, "enum", &varp);
                            if let Some(Value::Array(values)) = vm.get_mut("enum") {
                                for v in values.iter_mut() {
                                    if let Value::Number(n) = v {
                                        *v = Value::String(n.to_string());
                                    }
                                }
                                values.retain(Value::is_string);
                            }
                            if !vm.contains_key("default") {
                                let first = vm.get("enum").and_then(|e| e.get(0)).cloned().unwrap_or(Value::String(String::new()));
                                r.note(&varp, format!("server variable `{name}` has no `default`; taken as {first}"));
                                vm.insert("default".into(), first);
                            }
                            true
                        });
                    }
                    if m.contains_key("url") {
                        true
                    } else {
                        self.note(p, "a server has no `url`; ignored");
                        false
                    }
                }
                _ => {
                    self.note(p, "a server is not an object; ignored");
                    false
                }
            };
            keep
        });
    }

    fn tags(&mut self, tags: &mut Vec<Value>) {
        retain_at(tags, "/tags", |t, p| {
            match t {
                Value::String(name) => {
                    let name = name.clone();
                    *t = serde_json::json!({ "name": name });
                    true
                }
                Value::Object(m) => {
                    self.drop_nulls(m, p, &[]);
                    self.string(m, "name", p);
                    self.string(m, "description", p);
                    if m.contains_key("name") {
                        true
                    } else {
                        self.note(p, "a tag has no `name`; ignored");
                        false
                    }
                }
                _ => {
                    self.note(p, "a tag is not an object; ignored");
                    false
                }
            }
        });
    }

    /// Security requirements: scopes that are `null` (or a lone string)
    /// are a list.
    fn security(&mut self, reqs: &mut Vec<Value>, ptr: &str) {
        retain_at(reqs, ptr, |req, p| {
            let Some(m) = req.as_object_mut() else {
                self.note(p, "a security requirement is not an object; ignored");
                return false;
            };
            for (name, scopes) in m.iter_mut() {
                let sp = pointer::join(p, name);
                match scopes {
                    Value::Array(list) => {
                        let before = list.len();
                        list.retain(Value::is_string);
                        if list.len() != before {
                            self.note(&sp, "scopes that are not strings are ignored");
                        }
                    }
                    Value::Null => {
                        *scopes = Value::Array(Vec::new());
                        self.note(&sp, "the scopes are null; read as no scopes");
                    }
                    Value::String(s) => {
                        let s = s.clone();
                        *scopes = Value::Array(vec![Value::String(s)]);
                        self.note(&sp, "the scopes are a single string; read as a list of it");
                    }
                    _ => {
                        *scopes = Value::Array(Vec::new());
                        self.note(&sp, "the scopes are not a list; read as no scopes");
                    }
                }
            }
            true
        });
    }

    fn paths(&mut self, paths: &mut Map<String, Value>) {
        // Keys without a leading `/` are the path the author meant.
        let unrooted: Vec<String> = paths.keys().filter(|k| !k.starts_with('/') && !k.starts_with("x-")).cloned().collect();
        for key in unrooted {
            let fixed = format!("/{key}");
            let p = pointer::join("/paths", &key);
            if paths.contains_key(&fixed) {
                self.note(&p, format!("path `{key}` does not start with `/`, and `{fixed}` is there too; ignored"));
                paths.shift_remove(&key);
            } else {
                self.note(&p, format!("path `{key}` does not start with `/`; read as `{fixed}`"));
                let item = paths.shift_remove(&key).expect("listed above");
                paths.insert(fixed, item);
            }
        }
        for (path, item) in paths.iter_mut() {
            if path.starts_with("x-") {
                continue;
            }
            let p = pointer::join("/paths", path);
            self.path_item(item, &p);
        }
    }

    fn path_item(&mut self, item: &mut Value, ptr: &str) {
        if item.is_null() {
            self.note(ptr, "the path item is null; read as empty");
            *item = Value::Object(Map::new());
        }
        let Some(m) = item.as_object_mut() else { return };
        if m.contains_key("$ref") {
            return;
        }
        self.drop_nulls(m, ptr, &[]);
        // `GET:` is `get`.
        let upper: Vec<String> = m
            .keys()
            .filter(|k| k.chars().any(|c| c.is_ascii_uppercase()) && super::STANDARD_METHODS.contains(&k.to_ascii_lowercase().as_str()))
            .cloned()
            .collect();
        for key in upper {
            let lower = key.to_ascii_lowercase();
            if !m.contains_key(&lower) {
                let op = m.shift_remove(&key).expect("listed above");
                m.insert(lower.clone(), op);
                self.note(&pointer::join(ptr, &key), format!("method `{key}` read as `{lower}`"));
            }
        }
        self.summary_description(m, ptr);
        let shared_body = self.parameters(m, ptr);
        self.list(m, "servers", ptr);
        if let Some(Value::Array(servers)) = m.get_mut("servers") {
            self.servers(servers, &pointer::join(ptr, "servers"));
        }
        for (key, op) in m.iter_mut() {
            let is_method = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic()) && !matches!(key.as_str(), "summary" | "description" | "parameters" | "servers");
            if is_method && op.is_object() {
                let p = pointer::join(ptr, key);
                self.operation(op, &p, &shared_body);
            }
        }
    }

    fn summary_description(&mut self, m: &mut Map<String, Value>, ptr: &str) {
        for key in ["summary", "description", "operationId", "title"] {
            self.string(m, key, ptr);
        }
    }

    /// Repairs the parameters, and takes out those `in: body` or
    /// `in: formData`, with their pointers: OpenAPI 2.0's request body.
    fn parameters(&mut self, m: &mut Map<String, Value>, ptr: &str) -> Vec<(String, Value)> {
        self.list(m, "parameters", ptr);
        let Some(Value::Array(params)) = m.get_mut("parameters") else { return Vec::new() };
        let lp = pointer::join(ptr, "parameters");
        let mut body = Vec::new();
        retain_at(params, &lp, |p, pp| {
            match self.parameter(p, pp) {
                Fate::Kept => true,
                Fate::Dropped => false,
                Fate::Body => {
                    body.push((pp.to_owned(), p.take()));
                    false
                }
            }
        });
        body
    }

    fn parameter(&mut self, p: &mut Value, ptr: &str) -> Fate {
        let Some(m) = p.as_object_mut() else {
            self.note(ptr, "a parameter is not an object; ignored");
            return Fate::Dropped;
        };
        if m.contains_key("$ref") {
            return Fate::Kept;
        }
        self.drop_nulls(m, ptr, &[]);
        self.string(m, "name", ptr);
        self.string(m, "in", ptr);
        self.string(m, "description", ptr);
        let Some(name) = m.get("name").and_then(Value::as_str).map(str::to_owned) else {
            self.note(ptr, "a parameter has no `name`; ignored");
            return Fate::Dropped;
        };
        let location = m.get("in").and_then(Value::as_str).map(|s| s.trim().to_ascii_lowercase());
        match location.as_deref() {
            Some(l @ ("path" | "query" | "header" | "cookie")) => {
                if m.get("in").and_then(Value::as_str) != Some(l) {
                    self.note(&pointer::join(ptr, "in"), format!("`in` read as `{l}`"));
                    m.insert("in".into(), Value::String(l.into()));
                }
            }
            Some(l @ ("body" | "formdata")) => {
                m.insert("in".into(), Value::String(if l == "body" { "body" } else { "formData" }.into()));
                return Fate::Body;
            }
            Some(other) => {
                self.note(&pointer::join(ptr, "in"), format!("parameter `{name}` is in `{other}`, which OpenAPI 3 does not have; ignored"));
                return Fate::Dropped;
            }
            None => {
                self.note(ptr, format!("parameter `{name}` has no `in`; ignored"));
                return Fate::Dropped;
            }
        }
        for key in ["required", "deprecated", "allowEmptyValue", "explode", "allowReserved"] {
            self.boolean(m, key, ptr);
        }
        if location.as_deref() == Some("path") && m.get("required") != Some(&Value::Bool(true)) {
            self.note(&pointer::join(ptr, "required"), format!("path parameter `{name}` is not marked required; it is, as every path parameter"));
            m.insert("required".into(), Value::Bool(true));
        }
        self.string(m, "style", ptr);
        if let Some(content) = self.map(m, "content", ptr) {
            let cp = pointer::join(ptr, "content");
            let mut r = Repair { diags: self.diags };
            r.content(content, &cp);
        }
        self.schema_of(m, ptr, &format!("parameter `{name}`"));
        Fate::Kept
    }

    /// An operation's `in: body` and `in: formData` parameters (its own,
    /// and those of its path item it does not override) as the request
    /// body OpenAPI 2.0 meant by them, unless the operation has one.
    fn body_parameters(&mut self, m: &mut Map<String, Value>, shared: &[(String, Value)], own: Vec<(String, Value)>) {
        let name = |p: &Value| p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let location = |p: &Value| p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut all: Vec<(String, Value)> =
            shared.iter().filter(|(_, s)| !own.iter().any(|(_, o)| name(o) == name(s) && location(o) == location(s))).cloned().collect();
        all.extend(own);
        if all.is_empty() {
            return;
        }
        if m.contains_key("requestBody") {
            for (p, v) in &all {
                let (n, l) = (name(v), location(v));
                self.note(p, format!("parameter `{n}` is in `{l}`, OpenAPI 2.0's place for the request body, and the operation has a `requestBody`; ignored"));
            }
            return;
        }
        let body = all.iter().find(|(_, v)| location(v) == "body");
        let form: Vec<Value> = all.iter().filter(|(_, v)| location(v) == "formData").map(|(_, v)| v.clone()).collect();
        let consumes = super::swagger2::media_list(m.get("consumes"));
        let Some(rb) = super::swagger2::request_body(body.map(|(_, v)| v), &form, &consumes) else { return };
        let media = rb["content"].as_object().and_then(|c| c.keys().next()).cloned().unwrap_or_default();
        for (p, v) in &all {
            let (n, l) = (name(v), location(v));
            let message = match (l.as_str(), body) {
                ("body", _) => format!("parameter `{n}` is in `body`, OpenAPI 2.0's way to write the request body; read as the request body (`{media}`)"),
                (_, Some(_)) => format!("parameter `{n}` is in `formData` beside an `in: body` parameter; ignored"),
                _ => format!("parameter `{n}` is in `formData`, OpenAPI 2.0's way to write a form field; read as a member of the request body (`{media}`)"),
            };
            self.note(p, message);
        }
        m.insert("requestBody".into(), rb);
    }

    /// A parameter or header without `schema` or `content`: a schema made
    /// of the Swagger 2.0 members written on it, else a string.
    fn schema_of(&mut self, m: &mut Map<String, Value>, ptr: &str, what: &str) {
        const SWAGGER: &[&str] = &[
            "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "nullable",
        ];
        if !m.contains_key("schema") && !m.contains_key("content") {
            let moved: Map<String, Value> = SWAGGER.iter().filter_map(|k| Some((k.to_string(), m.shift_remove(*k)?))).collect();
            if moved.is_empty() {
                self.note(ptr, format!("{what} has no `schema`; taken as a string"));
                m.insert("schema".into(), serde_json::json!({ "type": "string" }));
            } else {
                let keys: Vec<&str> = moved.keys().map(String::as_str).collect();
                self.note(ptr, format!("{what} has no `schema`; its `{}` read as the schema", keys.join("`, `")));
                m.insert("schema".into(), Value::Object(moved));
            }
        }
        if let Some(schema) = m.get_mut("schema") {
            let sp = pointer::join(ptr, "schema");
            self.schema(schema, &sp);
        }
    }

    fn operation(&mut self, op: &mut Value, ptr: &str, shared_body: &[(String, Value)]) {
        let Some(m) = op.as_object_mut() else { return };
        self.drop_nulls(m, ptr, &[]);
        self.summary_description(m, ptr);
        self.boolean(m, "deprecated", ptr);
        self.list(m, "tags", ptr);
        if let Some(Value::Array(tags)) = m.get_mut("tags") {
            for t in tags.iter_mut() {
                if let Value::Number(n) = t {
                    *t = Value::String(n.to_string());
                }
            }
            tags.retain(Value::is_string);
        }
        let own_body = self.parameters(m, ptr);
        self.body_parameters(m, shared_body, own_body);
        self.list(m, "security", ptr);
        if let Some(Value::Array(reqs)) = m.get_mut("security") {
            self.security(reqs, &pointer::join(ptr, "security"));
        }
        self.list(m, "servers", ptr);
        if let Some(Value::Array(servers)) = m.get_mut("servers") {
            self.servers(servers, &pointer::join(ptr, "servers"));
        }
        if let Some(body) = m.get_mut("requestBody") {
            let bp = pointer::join(ptr, "requestBody");
            self.request_body(body, &bp);
        }
        if !m.get("responses").is_some_and(Value::is_object) {
            self.note(&pointer::join(ptr, "responses"), "the operation lists no `responses`; any answer is taken as it comes");
            m.insert("responses".into(), Value::Object(Map::new()));
        }
        if let Some(Value::Object(responses)) = m.get_mut("responses") {
            let rp = pointer::join(ptr, "responses");
            self.responses(responses, &rp);
        }
        // Callbacks are requests the API sends: not part of a client.
        if let Some(cb) = self.map(m, "callbacks", ptr) {
            cb.clear();
        }
    }

    fn request_body(&mut self, body: &mut Value, ptr: &str) {
        let Some(m) = body.as_object_mut() else { return };
        if m.contains_key("$ref") {
            return;
        }
        self.drop_nulls(m, ptr, &[]);
        self.string(m, "description", ptr);
        self.boolean(m, "required", ptr);
        if let Some(content) = self.map(m, "content", ptr) {
            let cp = pointer::join(ptr, "content");
            let mut r = Repair { diags: self.diags };
            r.content(content, &cp);
        }
    }

    fn responses(&mut self, responses: &mut Map<String, Value>, ptr: &str) {
        let keys: Vec<String> = responses.keys().cloned().collect();
        for key in keys {
            if key.starts_with("x-") {
                continue;
            }
            let p = pointer::join(ptr, &key);
            let fixed = status_key(&key);
            match fixed {
                None => {
                    self.note(&p, format!("`{key}` is not a status code, a range such as `4XX`, or `default`; ignored"));
                    responses.shift_remove(&key);
                    continue;
                }
                Some(fixed) if fixed != key => {
                    if responses.contains_key(&fixed) {
                        self.note(&p, format!("status `{key}` is `{fixed}`, which is there too; ignored"));
                        responses.shift_remove(&key);
                        continue;
                    }
                    self.note(&p, format!("status `{key}` read as `{fixed}`"));
                    let v = responses.shift_remove(&key).expect("listed above");
                    responses.insert(fixed.clone(), v);
                    let v = responses.get_mut(&fixed).expect("inserted");
                    let np = pointer::join(ptr, &fixed);
                    self.response(v, &np);
                }
                Some(_) => {
                    let v = responses.get_mut(&key).expect("listed above");
                    self.response(v, &p);
                }
            }
        }
    }

    fn response(&mut self, r: &mut Value, ptr: &str) {
        if !r.is_object() {
            let what = if r.is_null() { "null" } else { "not an object" };
            self.note(ptr, format!("the response is {what}; read as one without a body"));
            *r = serde_json::json!({ "description": "" });
        }
        let m = r.as_object_mut().expect("made an object above");
        if m.contains_key("$ref") {
            return;
        }
        self.drop_nulls(m, ptr, &[]);
        self.string(m, "description", ptr);
        if !m.contains_key("description") {
            self.note(&pointer::join(ptr, "description"), "the response has no `description`; taken as empty");
            m.insert("description".into(), Value::String(String::new()));
        }
        if let Some(content) = self.map(m, "content", ptr) {
            let cp = pointer::join(ptr, "content");
            let mut r = Repair { diags: self.diags };
            r.content(content, &cp);
        }
        if let Some(headers) = self.map(m, "headers", ptr) {
            let hp = pointer::join(ptr, "headers");
            let mut r = Repair { diags: self.diags };
            r.headers(headers, &hp);
        }
        if let Some(links) = self.map(m, "links", ptr) {
            links.retain(|_, l| l.is_object());
        }
    }

    fn headers(&mut self, headers: &mut Map<String, Value>, ptr: &str) {
        let mut r = Repair { diags: self.diags };
        headers.retain(|name, h| {
            let p = pointer::join(ptr, name);
            r.header(h, &p, name)
        });
    }

    fn header(&mut self, h: &mut Value, ptr: &str, name: &str) -> bool {
        let Some(m) = h.as_object_mut() else {
            self.note(ptr, "a header is not an object; ignored");
            return false;
        };
        if m.contains_key("$ref") {
            return true;
        }
        self.drop_nulls(m, ptr, &[]);
        self.string(m, "description", ptr);
        for key in ["required", "deprecated", "explode"] {
            self.boolean(m, key, ptr);
        }
        // `name` and `in` do not belong on a header; openapiv3 refuses
        // neither, but a header is named by its key.
        self.schema_of(m, ptr, &format!("header `{name}`"));
        true
    }

    fn content(&mut self, content: &mut Map<String, Value>, ptr: &str) {
        for (mt, media) in content.iter_mut() {
            let p = pointer::join(ptr, mt);
            if !media.is_object() {
                let what = if media.is_null() { "null" } else { "not an object" };
                self.note(&p, format!("the media type is {what}; read as one without a schema"));
                *media = Value::Object(Map::new());
            }
            let m = media.as_object_mut().expect("made an object above");
            self.drop_nulls(m, &p, &["example"]);
            if let Some(schema) = m.get_mut("schema") {
                let sp = pointer::join(&p, "schema");
                self.schema(schema, &sp);
            }
            if let Some(examples) = self.map(m, "examples", &p) {
                examples.retain(|_, e| e.is_object());
            }
            if let Some(encoding) = self.map(m, "encoding", &p) {
                encoding.retain(|_, e| e.is_object());
                for e in encoding.values_mut() {
                    let em = e.as_object_mut().expect("kept objects only");
                    em.retain(|_, v| !v.is_null());
                    if let Some(Value::Object(hs)) = em.get_mut("headers") {
                        hs.retain(|_, h| h.is_object());
                    }
                }
            }
        }
    }

    fn components(&mut self, c: &mut Map<String, Value>) {
        self.drop_nulls(c, "/components", &[]);
        for section in ["schemas", "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks", "pathItems"] {
            let Some(entries) = self.map(c, section, "/components") else { continue };
            let sp = pointer::join("/components", section);
            let mut r = Repair { diags: self.diags };
            let mut dropped = Vec::new();
            for (key, v) in entries.iter_mut() {
                let p = pointer::join(&sp, key);
                let keep = match section {
                    "schemas" => {
                        r.schema(v, &p);
                        true
                    }
                    "responses" => {
                        r.response(v, &p);
                        true
                    }
                    "parameters" => match r.parameter(v, &p) {
                        Fate::Kept => true,
                        Fate::Dropped => false,
                        Fate::Body => {
                            let (n, l) = (v["name"].as_str().unwrap_or_default(), v["in"].as_str().unwrap_or_default());
                            r.note(&p, format!("parameter `{n}` is in `{l}`, OpenAPI 2.0's place for the request body; read as part of the request body where an operation refers to it"));
                            false
                        }
                    },
                    "requestBodies" => {
                        if v.is_object() {
                            r.request_body(v, &p);
                            true
                        } else {
                            r.note(&p, "the request body is not an object; ignored");
                            false
                        }
                    }
                    "headers" => r.header(v, &p, key),
                    "securitySchemes" => r.security_scheme(v, &p),
                    "callbacks" => {
                        *v = Value::Object(Map::new());
                        true
                    }
                    _ => v.is_object(),
                };
                if !keep {
                    dropped.push(key.clone());
                }
            }
            for key in dropped {
                entries.shift_remove(&key);
            }
        }
    }

    /// Whether the scheme is kept.
    fn security_scheme(&mut self, s: &mut Value, ptr: &str) -> bool {
        let Some(m) = s.as_object_mut() else {
            self.note(ptr, "the security scheme is not an object; ignored");
            return false;
        };
        if m.contains_key("$ref") {
            return true;
        }
        self.drop_nulls(m, ptr, &[]);
        for key in ["type", "scheme", "in", "name", "description", "bearerFormat", "openIdConnectUrl"] {
            self.string(m, key, ptr);
        }
        let kind = m.get("type").and_then(Value::as_str).map(str::to_owned);
        let Some(kind) = kind else {
            self.note(ptr, "the security scheme has no `type`; ignored");
            return false;
        };
        let fixed = match kind.to_ascii_lowercase().as_str() {
            "apikey" => "apiKey",
            "http" => "http",
            "oauth2" => "oauth2",
            "openidconnect" => "openIdConnect",
            "basic" => {
                m.insert("scheme".into(), Value::String("basic".into()));
                "http"
            }
            "bearer" => {
                m.insert("scheme".into(), Value::String("bearer".into()));
                "http"
            }
            _ => {
                self.note(&pointer::join(ptr, "type"), format!("security scheme type `{kind}` is unknown; the scheme is ignored"));
                return false;
            }
        };
        if fixed != kind {
            self.note(&pointer::join(ptr, "type"), format!("security scheme type `{kind}` read as `{fixed}`"));
            m.insert("type".into(), Value::String(fixed.into()));
        }
        match fixed {
            "http" if !m.contains_key("scheme") => {
                self.note(ptr, "the `http` scheme names no `scheme`; taken as `bearer`");
                m.insert("scheme".into(), Value::String("bearer".into()));
            }
            "apiKey" => {
                if !m.contains_key("name") {
                    self.note(ptr, "the API key scheme has no `name`; ignored");
                    return false;
                }
                let location = m.get("in").and_then(Value::as_str).map(str::to_ascii_lowercase);
                match location.as_deref() {
                    Some(l @ ("header" | "query" | "cookie")) => {
                        if m.get("in").and_then(Value::as_str) != Some(l) {
                            self.note(&pointer::join(ptr, "in"), format!("`in` read as `{l}`"));
                            m.insert("in".into(), Value::String(l.into()));
                        }
                    }
                    _ => {
                        self.note(&pointer::join(ptr, "in"), "the API key scheme says not where the key goes; taken as a header");
                        m.insert("in".into(), Value::String("header".into()));
                    }
                }
            }
            "oauth2" => {
                if !m.get("flows").is_some_and(Value::is_object) {
                    m.insert("flows".into(), Value::Object(Map::new()));
                }
                if let Some(Value::Object(flows)) = m.get_mut("flows") {
                    for flow in flows.values_mut() {
                        if let Some(f) = flow.as_object_mut() {
                            if !f.get("scopes").is_some_and(Value::is_object) {
                                f.insert("scopes".into(), Value::Object(Map::new()));
                            }
                        }
                    }
                    flows.retain(|_, f| f.is_object());
                }
            }
            "openIdConnect" if !m.contains_key("openIdConnectUrl") => {
                m.insert("openIdConnectUrl".into(), Value::String(String::new()));
            }
            _ => {}
        }
        true
    }

    fn schema(&mut self, s: &mut Value, ptr: &str) {
        match s {
            Value::Object(_) => {}
            // A boolean schema (3.1): `true` takes anything.
            Value::Bool(true) => {
                *s = Value::Object(Map::new());
                return;
            }
            Value::Null => {
                self.note(ptr, "the schema is null; read as one that takes any value");
                *s = Value::Object(Map::new());
                return;
            }
            _ => {
                self.note(ptr, "the schema is not an object; read as one that takes any value");
                *s = Value::Object(Map::new());
                return;
            }
        }
        let m = s.as_object_mut().expect("an object");
        if m.contains_key("$ref") {
            return;
        }
        self.drop_nulls(m, ptr, SCHEMA_DATA);
        for key in ["title", "description", "format", "pattern"] {
            self.string(m, key, ptr);
        }
        for key in ["nullable", "readOnly", "writeOnly", "deprecated", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum"] {
            if matches!(key, "exclusiveMinimum" | "exclusiveMaximum") && m.get(key).is_some_and(Value::is_number) {
                continue;
            }
            self.boolean(m, key, ptr);
        }
        for key in ["minimum", "maximum", "multipleOf", "exclusiveMinimum", "exclusiveMaximum"] {
            if m.get(key).is_some_and(|v| !v.is_boolean()) {
                self.number(m, key, ptr, false);
            }
        }
        for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
            self.number(m, key, ptr, true);
        }
        self.schema_type(m, ptr);
        self.example(m, ptr);
        // `required: true` on a property schema belongs to its parent; the
        // caller has read it already (see `properties`).
        match m.get("required") {
            Some(Value::Bool(flag)) => {
                let flag = *flag;
                m.shift_remove("required");
                self.note(&pointer::join(ptr, "required"), format!("`required: {flag}` on a schema that is not a property; ignored"));
            }
            Some(Value::String(_)) => self.list(m, "required", ptr),
            _ => {}
        }
        if let Some(Value::Array(req)) = m.get_mut("required") {
            let before = req.len();
            req.retain(Value::is_string);
            if req.len() != before {
                self.note(&pointer::join(ptr, "required"), "members of `required` that are not strings are ignored");
            }
        }
        if m.get("enum").is_some_and(|e| !e.is_array()) {
            self.list(m, "enum", ptr);
        }
        if let Some(Value::String(d)) = m.get("discriminator") {
            let d = d.clone();
            self.note(&pointer::join(ptr, "discriminator"), "the discriminator is a string; read as its `propertyName`");
            m.insert("discriminator".into(), serde_json::json!({ "propertyName": d }));
        }
        if let Some(d) = self.map(m, "discriminator", ptr) {
            d.retain(|k, v| k != "mapping" || v.is_object());
            if let Some(Value::Object(mapping)) = d.get_mut("mapping") {
                mapping.retain(|_, v| v.is_string());
            }
            if !d.get("propertyName").is_some_and(Value::is_string) {
                self.note(&pointer::join(ptr, "discriminator"), "the discriminator has no `propertyName`; ignored");
                m.shift_remove("discriminator");
            }
        }
        if let Some(props) = self.map(m, "properties", ptr) {
            let pp = pointer::join(ptr, "properties");
            let mut r = Repair { diags: self.diags };
            let mut required = Vec::new();
            for (name, prop) in props.iter_mut() {
                let p = pointer::join(&pp, name);
                if let Some(flag) = prop.get("required").and_then(Value::as_bool) {
                    prop.as_object_mut().expect("has a member").shift_remove("required");
                    r.note(
                        &pointer::join(&p, "required"),
                        format!("`required: {flag}` belongs in the parent's `required` list; read as such"),
                    );
                    if flag {
                        required.push(name.clone());
                    }
                }
                if prop.is_boolean() && prop == &Value::Bool(false) {
                    *prop = Value::Object(Map::new());
                    r.note(&p, "the property schema is `false`; read as one that takes any value");
                    continue;
                }
                r.schema(prop, &p);
            }
            if !required.is_empty() {
                let list = m.entry("required").or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    for name in required {
                        if !list.iter().any(|v| v.as_str() == Some(&name)) {
                            list.push(Value::String(name));
                        }
                    }
                }
            }
        }
        match m.get_mut("items") {
            Some(Value::Array(tuple)) => {
                // A tuple (draft 4 `items: [...]`): the first schema is the
                // closest the model has.
                let first = tuple.first().cloned().unwrap_or(Value::Object(Map::new()));
                self.note(&pointer::join(ptr, "items"), "`items` is a list of schemas; the first is read as the items' schema");
                m.insert("items".into(), first);
            }
            Some(Value::Bool(_)) => {
                m.insert("items".into(), Value::Object(Map::new()));
            }
            _ => {}
        }
        for key in ["items", "not"] {
            if let Some(child) = m.get_mut(key) {
                let p = pointer::join(ptr, key);
                self.schema(child, &p);
            }
        }
        match m.get_mut("additionalProperties") {
            Some(Value::Object(_)) => {
                let p = pointer::join(ptr, "additionalProperties");
                let child = m.get_mut("additionalProperties").expect("matched");
                self.schema(child, &p);
            }
            Some(Value::Bool(_)) | None => {}
            Some(_) => self.boolean(m, "additionalProperties", ptr),
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if m.get(key).is_some_and(|v| !v.is_array()) {
                if m[key].is_object() {
                    let one = m.shift_remove(key).expect("checked");
                    self.note(&pointer::join(ptr, key), format!("`{key}` is a single schema, not a list; read as a list of it"));
                    m.insert(key.to_owned(), Value::Array(vec![one]));
                } else {
                    m.shift_remove(key);
                    self.note(&pointer::join(ptr, key), format!("`{key}` is not a list of schemas; ignored"));
                }
            }
            if let Some(Value::Array(parts)) = m.get_mut(key) {
                let kp = pointer::join(ptr, key);
                parts.retain(|p| !p.is_null() && p != &Value::Bool(true));
                for (i, part) in parts.iter_mut().enumerate() {
                    let p = pointer::join_index(&kp, i);
                    self.schema(part, &p);
                }
            }
        }
    }

    /// An `example` of another type than its schema's, or not among its
    /// `enum`, contradicts the schema: it is left out, so that nothing
    /// made from the spec (docs, example calls) repeats it. A `null`
    /// example says nothing and stays.
    fn example(&mut self, m: &mut Map<String, Value>, ptr: &str) {
        let Some(why) = m.get("example").and_then(|e| mismatch(m, e)) else { return };
        m.shift_remove("example");
        self.note(&pointer::join(ptr, "example"), format!("the example {why}; it is left out"));
    }

    /// `type` in the wrong case, by another common name, or as a list in
    /// a 3.0 document.
    fn schema_type(&mut self, m: &mut Map<String, Value>, ptr: &str) {
        let p = pointer::join(ptr, "type");
        let Some(t) = m.get("type").cloned() else { return };
        let fixed = match &t {
            Value::String(s) => {
                let lower = s.trim().to_ascii_lowercase();
                let alias = match lower.as_str() {
                    "int" | "int32" | "int64" | "long" | "integer" => "integer",
                    "float" | "double" | "decimal" | "number" => "number",
                    "bool" | "boolean" => "boolean",
                    "str" | "string" => "string",
                    "list" | "array" => "array",
                    "object" | "dict" | "map" => "object",
                    "file" => "string",
                    _ => "",
                };
                if alias.is_empty() {
                    m.shift_remove("type");
                    self.note(&p, format!("type `{s}` is unknown; the schema takes any value"));
                    return;
                }
                if alias == s {
                    return;
                }
                if lower == "file" {
                    m.insert("format".into(), Value::String("binary".into()));
                }
                if matches!(lower.as_str(), "int32" | "int64") && !m.contains_key("format") {
                    m.insert("format".into(), Value::String(lower.clone()));
                }
                alias
            }
            Value::Array(list) => {
                let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
                let non_null: Vec<&str> = names.iter().copied().filter(|n| *n != "null").collect();
                if names.len() != non_null.len() {
                    m.insert("nullable".into(), Value::Bool(true));
                }
                match non_null.as_slice() {
                    [one] if SCHEMA_TYPES.contains(one) => {
                        let one = one.to_string();
                        self.note(&p, format!("`type` is a list; read as `{one}`"));
                        m.insert("type".into(), Value::String(one));
                    }
                    _ => {
                        self.note(&p, "`type` lists several types; the schema takes any value");
                        m.shift_remove("type");
                    }
                }
                return;
            }
            _ => {
                m.shift_remove("type");
                self.note(&p, "`type` is not a string; the schema takes any value");
                return;
            }
        };
        self.note(&p, format!("type `{}` read as `{fixed}`", t.as_str().unwrap_or_default()));
        m.insert("type".into(), Value::String(fixed.into()));
    }
}

/// A response key as openapiv3 reads it: `200`, `2XX`, `default`. `None`
/// for a key that is none of them.
/// How `value` contradicts an inline schema's `type`, `enum` or (for an
/// array) its inline `items`, if it does.
fn mismatch(schema: &Map<String, Value>, value: &Value) -> Option<String> {
    if value.is_null() {
        return None;
    }
    let fits = match schema.get("type").and_then(Value::as_str) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    };
    if !fits {
        let ty = schema.get("type").and_then(Value::as_str).unwrap_or_default();
        return Some(format!("is not of type `{ty}`"));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        if !values.is_empty() && !values.contains(value) {
            return Some("is not one of the `enum` values".into());
        }
    }
    if let (Some(Value::Object(items)), Value::Array(elements)) = (schema.get("items"), value) {
        if let Some((i, why)) = elements.iter().enumerate().find_map(|(i, e)| mismatch(items, e).map(|w| (i, w))) {
            return Some(format!("has an item {i} that {why}"));
        }
    }
    None
}

fn status_key(key: &str) -> Option<String> {
    let k = key.trim();
    if k.eq_ignore_ascii_case("default") {
        return Some("default".into());
    }
    let upper = k.to_ascii_uppercase();
    let b = upper.as_bytes();
    match b {
        [d, rest @ ..] if rest.len() == 2 && (b'1'..=b'5').contains(d) => {
            (rest.iter().all(u8::is_ascii_digit) || rest == b"XX").then_some(upper)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn repaired(mut v: Value) -> (Value, Vec<String>) {
        let mut diags = Diagnostics::default();
        version(&mut v, &mut diags);
        repair(&mut v, &mut diags);
        (v, diags.into_vec().into_iter().map(|d| d.pointer).collect())
    }

    fn minimal() -> Value {
        json!({ "openapi": "3.0.3", "info": { "title": "t", "version": "1" }, "paths": {} })
    }

    #[test]
    fn a_well_formed_document_is_left_alone() {
        let (v, diags) = repaired(minimal());
        assert_eq!(v, minimal());
        assert!(diags.is_empty());
    }

    #[test]
    fn versions_that_yaml_made_numbers_or_that_lack_a_patch() {
        let (v, diags) = repaired(json!({ "openapi": 3.0, "info": { "title": "t", "version": 1.0 }, "paths": {} }));
        assert_eq!(v["openapi"], "3.0.0");
        assert_eq!(v["info"]["version"], "1.0");
        assert_eq!(diags, ["/openapi", "/info/version"]);
        let (v, _) = repaired(json!({ "openapi": "3.1", "info": { "title": "t", "version": "1" } }));
        assert_eq!(v["openapi"], "3.1.0");
        let (v, _) = repaired(json!({ "swagger": 2, "info": { "title": "t", "version": "1" }, "paths": {} }));
        assert_eq!(v["swagger"], "2.0");
    }

    #[test]
    fn missing_info_title_and_version_take_defaults() {
        let (v, diags) = repaired(json!({ "openapi": "3.0.0", "paths": {} }));
        assert_eq!(v["info"], json!({ "title": DEFAULT_TITLE, "version": DEFAULT_VERSION }));
        assert_eq!(diags, ["/info"]);
        let (v, diags) = repaired(json!({ "openapi": "3.0.0", "info": { "title": "" }, "paths": {} }));
        assert_eq!(v["info"]["title"], DEFAULT_TITLE);
        assert_eq!(v["info"]["version"], DEFAULT_VERSION);
        assert_eq!(diags, ["/info/title", "/info/version"]);
    }

    #[test]
    fn nulls_where_lists_belong() {
        let mut doc = minimal();
        doc["tags"] = Value::Null;
        doc["servers"] = Value::Null;
        doc["security"] = json!([{ "key": null }]);
        doc["paths"] = json!({ "/a": { "parameters": null, "get": { "tags": null, "responses": { "200": { "description": "ok" } }, "security": [{ "key": null }] } } });
        let (v, diags) = repaired(doc);
        assert!(v.get("tags").is_none() && v.get("servers").is_none());
        assert_eq!(v["security"], json!([{ "key": [] }]));
        assert_eq!(v["paths"]["/a"]["get"]["security"], json!([{ "key": [] }]));
        assert_eq!(diags, ["/tags", "/servers", "/security/0/key", "/paths/~1a/parameters", "/paths/~1a/get/tags", "/paths/~1a/get/security/0/key"]);
    }

    #[test]
    fn parameters_without_a_schema() {
        let mut doc = minimal();
        doc["paths"] = json!({ "/a/{id}": { "get": {
            "parameters": [
                { "name": "id", "in": "path", "type": "integer", "format": "int64" },
                { "name": "q", "in": "Query" },
                { "in": "query" },
                { "name": "b", "in": "body", "schema": {} }
            ],
            "responses": { "200": { "description": "ok" } }
        } } });
        let (v, diags) = repaired(doc);
        let params = &v["paths"]["/a/{id}"]["get"]["parameters"];
        assert_eq!(params[0], json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } }));
        assert_eq!(params[1], json!({ "name": "q", "in": "query", "schema": { "type": "string" } }));
        assert_eq!(params.as_array().unwrap().len(), 2, "nameless and body parameters are dropped");
        assert_eq!(diags.len(), 6, "{diags:?}");
    }

    #[test]
    fn required_on_a_property_moves_to_its_parent() {
        let mut doc = minimal();
        doc["components"] = json!({ "schemas": { "A": { "type": "Object", "properties": {
            "x": { "type": "string", "required": true },
            "y": { "type": "Integer", "required": false }
        } } } });
        let (v, diags) = repaired(doc);
        let a = &v["components"]["schemas"]["A"];
        assert_eq!(a["type"], "object");
        assert_eq!(a["required"], json!(["x"]));
        assert_eq!(a["properties"]["x"], json!({ "type": "string" }));
        assert_eq!(a["properties"]["y"], json!({ "type": "integer" }));
        let at = |k: &str| format!("/components/schemas/A{k}");
        assert_eq!(diags, [at("/type"), at("/properties/x/required"), at("/properties/y/required"), at("/properties/y/type")]);
    }

    #[test]
    fn responses_and_their_keys() {
        let mut doc = minimal();
        doc["paths"] = json!({ "/a": { "get": { "responses": { "2xx": { "description": "ok" }, "404": null, "oops": {}, "500": { "content": { "application/json": null } } } }, "post": {} } });
        let (v, diags) = repaired(doc);
        let r = &v["paths"]["/a"]["get"]["responses"];
        assert_eq!(r.as_object().unwrap().keys().collect::<Vec<_>>(), ["404", "500", "2XX"]);
        assert_eq!(r["404"], json!({ "description": "" }));
        assert_eq!(r["500"], json!({ "description": "", "content": { "application/json": {} } }));
        assert_eq!(v["paths"]["/a"]["post"]["responses"], json!({}));
        let at = |k: &str| format!("/paths/~1a/{k}");
        let expected = ["get/responses/2xx", "get/responses/404", "get/responses/oops", "get/responses/500/description", "get/responses/500/content/application~1json", "post/responses"];
        assert_eq!(diags, expected.map(at));
    }

    #[test]
    fn paths_without_a_leading_slash() {
        let mut doc = minimal();
        doc["paths"] = json!({ "pets": {}, "/users": {}, "users": {} });
        let (v, diags) = repaired(doc);
        assert_eq!(v["paths"].as_object().unwrap().keys().collect::<Vec<_>>(), ["/users", "/pets"]);
        assert_eq!(diags, ["/paths/pets", "/paths/users"]);
    }

    #[test]
    fn schema_scalars_of_the_wrong_type() {
        let mut doc = minimal();
        doc["components"] = json!({ "schemas": { "A": { "type": "string", "maxLength": "10", "minLength": -1, "nullable": "true", "enum": null, "type_list": 1 },
            "B": { "type": ["string", "null"] }, "C": { "type": "array", "items": [{ "type": "string" }] }, "D": { "oneOf": [null, { "type": "string" }], "discriminator": "kind" } } });
        let (v, _) = repaired(doc);
        let s = &v["components"]["schemas"];
        assert_eq!(s["A"]["maxLength"], 10);
        assert!(s["A"].get("minLength").is_none() && s["A"].get("enum").is_none());
        assert_eq!(s["A"]["nullable"], true);
        assert_eq!(s["B"], json!({ "type": "string", "nullable": true }));
        assert_eq!(s["C"]["items"], json!({ "type": "string" }));
        assert_eq!(s["D"]["oneOf"], json!([{ "type": "string" }]));
        assert_eq!(s["D"]["discriminator"], json!({ "propertyName": "kind" }));
    }

    #[test]
    fn examples_that_contradict_their_schema_are_left_out() {
        let mut doc = minimal();
        doc["components"] = json!({ "schemas": {
            "A": { "type": "string", "example": 1.0 },
            "B": { "type": "string", "enum": ["x"], "example": "y" },
            "C": { "type": "array", "items": { "type": "integer" }, "example": [1, "two"] },
            "D": { "type": "integer", "example": 3, "nullable": true },
            "E": { "type": "string", "example": null },
        }});
        let (v, diags) = repaired(doc);
        let s = &v["components"]["schemas"];
        for gone in ["A", "B", "C"] {
            assert!(s[gone].get("example").is_none(), "{gone}");
            assert!(diags.iter().any(|d| d.starts_with(&format!("/components/schemas/{gone}/example"))), "{gone}: {diags:?}");
        }
        assert_eq!(s["D"]["example"], 3);
        assert!(s["E"].get("example").is_some());
    }

    #[test]
    fn status_keys() {
        assert_eq!(status_key("200").as_deref(), Some("200"));
        assert_eq!(status_key("4xx").as_deref(), Some("4XX"));
        assert_eq!(status_key("Default").as_deref(), Some("default"));
        assert_eq!(status_key("600"), None);
        assert_eq!(status_key("ok"), None);
    }
}
