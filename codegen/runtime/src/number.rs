//! `number` members that print whole values as integers. JSON has one kind
//! of number, but readers that compare documents (serde_json's `Value`
//! among them) tell `0` from `0.0`: without this, a body read into an `f64`
//! and written back would not be the body that came in.
//!
//! Use with `#[serde(serialize_with = "apigen_runtime::number::serialize")]`
//! on `f64`, `serialize_with = "apigen_runtime::number::option::serialize"`
//! on `Option<f64>`, and `with = "apigen_runtime::number::double_option"`
//! on `Option<Option<f64>>`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Past 2^53 an `f64` holds no fraction, and is not an exact integer
/// either: such values keep their float form.
const EXACT: f64 = 9_007_199_254_740_992.0;

struct Whole(f64);

impl Serialize for Whole {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() <= EXACT {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    Whole(*value).serialize(s)
}

pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        value.map(Whole).serialize(s)
    }
}

pub mod double_option {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Option<f64>>, s: S) -> Result<S::Ok, S::Error> {
        crate::double_option::serialize(&value.map(|v| v.map(Whole)), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
        Option::<f64>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Numbers {
        #[serde(serialize_with = "super::serialize")]
        a: f64,
        #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "super::option::serialize")]
        b: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super::double_option")]
        c: Option<Option<f64>>,
    }

    #[test]
    fn documents_come_back_as_they_came() {
        for json in [
            r#"{"a":0}"#,
            r#"{"a":0.5,"b":3}"#,
            r#"{"a":-2,"b":1e-4,"c":null}"#,
            r#"{"a":9007199254740992,"c":7}"#,
            r#"{"a":1.5e300,"b":-0.25,"c":2.5}"#,
        ] {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            let n: Numbers = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&n).unwrap(), v, "{json}");
        }
    }

    #[test]
    fn integers_read_as_floats_print_as_integers() {
        let n = Numbers { a: 2.0, b: Some(0.0), c: Some(Some(-3.0)) };
        assert_eq!(serde_json::to_string(&n).unwrap(), r#"{"a":2,"b":0,"c":-3}"#);
        let n = Numbers { a: f64::NAN, b: None, c: Some(None) };
        assert_eq!(serde_json::to_string(&n).unwrap(), r#"{"a":null,"c":null}"#);
    }
}
