//! What every generated struct's `Serialize` and `Deserialize` do, and every
//! untagged union's `Deserialize`, written once.
//!
//! serde's derives expand, for each struct, into a field enum, a field
//! visitor, a map visitor and a sequence visitor, all generic over the
//! (de)serializer: for an API of hundreds of types, most of a generated
//! crate's compile time. Here a struct's impls are a few lines that call
//! into this module. What stays generic is generic only in what must be:
//! [`members`], [`finish`] and [`write()`] in the (de)serializer, which all
//! types share, and the [`Reader`] and [`Writer`] methods in the call to a
//! member's `deserialize` or `to_value`, which all fields of that type
//! share. Members travel as `serde_json::Value`s, so any
//! serde format still works, only a little slower than with the derives.
//!
//! Absent members and `null` follow the spec: a required member must be
//! there ([`Reader::required`]); an optional one may be absent or `null`
//! ([`Reader::optional`]); an optional nullable one tells the two apart
//! ([`Reader::nullable`]). Members the struct does not name are ignored,
//! or kept by [`Reader::rest`].

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::{Error as _, SerializeMap, Serializer};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Why a body does not decode: the member, and what was wrong with it.
pub type Error = serde_json::Error;

/// The members of a JSON object, for a struct to take out one by one.
/// Anything but an object is an error.
pub fn members<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Reader, D::Error> {
    Map::<String, Value>::deserialize(deserializer).map(Reader::new)
}

/// A type read from the members of a JSON object: every generated
/// struct. A body of such a type is read straight from its bytes into the
/// members ([`crate::RawResponse::object`]), where one read through serde
/// would be parsed into a `Value` and then copied member by member.
pub trait FromMembers: Sized {
    /// Takes the struct's fields out of its object's members; the error
    /// names the member at fault.
    fn from_members(members: Reader) -> Result<Self, Error>;
}

/// What a generated struct's `Deserialize` does.
pub fn deserialize<'de, T: FromMembers, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    finish(T::from_members(members(deserializer)?))
}

/// The members of the JSON object `bytes` holds. Anything but one object,
/// with only whitespace after it, is an error.
pub(crate) fn parse_members(bytes: &[u8]) -> Result<Reader, Error> {
    serde_json::from_slice::<Map<String, Value>>(bytes).map(Reader::new)
}

/// A value read from members, as the deserializer's own error.
pub fn finish<T, E: serde::de::Error>(read: Result<T, Error>) -> Result<T, E> {
    read.map_err(E::custom)
}

/// The members of an object being read, each taken out once. A member
/// that may be left out and cannot be read is kept as the reader's error,
/// which [`Reader::end`] returns (or the next required member, so that
/// the first error in the struct's order is the one told): reading it
/// takes no branch in a struct's `from_members`.
pub struct Reader {
    members: Map<String, Value>,
    error: Option<Error>,
}

impl Reader {
    fn new(members: Map<String, Value>) -> Self {
        Reader { members, error: None }
    }

    /// A member that must be present (it may be `null` only if `T` is an
    /// `Option`).
    pub fn required<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, Error> {
        decode(name, self.take(name)?)
    }

    fn take(&mut self, name: &'static str) -> Result<Value, Error> {
        self.kept_error()?;
        match self.members.shift_remove(name) {
            Some(value) => Ok(value),
            None => Err(de_error(format_args!("missing field `{name}`"))),
        }
    }

    /// The value, or `None` with its error kept.
    fn kept<T>(&mut self, read: Result<T, Error>) -> Option<T> {
        match read {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    /// A member that may be absent or `null`, both `None`.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<T> {
        let value = self.present(name)?;
        self.kept(decode(name, value))
    }

    /// A member that may be absent (`None`) or `null` (`Some(None)`).
    pub fn nullable<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<Option<T>> {
        match self.slot(name)? {
            Some(value) => self.kept(decode(name, value)).map(Some),
            None => Some(None),
        }
    }

    /// A required array. Lists have methods of their own, which cost
    /// less to compile than serde's `Vec` visitor.
    pub fn list<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<Vec<T>, Error> {
        decode_list(name, self.take(name)?)
    }

    /// An array that may be absent or `null`, both `None`.
    pub fn optional_list<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<Vec<T>> {
        let value = self.present(name)?;
        self.kept(decode_list(name, value))
    }

    /// An array that may be absent (`None`) or `null` (`Some(None)`).
    pub fn nullable_list<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<Option<Vec<T>>> {
        match self.slot(name)? {
            Some(value) => self.kept(decode_list(name, value)).map(Some),
            None => Some(None),
        }
    }

    /// The member, unless it is absent or `null`.
    fn present(&mut self, name: &'static str) -> Option<Value> {
        self.slot(name).flatten()
    }

    /// The member: `None` if absent, `Some(None)` if `null`.
    fn slot(&mut self, name: &'static str) -> Option<Option<Value>> {
        match self.members.shift_remove(name)? {
            Value::Null => Some(None),
            value => Some(Some(value)),
        }
    }

    /// The members no other call took, as a map of `T`s.
    pub fn rest<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        self.kept_error()?;
        T::deserialize(Value::Object(std::mem::take(&mut self.members)))
    }

