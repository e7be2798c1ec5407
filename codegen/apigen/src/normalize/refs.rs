//! Every `$ref` followed, whatever it points to, so that `lower` meets
//! only two forms: a schema reference to `#/components/schemas/<key>`, and
//! a one-step reference to a parameter, response, request body or header
//! under `components`.
//!
//! A schema reference elsewhere (into a parameter, a response's media
//! type, another schema's property, `#/definitions` left in a 3.x
//! document) gets the schema it points to copied under
//! `components/schemas`, with a name made from where it was, once per
//! target. Other references that are chains, or point outside their
//! component section, are replaced by what they point to. A reference
//! that points to nothing, or to a cycle of references, is a diagnostic:
//! a schema takes any value, a parameter, body or header is left out, a
//! response has no body.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::diag::Diagnostics;
use crate::error::Error;
use crate::pointer;

/// Keys whose values are data: a `$ref` inside them is not a reference.
pub(crate) const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const", "x-examples"];

/// Where a `$ref` stands, by what the OpenAPI structure expects there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Doc,
    Paths,
    PathItem,
    Operation,
    ParamList,
    Parameter,
    RequestBody,
    Responses,
    Response,
    Content,
    MediaType,
    Encodings,
    Encoding,
    Headers,
    Header,
    Components,
    /// A map of schemas (`components/schemas`, `properties`, `definitions`).
    SchemaMap,
    SchemaList,
    Schema,
    /// `components/parameters` and the like: a map of `kind`.
    Section(Section),
    /// Anything the client does not read (examples, links, callbacks).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Parameters,
    Responses,
    RequestBodies,
    Headers,
}

