//! Structure-aware inputs: a real spec, changed where generators break
//! (names, references, types, enums, nesting), then serialized so that it
//! goes through `load` as a file would. Byte-level fuzzing alone seldom
//! gets past the JSON and OpenAPI parsers; these inputs mostly do.

use std::sync::OnceLock;

use apigen::load::Syntax;
use arbitrary::{Result, Unstructured};
use serde_json::{json, Map, Value};

/// Specs of this repository: always there, so their indices (and the
/// meaning of a saved input) do not depend on the machine.
const BUILTIN: &[(&str, &[u8])] = &[
    ("tests/specs/features.yaml", include_bytes!("../../tests/specs/features.yaml")),
    ("spec/scenario/openapi.yaml", include_bytes!("../../spec/scenario/openapi.yaml")),
    ("spec/replicate/openapi.json", include_bytes!("../../spec/replicate/openapi.json")),
];

/// The small specs of the shared corpus, used when it is checked out
/// beside this repository. The large ones would make each run seconds.
const SHARED: &[&str] = &[
    "petstore3.yaml",
    "oai-petstore-expanded-v2.yaml",
    "oai-webhook-example.yaml",
    "progenitor-keeper.json",
    "progenitor-buildomat.json",
    "progenitor-propolis.json",
    "hf-tgi.json",
];

/// The seed documents, parsed once.
pub fn seeds() -> &'static [(String, Value)] {
    static SEEDS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        for (name, bytes) in BUILTIN {
            let syntax = if name.ends_with(".json") { Syntax::Json } else { Syntax::Yaml };
            let value = apigen::load::parse(bytes, syntax, name).expect("the repository's specs load");
            out.push((name.to_string(), value));
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs");
        for name in SHARED {
            let path = dir.join(name);
            if let Ok(value) = apigen::load::read(&path, name) {
                out.push((name.to_string(), value));
            }
        }
        out
    })
}

/// A mutated seed, serialized as JSON or YAML.
pub fn mutated(u: &mut Unstructured) -> Result<(Vec<u8>, Syntax)> {
    let seeds = seeds();
    let mut doc = seeds[u.choose_index(seeds.len())?].1.clone();
    let rounds = u.int_in_range(1..=12)?;
    for _ in 0..rounds {
        if u.is_empty() {
            break;
        }
        mutate(u, &mut doc)?;
    }
    serialize(&doc, u.arbitrary()?)
}

pub fn serialize(doc: &Value, yaml: bool) -> Result<(Vec<u8>, Syntax)> {
    if yaml {
        let text = serde_yaml::to_string(doc).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        Ok((text.into_bytes(), Syntax::Yaml))
    } else {
        let bytes = serde_json::to_vec_pretty(doc).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        Ok((bytes, Syntax::Json))
    }
}

/// One change. Those that keep the document valid come more often than
/// those that mostly break it (deleting, retyping), which the parsers
/// already reject early.
fn mutate(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    match u.int_in_range(0..=19)? {
        0 => delete(u, doc),
        1 => retype(u, doc),
        2 => duplicate(u, doc),
        3 | 4 => rename(u, doc),
        5 | 6 => reference(u, doc),
        7 | 8 => keyword(u, doc),
        9 | 10 => colliding_enum(u, doc),
        11 => nest(u, doc),
        12 => insert(u, doc),
        13 | 14 => restring(u, doc),
        15 | 16 => operation_id(u, doc),
        17 | 18 => prose(u, doc),
        _ => version(u, doc),
    }
}