    /// The error of a member that could not be read, if there was one.
    /// Not generic, so that it is compiled once.
    pub fn end(mut self) -> Result<(), Error> {
        self.kept_error()
    }

    /// The error kept from an earlier member, which comes before any later.
    fn kept_error(&mut self) -> Result<(), Error> {
        match self.error.take() {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

fn decode<T: DeserializeOwned>(name: &'static str, value: Value) -> Result<T, Error> {
    match T::deserialize(value) {
        Ok(v) => Ok(v),
        Err(e) => Err(in_member(name, e)),
    }
}

fn decode_list<T: DeserializeOwned>(name: &'static str, value: Value) -> Result<Vec<T>, Error> {
    let mut out = Vec::with_capacity(value.as_array().map_or(0, Vec::len));
    each_item(name, value, &mut |item| {
        out.push(T::deserialize(item)?);
        Ok(())
    })?;
    Ok(out)
}

/// The walk over an array, compiled once for every item type: `each`
/// gets the items in order.
fn each_item(name: &'static str, value: Value, each: &mut dyn FnMut(Value) -> Result<(), Error>) -> Result<(), Error> {
    let items = match value {
        Value::Array(items) => items,
        other => return Err(de_error(format_args!("`{name}`: invalid type: {}, expected an array", kind_of(&other)))),
    };
    for (i, item) in items.into_iter().enumerate() {
        if let Err(e) = each(item) {
            return Err(in_item(name, i, e));
        }
    }
    Ok(())
}

/// What kind of JSON value `value` is, as an error message says it: "a
/// string", "an object", "null".
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn in_item(name: &str, i: usize, e: Error) -> Error {
    de_error(format_args!("`{name}[{i}]`: {e}"))
}

fn de_error(message: std::fmt::Arguments<'_>) -> Error {
    serde::de::Error::custom(message)
}

// Not generic, so that the formatting is compiled once.
fn in_member(name: &str, e: Error) -> Error {
    de_error(format_args!("`{name}`: {e}"))
}

/// Writes the members a struct put into a [`Writer`], in that order.
pub fn write<S: Serializer>(serializer: S, writer: Writer) -> Result<S::Ok, S::Error> {
    if let Some(e) = writer.error {
        return Err(S::Error::custom(e));
    }
    let mut map = serializer.serialize_map(Some(writer.members.len()))?;
    for (name, value) in &writer.members {
        map.serialize_entry(name, value)?;
    }
    map.end()
}

/// The members of an object being written. A member that cannot be
/// written is kept as the writer's error, which [`write()`] returns: the
/// methods return nothing, so that a struct's `Serialize` is a line per
/// field with no branch after each.
pub struct Writer {
    members: Vec<(Cow<'static, str>, Value)>,
    error: Option<Error>,
}

impl Writer {
    /// A writer with no members yet.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Writer { members: Vec::new(), error: None }
    }

    /// A member always written (`null` for a `None`).
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.put(name, serde_json::to_value(value))
    }

    // Not generic: all but `to_value` is compiled once.
    fn put(&mut self, name: &'static str, value: Result<Value, Error>) {
        match value {
            Ok(value) => self.members.push((Cow::Borrowed(name), value)),
            Err(e) => self.fail(name, e),
        }
    }

    /// Keeps the first error, naming its member.
    fn fail(&mut self, name: &str, e: Error) {
        if self.error.is_none() {
            self.error = Some(in_member(name, e));
        }
    }

    /// A member left out when `None`.
    pub fn optional<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.field(name, v)
        }
    }

