//! JSON Pointers (RFC 6901) and the references that carry them
//! (`other.yaml#/components/schemas/Pet`): escaping, the percent-encoding
//! of URI fragments, and lookups. Every layer that builds or reads a
//! pointer goes through here, so that `~0`, `~1` and `%7E` mean the same
//! thing everywhere.

use std::borrow::Cow;

use serde_json::Value;

/// Escapes one reference token: `~` as `~0`, then `/` as `~1`.
pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Undoes [`escape`]: `~1` first, then `~0`, so that `~01` is `~1`.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Appends one token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    let token = escape(token);
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&token);
    out
}

/// Appends an array index to a pointer.
pub fn join_index(pointer: &str, index: usize) -> String {
    format!("{pointer}/{index}")
}

/// The unescaped tokens of a pointer (`/a~1b/0` gives `["a/b", "0"]`);
/// `None` if it is neither empty nor starts with `/`.
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(|t| unescape(t).into_owned()).collect())
}

/// The pointer of a list of raw tokens.
pub fn from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens.into_iter().fold(String::new(), |p, t| join(&p, t))
}

/// A `$ref` split into the document it names (empty: this one) and the
/// JSON Pointer of its fragment, percent-decoded (RFC 3986 §3.5; a
/// fragment that is not valid UTF-8 once decoded is kept as written).
/// `None` for the pointer: the reference names the whole document.
pub fn split_ref(reference: &str) -> (&str, Option<String>) {
    match reference.split_once('#') {
        Some((file, fragment)) => {
            let decoded = percent_encoding::percent_decode_str(fragment)
                .decode_utf8()
                .map(Cow::into_owned)
                .unwrap_or_else(|_| fragment.to_owned());
            (file, Some(decoded))
        }
        None => (reference, None),
    }
}

/// The fragment form of a pointer (`#/a%20b`), escaping what a URI
/// fragment cannot hold, for references the generator writes itself.
pub fn to_fragment(pointer: &str) -> String {
    const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    format!("#{}", percent_encoding::utf8_percent_encode(pointer, FRAGMENT))
}

/// The node a same-document reference (`#/...`) points to.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    match split_ref(reference) {
        ("", Some(pointer)) => get(doc, &pointer),
        ("", None) => Some(doc),
        _ => None,
    }
}

/// The node at a pointer, following escapes; array indexes are decimal
/// without leading zeros, as RFC 6901 says.
pub fn get<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    // serde_json's own lookup implements the same rules.
    doc.pointer(pointer)
}

