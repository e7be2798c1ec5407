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
    reserved: HashSet<String>,
}

/// Why [`Namespace::take`] had to change a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rename {
    /// The generated code's own item, or the prelude's, has the name.
    Reserved,
    /// Another name of the spec came out the same.
    Collision,
}

impl Rename {
    /// The diagnostic's words, after the name that was changed.
    pub fn why(self) -> &'static str {
        match self {
            Rename::Reserved => "would clash with an item of that name the generated code has of its own",
            Rename::Collision => "collides with another after case conversion",
        }
    }
}

impl Namespace {
    /// A namespace in which `reserved` are taken from the start: asking
    /// for one of them gives it a suffix.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        let reserved: HashSet<String> = reserved.iter().map(|s| s.to_string()).collect();
        Namespace { taken: reserved.clone(), reserved }
    }

    /// Takes `base`, or `base2`, `base3`, ... Returns the name and whether it
    /// had to be changed.
    pub fn take(&mut self, base: &str) -> (String, bool) {
        let (name, why) = self.take_why(base);
        (name, why.is_some())
    }

    /// [`Namespace::take`], saying why a name was changed.
    pub fn take_why(&mut self, base: &str) -> (String, Option<Rename>) {
        if self.taken.insert(base.to_owned()) {
            return (base.to_owned(), None);
        }
        let why = if self.reserved.contains(base) { Rename::Reserved } else { Rename::Collision };
        // `V1` and `V1_2`, not `V12`; `type_` gives `type_2`, but `Self_`
        // gives `Self2`: an underscore beside a letter in a type name is a
        // `non_camel_case_types` warning.
        let camel = base.starts_with(|c: char| c.is_ascii_uppercase());
        let stem = if camel { base.trim_end_matches('_') } else { base };
        let sep = if stem.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        for n in 2.. {
            let candidate = format!("{stem}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return (candidate, Some(why));
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

    /// rustc's `non_camel_case_types` rule: no underscore beside a letter
    /// once the outer ones are trimmed, no lowercase start.
    fn camel_lint_ok(name: &str) -> bool {
        let name = name.trim_matches('_');
        let chars: Vec<char> = name.chars().collect();
        !chars.first().is_some_and(|c| c.is_lowercase())
            && !name.contains("__")
            && !chars.windows(2).any(|w| (w[0].is_alphabetic() && w[1] == '_') || (w[0] == '_' && w[1].is_alphabetic()))
    }

    /// rustc's `non_snake_case` rule: no uppercase, no double underscore.
    fn snake_lint_ok(name: &str) -> bool {
        !name.chars().any(char::is_uppercase) && !name.trim_matches('_').contains("__")
    }

    fn is_ident(name: &str) -> bool {
        syn::parse_str::<syn::Ident>(name).is_ok() && !KEYWORDS.contains(&name)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn any_name_gives_a_lint_clean_identifier(name in "\\PC{0,24}") {
            let s = snake(&name);
            proptest::prop_assert!(is_ident(&s) && snake_lint_ok(&s), "{name:?} gave {s:?}");
            let c = camel(&name, "V");
            proptest::prop_assert!(is_ident(&c) && camel_lint_ok(&c), "{name:?} gave {c:?}");
            proptest::prop_assert_eq!(snake(&name), s);
            proptest::prop_assert_eq!(camel(&name, "V"), c);
        }

        /// Names that look alike (case, punctuation, keywords, digits)
        /// collide most; every one still gets its own name, valid, and the
        /// same again for the same input.
        #[test]
        fn a_namespace_hands_out_distinct_valid_names(
            names in proptest::collection::vec("(self|Self|type|[aA]|[0-9]|[-_ .]|über|Error){1,4}", 1..40),
            reserved in proptest::collection::vec("(self_|Self_|type_|a|A|Error|V1|value)", 0..4),
        ) {
            let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
            let run = || {
                let mut types = Namespace::with_reserved(&reserved);
                let mut fields = Namespace::with_reserved(&reserved);
                names
                    .iter()
                    .map(|n| (types.take(&camel(n, "V")).0, fields.take(&snake(n)).0))
                    .collect::<Vec<_>>()
            };
            let out = run();
            proptest::prop_assert_eq!(&out, &run());
            let mut seen_types = std::collections::HashSet::new();
            let mut seen_fields = std::collections::HashSet::new();
            for (t, f) in &out {
                proptest::prop_assert!(is_ident(t) && camel_lint_ok(t), "{t:?}");
                proptest::prop_assert!(is_ident(f) && snake_lint_ok(f), "{f:?}");
                proptest::prop_assert!(!reserved.contains(&t.as_str()) && !reserved.contains(&f.as_str()));
                proptest::prop_assert!(seen_types.insert(t.clone()), "{t:?} twice");
                proptest::prop_assert!(seen_fields.insert(f.clone()), "{f:?} twice");
            }
        }

        /// One collision costs one suffix: the k-th `Name` is `Namek`.
        #[test]
        fn a_rename_is_the_first_free_suffix(k in 1usize..12) {
            let mut ns = Namespace::default();
            for i in 1..=k {
                let want = if i == 1 { "Model".to_owned() } else { format!("Model{i}") };
                proptest::prop_assert_eq!(ns.take("Model").0, want);
            }
        }
    }

    #[test]
    fn keyword_renames_stay_lint_clean() {
        let mut ns = Namespace::with_reserved(&["Self_"]);
        assert_eq!(ns.take("Self_"), ("Self2".into(), true));
        let mut ns = Namespace::with_reserved(&["type_"]);
        assert_eq!(ns.take("type_"), ("type_2".into(), true));
        assert_eq!(Namespace::with_reserved(&["send"]).take_why("send").1, Some(Rename::Reserved));
        let mut ns = Namespace::default();
        ns.take("a");
        assert_eq!(ns.take_why("a").1, Some(Rename::Collision));
    }
}
