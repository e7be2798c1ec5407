//! `Option<Option<T>>` fields that tell an absent member (`None`) from an
//! explicit `null` (`Some(None)`), for optional nullable properties: a
//! PATCH body can clear a field or leave it alone, and a response
//! round-trips member for member.
//!
//! Use with `#[serde(default, skip_serializing_if = "Option::is_none",
//! with = "apigen_runtime::double_option")]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(Some(v)) => v.serialize(s),
        // `None` is skipped by `skip_serializing_if`; `Some(None)` is null.
        _ => s.serialize_none(),
    }
}

pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    // Only called when the member is present: absence is `default`.
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super")]
        next: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_round_trip() {
        for (json, value) in [
            ("{}", None),
            (r#"{"next":null}"#, Some(None)),
            (r#"{"next":"x"}"#, Some(Some("x".to_owned()))),
        ] {
            let p: Patch = serde_json::from_str(json).unwrap();
            assert_eq!(p, Patch { next: value });
            assert_eq!(serde_json::to_string(&p).unwrap(), json);
        }
    }
}