    /// A member left out when `None` and written as `null` when
    /// `Some(None)`.
    pub fn nullable<T: Serialize>(&mut self, name: &'static str, value: &Option<Option<T>>) {
        match value {
            Some(Some(v)) => self.field(name, v),
            Some(None) => self.put(name, Ok(Value::Null)),
            None => {}
        }
    }

    /// An array always written.
    pub fn list<T: Serialize>(&mut self, name: &'static str, items: &[T]) {
        let value = encode_list(items.len(), &mut |i| serde_json::to_value(&items[i]));
        self.put(name, value)
    }

    /// An array left out when `None`.
    pub fn optional_list<T: Serialize>(&mut self, name: &'static str, items: &Option<Vec<T>>) {
        if let Some(items) = items {
            self.list(name, items)
        }
    }

    /// An array left out when `None` and written as `null` when
    /// `Some(None)`.
    pub fn nullable_list<T: Serialize>(&mut self, name: &'static str, items: &Option<Option<Vec<T>>>) {
        match items {
            Some(Some(items)) => self.list(name, items),
            Some(None) => self.put(name, Ok(Value::Null)),
            None => {}
        }
    }

    /// Every member of a map (a struct's members not named in its schema).
    pub fn rest<T: Serialize>(&mut self, value: &T) {
        self.put_rest(serde_json::to_value(value))
    }

    fn put_rest(&mut self, value: Result<Value, Error>) {
        match value {
            Ok(Value::Object(members)) => self.members.extend(members.into_iter().map(|(k, v)| (Cow::Owned(k), v))),
            Ok(other) => self.fail("additional properties", de_error(format_args!("members of a map, not {other}"))),
            Err(e) => self.fail("additional properties", e),
        }
    }
}

/// An array of `len` items, item `i` written by `item(i)`; the walk is
/// compiled once for every item type.
fn encode_list(len: usize, item: &mut dyn FnMut(usize) -> Result<Value, Error>) -> Result<Value, Error> {
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        out.push(item(i)?);
    }
    Ok(Value::Array(out))
}

/// Tries the variants of an untagged union in order, as serde's
/// `#[serde(untagged)]` does: the first that decodes is the value.
pub struct Untagged {
    value: Value,
}

impl Untagged {
    /// Reads the value the variants are then tried on.
    pub fn new<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Untagged, D::Error> {
        Value::deserialize(deserializer).map(|value| Untagged { value })
    }

    /// The value as a `T`, if it is one.
    pub fn attempt<T: DeserializeOwned>(&self) -> Option<T> {
        // A copy keeps every variant on the one deserializer (`Value`) that
        // members use too, instead of compiling each for `&Value` as well.
        T::deserialize(self.value.clone()).ok()
    }

    /// The error when no variant fits.
    pub fn no_match(&self, union: &str) -> Error {
        de_error(format_args!("data did not match any variant of {union}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Default)]
    struct Patch {
        id: String,
        count: Option<i64>,
        next: Option<Option<String>>,
        tags: Option<Vec<String>>,
        extra: Map<String, Value>,
    }

    impl<'de> Deserialize<'de> for Patch {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            fn fields(mut o: Reader) -> Result<Patch, Error> {
                let value = Patch { id: o.required("id")?, count: o.optional("count"), next: o.nullable("next"), tags: o.optional_list("tags"), extra: o.rest()? };
                o.end()?;
            Ok(value)
            }
            finish(fields(members(d)?))
        }
    }

    impl Serialize for Patch {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            fn fields(v: &Patch) -> Writer {
                let mut o = Writer::new();
                o.field("id", &v.id);
                o.optional("count", &v.count);
                o.nullable("next", &v.next);
                o.optional_list("tags", &v.tags);
                o.rest(&v.extra);
                o
            }
            write(s, fields(self))
        }
    }

    #[test]
    fn members_round_trip_in_order_absent_and_null_apart() {
        for text in [
            r#"{"id":"a"}"#,
            r#"{"id":"a","count":3,"next":null}"#,
            r#"{"id":"a","next":"b","zeta":1,"alpha":[true]}"#,
            r#"{"id":"a","tags":[],"zeta":1}"#,
            r#"{"id":"a","tags":["x","y"]}"#,
        ] {
            let p: Patch = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&p).unwrap(), text);
            let again: Patch = serde_json::from_value(serde_json::from_str(text).unwrap()).unwrap();
            assert_eq!(again, p);
        }
        let p: Patch = serde_json::from_str(r#"{"id":"a","count":null}"#).unwrap();
        assert_eq!(p, Patch { id: "a".into(), ..Patch::default() });
    }