impl Section {
    fn item(self) -> Kind {
        match self {
            Section::Parameters => Kind::Parameter,
            Section::Responses => Kind::Response,
            Section::RequestBodies => Kind::RequestBody,
            Section::Headers => Kind::Header,
        }
    }
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The kind of the member `key` of a node of kind `at`.
fn step(at: Kind, key: &str) -> Kind {
    use Kind::*;
    match (at, key) {
        (Doc, "paths") => Paths,
        (Doc, "components") => Components,
        (Doc, "definitions") => SchemaMap,
        (Paths, _) => PathItem,
        (PathItem, "parameters") | (Operation, "parameters") => ParamList,
        (PathItem, k) if METHODS.contains(&k) || (k.bytes().all(|b| b.is_ascii_alphabetic()) && !matches!(k, "summary" | "description" | "servers")) => {
            Operation
        }
        (ParamList, _) => Parameter,
        (Operation, "requestBody") => RequestBody,
        (Operation, "responses") => Responses,
        (Responses, _) => Response,
        (Response, "content") | (RequestBody, "content") | (Parameter, "content") | (Header, "content") => Content,
        (Response, "headers") | (Encoding, "headers") => Headers,
        (Content, _) => MediaType,
        (MediaType, "schema") | (Parameter, "schema") | (Header, "schema") => Schema,
        (MediaType, "encoding") => Encodings,
        (Encodings, _) => Encoding,
        (Headers, _) => Header,
        (Components, "schemas") => SchemaMap,
        (Components, "parameters") => Section(self::Section::Parameters),
        (Components, "responses") => Section(self::Section::Responses),
        (Components, "requestBodies") => Section(self::Section::RequestBodies),
        (Components, "headers") => Section(self::Section::Headers),
        (Section(s), _) => s.item(),
        (SchemaMap, _) => Schema,
        (Schema, "properties" | "patternProperties" | "$defs" | "definitions") => SchemaMap,
        (Schema, "items" | "not" | "additionalProperties" | "additionalItems" | "contains" | "propertyNames") => Schema,
        (Schema, "allOf" | "oneOf" | "anyOf" | "prefixItems") => SchemaList,
        (SchemaList, _) => Schema,
        _ => Other,
    }
}

/// A `$ref` found in the document.
struct Site {
    /// The pointer of the object holding the `$ref`.
    at: String,
    kind: Kind,
}

fn collect(v: &Value, ptr: &str, kind: Kind, out: &mut Vec<Site>) {
    match v {
        Value::Object(m) => {
            if m.get("$ref").is_some_and(Value::is_string) && kind != Kind::Other {
                out.push(Site { at: ptr.to_owned(), kind });
            }
            for (k, child) in m {
                if !(child.is_object() || child.is_array()) || k.starts_with("x-") || k == "$ref" {
                    continue;
                }
                // Data (`example`, a schema's `default`) is never walked:
                // `step` knows no structure under it. A map's members are,
                // whatever their names (a property `example`, the
                // response `default`).
                let next = step(kind, k);
                if next != Kind::Other {
                    collect(child, &pointer::join(ptr, k), next, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let next = step(kind, "");
                if next != Kind::Other {
                    collect(child, &pointer::join_index(ptr, i), next, out);
                }
            }
        }
        _ => {}
    }
}

/// Where a chain of references from `start` ends.
enum End {
    /// At a node that is not a reference, with the pointer of each hop.
    At(String),
    /// At nothing: the reference that names nothing.
    Nothing(String),
    /// In a document this one does not hold.
    External(String),
    Cycle,
}

/// The reference held by the object at `ptr`, if it is one.
fn reference_at<'v>(doc: &'v Value, ptr: &str) -> Option<&'v str> {
    pointer::get(doc, ptr)?.get("$ref")?.as_str()
}

fn follow(doc: &Value, reference: &str) -> End {
    let mut seen = HashSet::new();
    let mut current = reference.to_owned();
    loop {
        let (file, fragment) = pointer::split_ref(&current);
        if !file.is_empty() {
            return End::External(current);
        }
        let target = fragment.unwrap_or_default();
        if !seen.insert(target.clone()) {
            return End::Cycle;
        }
        match pointer::get(doc, &target).map(|v| (v, target.clone())).or_else(|| {
            let moved = swagger_location(&target)?;
            Some((pointer::get(doc, &moved)?, moved))
        }) {
            None => return End::Nothing(current),
            Some((v, found)) => match v.get("$ref").and_then(Value::as_str) {
                Some(next) => current = next.to_owned(),
                None => return End::At(found),
            },
        }
    }
}

/// A bundled file's name (`pet.yaml`), which says nothing of the schema.
fn is_file_name(token: &str) -> bool {
    [".json", ".yaml", ".yml"].iter().any(|ext| token.ends_with(ext))
}

/// Where a Swagger 2.0 location (`#/definitions/Pet`) is in a 3.0
/// document, for references that still use it.
fn swagger_location(target: &str) -> Option<String> {
    for (old, new) in [("/definitions/", "/components/schemas/"), ("/parameters/", "/components/parameters/"), ("/responses/", "/components/responses/")] {
        if let Some(rest) = target.strip_prefix(old) {
            return Some(format!("{new}{rest}"));
        }
    }
    None
}

/// Follows every reference of `doc`. `http(s)` references are refused:
/// generation never touches the network.
pub fn resolve(doc: &mut Value, file: &str, diags: &mut Diagnostics) -> Result<(), Error> {
    let mut sites = Vec::new();
    collect(doc, "", Kind::Doc, &mut sites);
    for site in &sites {
        let reference = reference_at(doc, &site.at).unwrap_or_default();
        if reference.starts_with("http://") || reference.starts_with("https://") {
            return Err(Error::invalid(
                file,
                pointer::join(&site.at, "$ref"),
                format!("reference `{reference}` is on the network; download it and refer to the file instead"),
            ));
        }
    }
    let mut schemas = Schemas::new(doc);
    // Schema references first: hoisted schemas are walked in turn.
    let mut queue: Vec<Site> = sites.iter().filter(|s| s.kind == Kind::Schema).map(|s| Site { at: s.at.clone(), kind: s.kind }).collect();
    while let Some(site) = queue.pop() {
        let Some(reference) = reference_at(doc, &site.at).map(str::to_owned) else { continue };
        let ref_ptr = pointer::join(&site.at, "$ref");
        let canonical = match follow(doc, &reference) {
            End::At(target) => match schemas.key_of(&target) {
                Some(key) => Some(key),
                None => {
                    let key = schemas.hoist(doc, &target);
                    let hoisted = pointer::join("/components/schemas", &key);
                    let mut inner = Vec::new();
                    if let Some(v) = pointer::get(doc, &hoisted) {
                        collect(v, &hoisted, Kind::Schema, &mut inner);
                    }
                    queue.extend(inner);
                    Some(key)
                }
            },
            End::Nothing(r) => {
                diags.push(ref_ptr, format!("reference `{r}` points to nothing in the document; the schema takes any value"));
                None
            }
            End::External(r) => {
                diags.push(ref_ptr, format!("reference `{r}` is to another document, which was not loaded; the schema takes any value"));
                None
            }
            End::Cycle => {
                diags.push(ref_ptr, format!("reference `{reference}` is part of a cycle of references that never reaches a schema; the schema takes any value"));
                None
            }
        };
        let Some(Value::Object(obj)) = doc.pointer_mut(&site.at) else { continue };
        match canonical {
            Some(key) => {
                let written = pointer::to_fragment(&pointer::join("/components/schemas", &key));
                obj.insert("$ref".into(), Value::String(written));
            }
            None => {
                obj.remove("$ref");
            }
        }
    }
    schemas.point_originals_to_copies(doc);
    resolve_others(doc, diags);
    if let Some(m) = doc.as_object_mut() {
        m.remove("definitions");
        m.remove(crate::load::bundle::BUNDLE_KEY);
    }
    Ok(())
}

/// Parameter, response, request body and header references: kept when
/// they are one step to their own section, else replaced by their target.
fn resolve_others(doc: &mut Value, diags: &mut Diagnostics) {
    let wanted = |s: &Site| matches!(s.kind, Kind::Parameter | Kind::Response | Kind::RequestBody | Kind::Header);
    let mut found = Vec::new();
    collect(doc, "", Kind::Doc, &mut found);
    // Each site with the number of targets it was copied in with: a target
    // holds references in turn (a response's headers), and the bound stops
    // a cycle through contents.
    let mut work: Vec<(Site, usize)> = found.into_iter().filter(wanted).map(|s| (s, 0)).collect();
    let mut removals: Vec<String> = Vec::new();
    let mut next = 0;
    while let Some((site, depth)) = work.get(next) {
        next += 1;
        let (at, kind, depth) = (site.at.clone(), site.kind, *depth);
        let Some(reference) = reference_at(doc, &at).map(str::to_owned) else { continue };
        let section = match kind {
            Kind::Parameter => "parameters",
            Kind::Response => "responses",
            Kind::RequestBody => "requestBodies",
            _ => "headers",
        };
        let prefix = format!("#/components/{section}/");
        // Kept: one step to its own section, which `lower` reads.
        let direct = pointer::component(&reference, &prefix).is_some();
        let first_hop = pointer::split_ref(&reference).1;
        let ref_ptr = pointer::join(&at, "$ref");
        match follow(doc, &reference) {
            End::At(target) if direct && first_hop.as_deref() == Some(target.as_str()) => {}
            End::At(target) => {
                let value = pointer::get(doc, &target).cloned().unwrap_or(Value::Null);
                if depth < 8 {
                    let mut inner = Vec::new();
                    collect(&value, &at, kind, &mut inner);
                    work.extend(inner.into_iter().filter(|s| wanted(s) && s.at != at).map(|s| (s, depth + 1)));
                }
                if let Some(slot) = doc.pointer_mut(&at) {
                    *slot = value;
                }
            }
            end => {
                let why = match end {
                    End::Nothing(r) => format!("reference `{r}` points to nothing in the document"),
                    End::External(r) => format!("reference `{r}` is to another document, which was not loaded"),
                    _ => format!("reference `{reference}` is part of a cycle of references"),
                };
                if kind == Kind::Response {
                    diags.push(ref_ptr, format!("{why}; the response is read as one without a body"));
                    if let Some(slot) = doc.pointer_mut(&at) {
                        *slot = serde_json::json!({ "description": "" });
                    }
                } else {
                    diags.push(ref_ptr, format!("{why}; it is left out"));
                    removals.push(at);
                }
            }
        }
    }
    // Removing shifts a list's later entries: done last, last first.
    pointer::remove_all(doc, &removals);
}

/// The component schemas, and the keys given to schemas hoisted there.
struct Schemas {
    taken: HashSet<String>,
    hoisted: HashMap<String, String>,
}

impl Schemas {
    fn new(doc: &Value) -> Self {
        let taken = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        Schemas { taken, hoisted: HashMap::new() }
    }

