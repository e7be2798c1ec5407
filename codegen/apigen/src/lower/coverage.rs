//! Typed coverage: every position a value sits at (a struct field, a
//! parameter, a request or response body, an array's items, a map's
//! values, a union's variant), whether its schema constrains the value,
//! and whether the Rust type it got is more than a JSON value. Lowering
//! records each position as it types it; the counts are made once every
//! type exists, since an alias may be defined after its first use.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use crate::ir::{unalias, Coverage, Ty, TypeDef};

/// Positions by pointer, as lowering meets them. A pointer met twice (an
/// inline schema lowered again) is one position.
#[derive(Default)]
pub(super) struct Positions {
    seen: BTreeMap<String, (Demand, Ty)>,
}

/// What a position's schema asks of its value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Demand {
    /// Any value of its kind (`{}`, a free-form object).
    Nothing,
    /// A shape a Rust type can say.
    Shape,
    /// Nothing can satisfy it (an allOf of a string and an object).
    Impossible,
    /// A reference to nothing: what the spec meant is unknown.
    Dangling,
}

impl Positions {
    /// The position at `ptr`: what its schema demands, and the type it
    /// was given.
    pub(super) fn record(&mut self, ptr: &str, demand: Demand, ty: &Ty) {
        self.seen.insert(ptr.to_owned(), (demand, ty.clone()));
    }

    /// The counts, with `types` complete.
    pub(super) fn count(self, types: &IndexMap<String, TypeDef>) -> Coverage {
        let mut coverage = Coverage::default();
        for (ptr, (demand, ty)) in self.seen {
            if demand == Demand::Nothing {
                coverage.free += 1;
            } else if demand == Demand::Impossible {
                coverage.impossible.push(ptr);
            } else if demand == Demand::Dangling {
                coverage.dangling.push(ptr);
            } else if is_json(types, &ty) {
                coverage.untyped.push(ptr);
            } else {
                coverage.typed += 1;
            }
        }
        coverage
    }
}

/// The type is any JSON value or any JSON object, through aliases and
/// `Option`.
fn is_json(types: &IndexMap<String, TypeDef>, ty: &Ty) -> bool {
    let mut ty = ty;
    for _ in 0..64 {
        match unalias(types, ty) {
            Ty::Option(inner) => ty = inner,
            Ty::Json | Ty::JsonObject => return true,
            _ => return false,
        }
    }
    false
}

/// Whether a schema says anything about the value's shape: `{}`, an
/// object with no properties whose other members may be anything, and
/// schemas that only annotate (a description, `nullable`) allow any
/// value of their kind, so they are counted apart from typed positions.
/// `resolve` follows a reference; one it cannot follow constrains (the
/// spec meant a type).
fn constrains<'s>(schema: &'s Schema, resolve: &dyn Fn(&str) -> Option<&'s Schema>, depth: usize) -> bool {
    if depth > 32 {
        return true;
    }
    let member = |s| constrains_ref(s, resolve, depth + 1);
    let additional = |a: &'s Option<AdditionalProperties>| match a {
        Some(AdditionalProperties::Schema(s)) => member(s),
        _ => false,
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty() || additional(&o.additional_properties),
        SchemaKind::AllOf { all_of } => all_of.iter().any(member) && !impossible(all_of, resolve),
        // A union with a member that allows anything allows anything.
        SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
            !members.is_empty() && members.iter().all(member)
        }
        SchemaKind::Any(a) => {
            let scalar = a.typ.as_deref().is_none_or(|t| t != "object" && t != "array");
            matches!(a.typ.as_deref(), Some(t) if t != "object")
                || !a.properties.is_empty()
                || additional(&a.additional_properties)
                // `items` says something of arrays only.
                || (a.typ.as_deref().is_none_or(|t| t == "array") && a.items.as_ref().is_some_and(|s| constrains_ref(s, resolve, depth + 1)))
                // An enum of objects or arrays is a JSON value, as written.
                || a.enumeration.iter().any(|v| !v.is_object() && !v.is_array() && !v.is_null())
                || (scalar && a.format.is_some())
                || (!a.one_of.is_empty() && a.one_of.iter().all(member))
                || (!a.any_of.is_empty() && a.any_of.iter().all(member))
                || (a.all_of.iter().any(member) && !impossible(&a.all_of, resolve))
                || a.not.is_some()
        }
        _ => true,
    }
}

/// What a schema in place or by reference demands of a value.
pub(super) fn demand<'s, S: Borrow<Schema>>(schema: &'s ReferenceOr<S>, resolve: &dyn Fn(&str) -> Option<&'s Schema>) -> Demand {
    let target = match schema {
        ReferenceOr::Item(s) => Some(s.borrow()),
        ReferenceOr::Reference { reference } => match resolve(reference) {
            Some(s) => Some(s),
            None => return Demand::Dangling,
        },
    };
    let all_of = target.and_then(|s| match &s.schema_kind {
        SchemaKind::AllOf { all_of } => Some(all_of),
        SchemaKind::Any(a) if !a.all_of.is_empty() => Some(&a.all_of),
        _ => None,
    });
    if all_of.is_some_and(|parts| impossible(parts, resolve)) {
        Demand::Impossible
    } else if constrains_ref(schema, resolve, 0) {
        Demand::Shape
    } else {
        Demand::Nothing
    }
}