// ---- where: JSON pointers of the document's nodes ----

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Every node's pointer, the root's (`""`) first, in document order.
fn pointers(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let p = format!("{at}/{}", escape(k));
                    out.push(p.clone());
                    walk(child, &p, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let p = format!("{at}/{i}");
                    out.push(p.clone());
                    walk(child, &p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = vec![String::new()];
    walk(doc, "", &mut out);
    out
}

const SCHEMA_KEYS: &[&str] = &[
    "type", "properties", "items", "allOf", "oneOf", "anyOf", "enum", "$ref", "additionalProperties", "nullable",
    "format", "required",
];

fn is_schema_like(v: &Value) -> bool {
    v.as_object().is_some_and(|m| SCHEMA_KEYS.iter().any(|k| m.contains_key(*k)))
}

/// A node for which `keep` holds; half the time one that looks like a
/// schema, where most of the generator's decisions are made.
fn pick(u: &mut Unstructured, doc: &Value, keep: impl Fn(&str, &Value) -> bool) -> Result<Option<String>> {
    let all: Vec<String> =
        pointers(doc).into_iter().filter(|p| doc.pointer(p).is_some_and(|v| keep(p, v))).collect();
    if all.is_empty() {
        return Ok(None);
    }
    let schemas: Vec<&String> = all.iter().filter(|p| doc.pointer(p).is_some_and(is_schema_like)).collect();
    if !schemas.is_empty() && u.arbitrary()? {
        return Ok(Some(schemas[u.choose_index(schemas.len())?].clone()));
    }
    Ok(Some(all[u.choose_index(all.len())?].clone()))
}

fn parent_of(pointer: &str) -> Option<(&str, String)> {
    pointer.rsplit_once('/').map(|(parent, last)| (parent, unescape(last)))
}

// ---- what: values that stress the generator ----

/// Strings that have broken, or could break, names, docs and literals.
const STRINGS: &[&str] = &[
    "", " ", "_", "__", "-", ".", "..", "/", "//", "~", "$", "$ref", "#", "%", "%ZZ", "self", "Self", "super",
    "crate", "type", "fn", "r#type", "match", "async", "await", "dyn", "gen", "try", "union", "macro_rules",
    "static", "box", "2fa", "123", "0", "-1", "1.5", "1e400", "über", "größe", "ß", "İ", "日本語", "🦀", "\u{200b}",
    "\u{feff}", "a-b", "a_b", "a b", "aB", "AB", "a.b", "a..b", ".a", "a.", "A.B.C", "a/b", "{a}", "a\"b", "a\\b",
    "a\nb", "a\rb", "\r", "\r\n", "a\tb", "\0", "\u{7f}", "\u{85}", "\u{2028}", "*/", "/*", "/**", "//!", "///",
    "```", "```rust\nfn main() {}", "~~~", "    indented", "#[doc]", "\"#", "'", "Other", "Unknown",
    "UnknownValue", "OtherValue", "Client", "Error", "Request", "Response", "Value", "String", "Vec", "Option",
    "Result", "Box", "Default", "new", "builder", "raw", "from_env", "from", "clone", "send", "body", "request",
    "into_future", "options_mut", "Item", "Body", "Variant0", "V1", "V1_2", "Op", "T1", "x-foo", "default",
    "200", "2XX", "null", "true", "application/json", "text/event-stream", "multipart/form-data",
    "application/x-www-form-urlencoded", "text/plain", "application/octet-stream", "*/*", "application/*+json",
    "binary", "int32", "int64", "date-time", "object", "array", "string", "integer", "number", "boolean",
];

/// Path templates, as keys of `paths`.
const PATHS: &[&str] = &[
    "/", "", "/{a}", "/{}", "/{", "/}", "/{a}/{a}", "/{a}{b}", "/{self}", "/{type}", "/{ }", "/{a-b}/{a_b}",
    "/x/{1}", "/ü/{ü}", "/a b", "/a\"b", "/{a}/{", "a", "/a/../b", "/a?b=c", "/a#b",
];

const STATUSES: &[&str] =
    &["200", "201", "204", "2XX", "2xx", "default", "0", "1XX", "3XX", "4XX", "404", "500", "599", "999", "XXX", "20"];

const MEDIA_TYPES: &[&str] = &[
    "application/json", "application/json; charset=utf-8", "application/problem+json", "text/plain",
    "text/event-stream", "text/html", "multipart/form-data", "application/x-www-form-urlencoded",
    "application/octet-stream", "image/png", "*/*", "", "json",
];

const OPERATION_IDS: &[&str] = &[
    "self.get", "Self.get", "super.crate", "a.b.c", "a..b", ".", "..", ".a", "a.", "client.new", "new", "raw",
    "builder", "clone", "items.list", "items.list.all", "items", "Items.List", "items-list", "items_list",
    "itemsList", "get", "GET", "2fa.get", "type.type", "a.self", "x.raw", "send", "body", "request", "client",
    "Client", "error", "response", "", " ", "\u{e9}.\u{e9}",
];

fn string(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=9)? {
        0..=5 => u.choose(STRINGS)?.to_string(),
        6 => format!("{}{}", u.choose(STRINGS)?, u.choose(STRINGS)?),
        7 => "a".repeat(u.int_in_range(64..=1024)?),
        _ => u.arbitrary::<String>()?,
    })
}

