//! Rust names from spec names: case conversion, keywords, invalid
//! characters and collisions, all deterministic.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that cannot be identifiers (strict and reserved, 2021 edition,
/// plus `gen` of 2024), and the names that cannot be raw.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Transliterated to ASCII (`über` → `uber`, `größe` → `grosse`), then
/// anything but letters and digits is a word break.
fn ascii_only(s: &str) -> String {
    deunicode::deunicode(s)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `snake_case`, never a keyword, never starting with a digit, never empty.
pub fn snake(name: &str) -> String {
    // Word boundaries must survive the ASCII filter: "foo-bar" and "foo.bar"
    // become "foo_bar".
    let mut s = ascii_only(name).to_snake_case();
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `UpperCamelCase`, never a keyword, never starting with a digit, never
/// empty. `prefix` is put before a leading digit.
pub fn camel(name: &str, prefix: &str) -> String {
    let mut s = ascii_only(name).to_upper_camel_case();
    if s.is_empty() {
        s = "Empty".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("{prefix}{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Why the Rust name of `name` is more than its case conversion, if it is:
/// a user reading the spec could not guess it. Keywords are not among
/// them: `type_` for `type` is the convention every Rust user expects, and
/// real specs have hundreds (`type` alone), so a diagnostic for each would
/// only make `--strict` unusable.
pub fn unusual(name: &str) -> Option<&'static str> {
    let ascii = ascii_only(name);
    let Some(first) = ascii.chars().find(char::is_ascii_alphanumeric) else {
        return Some("has no letter or digit");
    };
    if name.chars().any(|c| !c.is_ascii() && c.is_alphanumeric()) {
        Some("is not ASCII")
    } else if first.is_ascii_digit() {
        Some("starts with a digit")
    } else {
        None
    }
}

/// `SCREAMING_SNAKE_CASE`, for statics.
pub fn screaming(name: &str) -> String {
    snake(name).trim_end_matches('_').to_ascii_uppercase()
}

/// Hands out names in one namespace; a name already taken gets the first
/// free numeric suffix, so the same input always gives the same names.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` are taken from the start: asking
    /// for one of them gives it a suffix.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Takes `base`, or `base2`, `base3`, ... Returns the name and whether it
    /// had to be changed.
    pub fn take(&mut self, base: &str) -> (String, bool) {
        if self.taken.insert(base.to_owned()) {
            return (base.to_owned(), false);
        }
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        for n in 2.. {
            let candidate = format!("{base}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return (candidate, true);
            }
        }
        unreachable!("the integers do not run out")
    }

    /// Whether `name` is taken, reserved or handed out.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(snake("modelOwner"), "model_owner");
        assert_eq!(snake("webhook-id"), "webhook_id");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake(""), "value");
        assert_eq!(snake("$ref"), "ref_");
        assert_eq!(snake("café"), "cafe");
        assert_eq!(snake("größe"), "grosse");
        assert_eq!(snake("@odata.type"), "odata_type");
        assert_eq!(camel("prediction_request", "T"), "PredictionRequest");
        assert_eq!(camel("models.versions.get", "T"), "ModelsVersionsGet");
        assert_eq!(camel("3d", "V"), "V3d");
        assert_eq!(camel("", "V"), "Empty");
        assert_eq!(camel("self", "V"), "Self_");
        assert_eq!(screaming("models.versions.get"), "MODELS_VERSIONS_GET");
    }

    #[test]
    fn unusual_names_say_why() {
        assert_eq!(unusual(""), Some("has no letter or digit"));
        assert_eq!(unusual("$"), Some("has no letter or digit"));
        assert_eq!(unusual("größe"), Some("is not ASCII"));
        assert_eq!(unusual("2fa"), Some("starts with a digit"));
        assert_eq!(unusual("@2x"), Some("starts with a digit"));
        assert_eq!(unusual("type"), None);
        assert_eq!(unusual("@odata.type"), None);
        assert_eq!(unusual("modelOwner"), None);
    }

    #[test]
    fn collisions_are_numbered() {
        let mut ns = Namespace::default();
        assert_eq!(ns.take("Model"), ("Model".into(), false));
        assert_eq!(ns.take("Model"), ("Model2".into(), true));
        assert_eq!(ns.take("Model"), ("Model3".into(), true));
        assert_eq!(ns.take("V1"), ("V1".into(), false));
        assert_eq!(ns.take("V1"), ("V1_2".into(), true));
    }
}
