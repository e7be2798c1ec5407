//! Unions told apart by a property (`discriminator`, or a property every
//! variant fixes): what every generated tagged enum's `Serialize` and
//! `Deserialize` do, written once.
//!
//! serde's own internally tagged enums remove the tag before the variant
//! sees it, so a variant struct that declares the tag as a required field
//! (as most specs do) would fail to decode, and serializing would write it
//! twice. Here the variant gets the whole object, and the tag is written
//! only when the variant's value lacks it.

use serde::de::Deserializer;
use serde::ser::{Error as _, Serialize, Serializer};
use serde::Deserialize;
use serde_json::Value;

/// The value, and its tag when it is an object with a string at `tag`.
pub fn split<'de, D: Deserializer<'de>>(deserializer: D, tag: &str) -> Result<(Option<String>, Value), D::Error> {
    let value = Value::deserialize(deserializer)?;
    let found = value.get(tag).and_then(Value::as_str).map(str::to_owned);
    Ok((found, value))
}

/// The variant's value (`serde_json::to_value` of it), with `tag: value`
/// added when it does not carry it. Generic only in the serializer.
pub fn serialize<S: Serializer>(variant: Result<Value, serde_json::Error>, tag: &str, value: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let mut json = variant.map_err(S::Error::custom)?;
    if let Value::Object(map) = &mut json {
        if !map.contains_key(tag) {
            map.insert(tag.to_owned(), Value::String(value.to_owned()));
        }
    }
    json.serialize(serializer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Cat {
        kind: String,
        lives: u8,
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Dog {
        bark: bool,
    }

    #[derive(Debug, PartialEq)]
    enum Pet {
        Cat(Cat),
        Dog(Dog),
        Other(serde_json::Value),
    }

    impl serde::Serialize for Pet {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Pet::Cat(v) => super::serialize(serde_json::to_value(v), "kind", "cat", s),
                Pet::Dog(v) => super::serialize(serde_json::to_value(v), "kind", "dog", s),
                Pet::Other(v) => v.serialize(s),
            }
        }
    }

    impl<'de> serde::Deserialize<'de> for Pet {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            fn variant(tag: Option<&str>, value: serde_json::Value) -> Result<Pet, serde_json::Error> {
                match tag {
                    Some("cat" | "kitten") => serde_json::from_value(value).map(Pet::Cat),
                    Some("dog") => serde_json::from_value(value).map(Pet::Dog),
                    _ => Ok(Pet::Other(value)),
                }
            }
            let (tag, value) = super::split::<D>(d, "kind")?;
            crate::object::finish(variant(tag.as_deref(), value))
        }
    }

    #[test]
    fn the_variant_sees_its_tag_and_it_is_written_once() {
        let cat: Pet = serde_json::from_value(json!({"kind": "cat", "lives": 9})).unwrap();
        assert_eq!(cat, Pet::Cat(Cat { kind: "cat".into(), lives: 9 }));
        assert_eq!(serde_json::to_value(&cat).unwrap(), json!({"kind": "cat", "lives": 9}));
        let kitten: Pet = serde_json::from_value(json!({"kind": "kitten", "lives": 1})).unwrap();
        assert!(matches!(kitten, Pet::Cat(_)));
    }

    #[test]
    fn a_variant_without_the_tag_field_gets_it_written() {
        let dog = Pet::Dog(Dog { bark: true });
        assert_eq!(serde_json::to_value(&dog).unwrap(), json!({"bark": true, "kind": "dog"}));
        assert_eq!(serde_json::from_value::<Pet>(json!({"kind": "dog", "bark": false})).unwrap(), Pet::Dog(Dog { bark: false }));
    }

    #[test]
    fn unknown_or_missing_tags_are_kept_and_bad_variants_are_errors() {
        let bird = json!({"kind": "bird", "wings": 2});
        assert_eq!(serde_json::from_value::<Pet>(bird.clone()).unwrap(), Pet::Other(bird.clone()));
        assert_eq!(serde_json::to_value(Pet::Other(bird.clone())).unwrap(), bird);
        assert_eq!(serde_json::from_value::<Pet>(json!(3)).unwrap(), Pet::Other(json!(3)));
        let err = serde_json::from_value::<Pet>(json!({"kind": "cat", "lives": "nine"})).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }
}