fn number(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=9)? {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(i64::MAX),
        3 => json!(i64::MIN),
        4 => json!(u64::MAX),
        5 => json!(1.5),
        6 => json!(-0.0),
        7 => json!(1e300),
        8 => json!(u.arbitrary::<i64>()?),
        _ => json!(u.int_in_range(0..=600)?),
    })
}

/// Any JSON value, small.
fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let top = if depth >= 2 { 4 } else { 7 };
    Ok(match u.int_in_range(0..=top)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        3 | 4 => Value::String(string(u)?),
        5 => json!([]),
        6 => {
            let n = u.int_in_range(0..=3)?;
            Value::Array((0..n).map(|_| value(u, depth + 1)).collect::<Result<_>>()?)
        }
        _ => {
            let mut m = Map::new();
            for _ in 0..u.int_in_range(0..=3)? {
                m.insert(string(u)?, value(u, depth + 1)?);
            }
            Value::Object(m)
        }
    })
}

/// A reference: to a node of the document, to a component, or to nothing.
fn ref_target(u: &mut Unstructured, doc: &Value) -> Result<String> {
    Ok(match u.int_in_range(0..=4)? {
        0 | 1 => {
            let kinds = ["schemas", "parameters", "responses", "requestBodies", "securitySchemes"];
            let kind = *u.choose(&kinds)?;
            let keys: Vec<String> = doc
                .pointer(&format!("/components/{kind}"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let key = if keys.is_empty() || u.ratio(1, 5)? { string(u)? } else { u.choose(&keys)?.clone() };
            format!("#/components/{kind}/{}", escape(&key))
        }
        2 => {
            let all = pointers(doc);
            format!("#{}", all[u.choose_index(all.len())?])
        }
        3 => {
            // The same target, percent-encoded as some tools write it.
            let all = pointers(doc);
            let p = &all[u.choose_index(all.len())?];
            format!("#{}", p.replace('~', "%7E").replace(' ', "%20").replace('{', "%7B").replace('}', "%7D"))
        }
        _ => u
            .choose(&[
                "", "#", "#/", "#/components", "#/components/schemas", "#/components/schemas/",
                "#/components/schemas/Nope", "other.yaml#/X", "other.yaml", "https://example.com/s.json#/X",
                "#/definitions/X", "#components/schemas/X", "#/components/schemas/a~2b", "#/components/schemas/%ZZ",
                "#/paths/~1a/get", "#/components/parameters/", "#/components/responses/X",
            ])?
            .to_string(),
    })
}

/// A small schema, possibly referring to the document's own.
fn schema(u: &mut Unstructured, doc: &Value, depth: u32) -> Result<Value> {
    let top = if depth >= 3 { 4 } else { 11 };
    Ok(match u.int_in_range(0..=top)? {
        0 => json!({"type": u.choose(&["string", "integer", "number", "boolean", "object", "array", "null"])?}),
        1 => json!({}),
        2 => json!({"$ref": ref_target(u, doc)?}),
        3 => json!({"type": "string", "format": u.choose(&["binary", "byte", "date-time", "uuid", ""])?}),
        4 => json!({"type": "integer", "format": u.choose(&["int32", "int64", "uint8", "float"])?}),
        5 => json!({"type": "string", "enum": enum_strings(u)?}),
        6 => json!({"type": "integer", "enum": enum_integers(u)?}),
        7 => json!({"type": "array", "items": schema(u, doc, depth + 1)?}),
        8 => {
            let mut props = Map::new();
            let mut required = Vec::new();
            for _ in 0..u.int_in_range(0..=4)? {
                let name = string(u)?;
                if u.arbitrary()? {
                    required.push(Value::String(name.clone()));
                }
                props.insert(name, schema(u, doc, depth + 1)?);
            }
            json!({"type": "object", "properties": props, "required": required})
        }
        9 => {
            let kw = *u.choose(&["oneOf", "anyOf", "allOf"])?;
            let n = u.int_in_range(0..=4)?;
            let parts = (0..n).map(|_| schema(u, doc, depth + 1)).collect::<Result<Vec<_>>>()?;
            json!({ kw: parts })
        }
        10 => json!({"type": "object", "additionalProperties": schema(u, doc, depth + 1)?}),
        _ => json!({"nullable": true, "allOf": [schema(u, doc, depth + 1)?]}),
    })
}

/// Strings that are distinct on the wire but may not be as Rust names.
const ENUM_STRINGS: &[&str] = &[
    "a-b", "a_b", "a b", "A B", "aB", "AB", "ab", "Ab", "", " ", "_", "-", "+", "*", "Other", "Unknown",
    "UnknownValue", "OtherValue", "other", "OTHER", "self", "Self", "type", "1", "-1", "1a", "a1", "V1", "über",
    "uber", "🦀", "日本", "null", "true", "a\"b", "a\\b", "a\nb", "a\rb", "`", "*/",
];

fn enum_strings(u: &mut Unstructured) -> Result<Vec<Value>> {
    let n = u.int_in_range(1..=8)?;
    (0..n).map(|_| Ok(Value::String(u.choose(ENUM_STRINGS)?.to_string()))).collect()
}

fn enum_integers(u: &mut Unstructured) -> Result<Vec<Value>> {
    let n = u.int_in_range(1..=6)?;
    (0..n)
        .map(|_| {
            Ok(match u.int_in_range(0..=6)? {
                0 => json!(0),
                1 => json!(-1),
                2 => json!(1),
                3 => json!(i64::MAX),
                4 => json!(i64::MIN),
                5 => json!(-9223372036854775807_i64),
                _ => json!(u.arbitrary::<i64>()?),
            })
        })
        .collect()
}

// ---- how: the mutations ----

fn delete(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |p, _| !p.is_empty())? else { return Ok(()) };
    let Some((parent, last)) = parent_of(&p) else { return Ok(()) };
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.shift_remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A node replaced by a value of another JSON type.
fn retype(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |p, _| !p.is_empty())? else { return Ok(()) };
    let v = value(u, 0)?;
    if let Some(slot) = doc.pointer_mut(&p) {
        *slot = v;
    }
    Ok(())
}

/// A subtree copied elsewhere: into an object under a new or existing key,
/// onto an array, or over another node.
fn duplicate(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(src) = pick(u, doc, |_, _| true)? else { return Ok(()) };
    let copy = doc.pointer(&src).cloned().unwrap_or(Value::Null);
    let Some(dst) = pick(u, doc, |p, _| !p.is_empty())? else { return Ok(()) };
    let key = match parent_of(&src) {
        Some((_, last)) if u.arbitrary()? => last,
        _ => string(u)?,
    };
    let over = u.ratio(1, 3)?;
    match doc.pointer_mut(&dst) {
        Some(slot) if over => *slot = copy,
        Some(Value::Object(m)) => {
            m.insert(key, copy);
        }
        Some(Value::Array(items)) => items.push(copy),
        Some(slot) => *slot = copy,
        None => {}
    }
    Ok(())
}

/// A member's key changed, in place: to a keyword, to nothing, to
/// non-ASCII, to a leading digit, or to a variant of itself or of a
/// sibling that is the same name after case conversion.
fn rename(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |p, _| parent_of(p).is_some())? else { return Ok(()) };
    let Some((parent, old)) = parent_of(&p) else { return Ok(()) };
    let container = parent.rsplit('/').next().map(unescape).unwrap_or_default();
    let Some(Value::Object(m)) = doc.pointer_mut(parent) else { return Ok(()) };
    let siblings: Vec<String> = m.keys().cloned().collect();
    let new = match u.int_in_range(0..=3)? {
        0 | 1 => {
            let base = u.choose(&siblings)?.clone();
            case_variant(u, &base)?
        }
        _ => match container.as_str() {
            "paths" | "webhooks" => u.choose(PATHS)?.to_string(),
            "responses" => u.choose(STATUSES)?.to_string(),
            "content" => u.choose(MEDIA_TYPES)?.to_string(),
            _ => string(u)?,
        },
    };
    let entries: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
    for (k, v) in entries {
        m.insert(if k == old { new.clone() } else { k }, v);
    }
    Ok(())
}