/// allOf members of different JSON types (a string and an object): no
/// value is all of them. (An integer is a number.)
fn impossible<'s>(parts: &'s [ReferenceOr<Schema>], resolve: &dyn Fn(&str) -> Option<&'s Schema>) -> bool {
    let kind = |s: &Schema| -> Option<&'static str> {
        match &s.schema_kind {
            SchemaKind::Type(Type::String(_)) => Some("string"),
            SchemaKind::Type(Type::Integer(_) | Type::Number(_)) => Some("number"),
            SchemaKind::Type(Type::Boolean(_)) => Some("boolean"),
            SchemaKind::Type(Type::Array(_)) => Some("array"),
            SchemaKind::Type(Type::Object(_)) => Some("object"),
            SchemaKind::Any(a) if !a.properties.is_empty() => Some("object"),
            SchemaKind::Any(a) => match a.typ.as_deref()? {
                "string" => Some("string"),
                "integer" | "number" => Some("number"),
                "boolean" => Some("boolean"),
                "array" => Some("array"),
                "object" => Some("object"),
                _ => None,
            },
            _ => None,
        }
    };
    let mut kinds = parts.iter().filter_map(|p| match p {
        ReferenceOr::Item(s) => kind(s),
        ReferenceOr::Reference { reference } => resolve(reference).and_then(kind),
    });
    let first = kinds.next();
    kinds.any(|k| Some(k) != first)
}

/// [`constrains`] for a schema in place or by reference.
fn constrains_ref<'s, S: Borrow<Schema>>(
    schema: &'s ReferenceOr<S>,
    resolve: &dyn Fn(&str) -> Option<&'s Schema>,
    depth: usize,
) -> bool {
    match schema {
        ReferenceOr::Item(s) => constrains(s.borrow(), resolve, depth),
        ReferenceOr::Reference { reference } => resolve(reference).is_none_or(|s| constrains(s, resolve, depth)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(yaml: &str) -> Schema {
        serde_yaml::from_str(yaml).expect("a schema")
    }

    #[test]
    fn free_forms_constrain_nothing() {
        for free in ["{}", "{description: anything}", "{type: object}", "{type: object, additionalProperties: true}", "{nullable: true}", "{allOf: [{description: a}]}", "{anyOf: [{type: object}, {type: string}]}", "{type: object, format: uri-map}", "{type: object, enum: [{}]}"] {
            let s = schema(free);
            assert!(!constrains(&s, &|_| None, 0), "{free}");
        }
        for typed in ["{type: string}", "{type: array}", "{type: object, properties: {a: {}}}", "{type: object, additionalProperties: {type: integer}}", "{enum: [a, b]}", "{oneOf: [{type: string}]}", "{$ref: '#/nowhere'}"] {
            let s: ReferenceOr<Schema> = serde_yaml::from_str(typed).expect("a schema");
            assert!(constrains_ref(&s, &|_| None, 0), "{typed}");
        }
    }

    #[test]
    fn counts_through_aliases_and_options() {
        let mut types = IndexMap::new();
        types.insert(
            "Anything".to_owned(),
            TypeDef { name: "Anything".into(), pointer: String::new(), description: None, kind: crate::ir::TypeKind::Alias(Ty::Json), multipart: false, boxed: Vec::new() },
        );
        let mut p = Positions::default();
        p.record("/a", Demand::Shape, &Ty::Option(Box::new(Ty::Named("Anything".into()))));
        p.record("/b", Demand::Shape, &Ty::Vec(Box::new(Ty::Json)));
        p.record("/c", Demand::Nothing, &Ty::JsonObject);
        p.record("/b", Demand::Shape, &Ty::Vec(Box::new(Ty::Json)));
        p.record("/d", Demand::Impossible, &Ty::Json);
        p.record("/e", Demand::Dangling, &Ty::Json);
        let c = p.count(&types);
        assert_eq!((c.typed, c.free, c.untyped, c.impossible), (1, 1, vec!["/a".to_owned()], vec!["/d".to_owned()]));
        assert_eq!(c.dangling, vec!["/e".to_owned()]);
    }

    #[test]
    fn contradictions_are_impossible() {
        let s: ReferenceOr<Schema> = serde_yaml::from_str("{allOf: [{type: string}, {type: object, properties: {m: {type: string}}}]}").unwrap();
        assert_eq!(demand(&s, &|_| None), Demand::Impossible);
        let s: ReferenceOr<Schema> = serde_yaml::from_str("{allOf: [{type: integer}, {type: number, minimum: 1}]}").unwrap();
        assert_eq!(demand(&s, &|_| None), Demand::Shape);
        let s: ReferenceOr<Schema> = serde_yaml::from_str("{$ref: '#/components/schemas/Nowhere'}").unwrap();
        assert_eq!(demand(&s, &|_| None), Demand::Dangling);
    }
}