    /// The component key of a schema already under `components/schemas`
    /// (or hoisted there).
    fn key_of(&self, target: &str) -> Option<String> {
        if let Some(key) = self.hoisted.get(target) {
            return Some(key.clone());
        }
        match pointer::tokens(target)?.as_slice() {
            [c, s, key] if c == "components" && s == "schemas" => Some(key.clone()),
            _ => None,
        }
    }

    /// Each hoisted schema, where it was, becomes a reference to its copy,
    /// so that the place and every reference to it share one type. Deepest
    /// first, so that the pointers of the others still hold; and in the
    /// copies of the schemas around it too.
    fn point_originals_to_copies(&self, doc: &mut Value) {
        let mut targets: Vec<(&String, &String)> = self.hoisted.iter().collect();
        targets.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
        for (target, key) in &targets {
            let reference = serde_json::json!({ "$ref": pointer::to_fragment(&pointer::join("/components/schemas", key)) });
            let mut places = vec![(*target).clone()];
            for (outer, outer_key) in &targets {
                if let Some(rest) = target.strip_prefix(outer.as_str()).filter(|r| r.starts_with('/')) {
                    places.push(format!("{}{rest}", pointer::join("/components/schemas", outer_key)));
                }
            }
            for place in places {
                if let Some(slot) = doc.pointer_mut(&place) {
                    *slot = reference.clone();
                }
            }
        }
    }

