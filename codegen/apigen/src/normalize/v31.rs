//! OpenAPI 3.1 (and the JSON Schema habits it allows) in the shape of 3.0,
//! which the typed model reads: type arrays with `"null"` become
//! `nullable`, `const` an enum of one, `{type: "null"}` members of unions
//! `nullable`, numeric `exclusiveMinimum` a flag, `$ref` with siblings an
//! `allOf`. Applied to every document, since 3.0 documents in the wild use
//! these too.

use serde_json::{Map, Value};

use crate::diag::Diagnostics;
use crate::pointer;

/// Keys whose values are data, not schemas or spec objects: never
/// rewritten.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const", "x-examples"];

/// Rewrites `doc` in place; `is_31` also adjusts the top level (version,
/// optional `paths`).
pub fn downlevel(doc: &mut Value, is_31: bool, diags: &mut Diagnostics) {
    if is_31 {
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("openapi".into(), Value::String("3.0.3".into()));
            obj.entry("paths").or_insert_with(|| Value::Object(Map::new()));
        }
    } else {
        ignore_ref_siblings(doc, diags);
    }
    walk(doc, "", 0, false, diags);
}

/// Siblings of a `$ref` that say what the value is, not only more about
/// it: `properties`, `required`, a `type` or `format` other than the
/// target's.
const DEFINING_SIBLINGS: &[&str] = &[
    "type", "format", "properties", "items", "allOf", "oneOf", "anyOf", "enum", "required", "additionalProperties",
];

/// OpenAPI 3.0 (and Swagger 2.0) read a reference and ignore whatever
/// sits beside it. Siblings that would change what the reference means
/// are dropped, with a diagnostic for each reference, since the server
/// the spec describes ignores them too; one that agrees with the target
/// (`type: object` beside a reference to an object) is dropped quietly.
/// Annotations (`description`, `nullable`, `readOnly`, `default`) stay
/// and are applied by [`fix_schema`]: they say more about the same values
/// (`nullable` only lets a client read a `null` the server sends). 3.1
/// applies every sibling.
fn ignore_ref_siblings(doc: &mut Value, diags: &mut Diagnostics) {
    let mut found: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    collect_ref_siblings(doc, doc, "", 0, false, &mut found);
    for (ptr, quiet, changing) in found {
        if let Some(Value::Object(obj)) = doc.pointer_mut(&ptr) {
            for k in quiet.iter().chain(&changing) {
                obj.remove(k);
            }
        }
        if !changing.is_empty() {
            let keys: Vec<String> = changing.iter().map(|k| format!("`{k}`")).collect();
            diags.push(
                ptr,
                format!("{} beside a `$ref`: OpenAPI 3.0 ignores what sits beside a reference, so only the reference is read", keys.join(", ")),
            );
        }
    }
}

/// Finds the references with defining siblings, as [`walk`] goes: each
/// with the siblings that agree with its target and those that do not.
fn collect_ref_siblings(
    root: &Value,
    v: &Value,
    ptr: &str,
    depth: usize,
    is_map: bool,
    found: &mut Vec<(String, Vec<String>, Vec<String>)>,
) {
    if depth > 512 {
        return;
    }
    match v {
        Value::Object(obj) => {
            if let (false, Some(Value::String(reference))) = (is_map, obj.get("$ref")) {
                let target = pointer::resolve(root, reference);
                let (mut quiet, mut changing) = (Vec::new(), Vec::new());
                for key in obj.keys().filter(|k| DEFINING_SIBLINGS.contains(&k.as_str())) {
                    let agrees = match (key.as_str(), target) {
                        ("type" | "format", Some(t)) if t.get(key) == obj.get(key) => true,
                        ("type", Some(t)) => {
                            obj[key] == "object" && t.get("type").is_none() && ["properties", "allOf", "additionalProperties"].iter().any(|k| t.get(*k).is_some())
                        }
                        _ => false,
                    };
                    if agrees { quiet.push(key.clone()) } else { changing.push(key.clone()) }
                }
                if !quiet.is_empty() || !changing.is_empty() {
                    found.push((ptr.to_owned(), quiet, changing));
                }
            }
            for (k, child) in obj {
                if let Some(child_is_map) = descend(is_map, k, child) {
                    collect_ref_siblings(root, child, &pointer::join(ptr, k), depth + 1, child_is_map, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_ref_siblings(root, child, &pointer::join_index(ptr, i), depth + 1, false, found);
            }
        }
        _ => {}
    }
}

/// Keys whose values are maps from names to objects (not schemas
/// themselves): their keys may be anything, `const` and `type` included.
const MAP_KEYS: &[&str] = &[
    "properties", "patternProperties", "schemas", "definitions", "$defs", "paths", "responses", "headers",
    "content", "securitySchemes", "requestBodies", "links", "callbacks", "webhooks", "encoding",
    "variables", "mapping", "pathItems", "scopes",
];

fn walk(v: &mut Value, ptr: &str, depth: usize, is_map: bool, diags: &mut Diagnostics) {
    // The loader's recursion limit already bounds depth; this is a guard.
    if depth > 512 {
        return;
    }
    match v {
        Value::Object(obj) => {
            if !is_map {
                fix_schema(obj, ptr, diags);
            }
            for (k, child) in obj.iter_mut() {
                if let Some(child_is_map) = descend(is_map, k, child) {
                    walk(child, &pointer::join(ptr, k), depth + 1, child_is_map, diags);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, &format!("{ptr}/{i}"), depth + 1, false, diags);
            }
        }
        _ => {}
    }
}

/// Whether a walk goes into member `key` of an object (a map of names
/// to objects when `is_map`), and if so whether that member is such a
/// map. Data (`example`, `default`, extensions) is never walked: in
/// media types and parameters `examples` is a map of Example objects,
/// data too.
fn descend(is_map: bool, key: &str, child: &Value) -> Option<bool> {
    if !is_map && (DATA_KEYS.contains(&key) || key.starts_with("x-")) {
        return None;
    }
    // `parameters` is a list in operations, a map in components.
    Some(!is_map && (MAP_KEYS.contains(&key) || (key == "parameters" && child.is_object())))
}

fn is_null_schema(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.get("type").and_then(Value::as_str) == Some("null")
                || o.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == 1 && e[0].is_null())
        }
        _ => false,
    }
}