/// The same words spelled another way: what case conversion may merge.
fn case_variant(u: &mut Unstructured, name: &str) -> Result<String> {
    let snake = {
        let mut s = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                s.push('_');
            }
            s.extend(c.to_lowercase());
        }
        s
    };
    Ok(match u.int_in_range(0..=9)? {
        0 => name.to_uppercase(),
        1 => name.to_lowercase(),
        2 => snake,
        3 => snake.replace('_', "-"),
        4 => snake.replace('_', " "),
        5 => format!("{name}_"),
        6 => format!("_{name}"),
        7 => format!("{name}2"),
        8 => {
            let mut c = name.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
        _ => format!("{name}\u{e9}"),
    })
}

/// A `$ref` put on an object, beside its members or instead of them.
fn reference(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |_, v| v.is_object())? else { return Ok(()) };
    let target = ref_target(u, doc)?;
    let alone = u.ratio(2, 3)?;
    match doc.pointer_mut(&p) {
        Some(slot) if alone => *slot = json!({ "$ref": target }),
        Some(Value::Object(m)) => {
            m.insert("$ref".into(), Value::String(target));
        }
        _ => {}
    }
    Ok(())
}

/// An OpenAPI keyword set on an object, with a value of the kind it takes
/// (or not).
fn keyword(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |_, v| v.is_object())? else { return Ok(()) };
    let kw = *u.choose(&[
        "type", "format", "enum", "nullable", "required", "items", "properties", "additionalProperties", "allOf",
        "oneOf", "anyOf", "not", "operationId", "in", "style", "explode", "name", "description", "summary",
        "title", "default", "discriminator", "const", "readOnly", "deprecated", "security", "servers", "schema",
        "content", "requestBody", "responses", "parameters", "x-nullable", "example", "collectionFormat",
    ])?;
    let property_names: Vec<Value> = doc
        .pointer(&p)
        .and_then(|v| v.get("properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().map(Value::String).collect())
        .unwrap_or_default();
    let v = match kw {
        "type" => match u.int_in_range(0..=3)? {
            0 => json!([u.choose(&["string", "integer", "object", "array"])?, "null"]),
            1 => json!(["integer", "string"]),
            2 => Value::String(string(u)?),
            _ => json!(u.choose(&["string", "integer", "number", "boolean", "object", "array", "null"])?),
        },
        "format" => json!(u.choose(&["int32", "int64", "binary", "byte", "date-time", "uuid", "float", "", "x"])?),
        "enum" if u.arbitrary()? => Value::Array(enum_strings(u)?),
        "enum" => Value::Array(enum_integers(u)?),
        "required" if !property_names.is_empty() && u.arbitrary()? => Value::Array(property_names),
        "required" | "nullable" | "explode" | "readOnly" | "deprecated" | "x-nullable" if u.arbitrary()? => {
            Value::Bool(u.arbitrary()?)
        }
        "items" | "additionalProperties" | "not" | "schema" => schema(u, doc, 0)?,
        "properties" => schema(u, doc, 2)?.get("properties").cloned().unwrap_or_else(|| json!({ "a": {} })),
        "allOf" | "oneOf" | "anyOf" => {
            let n = u.int_in_range(0..=4)?;
            let mut parts = (0..n).map(|_| schema(u, doc, 1)).collect::<Result<Vec<_>>>()?;
            if u.arbitrary()? {
                // The schema itself among its parts: a cycle through a union.
                parts.push(doc.pointer(&p).cloned().unwrap_or_default());
            }
            Value::Array(parts)
        }
        "operationId" if u.ratio(3, 4)? => json!(u.choose(OPERATION_IDS)?),
        "in" => json!(u.choose(&["path", "query", "header", "cookie", "body", "formData", "x"])?),
        "style" => json!(u.choose(&["form", "deepObject", "spaceDelimited", "pipeDelimited", "simple", "matrix"])?),
        "collectionFormat" => json!(u.choose(&["csv", "ssv", "tsv", "pipes", "multi", "x"])?),
        "discriminator" => json!({ "propertyName": string(u)? }),
        "security" => json!(u.choose(&[json!([]), json!([{}]), json!([{"nope": []}])])?),
        "servers" => json!([{ "url": string(u)? }]),
        "content" => json!({ u.choose(MEDIA_TYPES)?.to_string(): { "schema": schema(u, doc, 1)? } }),
        "requestBody" => json!({
            "required": u.arbitrary::<bool>()?,
            "content": { u.choose(MEDIA_TYPES)?.to_string(): { "schema": schema(u, doc, 1)? } },
        }),
        "responses" => {
            let mut m = Map::new();
            for _ in 0..u.int_in_range(1..=4)? {
                m.insert(
                    u.choose(STATUSES)?.to_string(),
                    json!({
                        "description": string(u)?,
                        "content": { u.choose(MEDIA_TYPES)?.to_string(): { "schema": schema(u, doc, 1)? } },
                    }),
                );
            }
            Value::Object(m)
        }
        "parameters" => {
            let n = u.int_in_range(0..=4)?;
            let params = (0..n)
                .map(|_| {
                    Ok(json!({
                        "name": string(u)?,
                        "in": u.choose(&["path", "query", "header", "cookie"])?,
                        "required": u.arbitrary::<bool>()?,
                        "schema": schema(u, doc, 1)?,
                    }))
                })
                .collect::<Result<Vec<_>>>()?;
            Value::Array(params)
        }
        _ => value(u, 0)?,
    };
    if let Some(Value::Object(m)) = doc.pointer_mut(&p) {
        m.insert(kw.to_owned(), v);
    }
    Ok(())
}

/// A schema given an enum whose values collide as Rust names, or with the
/// enum's fallback variant.
fn colliding_enum(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |_, v| is_schema_like(v))? else { return Ok(()) };
    let (ty, values) = if u.ratio(3, 4)? {
        ("string", enum_strings(u)?)
    } else {
        ("integer", enum_integers(u)?)
    };
    if let Some(Value::Object(m)) = doc.pointer_mut(&p) {
        if u.arbitrary()? {
            m.insert("type".into(), json!(ty));
        }
        m.insert("enum".into(), Value::Array(values));
    }
    Ok(())
}

