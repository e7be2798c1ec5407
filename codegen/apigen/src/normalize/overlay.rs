//! OpenAPI Overlay Specification 1.0.0: ordered actions, each selecting
//! nodes of the document with an RFC 9535 JSONPath and merging into them
//! (`update`) or removing them (`remove: true`).
//!
//! An action that selects nothing is an error: an upstream change that
//! breaks an overlay must be seen, not silently skipped.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::Error;

/// Applies the overlay `overlay` (already parsed; `name` is how errors name
/// its file) to `doc`, in place.
pub fn apply(doc: &mut Value, overlay: &Value, name: &str) -> Result<(), Error> {
    match overlay.get("overlay") {
        Some(Value::String(v)) if v.starts_with("1.") => {}
        Some(Value::String(v)) => {
            return Err(Error::invalid(name, "/overlay", format!("overlay version {v} is not supported (1.x is)")))
        }
        _ => return Err(Error::invalid(name, "/overlay", "not an overlay: `overlay: 1.0.0` is missing")),
    }
    if !overlay.get("info").is_some_and(Value::is_object) {
        return Err(Error::invalid(name, "/info", "an overlay needs an `info` object"));
    }
    let Some(actions) = overlay.get("actions").and_then(Value::as_array) else {
        return Err(Error::invalid(name, "/actions", "an overlay needs an `actions` array"));
    };
    for (i, action) in actions.iter().enumerate() {
        let ptr = format!("/actions/{i}");
        let Some(target) = action.get("target").and_then(Value::as_str) else {
            return Err(Error::invalid(name, ptr, "the action has no `target` string"));
        };
        let remove = match action.get("remove") {
            None | Some(Value::Bool(false)) => false,
            Some(Value::Bool(true)) => true,
            Some(_) => return Err(Error::invalid(name, format!("{ptr}/remove"), "`remove` must be a boolean")),
        };
        let update = action.get("update");
        if remove == update.is_some() {
            return Err(Error::invalid(
                name,
                ptr,
                format!("action {i} (target `{target}`) needs exactly one of `update` and `remove: true`"),
            ));
        }
        let path = JsonPath::parse(target).map_err(|e| {
            Error::invalid(
                name,
                format!("{ptr}/target"),
                format!(
                    "action {i}: invalid JSONPath `{target}` at character {}: {}",
                    e.position() + 1,
                    e.message()
                ),
            )
        })?;
        let pointers: Vec<String> = path
            .query_located(doc)
            .dedup()
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(Error::invalid(
                name,
                format!("{ptr}/target"),
                format!("action {i}: target `{target}` selects nothing in the document"),
            ));
        }
        match update {
            Some(update) => {
                for p in &pointers {
                    let node = doc.pointer_mut(p).expect("a located node exists");
                    merge(node, update);
                }
            }
            None => remove_all(doc, &pointers).map_err(|m| Error::invalid(name, ptr, format!("action {i}: {m}")))?,
        }
    }
    Ok(())
}

/// The overlay's merge: objects merge key by key, arrays append, anything
/// else replaces. An update to an array appends the value, or its items
/// when it is an array itself.
pub fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u.iter().cloned()),
        (Value::Array(t), u) => t.push(u.clone()),
        (t, u) => *t = u.clone(),
    }
}

fn remove_all(doc: &mut Value, pointers: &[String]) -> Result<(), String> {
    if pointers.iter().any(|p| p.is_empty()) {
        return Err("the whole document cannot be removed".into());
    }
    crate::pointer::remove_all(doc, pointers);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/models/{id}": {
                    "get": {"operationId": "models.get", "tags": ["a"], "responses": {"200": {"description": "ok"}}},
                    "delete": {"operationId": "models.delete", "responses": {"204": {"description": "gone"}}}
                },
                "/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}
            },
            "components": {"schemas": {"a": {"type": "string"}, "b": {"type": "integer"}}}
        })
    }

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    fn run(d: &mut Value, actions: Value) -> Result<(), String> {
        apply(d, &overlay(actions), "o.yaml").map_err(|e| e.to_string())
    }

    #[test]
    fn update_merges_objects_appends_arrays_replaces_scalars() {
        let mut d = doc();
        run(&mut d, json!([{
            "target": "$.paths['/models/{id}'].get",
            "update": {"tags": ["b"], "summary": "Get", "operationId": "models.fetch",
                       "responses": {"200": {"content": {"application/json": {}}}}}
        }]))
        .unwrap();
        let get = &d["paths"]["/models/{id}"]["get"];
        assert_eq!(get["tags"], json!(["a", "b"]));
        assert_eq!(get["summary"], "Get");
        assert_eq!(get["operationId"], "models.fetch");
        assert_eq!(get["responses"]["200"]["description"], "ok");
        assert_eq!(get["responses"]["200"]["content"], json!({"application/json": {}}));
    }

    #[test]
    fn wildcards_and_filters_select_many() {
        let mut d = doc();
        run(&mut d, json!([
            {"target": "$.paths.*.*", "update": {"x-seen": true}},
            {"target": "$.components.schemas[?@.type == 'string']", "update": {"format": "uuid"}},
            {"target": "$..responses['204']", "update": {"x-empty": true}}
        ]))
        .unwrap();
        assert_eq!(d["paths"]["/x"]["get"]["x-seen"], true);
        assert_eq!(d["paths"]["/models/{id}"]["delete"]["x-seen"], true);
        assert_eq!(d["components"]["schemas"]["a"]["format"], "uuid");
        assert!(d["components"]["schemas"]["b"].get("format").is_none());
        assert_eq!(d["paths"]["/models/{id}"]["delete"]["responses"]["204"]["x-empty"], true);
    }

    #[test]
    fn remove_deletes_keys_and_array_entries() {
        let mut d = doc();
        d["list"] = json!([0, 1, 2, 3]);
        run(&mut d, json!([
            {"target": "$.paths['/x']", "remove": true},
            {"target": "$.list[1,3]", "remove": true}
        ]))
        .unwrap();
        assert!(d["paths"].get("/x").is_none());
        assert_eq!(d["list"], json!([0, 2]));
    }

    #[test]
    fn a_target_that_selects_nothing_is_an_error_naming_it() {
        let mut d = doc();
        let e = run(&mut d, json!([
            {"target": "$.paths", "update": {}},
            {"target": "$.paths['/gone'].get", "update": {"summary": "x"}}
        ]))
        .unwrap_err();
        assert_eq!(e, "o.yaml#/actions/1/target: action 1: target `$.paths['/gone'].get` selects nothing in the document");
    }

    #[test]
    fn an_invalid_path_is_an_error_with_its_position() {
        let mut d = doc();
        let e = run(&mut d, json!([{"target": "$.paths[", "update": {}}])).unwrap_err();
        assert!(e.starts_with("o.yaml#/actions/0/target: action 0: invalid JSONPath `$.paths[` at character"), "{e}");
    }

    #[test]
    fn malformed_overlays_are_refused() {
        let mut d = doc();
        let e = apply(&mut d, &json!({"info": {}, "actions": []}), "o.yaml").unwrap_err();
        assert!(e.to_string().contains("`overlay: 1.0.0` is missing"));
        let e = run(&mut d, json!([{"target": "$.paths", "update": {}, "remove": true}])).unwrap_err();
        assert!(e.contains("exactly one of"), "{e}");
        let e = run(&mut d, json!([{"update": {}}])).unwrap_err();
        assert!(e.contains("no `target`"), "{e}");
        let e = run(&mut d, json!([{"target": "$", "remove": true}])).unwrap_err();
        assert!(e.contains("whole document"), "{e}");
    }
}