/// Keys that make a `$ref`'s siblings more than documentation.
const SCHEMA_SIBLINGS: &[&str] = &[
    "nullable", "type", "properties", "items", "allOf", "oneOf", "anyOf", "enum", "format", "required",
    "additionalProperties", "default", "readOnly", "writeOnly",
];

fn fix_schema(obj: &mut Map<String, Value>, ptr: &str, diags: &mut Diagnostics) {
    // `type: [T, "null"]`.
    if let Some(Value::Array(types)) = obj.get("type").cloned() {
        let mut kinds: Vec<String> = types.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect();
        let had_null = kinds.iter().any(|t| t == "null");
        kinds.retain(|t| t != "null");
        if had_null {
            obj.insert("nullable".into(), Value::Bool(true));
        }
        match kinds.len() {
            0 => {
                obj.remove("type");
            }
            1 => {
                obj.insert("type".into(), Value::String(kinds.remove(0)));
            }
            _ => {
                obj.remove("type");
                let members: Vec<Value> = kinds
                    .iter()
                    .map(|k| {
                        let mut m = Map::new();
                        m.insert("type".into(), Value::String(k.clone()));
                        if k == "array" {
                            if let Some(items) = obj.get("items") {
                                m.insert("items".into(), items.clone());
                            }
                        }
                        Value::Object(m)
                    })
                    .collect();
                obj.insert("oneOf".into(), Value::Array(members));
            }
        }
    }
    if obj.get("type").and_then(Value::as_str) == Some("null") {
        obj.remove("type");
        obj.insert("nullable".into(), Value::Bool(true));
    }
    // `const`.
    if let Some(c) = obj.remove("const") {
        // A `const` alone says its type by its value.
        if !obj.contains_key("type") {
            let ty = match &c {
                Value::String(_) => Some("string"),
                Value::Bool(_) => Some("boolean"),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                Value::Number(_) => Some("number"),
                _ => None,
            };
            if let Some(ty) = ty {
                obj.insert("type".into(), Value::String(ty.into()));
            }
        }
        if !obj.contains_key("enum") {
            obj.insert("enum".into(), Value::Array(vec![c]));
        }
    }
    // Numeric `exclusiveMinimum` / `exclusiveMaximum` (2019-09 and later).
    for (excl, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(n @ Value::Number(_)) = obj.get(excl).cloned() {
            obj.insert(bound.into(), n);
            obj.insert(excl.into(), Value::Bool(true));
        }
    }
    // `contentMediaType` on a string: binary content.
    if obj.contains_key("contentMediaType") && obj.get("type").and_then(Value::as_str) == Some("string") {
        obj.entry("format").or_insert_with(|| Value::String("binary".into()));
    }
    // Unions with a `null` member.
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = obj.get_mut(key) {
            let before = members.len();
            members.retain(|m| !is_null_schema(m));
            if members.len() < before {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            if let Some(Value::Array(members)) = obj.get(key) {
                if members.is_empty() {
                    obj.remove(key);
                }
            }
        }
    }
    // `$ref` with siblings: 3.0 ignores them, so keep what matters.
    if obj.contains_key("$ref") && obj.len() > 1 {
        let meaningful = obj.keys().any(|k| SCHEMA_SIBLINGS.contains(&k.as_str()));
        let r = obj.remove("$ref").expect("checked above");
        if meaningful {
            let mut inner = Map::new();
            inner.insert("$ref".into(), r);
            let all_of = match obj.remove("allOf") {
                Some(Value::Array(mut existing)) => {
                    existing.insert(0, Value::Object(inner));
                    existing
                }
                _ => vec![Value::Object(inner)],
            };
            obj.insert("allOf".into(), Value::Array(all_of));
        } else {
            // Only documentation beside it: a plain reference.
            obj.clear();
            obj.insert("$ref".into(), r);
        }
    }
    // Draft 4 tuple `items: [..]`.
    if let Some(Value::Array(items)) = obj.get("items").cloned() {
        let one = match items.len() {
            1 => items.into_iter().next().expect("one item"),
            _ => {
                diags.push(pointer::join(ptr, "items"), "tuple `items` are read as arrays of any of their member types");
                let mut m = Map::new();
                m.insert("anyOf".into(), Value::Array(items));
                Value::Object(m)
            }
        };
        obj.insert("items".into(), one);
    }
    if obj.contains_key("prefixItems") {
        diags.push(pointer::join(ptr, "prefixItems"), "tuple schemas (`prefixItems`) are read as arrays of any JSON value");
        obj.remove("prefixItems");
        obj.entry("items").or_insert_with(|| Value::Object(Map::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixed(v: Value) -> Value {
        let mut v = json!({"components": {"schemas": {"S": v}}});
        downlevel(&mut v, false, &mut Diagnostics::default());
        v["components"]["schemas"]["S"].clone()
    }

    #[test]
    fn ref_siblings_in_3_0_keep_only_annotations() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"a": {"type": "string"}}},
            "B": {"$ref": "#/components/schemas/A", "type": "object", "nullable": true, "description": "d"},
            "C": {"$ref": "#/components/schemas/A", "required": ["a"], "properties": {"b": {}}},
            "D": {"$ref": "#/components/schemas/A", "type": "string"},
        }}});
        let mut diags = Diagnostics::default();
        downlevel(&mut doc, false, &mut diags);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["B"], json!({"nullable": true, "description": "d", "allOf": [{"$ref": "#/components/schemas/A"}]}));
        assert_eq!(s["C"], json!({"$ref": "#/components/schemas/A"}));
        assert_eq!(s["D"], json!({"$ref": "#/components/schemas/A"}));
        let found: Vec<String> = diags.into_vec().into_iter().map(|d| d.pointer).collect();
        assert_eq!(found, ["/components/schemas/C", "/components/schemas/D"]);
        // 3.1 applies them.
        let mut doc = json!({"components": {"schemas": {"C": {"$ref": "#/components/schemas/A", "required": ["a"]}}}});
        downlevel(&mut doc, true, &mut Diagnostics::default());
        assert_eq!(doc["components"]["schemas"]["C"], json!({"required": ["a"], "allOf": [{"$ref": "#/components/schemas/A"}]}));
    }

    #[test]
    fn type_arrays() {
        assert_eq!(fixed(json!({"type": ["string", "null"]})), json!({"type": "string", "nullable": true}));
        assert_eq!(fixed(json!({"type": "null"})), json!({"nullable": true}));
        assert_eq!(
            fixed(json!({"type": ["string", "integer"]})),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_exclusive_bounds_and_null_members() {
        assert_eq!(fixed(json!({"const": "a"})), json!({"type": "string", "enum": ["a"]}));
        assert_eq!(fixed(json!({"type": "string", "const": "a"})), json!({"type": "string", "enum": ["a"]}));
        assert_eq!(
            fixed(json!({"type": "integer", "exclusiveMinimum": 0})),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(
            fixed(json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})),
            json!({"anyOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
        );
    }

    #[test]
    fn refs_with_siblings() {
        assert_eq!(
            fixed(json!({"$ref": "#/components/schemas/A", "nullable": true, "description": "d"})),
            json!({"nullable": true, "description": "d", "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(fixed(json!({"$ref": "#/components/schemas/A", "description": "d"})), json!({"$ref": "#/components/schemas/A"}));
    }

    #[test]
    fn property_names_are_not_keywords() {
        let v = fixed(json!({"type": "object", "properties": {"const": {"type": "string"}, "type": {"type": ["string", "null"]}}}));
        assert_eq!(v["properties"]["const"], json!({"type": "string"}));
        assert_eq!(v["properties"]["type"], json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn examples_are_data() {
        let v = fixed(json!({"type": "object", "example": {"type": ["a", "null"], "const": 1}}));
        assert_eq!(v["example"], json!({"type": ["a", "null"], "const": 1}));
    }
}