/// A node wrapped in layers of arrays, objects and combinators.
fn nest(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |p, _| !p.is_empty())? else { return Ok(()) };
    let layers = u.int_in_range(1..=40)?;
    let Some(slot) = doc.pointer_mut(&p) else { return Ok(()) };
    let mut v = slot.take();
    for _ in 0..layers {
        v = match u.int_in_range(0..=6)? {
            0 => json!({ "type": "array", "items": v }),
            1 => json!({ "allOf": [v] }),
            2 => json!({ "oneOf": [v, { "type": "string" }] }),
            3 => json!({ "anyOf": [v] }),
            4 => json!({ "type": "object", "properties": { "a": v } }),
            5 => json!({ "additionalProperties": v }),
            _ => json!({ "nullable": true, "allOf": [v] }),
        };
    }
    *slot = v;
    Ok(())
}

/// A new member: an odd key with a value from elsewhere in the document,
/// or a new one.
fn insert(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |_, v| v.is_object())? else { return Ok(()) };
    let container = p.rsplit('/').next().map(unescape).unwrap_or_default();
    let key = match container.as_str() {
        "paths" | "webhooks" => u.choose(PATHS)?.to_string(),
        "responses" => u.choose(STATUSES)?.to_string(),
        "content" => u.choose(MEDIA_TYPES)?.to_string(),
        _ => string(u)?,
    };
    let v = if u.arbitrary()? {
        let all = pointers(doc);
        doc.pointer(&all[u.choose_index(all.len())?]).cloned().unwrap_or_default()
    } else if u.arbitrary()? {
        schema(u, doc, 0)?
    } else {
        value(u, 0)?
    };
    if let Some(Value::Object(m)) = doc.pointer_mut(&p) {
        m.insert(key, v);
    }
    Ok(())
}

