//! `number` members that print whole values as integers. JSON has one kind
//! of number, but readers that compare documents (serde_json's `Value`
//! among them) tell `0` from `0.0`: without this, a body read into an `f64`
//! and written back would not be the body that came in. Generated structs
//! write each `f64` member as a [`Whole`].

use serde::{Serialize, Serializer};

/// Past 2^53 an `f64` holds no fraction, and is not an exact integer
/// either: such values keep their float form.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// An `f64` that serializes as an integer when it is a whole number.
pub struct Whole(pub f64);

impl Serialize for Whole {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() <= EXACT {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Whole;

    #[test]
    fn documents_come_back_as_they_came() {
        for json in ["0", "0.5", "-2", "1e-4", "9007199254740992", "1.5e300", "-0.25", "3"] {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            let n: f64 = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(Whole(n)).unwrap(), v, "{json}");
        }
    }

    #[test]
    fn integers_read_as_floats_print_as_integers() {
        assert_eq!(serde_json::to_string(&Whole(2.0)).unwrap(), "2");
        assert_eq!(serde_json::to_string(&Whole(-3.0)).unwrap(), "-3");
        assert_eq!(serde_json::to_string(&Whole(f64::NAN)).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Some(Whole(0.0))).unwrap(), "0");
    }
}