/// Puts `value` at `pointer`, in place of what is there, or removes the
/// node with `None` (from an array, shifting what follows). Whether there
/// was a node to replace.
pub fn replace(doc: &mut Value, pointer: &str, value: Option<Value>) -> bool {
    let Some(tokens) = tokens(pointer) else { return false };
    let Some((last, parents)) = tokens.split_last() else { return false };
    match doc.pointer_mut(&from_tokens(parents.iter().map(String::as_str))) {
        Some(Value::Object(m)) => match value {
            Some(v) => m.insert(last.clone(), v).is_some(),
            None => m.shift_remove(last).is_some(),
        },
        Some(Value::Array(items)) => match (last.parse::<usize>(), value) {
            (Ok(i), Some(v)) if i < items.len() => {
                items[i] = v;
                true
            }
            (Ok(i), None) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// Removes the nodes at `pointers`, the last first, so that removing an
/// array's entry does not move one still to remove (`/a/10` goes before
/// `/a/9`). Pointers to nothing are passed over.
pub fn remove_all(doc: &mut Value, pointers: &[String]) {
    let mut sorted: Vec<(Vec<String>, &String)> =
        pointers.iter().filter_map(|p| Some((tokens(p)?, p))).collect();
    let order = |a: &String, b: &String| match (a.parse::<usize>(), b.parse::<usize>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    };
    sorted.sort_by(|(a, _), (b, _)| {
        let by_token = a.iter().zip(b).map(|(x, y)| order(x, y)).find(|o| o.is_ne());
        by_token.unwrap_or(a.len().cmp(&b.len())).reverse()
    });
    for (_, p) in sorted {
        replace(doc, p, None);
    }
}

/// The component key a reference names under `prefix`
/// (`#/components/schemas/`), unescaped.
pub fn component<'r>(reference: &'r str, prefix: &str) -> Option<Cow<'r, str>> {
    let key = reference.strip_prefix(prefix)?;
    if key.contains('/') {
        return None;
    }
    if key.contains('%') {
        let decoded = percent_encoding::percent_decode_str(key).decode_utf8().ok()?;
        return Some(Cow::Owned(unescape(&decoded).into_owned()));
    }
    Some(unescape(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_goes_last_first() {
        let mut doc = serde_json::json!({"a": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "b": {"c": 1, "d": 2}});
        let pointers: Vec<String> = ["/a/9", "/a/10", "/a/2", "/b/c", "/nowhere/1"].map(String::from).to_vec();
        remove_all(&mut doc, &pointers);
        assert_eq!(doc, serde_json::json!({"a": [0, 1, 3, 4, 5, 6, 7, 8, 11], "b": {"d": 2}}));
    }

    #[test]
    fn replace_and_remove_in_maps_and_arrays() {
        let mut doc = serde_json::json!({ "a/b": [1, 2, 3] });
        assert!(replace(&mut doc, "/a~1b/1", Some(serde_json::json!(9))));
        assert!(replace(&mut doc, "/a~1b/0", None));
        assert_eq!(doc, serde_json::json!({ "a/b": [9, 3] }));
        assert!(!replace(&mut doc, "/a~1b/5", None));
        assert!(replace(&mut doc, "/a~1b", None));
        assert!(!replace(&mut doc, "", None), "the document itself is not replaced");
    }
    use serde_json::json;

    #[test]
    fn escaping_round_trips() {
        for token in ["", "a", "a/b", "a~b", "~1", "~0", "/~/", "~01", "ü/ß"] {
            assert_eq!(unescape(&escape(token)), token, "{token}");
        }
        assert_eq!(escape("a~b/c"), "a~0b~1c");
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(join("/paths", "/models/{id}"), "/paths/~1models~1{id}");
        assert_eq!(join_index("/a", 3), "/a/3");
    }

    #[test]
    fn tokens_of_pointers() {
        assert_eq!(tokens(""), Some(vec![]));
        assert_eq!(tokens("/a~1b/0/~0"), Some(vec!["a/b".into(), "0".into(), "~".into()]));
        assert_eq!(tokens("a"), None);
        assert_eq!(from_tokens(["a/b", "~"]), "/a~1b/~0");
    }

    #[test]
    fn references_decode_percent_encoding() {
        assert_eq!(split_ref("#/components/schemas/a%7E0b"), ("", Some("/components/schemas/a~0b".into())));
        assert_eq!(split_ref("pet.yaml#/Pet"), ("pet.yaml", Some("/Pet".into())));
        assert_eq!(split_ref("../common.yaml"), ("../common.yaml", None));
        // Invalid UTF-8 after decoding: kept as written.
        assert_eq!(split_ref("#/a%FF"), ("", Some("/a%FF".into())));
        assert_eq!(to_fragment("/paths/~1a b/{id}"), "#/paths/~1a%20b/%7Bid%7D");
        let (_, back) = split_ref(&to_fragment("/x y/%/{z}"));
        assert_eq!(back.as_deref(), Some("/x y/%/{z}"));
    }

    #[test]
    fn resolving() {
        let doc = json!({"components": {"schemas": {"a/b": {"type": "string"}, "c d": [1, 2]}}});
        assert_eq!(resolve(&doc, "#/components/schemas/a~1b"), Some(&json!({"type": "string"})));
        assert_eq!(resolve(&doc, "#/components/schemas/c%20d/1"), Some(&json!(2)));
        assert_eq!(resolve(&doc, "#"), Some(&doc));
        assert_eq!(resolve(&doc, "other.json#/x"), None);
        assert_eq!(resolve(&doc, "#/components/schemas/c%20d/01"), None);
        assert_eq!(component("#/components/schemas/a~1b", "#/components/schemas/").as_deref(), Some("a/b"));
        assert_eq!(component("#/components/schemas/a%20b", "#/components/schemas/").as_deref(), Some("a b"));
        assert_eq!(component("#/components/schemas/a/properties/b", "#/components/schemas/"), None);
    }
}