    /// Copies the schema at `target` under `components/schemas`, with a
    /// key made of where it was: `/components/parameters/Limit/schema`
    /// gives `Limit`, `/components/schemas/Pet/properties/owner` gives
    /// `Pet_owner`.
    fn hoist(&mut self, doc: &mut Value, target: &str) -> String {
        const STRUCTURE: &[&str] = &[
            "components", "schemas", "parameters", "responses", "requestBodies", "headers", "content", "schema",
            "properties", "items", "definitions", "paths", "allOf", "oneOf", "anyOf", "additionalProperties",
            "$defs", "requestBody", crate::load::bundle::BUNDLE_KEY,
        ];
        let tokens = pointer::tokens(target).unwrap_or_default();
        let words: Vec<&str> = tokens.iter().map(String::as_str).filter(|t| !STRUCTURE.contains(t) && !t.contains('/') && !is_file_name(t)).collect();
        // A whole file is named for the file (`schemas/problem.json`:
        // `problem`).
        let stem = tokens.iter().rev().find(|t| is_file_name(t)).and_then(|t| {
            let last = t.rsplit('/').next()?;
            Some(last.rsplit_once('.').map_or(last, |(stem, _)| stem).to_owned())
        });
        let base = match (words.is_empty(), stem) {
            (false, _) => words.join("_"),
            (true, Some(stem)) if !stem.is_empty() => stem,
            _ => "Schema".to_owned(),
        };
        let mut key = base.clone();
        let mut n = 2;
        while self.taken.contains(&key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(key.clone());
        self.hoisted.insert(target.to_owned(), key.clone());
        let value = pointer::get(doc, target).cloned().unwrap_or(Value::Object(Map::new()));
        let root = doc.as_object_mut().expect("a document is an object");
        let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
        if !components.is_object() {
            *components = Value::Object(Map::new());
        }
        let schemas = components.as_object_mut().expect("made an object").entry("schemas").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = schemas {
            m.insert(key.clone(), value);
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(mut v: Value) -> (Value, Vec<String>) {
        let mut d = Diagnostics::default();
        resolve(&mut v, "t.json", &mut d).expect("resolves");
        (v, d.into_vec().into_iter().map(|d| format!("{}: {}", d.pointer, d.message)).collect())
    }

    #[test]
    fn the_default_response_is_a_response_not_data() {
        let (v, d) = run(json!({
            "paths": { "/a": op(json!({ "default": { "description": "e", "content": { "application/json": { "schema": { "$ref": "#/components/responses/P/content/application~1json/schema" } } } } })) },
            "components": { "responses": { "P": { "description": "p", "content": { "application/json": { "schema": { "type": "string" } } } } } }
        }));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v["paths"]["/a"]["get"]["responses"]["default"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/P");
    }

    fn op(responses: Value) -> Value {
        json!({ "get": { "responses": responses } })
    }

    #[test]
    fn schema_references_into_other_places_are_hoisted_once() {
        let (v, d) = run(json!({
            "paths": { "/a": op(json!({ "200": { "description": "ok", "content": { "application/json": { "schema": {
                "type": "object", "properties": {
                    "limit": { "$ref": "#/components/parameters/Limit/schema" },
                    "again": { "$ref": "#/components/parameters/Limit/schema" },
                    "owner": { "$ref": "#/components/schemas/Pet/properties/owner" },
                    "err": { "$ref": "#/components/responses/Err/content/application~1json/schema" },
                    "old": { "$ref": "#/definitions/Old" }
                } } } } } })) },
            "definitions": { "Old": { "type": "boolean" } },
            "components": {
                "parameters": { "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } },
                "responses": { "Err": { "description": "e", "content": { "application/json": { "schema": { "type": "string" } } } } },
                "schemas": { "Pet": { "type": "object", "properties": { "owner": { "type": "object", "properties": { "id": { "$ref": "#/components/schemas/Pet~1Id" } } } } }, "Pet/Id": { "type": "string" } }
            }
        }));
        assert!(d.is_empty(), "{d:?}");
        let props = &v["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"];
        assert_eq!(props["limit"]["$ref"], "#/components/schemas/Limit");
        assert_eq!(props["again"]["$ref"], "#/components/schemas/Limit");
        assert_eq!(props["owner"]["$ref"], "#/components/schemas/Pet_owner");
        assert_eq!(props["err"]["$ref"], "#/components/schemas/Err");
        assert_eq!(props["old"]["$ref"], "#/components/schemas/Old");
        let schemas = &v["components"]["schemas"];
        assert_eq!(schemas["Limit"], json!({ "type": "integer" }));
        // Where they were, the hoisted schemas are references to their copy.
        assert_eq!(v["components"]["parameters"]["Limit"]["schema"]["$ref"], "#/components/schemas/Limit");
        assert_eq!(schemas["Pet"]["properties"]["owner"]["$ref"], "#/components/schemas/Pet_owner");
        assert_eq!(schemas["Old"], json!({ "type": "boolean" }));
        // The hoisted copy's own references are canonical too.
        assert_eq!(schemas["Pet_owner"]["properties"]["id"]["$ref"], "#/components/schemas/Pet~1Id");
        assert!(v.get("definitions").is_none());
    }

    #[test]
    fn chains_end_at_their_schema_and_names_stay_distinct() {
        let (v, d) = run(json!({
            "paths": {},
            "components": { "schemas": {
                "A": { "$ref": "#/components/schemas/B" },
                "B": { "type": "string" },
                "Limit": { "type": "object", "properties": { "x": { "$ref": "#/components/parameters/Limit/schema" } } }
            }, "parameters": { "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } } }
        }));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v["components"]["schemas"]["A"]["$ref"], "#/components/schemas/B");
        assert_eq!(v["components"]["schemas"]["Limit"]["properties"]["x"]["$ref"], "#/components/schemas/Limit_2");
    }

    #[test]
    fn references_to_nothing_are_diagnostics() {
        let (v, d) = run(json!({
            "paths": { "/a": { "get": {
                "parameters": [{ "$ref": "#/components/parameters/Gone" }, { "name": "q", "in": "query", "schema": { "$ref": "#/nowhere" } }],
                "requestBody": { "$ref": "#/components/requestBodies/Gone" },
                "responses": { "200": { "$ref": "#/components/responses/Gone" } } } } },
            "components": { "schemas": {
                "C1": { "$ref": "#/components/schemas/C2" }, "C2": { "$ref": "#/components/schemas/C1" }
            } }
        }));
        // The cycle is broken at its first reference; the other then
        // names a schema that takes any value.
        assert_eq!(d.len(), 5, "{d:?}");
        let get = &v["paths"]["/a"]["get"];
        assert_eq!(get["parameters"], json!([{ "name": "q", "in": "query", "schema": {} }]));
        assert!(get.get("requestBody").is_none());
        assert_eq!(get["responses"]["200"], json!({ "description": "" }));
        assert!(d.iter().any(|m| m.contains("cycle")), "{d:?}");
    }

    #[test]
    fn other_references_are_kept_when_direct_and_inlined_when_not() {
        let (v, d) = run(json!({
            "paths": { "/a": { "get": {
                "parameters": [{ "$ref": "#/components/parameters/P" }, { "$ref": "#/components/parameters/Q" }, { "$ref": "#/paths/~1b/get/parameters/0" }],
                "responses": { "200": { "$ref": "#/components/responses/R" } } } },
                "/b": { "get": { "parameters": [{ "name": "b", "in": "query", "schema": { "type": "string" } }], "responses": {} } } },
            "components": {
                "parameters": { "P": { "name": "p", "in": "query", "schema": { "type": "string" } }, "Q": { "$ref": "#/components/parameters/P" } },
                "responses": { "R": { "description": "r", "headers": { "H": { "$ref": "#/components/headers/H" } } } },
                "headers": { "H": { "schema": { "type": "string" } } }
            }
        }));
        assert!(d.is_empty(), "{d:?}");
        let params = &v["paths"]["/a"]["get"]["parameters"];
        assert_eq!(params[0], json!({ "$ref": "#/components/parameters/P" }));
        assert_eq!(params[1]["name"], "p");
        assert_eq!(params[2]["name"], "b");
        assert_eq!(v["paths"]["/a"]["get"]["responses"]["200"]["$ref"], "#/components/responses/R");
    }

    #[test]
    fn swagger_locations_left_in_a_3_document_are_read_where_they_went() {
        let (v, d) = run(json!({
            "paths": {},
            "components": { "schemas": { "A": { "type": "object", "properties": { "example": { "$ref": "#/definitions/B" } } }, "B": { "type": "string" } } }
        }));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v["components"]["schemas"]["A"]["properties"]["example"]["$ref"], "#/components/schemas/B");
    }

    #[test]
    fn network_references_are_refused() {
        let mut v = json!({ "paths": {}, "components": { "schemas": { "A": { "$ref": "https://example.com/a.json" } } } });
        let e = resolve(&mut v, "t.json", &mut Diagnostics::default()).unwrap_err().to_string();
        assert!(e.contains("t.json#/components/schemas/A/$ref") && e.contains("network"), "{e}");
    }

    #[test]
    fn data_is_not_walked_but_properties_named_like_data_are() {
        let (v, d) = run(json!({
            "paths": {},
            "components": { "schemas": {
                "A": { "type": "object", "example": { "$ref": "not a reference" }, "properties": { "example": { "$ref": "#/components/schemas/B/properties/x" } } },
                "B": { "type": "object", "properties": { "x": { "type": "string" } } }
            } }
        }));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v["components"]["schemas"]["A"]["example"]["$ref"], "not a reference");
        assert_eq!(v["components"]["schemas"]["A"]["properties"]["example"]["$ref"], "#/components/schemas/B_x");
    }
}
