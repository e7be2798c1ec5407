//! What every generated open enum implements, written once as macros.
//!
//! A generated enum provides `as_str` and `From<&str>` (or `as_i64` and
//! `From<i64>`); these macros add `Display`, `FromStr`, serde and
//! [`crate::ParamValue`] on top, so that unknown values round-trip.

/// Implements `Display`, `FromStr`, `From<String>`, `Serialize`,
/// `Deserialize` and `ParamValue` for a string enum with `as_str` and
/// `From<&str>`.
#[macro_export]
macro_rules! string_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }
        impl ::std::convert::From<::std::string::String> for $name {
            fn from(s: ::std::string::String) -> Self {
                Self::from(s.as_str())
            }
        }
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::enums::deserialize_str(d).map(|s| Self::from(&*s))
            }
        }
        impl $crate::ParamValue for $name {
            fn to_param(&self) -> ::std::string::String {
                self.as_str().to_owned()
            }
        }
    };
}

/// The same for an integer enum with `as_i64` and `From<i64>`.
#[macro_export]
macro_rules! integer_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.as_i64(), f)
            }
        }
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.as_i64())
            }
        }
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <i64 as $crate::serde::Deserialize>::deserialize(d).map(Self::from)
            }
        }
        impl $crate::ParamValue for $name {
            fn to_param(&self) -> ::std::string::String {
                self.as_i64().to_string()
            }
        }
    };
}

/// Deserializes a string, borrowed when the input allows it.
pub fn deserialize_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = std::borrow::Cow<'de, str>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Borrowed(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(v))
        }
    }
    d.deserialize_str(V)
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq)]
    enum Status {
        Starting,
        Other(String),
    }
    impl Status {
        fn as_str(&self) -> &str {
            match self {
                Self::Starting => "starting",
                Self::Other(s) => s,
            }
        }
    }
    impl From<&str> for Status {
        fn from(s: &str) -> Self {
            match s {
                "starting" => Self::Starting,
                o => Self::Other(o.to_owned()),
            }
        }
    }
    crate::string_enum!(Status);

    #[derive(Debug, PartialEq)]
    enum Level {
        V1,
        Other(i64),
    }
    impl Level {
        fn as_i64(&self) -> i64 {
            match self {
                Self::V1 => 1,
                Self::Other(v) => *v,
            }
        }
    }
    impl From<i64> for Level {
        fn from(v: i64) -> Self {
            match v {
                1 => Self::V1,
                o => Self::Other(o),
            }
        }
    }
    crate::integer_enum!(Level);

    #[test]
    fn unknown_values_round_trip() {
        let s: Status = serde_json::from_str("\"starting\"").unwrap();
        assert_eq!(s, Status::Starting);
        let s: Status = serde_json::from_str("\"booting\"").unwrap();
        assert_eq!(s, Status::Other("booting".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"booting\"");
        assert_eq!(s.to_string(), "booting");
        let s: Status = serde_json::from_value(serde_json::json!("starting")).unwrap();
        assert_eq!(s, Status::Starting);
        assert!(serde_json::from_str::<Status>("3").is_err());
        let l: Level = serde_json::from_str("7").unwrap();
        assert_eq!(l, Level::Other(7));
        assert_eq!(serde_json::to_string(&Level::V1).unwrap(), "1");
        assert_eq!(crate::ParamValue::to_param(&Level::Other(7)), "7");
    }
}