    #[test]
    fn errors_name_the_member() {
        let err = serde_json::from_str::<Patch>(r#"{"count":1}"#).unwrap_err().to_string();
        assert!(err.contains("missing field `id`"), "{err}");
        let err = serde_json::from_str::<Patch>(r#"{"id":"a","count":"many"}"#).unwrap_err().to_string();
        assert!(err.contains("`count`: invalid type: string \"many\""), "{err}");
        let err = serde_json::from_str::<Patch>(r#"["a"]"#).unwrap_err().to_string();
        assert!(err.contains("invalid type: sequence"), "{err}");
        let err = serde_json::from_value::<Vec<Patch>>(json!([{"id": "a", "next": 5}])).unwrap_err().to_string();
        assert!(err.contains("`next`: invalid type: integer `5`"), "{err}");
        let err = serde_json::from_str::<Patch>(r#"{"id":"a","tags":["x",3]}"#).unwrap_err().to_string();
        assert!(err.contains("`tags[1]`: invalid type: integer `3`"), "{err}");
        let err = serde_json::from_str::<Patch>(r#"{"id":"a","tags":"x"}"#).unwrap_err().to_string();
        assert!(err.contains("`tags`: invalid type: a string, expected an array"), "{err}");
    }

    /// A member that may be left out, before one that must be there.
    #[derive(Debug)]
    struct Pair {
        a: Option<i64>,
        b: String,
    }

    impl FromMembers for Pair {
        fn from_members(mut o: Reader) -> Result<Self, Error> {
            let value = Pair { a: o.optional("a"), b: o.required("b")? };
            o.end()?;
            Ok(value)
        }
    }

    #[test]
    fn the_first_member_in_order_that_cannot_be_read_is_the_error() {
        let read = |v: Value| Pair::from_members(Reader::new(v.as_object().unwrap().clone()));
        let err = read(json!({"a": "x"})).unwrap_err().to_string();
        assert!(err.contains("`a`: invalid type"), "{err}");
        let err = read(json!({"a": 1})).unwrap_err().to_string();
        assert!(err.contains("missing field `b`"), "{err}");
        // An optional member's error, with nothing after it to return it.
        let err = serde_json::from_str::<Patch>(r#"{"id":"a","tags":[1]}"#).unwrap_err().to_string();
        assert!(err.contains("`tags[0]`"), "{err}");
        let ok = read(json!({"a": 1, "b": "y"})).unwrap();
        assert_eq!((ok.a, ok.b.as_str()), (Some(1), "y"));
    }

    #[test]
    fn a_member_that_cannot_be_written_is_the_error_and_is_named() {
        let mut o = Writer::new();
        o.field("fine", &1);
        let keys: std::collections::BTreeMap<(i32, i32), i32> = [((1, 2), 3)].into();
        o.field("bad", &keys);
        o.field("later", &2);
        let err = write(serde_json::value::Serializer, o).unwrap_err().to_string();
        assert!(err.starts_with("`bad`: key must be a string"), "{err}");
    }

    #[derive(Debug, PartialEq)]
    enum IdOrPatch {
        Id(i64),
        Patch(Patch),
    }

    impl<'de> Deserialize<'de> for IdOrPatch {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            fn variants(u: &Untagged) -> Result<IdOrPatch, Error> {
                if let Some(v) = u.attempt() {
                    return Ok(IdOrPatch::Id(v));
                }
                if let Some(v) = u.attempt() {
                    return Ok(IdOrPatch::Patch(v));
                }
                Err(u.no_match("IdOrPatch"))
            }
            finish(variants(&Untagged::new(d)?))
        }
    }

    #[test]
    fn untagged_unions_take_the_first_variant_that_fits() {
        assert_eq!(serde_json::from_str::<IdOrPatch>("7").unwrap(), IdOrPatch::Id(7));
        assert_eq!(
            serde_json::from_str::<IdOrPatch>(r#"{"id":"x"}"#).unwrap(),
            IdOrPatch::Patch(Patch { id: "x".into(), ..Patch::default() })
        );
        let err = serde_json::from_str::<IdOrPatch>("true").unwrap_err().to_string();
        assert!(err.contains("did not match any variant of IdOrPatch"), "{err}");
    }
}
