//! Typed coverage: every position a value sits at (a struct field, a
//! parameter, a request or response body, an array's items, a map's
//! values, a union's variant), whether its schema constrains the value,
//! and whether the Rust type it got is more than a JSON value. Lowering
//! records each position as it types it; the counts are made once every
//! type exists, since an alias may be defined after its first use.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use crate::ir::{unalias, Coverage, Ty, TypeDef};

/// Positions by pointer, as lowering meets them. A pointer met twice (an
/// inline schema lowered again) is one position.
#[derive(Default)]
pub(super) struct Positions {
    seen: BTreeMap<String, (Demand, Ty)>,
    /// Whether the schema a reference names constrains, by reference:
    /// each target is judged once, however many positions name it.
    judged: RefCell<HashMap<String, bool>>,
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

    /// What a schema in place or by reference demands of a value;
    /// `resolve` follows a reference.
    pub(super) fn demand<'s, S: Borrow<Schema>>(
        &self,
        schema: &'s ReferenceOr<S>,
        resolve: &dyn Fn(&str) -> Option<&'s Schema>,
    ) -> Demand {
        let judge = Judge { resolve, judged: &self.judged };
        let target = match schema {
            ReferenceOr::Item(s) => s.borrow(),
            ReferenceOr::Reference { reference } => match resolve(reference) {
                Some(s) => s,
                None => return Demand::Dangling,
            },
        };
        if all_of(target).is_some_and(|parts| judge.impossible(parts)) {
            Demand::Impossible
        } else if judge.constrains(target, 0) {
            Demand::Shape
        } else {
            Demand::Nothing
        }
    }

    /// The counts, with `types` complete.
    pub(super) fn count(self, types: &IndexMap<String, TypeDef>) -> Coverage {
        let mut coverage = Coverage::default();
        for (ptr, (demand, ty)) in self.seen {
            match demand {
                Demand::Nothing => coverage.free += 1,
                Demand::Impossible => coverage.impossible.push(ptr),
                Demand::Dangling => coverage.dangling.push(ptr),
                Demand::Shape if is_json(types, &ty) => coverage.untyped.push(ptr),
                Demand::Shape => coverage.typed += 1,
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

/// A schema's allOf members, in either form openapiv3 reads them.
fn all_of(s: &Schema) -> Option<&Vec<ReferenceOr<Schema>>> {
    match &s.schema_kind {
        SchemaKind::AllOf { all_of } => Some(all_of),
        SchemaKind::Any(a) if !a.all_of.is_empty() => Some(&a.all_of),
        _ => None,
    }
}

/// Judges schemas, following references with `resolve` and remembering
/// each reference's verdict.
struct Judge<'s, 'j> {
    resolve: &'j dyn Fn(&str) -> Option<&'s Schema>,
    judged: &'j RefCell<HashMap<String, bool>>,
}

impl<'s> Judge<'s, '_> {
    /// Whether a schema says anything about the value's shape: `{}`, an
    /// object with no properties whose other members may be anything, and
    /// schemas that only annotate (a description, `nullable`) allow any
    /// value of their kind, so they are counted apart from typed
    /// positions. A reference that cannot be followed constrains (the spec
    /// meant a type).
    fn constrains(&self, schema: &'s Schema, depth: usize) -> bool {
        if depth > 32 {
            return true;
        }
        let member = |s| self.constrains_ref(s, depth + 1);
        let additional = |a: &'s Option<AdditionalProperties>| match a {
            Some(AdditionalProperties::Schema(s)) => member(s),
            _ => false,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty() || additional(&o.additional_properties),
            SchemaKind::AllOf { all_of } => all_of.iter().any(member) && !self.impossible(all_of),
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
                    || (a.typ.as_deref().is_none_or(|t| t == "array") && a.items.as_ref().is_some_and(|s| self.constrains_ref(s, depth + 1)))
                    // An enum of objects or arrays is a JSON value, as written.
                    || a.enumeration.iter().any(|v| !v.is_object() && !v.is_array() && !v.is_null())
                    || (scalar && a.format.is_some())
                    || (!a.one_of.is_empty() && a.one_of.iter().all(member))
                    || (!a.any_of.is_empty() && a.any_of.iter().all(member))
                    || (a.all_of.iter().any(member) && !self.impossible(&a.all_of))
                    || a.not.is_some()
            }
            _ => true,
        }
    }

    /// [`Self::constrains`] for a schema in place or by reference. A
    /// reference met again while it is judged (a cycle) constrains, as
    /// the depth bound would say.
    fn constrains_ref<S: Borrow<Schema>>(&self, schema: &'s ReferenceOr<S>, depth: usize) -> bool {
        let reference = match schema {
            ReferenceOr::Item(s) => return self.constrains(s.borrow(), depth),
            ReferenceOr::Reference { reference } => reference,
        };
        if let Some(&known) = self.judged.borrow().get(reference) {
            return known;
        }
        let Some(target) = (self.resolve)(reference) else { return true };
        self.judged.borrow_mut().insert(reference.clone(), true);
        let verdict = self.constrains(target, depth);
        self.judged.borrow_mut().insert(reference.clone(), verdict);
        verdict
    }

    /// allOf members of different JSON types (a string and an object): no
    /// value is all of them. (An integer is a number.)
    fn impossible(&self, parts: &'s [ReferenceOr<Schema>]) -> bool {
        let kind = |s: &Schema| super::json_type(s).map(|t| if t == "integer" { "number" } else { t });
        let mut kinds = parts.iter().filter_map(|p| match p {
            ReferenceOr::Item(s) => kind(s),
            ReferenceOr::Reference { reference } => (self.resolve)(reference).and_then(kind),
        });
        let first = kinds.next();
        kinds.any(|k| Some(k) != first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(yaml: &str) -> Schema {
        serde_yaml::from_str(yaml).expect("a schema")
    }

    /// What `yaml` demands, with references resolved in `schemas`.
    fn demand_of(yaml: &str, schemas: &[(&str, &Schema)]) -> Demand {
        let s: ReferenceOr<Schema> = serde_yaml::from_str(yaml).expect("a schema");
        let resolve = |r: &str| schemas.iter().find(|(name, _)| r.ends_with(&format!("/{name}"))).map(|(_, s)| *s);
        Positions::default().demand(&s, &resolve)
    }

    #[test]
    fn free_forms_constrain_nothing() {
        for free in ["{}", "{description: anything}", "{type: object}", "{type: object, additionalProperties: true}", "{nullable: true}", "{allOf: [{description: a}]}", "{anyOf: [{type: object}, {type: string}]}", "{type: object, format: uri-map}", "{type: object, enum: [{}]}"] {
            assert_eq!(demand_of(free, &[]), Demand::Nothing, "{free}");
        }
        for typed in ["{type: string}", "{type: array}", "{type: object, properties: {a: {}}}", "{type: object, additionalProperties: {type: integer}}", "{enum: [a, b]}", "{oneOf: [{type: string}]}", "{allOf: [{$ref: '#/nowhere'}]}"] {
            assert_eq!(demand_of(typed, &[]), Demand::Shape, "{typed}");
        }
    }

    #[test]
    fn a_reference_cycle_is_judged_once() {
        let a = schema("{oneOf: [{$ref: '#/components/schemas/A'}, {type: string}]}");
        assert_eq!(demand_of("{$ref: '#/components/schemas/A'}", &[("A", &a)]), Demand::Shape);
        let free = schema("{anyOf: [{$ref: '#/components/schemas/F'}, {}]}");
        assert_eq!(demand_of("{$ref: '#/components/schemas/F'}", &[("F", &free)]), Demand::Nothing);
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
        assert_eq!(demand_of("{allOf: [{type: string}, {type: object, properties: {m: {type: string}}}]}", &[]), Demand::Impossible);
        assert_eq!(demand_of("{allOf: [{type: integer}, {type: number, minimum: 1}]}", &[]), Demand::Shape);
        assert_eq!(demand_of("{$ref: '#/components/schemas/Nowhere'}", &[]), Demand::Dangling);
    }
}