/// A string value replaced: descriptions, titles, names, URLs, formats.
fn restring(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(p) = pick(u, doc, |_, v| v.is_string())? else { return Ok(()) };
    let s = string(u)?;
    if let Some(slot) = doc.pointer_mut(&p) {
        *slot = Value::String(s);
    }
    Ok(())
}

/// The declared version: the same document read as another dialect.
fn version(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let Some(m) = doc.as_object_mut() else { return Ok(()) };
    let v = *u.choose(&["3.0.0", "3.0.3", "3.1.0", "3.1.1", "2.0", "3.2.0", "3"])?;
    if v == "2.0" {
        m.shift_remove("openapi");
        m.insert("swagger".into(), json!(v));
    } else {
        m.shift_remove("swagger");
        m.insert("openapi".into(), json!(v));
    }
    Ok(())
}

/// An operation's `operationId`, which names its method, builder and
/// namespaces.
fn operation_id(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let is_operation = |p: &str, v: &Value| {
        let parts: Vec<&str> = p.split('/').collect();
        v.is_object() && parts.len() == 4 && matches!(parts[1], "paths" | "webhooks") && parts[3] != "parameters"
    };
    let Some(p) = pick(u, doc, is_operation)? else { return Ok(()) };
    let id = if u.ratio(3, 4)? { u.choose(OPERATION_IDS)?.to_string() } else { string(u)? };
    if let Some(Value::Object(m)) = doc.pointer_mut(&p) {
        m.insert("operationId".into(), Value::String(id));
    }
    Ok(())
}

/// Prose that ends up in doc comments: the title, descriptions, summaries.
fn prose(u: &mut Unstructured, doc: &mut Value) -> Result<()> {
    let text = match u.int_in_range(0..=3)? {
        0 => string(u)?,
        1 => format!("{}{}{}", string(u)?, u.choose(&["\r", "\n", "\r\n", "*/", "```", "\t"])?, string(u)?),
        _ => format!("{}{}", u.choose(STRINGS)?, u.choose(STRINGS)?),
    };
    let key = *u.choose(&["description", "summary", "title"])?;
    if key == "title" && u.arbitrary()? {
        if let Some(Value::Object(info)) = doc.pointer_mut("/info") {
            info.insert("title".into(), Value::String(text));
            return Ok(());
        }
    }
    let Some(p) = pick(u, doc, |_, v| v.is_object())? else { return Ok(()) };
    if let Some(Value::Object(m)) = doc.pointer_mut(&p) {
        m.insert(key.into(), Value::String(text));
    }
    Ok(())
}
