//! Lowering: the typed OpenAPI model to the IR. Every decision is made
//! here, once: names, boxing, variants, which operation defines a shared
//! enum. Whatever cannot be represented becomes a diagnostic with its
//! pointer. Lowering never prints Rust and never reads the raw document:
//! what the typed model lacks, `normalize` has put beside it.

use std::borrow::Borrow;
use std::collections::HashMap;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle,
    ReferenceOr, Schema, SchemaKind, StatusCode, Type,
};

mod boxing;
mod coverage;

use crate::options::{Options, PaginationOverride, PaginationStyle};
use crate::diag::Diagnostics;
use crate::pointer;
use crate::ir::*;
use crate::names::{self, Namespace};
use crate::normalize::Spec;

/// Type names that would shadow the prelude or the types generated code
/// names unqualified.
const RESERVED_TYPES: &[&str] = &[
    "String", "Vec", "Option", "Box", "Result", "Some", "None", "Ok", "Err", "Default", "Clone",
    "Debug", "PartialEq", "Eq", "Hash", "Copy", "Send", "Sync", "Sized", "Self", "Serialize",
    "Deserialize", "Value", "Map", "Bytes", "Error", "ToOwned", "ToString", "From", "Into",
];

/// Names on the generated `Client` besides namespaces and operations.
const RESERVED_METHODS: &[&str] = &["new", "builder", "from_env", "raw", "from", "clone"];

/// Methods every builder may have, which a parameter's setter must not
/// take: sending, streaming, paging, and the body's setter. (The
/// `WithOptions` methods, `header`, `query`, `timeout`, ..., are a trait's:
/// a setter of the same name shadows them without an error, and the
/// spec's name is the one users look for.)
const BUILDER_METHODS: &[&str] = &[
    "new", "send", "send_with_response", "request", "decode", "into_future", "options_mut", "body", "stream",
    "lines", "pages", "items",
];

/// Builder and namespace type names live beside these in the operations
/// module.
const RESERVED_BUILDERS: &[&str] = &[
    "Client", "Error", "Request", "Response", "RequestOptions", "Operation", "WithOptions",
    "BoxFuture", "Untyped", "String", "Vec", "Option", "Box", "Result",
];

/// The IR of a normalized document; what it cannot represent goes to
/// `diags`.
pub fn lower(spec: &Spec, opts: &Options, diags: &mut Diagnostics) -> Api {
    let mut l = Lower {
        pagination_overrides: &opts.pagination,
        api: &spec.openapi,
        diags,
        types: IndexMap::new(),
        type_names: Namespace::with_reserved(RESERVED_TYPES),
        components: HashMap::new(),
        inline_types: HashMap::new(),
        positions: coverage::Positions::default(),
    };
    l.components();
    let operations = l.operations(spec);
    let webhooks = l.webhooks(spec);
    let security_schemes = l.security_schemes();
    let credential_env = credential_env(security_schemes.first().map(|s| &s.kind), opts, l.diags);
    let mut types = l.types;
    boxing::decide(&mut types);
    let coverage = l.positions.count(&types);
    let info = &spec.openapi.info;
    Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        base_url: spec.openapi.servers.first().map(|s| s.url.clone()),
        security_schemes,
        namespaces: client_namespaces(&operations),
        operations,
        webhooks,
        types,
        credential_env,
        coverage,
    }
}

/// The variables `Client::from_env` reads: those the options name, when
/// they are as many as the primary scheme needs, else
/// `<CRATE>_API_TOKEN` and the like.
fn credential_env(primary: Option<&SecurityKind>, opts: &Options, diags: &mut Diagnostics) -> Vec<String> {
    let defaults: &[&str] = match primary {
        None => return Vec::new(),
        Some(SecurityKind::Bearer) => &["API_TOKEN"],
        Some(SecurityKind::Basic) => &["USERNAME", "PASSWORD"],
        Some(SecurityKind::ApiKey { .. }) => &["API_KEY"],
    };
    if opts.env.len() == defaults.len() {
        return opts.env.clone();
    }
    let prefix = names::screaming(&opts.crate_name);
    let chosen: Vec<String> = defaults.iter().map(|d| format!("{prefix}_{d}")).collect();
    if !opts.env.is_empty() {
        diags.push(
            "/components/securitySchemes",
            format!(
                "{} environment variables are configured but the primary security scheme needs {}; `{}` are read instead",
                opts.env.len(),
                defaults.len(),
                chosen.join("`, `")
            ),
        );
    }
    chosen
}

struct Lower<'a> {
    pagination_overrides: &'a [PaginationOverride],
    api: &'a OpenAPI,
    diags: &'a mut Diagnostics,
    types: IndexMap<String, TypeDef>,
    type_names: Namespace,
    /// Component schema key to (Rust name, nullable).
    components: HashMap<String, (String, bool)>,
    /// Inline definitions by their serialized form, to reuse identical ones.
    inline_types: HashMap<String, String>,
    /// Every position typed so far, for [`Coverage`].
    positions: coverage::Positions,
}

/// A union's members, keyword (`oneOf`, `anyOf`) and discriminator.
type UnionOf<'s> = (&'s Vec<ReferenceOr<Schema>>, &'static str, Option<&'s openapiv3::Discriminator>);

/// What a schema becomes: a type to use in place, or a definition that
/// needs a name.
enum Converted {
    Ty(Ty),
    Def(TypeKind),
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

impl<'a> Lower<'a> {
    fn components(&mut self) {
        let Some(components) = &self.api.components else { return };
        // Names first, in document order, so that references resolve and
        // component names win over inline ones.
        for (key, schema) in &components.schemas {
            let (name, renamed) = self.type_names.take_why(&names::camel(key, "T"));
            if let Some(why) = renamed {
                self.diags.push(
                    pointer::join("/components/schemas", key),
                    format!("type name `{key}` {}; named `{name}`", why.why()),
                );
            }
            let nullable = match schema {
                ReferenceOr::Item(s) => s.schema_data.nullable,
                ReferenceOr::Reference { .. } => false,
            };
            self.components.insert(key.clone(), (name, nullable));
        }
        for (key, schema) in &components.schemas {
            let ptr = pointer::join("/components/schemas", key);
            let name = self.components[key].0.clone();
            let (kind, description) = match schema {
                ReferenceOr::Reference { reference } => {
                    (TypeKind::Alias(self.reference(reference, &ptr)), None)
                }
                ReferenceOr::Item(s) => {
                    let kind = match self.convert(s, &name, &ptr) {
                        Converted::Ty(ty) => TypeKind::Alias(ty),
                        Converted::Def(kind) => kind,
                    };
                    (kind, s.schema_data.description.clone())
                }
            };
            self.types.insert(
                name.clone(),
                TypeDef {
                    name,
                    pointer: ptr,
                    description,
                    kind,
                    multipart: false,
                    boxed: Vec::new(),
                },
            );
        }
    }

    fn reference(&mut self, reference: &str, ptr: &str) -> Ty {
        if let Some(key) = pointer::component(reference, SCHEMA_PREFIX) {
            let key = key.into_owned();
            if let Some((name, nullable)) = self.components.get(&key) {
                let ty = Ty::Named(name.clone());
                return if *nullable { Ty::Option(Box::new(ty)) } else { ty };
            }
            self.diags.push(ptr, format!("reference `{reference}` names no schema; any JSON value is accepted"));
        } else {
            self.diags.push(
                ptr,
                format!("reference `{reference}` is not to a component schema; any JSON value is accepted"),
            );
        }
        Ty::Json
    }

    /// A schema in place: an inline definition gets a name from `hint`.
    fn schema_ty(&mut self, schema: &ReferenceOr<Schema>, hint: &str, ptr: &str) -> Ty {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, ptr),
            ReferenceOr::Item(s) => self.inline(s, hint, ptr),
        }
    }

    fn boxed_ty(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &str, ptr: &str) -> Ty {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, ptr),
            ReferenceOr::Item(s) => self.inline(s, hint, ptr),
        }
    }

    /// [`Self::schema_ty`] at a position (a field, parameter, body, item,
    /// map value or union variant), recorded for typed coverage.
    fn position_ty(&mut self, schema: &ReferenceOr<Schema>, hint: &str, ptr: &str) -> Ty {
        let ty = self.schema_ty(schema, hint, ptr);
        self.record(schema, &ty, ptr);
        ty
    }

    /// [`Self::position_ty`] for a boxed schema (properties, items).
    fn boxed_position_ty(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &str, ptr: &str) -> Ty {
        let ty = self.boxed_ty(schema, hint, ptr);
        self.record(schema, &ty, ptr);
        ty
    }

    /// Records the position at `ptr`, given `ty`, for typed coverage.
    fn record<S: Borrow<Schema>>(&mut self, schema: &ReferenceOr<S>, ty: &Ty, ptr: &str) {
        let resolve = |r: &str| self.resolve_ref(r);
        let demand = self.positions.demand(schema, &resolve);
        self.positions.record(ptr, demand, ty);
    }

    fn inline(&mut self, s: &Schema, hint: &str, ptr: &str) -> Ty {
        let ty = match self.convert(s, hint, ptr) {
            Converted::Ty(ty) => ty,
            Converted::Def(kind) => {
                // Inline schemas written out the same way in several places
                // (a resource repeated in every response) are one type.
                let key = serde_json::to_string(&(&kind, &s.schema_data.description)).expect("the IR serializes");
                if let Some(name) = self.inline_types.get(&key) {
                    return self.nullable(s, Ty::Named(name.clone()));
                }
                let (name, _) = self.type_names.take(&names::camel(hint, "T"));
                self.inline_types.insert(key, name.clone());
                self.types.insert(
                    name.clone(),
                    TypeDef {
                        name: name.clone(),
                        pointer: ptr.to_owned(),
                        description: s.schema_data.description.clone(),
                        kind,
                        multipart: false,
                        boxed: Vec::new(),
                    },
                );
                Ty::Named(name)
            }
        };
        self.nullable(s, ty)
    }

    fn nullable(&self, s: &Schema, ty: Ty) -> Ty {
        if s.schema_data.nullable && !matches!(ty, Ty::Option(_)) {
            Ty::Option(Box::new(ty))
        } else {
            ty
        }
    }

    fn convert(&mut self, s: &Schema, hint: &str, ptr: &str) -> Converted {
        match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<&String> = st.enumeration.iter().flatten().collect();
                let binary = matches!(
                    &st.format,
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
                );
                if values.is_empty() && binary {
                    Converted::Ty(Ty::File)
                } else if values.is_empty() {
                    Converted::Ty(Ty::String)
                } else {
                    Converted::Def(self.string_enum(values.into_iter().cloned(), ptr))
                }
            }
            SchemaKind::Type(Type::Integer(it)) => {
                let values: Vec<i64> = it.enumeration.iter().flatten().copied().collect();
                if !values.is_empty() {
                    return Converted::Def(self.integer_enum(values));
                }
                let fmt = match &it.format {
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => Ty::I32,
                    _ => Ty::I64,
                };
                Converted::Ty(fmt)
            }
            SchemaKind::Type(Type::Number(_)) => Converted::Ty(Ty::F64),
            SchemaKind::Type(Type::Boolean(_)) => Converted::Ty(Ty::Bool),
            SchemaKind::Type(Type::Array(at)) => {
                let item = match &at.items {
                    Some(items) => self.boxed_position_ty(items, &format!("{hint}Item"), &pointer::join(ptr, "items")),
                    None => Ty::Json,
                };
                Converted::Ty(Ty::Vec(Box::new(item)))
            }
            SchemaKind::Type(Type::Object(ot)) => {
                self.object(&ot.properties, &ot.required, ot.additional_properties.as_ref(), hint, ptr)
            }
            SchemaKind::OneOf { one_of } => self.union(one_of, "oneOf", s.schema_data.discriminator.as_ref(), hint, ptr),
            SchemaKind::AnyOf { any_of } => self.union(any_of, "anyOf", s.schema_data.discriminator.as_ref(), hint, ptr),
            SchemaKind::AllOf { all_of } => self.all_of(all_of, hint, ptr),
            SchemaKind::Not { .. } => {
                self.diags.push(pointer::join(ptr, "not"), "`not` cannot be expressed as a Rust type; any JSON value is accepted");
                Converted::Ty(Ty::Json)
            }
            SchemaKind::Any(any) => {
                let union = match (&any.one_of, &any.any_of) {
                    (one_of, _) if !one_of.is_empty() => Some((one_of, "oneOf")),
                    (_, any_of) if !any_of.is_empty() => Some((any_of, "anyOf")),
                    _ => None,
                };
                // Members of its own beside allOf or a union (`type: object`,
                // `properties`, `required`) are one more allOf member: the
                // schema is all of them at once.
                // (`additionalProperties: true` alone says nothing.)
                let own = (!any.properties.is_empty()
                    || !any.required.is_empty()
                    || matches!(any.additional_properties, Some(AdditionalProperties::Schema(_))))
                .then(|| {
                    ReferenceOr::Item(Schema {
                        schema_data: Default::default(),
                        schema_kind: SchemaKind::Any(openapiv3::AnySchema {
                            typ: any.typ.clone(),
                            properties: any.properties.clone(),
                            required: any.required.clone(),
                            additional_properties: any.additional_properties.clone(),
                            ..Default::default()
                        }),
                    })
                });
                if !any.all_of.is_empty() || (union.is_some() && own.is_some()) {
                    let mut parts = any.all_of.clone();
                    parts.extend(own);
                    if let Some((members, keyword)) = union {
                        let members = members.clone();
                        let schema_kind = match keyword {
                            "oneOf" => SchemaKind::OneOf { one_of: members },
                            _ => SchemaKind::AnyOf { any_of: members },
                        };
                        let schema_data = openapiv3::SchemaData { discriminator: s.schema_data.discriminator.clone(), ..Default::default() };
                        parts.push(ReferenceOr::Item(Schema { schema_data, schema_kind }));
                    }
                    return self.all_of(&parts, hint, ptr);
                }
                if union.is_none()
                    && (!any.properties.is_empty()
                        || any.typ.as_deref() == Some("object")
                        || matches!(any.additional_properties, Some(AdditionalProperties::Schema(_))))
                {
                    self.object(&any.properties, &any.required, any.additional_properties.as_ref(), hint, ptr)
                } else if let Some((members, keyword)) = union {
                    self.union(members, keyword, s.schema_data.discriminator.as_ref(), hint, ptr)
                } else if let Some(values) = any.enumeration.iter().map(|v| v.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>().filter(|v| !v.is_empty() && any.typ.is_none()) {
                    // An enum without a type, of strings only: a string enum.
                    Converted::Def(self.string_enum(values.into_iter(), ptr))
                } else if let Some(values) = any.enumeration.iter().map(serde_json::Value::as_i64).collect::<Option<Vec<_>>>().filter(|v| !v.is_empty() && any.typ.is_none()) {
                    Converted::Def(self.integer_enum(values))
                } else if let Some(items) = &any.items {
                    let item = self.boxed_position_ty(items, &format!("{hint}Item"), &pointer::join(ptr, "items"));
                    Converted::Ty(Ty::Vec(Box::new(item)))
                } else {
                    Converted::Ty(match any.typ.as_deref() {
                        Some("string") => Ty::String,
                        Some("integer") => Ty::I64,
                        Some("number") => Ty::F64,
                        Some("boolean") => Ty::Bool,
                        Some("array") => Ty::Vec(Box::new(Ty::Json)),
                        _ => Ty::Json,
                    })
                }
            }
        }
    }

    fn string_enum(&mut self, values: impl Iterator<Item = String>, ptr: &str) -> TypeKind {
        let mut ns = Namespace::default();
        let mut variants: Vec<EnumVariant> = Vec::new();
        for value in values {
            if variants.iter().any(|v| v.value == value) {
                continue;
            }
            let (ident, renamed) = ns.take_why(&names::camel(&value, "V"));
            if let Some(why) = renamed {
                self.diags.push(
                    pointer::join(ptr, "enum"),
                    format!("enum value `{value}` {}; named `{ident}`", why.why()),
                );
            }
            variants.push(EnumVariant { value, ident, description: None });
        }
        let fallback = fallback_name(&ns);
        TypeKind::StringEnum { variants, fallback }
    }

    fn integer_enum(&mut self, values: Vec<i64>) -> TypeKind {
        let mut ns = Namespace::default();
        let mut variants: Vec<IntVariant> = Vec::new();
        for value in values {
            if variants.iter().any(|v| v.value == value) {
                continue;
            }
            let base = if value < 0 { format!("Minus{}", value.unsigned_abs()) } else { format!("V{value}") };
            let (ident, _) = ns.take(&base);
            variants.push(IntVariant { value, ident });
        }
        let fallback = fallback_name(&ns);
        TypeKind::IntegerEnum { variants, fallback }
    }

    fn object(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        hint: &str,
        ptr: &str,
    ) -> Converted {
        let additional_ty = match additional {
            Some(AdditionalProperties::Schema(s)) => {
                Some(self.position_ty(s, &format!("{hint}Value"), &pointer::join(ptr, "additionalProperties")))
            }
            Some(AdditionalProperties::Any(true)) => Some(Ty::Json),
            Some(AdditionalProperties::Any(false)) | None => None,
        };
        if properties.is_empty() {
            return Converted::Ty(match additional_ty {
                Some(Ty::Json) | None => Ty::JsonObject,
                Some(ty) => Ty::Map(Box::new(ty)),
            });
        }
        let mut ns = Namespace::default();
        let mut fields = Vec::new();
        let props_ptr = pointer::join(ptr, "properties");
        for (name, schema) in properties {
            let fptr = pointer::join(&props_ptr, name);
            let ty = self.boxed_position_ty(schema, &format!("{hint}_{}", names::camel(name, "P")), &fptr);
            let (ident, renamed) = ns.take_why(&names::snake(name));
            if let Some(why) = renamed {
                self.diags.push(&fptr, format!("property name `{name}` {}; named `{ident}`", why.why()));
            } else if let Some(why) = names::unusual(name) {
                self.diags.push(&fptr, format!("property name `{name}` {why}; named `{ident}`"));
            }
            let description = match schema {
                ReferenceOr::Item(s) => s.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                name: name.clone(),
                ident,
                ty,
                required: required.contains(name),
                description,
            });
        }
        Converted::Def(TypeKind::Struct {
            fields,
            additional: additional_ty,
        })
    }

    fn union(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        keyword: &str,
        discriminator: Option<&openapiv3::Discriminator>,
        hint: &str,
        ptr: &str,
    ) -> Converted {
        self.union_over(parts, &[], keyword, discriminator, hint, ptr)
    }

    /// A union of `parts`, each merged with the objects of `base` (an
    /// allOf the union is a member of; none for a plain union).
    fn union_over(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        base: &[ReferenceOr<Schema>],
        keyword: &str,
        discriminator: Option<&openapiv3::Discriminator>,
        hint: &str,
        ptr: &str,
    ) -> Converted {
        let kptr = pointer::join(ptr, keyword);
        // A union of string enums (how some generators document each value)
        // is one enum of all their values.
        if let Some(values) = self.enum_union(parts).filter(|_| base.is_empty()) {
            let mut kind = self.string_enum(values.iter().map(|(v, _)| v.clone()), ptr);
            if let TypeKind::StringEnum { variants, .. } = &mut kind {
                for v in variants.iter_mut() {
                    v.description = values.iter().find(|(value, _)| *value == v.value).and_then(|(_, d)| d.clone());
                }
            }
            return Converted::Def(kind);
        }
        let tagging = self.tagging(parts, discriminator, ptr);
        let mut ns = Namespace::default();
        let mut variants: Vec<UnionVariant> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let tags = tagging.as_ref().map(|(_, tags)| tags[i].clone()).unwrap_or_default();
            let part_hint = match tags.first() {
                Some(tag) => format!("{hint}_{}", names::camel(tag, "V")),
                None => format!("{hint}Variant{i}"),
            };
            // An inline variant need not hold its tag: the enum's variant
            // says it, and serializing writes it.
            let stripped = match (part, &tagging) {
                // Object members constrain objects only: a scalar or array
                // variant is itself.
                _ if !base.is_empty() && !self.resolve(part).is_some_and(is_scalar_or_array) => {
                    let all_of = base.iter().chain([part]).cloned().collect();
                    Some(ReferenceOr::Item(Schema { schema_data: Default::default(), schema_kind: SchemaKind::AllOf { all_of } }))
                }
                (ReferenceOr::Item(schema), Some((tag, _))) => without_property(schema, tag).map(ReferenceOr::Item),
                _ => None,
            };
            let vptr = format!("{kptr}/{i}");
            let variant = stripped.as_ref().unwrap_or(part);
            let ty = self.schema_ty(variant, &part_hint, &vptr);
            self.record(variant, &ty, &vptr);
            if let Some(same) = variants.iter_mut().find(|v| v.ty == ty) {
                same.tags.extend(tags);
                continue;
            }
            let base = match tags.first() {
                Some(tag) => names::camel(tag, "V"),
                None => variant_name(&ty),
            };
            let (ident, _) = ns.take(&base);
            variants.push(UnionVariant { ident, ty, tags });
        }
        if let Some((tag, _)) = tagging {
            let (fallback, _) = ns.take("Other");
            return Converted::Def(TypeKind::Union { variants, tag: Some(tag), fallback: Some(fallback) });
        }
        match variants.len() {
            0 => Converted::Ty(Ty::Json),
            1 => Converted::Ty(variants.pop().map(|v| v.ty).unwrap_or(Ty::Json)),
            _ => Converted::Def(TypeKind::Union { variants, tag: None, fallback: None }),
        }
    }

    /// The property that tells a union's variants apart, and the values
    /// naming each variant: from the `discriminator` (its `mapping`, else
    /// the component names of the variants), or, without one, a property
    /// that every variant requires and fixes to one string. `None`: the
    /// variants are told apart by shape.
    fn tagging(
        &mut self,
        parts: &[ReferenceOr<Schema>],
        discriminator: Option<&openapiv3::Discriminator>,
        ptr: &str,
    ) -> Option<(String, Vec<Vec<String>>)> {
        if parts.len() < 2 {
            return None;
        }
        if let Some(d) = discriminator {
            let mut tags = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let mut values: Vec<String> = Vec::new();
                if let ReferenceOr::Reference { reference } = part {
                    let component = pointer::component(reference, SCHEMA_PREFIX).map(|k| k.into_owned());
                    for (value, target) in &d.mapping {
                        // A mapping names a schema by reference or by name.
                        if target == reference || component.as_deref() == Some(target.as_str()) {
                            values.push(value.clone());
                        }
                    }
                    if values.is_empty() {
                        values.extend(component);
                    }
                }
                if values.is_empty() {
                    values.extend(self.fixed_property(part, &d.property_name));
                }
                if values.is_empty() {
                    self.diags.push(
                        pointer::join(ptr, "discriminator"),
                        format!("variant {i} has no value of `{}`; the variants are told apart by shape", d.property_name),
                    );
                    return None;
                }
                tags.push(values);
            }
            return Some((d.property_name.clone(), tags));
        }
        // Without a discriminator: the first property of the first variant
        // that every variant fixes, to distinct values.
        let first = self.resolve(&parts[0])?;
        let candidates: Vec<String> = object_properties(first).map(|(props, _)| props.keys().cloned().collect()).unwrap_or_default();
        'candidate: for property in candidates {
            let mut tags: Vec<Vec<String>> = Vec::new();
            for part in parts {
                match self.fixed_property(part, &property) {
                    Some(value) if !tags.iter().any(|t| t[0] == value) => tags.push(vec![value]),
                    _ => continue 'candidate,
                }
            }
            return Some((property, tags));
        }
        None
    }

    /// The values (with descriptions) of a union whose every member is a
    /// string enum, or `None`.
    fn enum_union(&self, parts: &[ReferenceOr<Schema>]) -> Option<Vec<(String, Option<String>)>> {
        let mut out: Vec<(String, Option<String>)> = Vec::new();
        for part in parts {
            let schema = self.resolve(part)?;
            let SchemaKind::Type(Type::String(st)) = &schema.schema_kind else { return None };
            if schema.schema_data.nullable || !matches!(st.format, openapiv3::VariantOrUnknownOrEmpty::Empty) && st.enumeration.is_empty() {
                return None;
            }
            // A plain string member ("or any other value") adds nothing to
            // an enum that keeps unknown values already.
            let single = st.enumeration.len() == 1;
            for value in st.enumeration.iter().flatten() {
                let description = if single { schema.schema_data.description.clone() } else { None };
                out.push((value.clone(), description));
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The one string a required property of an object schema may hold
    /// (a one-value `enum`, or `const` before normalization).
    fn fixed_property(&self, part: &ReferenceOr<Schema>, property: &str) -> Option<String> {
        let schema = self.resolve(part)?;
        let (props, required) = object_properties(schema)?;
        if !required.iter().any(|r| r == property) {
            return None;
        }
        let prop = match props.get(property)? {
            ReferenceOr::Item(s) => &**s,
            ReferenceOr::Reference { reference } => self.resolve_ref(reference)?,
        };
        match &prop.schema_kind {
            SchemaKind::Type(Type::String(st)) => match st.enumeration.as_slice() {
                [Some(only)] => Some(only.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// A schema, following references to component schemas.
    fn resolve<'s>(&'s self, schema: &'s ReferenceOr<Schema>) -> Option<&'s Schema> {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.resolve_ref(reference),
        }
    }

    fn resolve_ref(&self, reference: &str) -> Option<&'a Schema> {
        let key = pointer::component(reference, SCHEMA_PREFIX)?.into_owned();
        let mut current = self.api.components.as_ref()?.schemas.get(&key)?;
        for _ in 0..16 {
            match current {
                ReferenceOr::Item(s) => return Some(s),
                ReferenceOr::Reference { reference } => {
                    let key = pointer::component(reference, SCHEMA_PREFIX)?.into_owned();
                    current = self.api.components.as_ref()?.schemas.get(&key)?;
                }
            }
        }
        None
    }

    fn all_of(&mut self, parts: &[ReferenceOr<Schema>], hint: &str, ptr: &str) -> Converted {
        // Members that only annotate (a description, `nullable`) constrain
        // nothing; with one member left, the allOf is that member.
        let meaningful: Vec<ReferenceOr<Schema>> = parts.iter().filter(|p| !is_annotation_only(p)).cloned().collect();
        if meaningful.len() == 1 && parts.len() > 1 {
            return self.all_of(&meaningful, hint, ptr);
        }
        if let [only] = parts {
            return match only {
                ReferenceOr::Reference { reference } => Converted::Ty(self.reference(reference, &format!("{ptr}/allOf/0"))),
                ReferenceOr::Item(s) => self.convert(s, hint, &format!("{ptr}/allOf/0")),
            };
        }
        let mut properties: IndexMap<String, ReferenceOr<Box<Schema>>> = IndexMap::new();
        let mut required: Vec<String> = Vec::new();
        let mut additional: Option<AdditionalProperties> = None;
        for (i, part) in parts.iter().enumerate() {
            if !self.collect_object(part, &mut properties, &mut required, &mut additional, 0) {
                if let Some(ty) = self.scalar_all_of(&meaningful, hint, ptr) {
                    return Converted::Ty(ty);
                }
                if let Some(converted) = self.distribute(parts, hint, ptr) {
                    return converted;
                }
                self.diags.push(
                    format!("{ptr}/allOf/{i}"),
                    "allOf member is not an object schema, and the members are not all of one scalar type; the whole allOf accepts any JSON value",
                );
                return Converted::Ty(Ty::Json);
            }
        }
        self.object(&properties, &required, additional.as_ref(), hint, ptr)
    }

    /// An allOf of objects and one union (`oneOf`/`anyOf`, in place or
    /// by reference): a union whose every variant is the objects merged
    /// with one of its members, which is what a value of it can be. A union
    /// whose members only require properties of the objects says which
    /// are present, not what they are: the objects alone. `None` when the
    /// members are not of that form.
    fn distribute(&mut self, parts: &[ReferenceOr<Schema>], hint: &str, ptr: &str) -> Option<Converted> {
        let mut unions = parts.iter().enumerate().filter_map(|(i, p)| Some((i, self.union_of(p)?)));
        let (at, (members, keyword, discriminator)) = unions.next()?;
        if unions.next().is_some() {
            return None;
        }
        let (members, discriminator) = (members.clone(), discriminator.cloned());
        let base: Vec<ReferenceOr<Schema>> = parts.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, p)| p.clone()).collect();
        let (mut properties, mut required, mut additional) = (IndexMap::new(), Vec::new(), None);
        if !base.iter().all(|p| self.collect_object(p, &mut properties, &mut required, &mut additional, 0)) {
            return None;
        }
        if members.iter().all(|m| self.resolve(m).is_some_and(only_requires)) {
            return Some(self.object(&properties, &required, additional.as_ref(), hint, ptr));
        }
        let uptr = format!("{ptr}/allOf/{at}");
        Some(self.union_over(&members, &base, keyword, discriminator.as_ref(), hint, &uptr))
    }

    /// The members, keyword and discriminator of a union schema, in place
    /// or by reference, with no members of its own beside them.
    fn union_of<'s>(&'s self, part: &'s ReferenceOr<Schema>) -> Option<UnionOf<'s>> {
        let s = self.resolve(part)?;
        let d = s.schema_data.discriminator.as_ref();
        match &s.schema_kind {
            SchemaKind::OneOf { one_of } => Some((one_of, "oneOf", d)),
            SchemaKind::AnyOf { any_of } => Some((any_of, "anyOf", d)),
            SchemaKind::Any(a) if a.properties.is_empty() && a.all_of.is_empty() && a.typ.as_deref().is_none_or(|t| t == "object") => {
                match (a.one_of.is_empty(), a.any_of.is_empty()) {
                    (false, _) => Some((&a.one_of, "oneOf", d)),
                    (true, false) => Some((&a.any_of, "anyOf", d)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// An allOf whose members all constrain one scalar type (a string
    /// enum by reference, and `type: string` beside it): the most specific
    /// member, a named type or an enum. `None` when the members are not all
    /// of one scalar type.
    fn scalar_all_of(&mut self, parts: &[ReferenceOr<Schema>], hint: &str, ptr: &str) -> Option<Ty> {
        fn kind(s: &Schema) -> Option<(&'static str, bool)> {
            let enumerated = match &s.schema_kind {
                SchemaKind::Type(Type::String(t)) => !t.enumeration.is_empty(),
                SchemaKind::Type(Type::Integer(t)) => !t.enumeration.is_empty(),
                SchemaKind::Type(Type::Number(t)) => !t.enumeration.is_empty(),
                SchemaKind::Type(Type::Boolean(_) | Type::Array(_)) => false,
                _ => return None,
            };
            Some((json_type(s)?, enumerated))
        }
        let mut kinds = Vec::new();
        for part in parts {
            kinds.push(kind(self.resolve(part)?)?);
        }
        let first = kinds.first()?.0;
        if kinds.iter().any(|(k, _)| *k != first) {
            return None;
        }
        // A named type says the most; then an enum; then the first.
        let chosen = parts
            .iter()
            .position(|p| matches!(p, ReferenceOr::Reference { .. }))
            .or_else(|| kinds.iter().position(|(_, e)| *e))
            .unwrap_or(0);
        Some(self.schema_ty(&parts[chosen], hint, &format!("{ptr}/allOf/{chosen}")))
    }

    /// Gathers the properties of an object schema (through references and
    /// nested allOf) for merging. False if it is not an object schema.
    fn collect_object(
        &self,
        part: &ReferenceOr<Schema>,
        properties: &mut IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &mut Vec<String>,
        additional: &mut Option<AdditionalProperties>,
        depth: usize,
    ) -> bool {
        if depth > 32 {
            return false;
        }
        let schema = match part {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { reference } => {
                let Some(key) = pointer::component(reference, SCHEMA_PREFIX) else { return false };
                let schemas = match &self.api.components {
                    Some(c) => &c.schemas,
                    None => return false,
                };
                match schemas.get(&*key) {
                    Some(target) => {
                        return self.collect_object(target, properties, required, additional, depth + 1)
                    }
                    None => return false,
                }
            }
        };
        let (props, req, add) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.required, &o.additional_properties),
            // A union with no properties of its own is not one object. (One
            // with properties gives them: a variant that merges its base
            // takes the base's members, not its variants.)
            SchemaKind::Any(a) if a.properties.is_empty() && (!a.one_of.is_empty() || !a.any_of.is_empty()) => return false,
            SchemaKind::Any(a) if a.typ.is_none() || a.typ.as_deref() == Some("object") => {
                if a.all_of.is_empty() {
                    (&a.properties, &a.required, &a.additional_properties)
                } else {
                    for p in &a.all_of {
                        if !self.collect_object(p, properties, required, additional, depth + 1) {
                            return false;
                        }
                    }
                    (&a.properties, &a.required, &a.additional_properties)
                }
            }
            SchemaKind::AllOf { all_of } => {
                return all_of
                    .iter()
                    .all(|p| self.collect_object(p, properties, required, additional, depth + 1));
            }
            _ => return false,
        };
        for (k, v) in props {
            properties.insert(k.clone(), v.clone());
        }
        for r in req {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
        if add.is_some() {
            additional.clone_from(add);
        }
        true
    }

    /// Detects how a listing continues: a `next` URL beside an array of
    /// items, a cursor field that names a query parameter of the
    /// operation, or (for a bare array with a `page` parameter) the `Link`
    /// header.
    fn pagination(&self, op: &Operation) -> Option<Pagination> {
        if !matches!(op.http_method.as_str(), "GET" | "QUERY") || op.response_enum.is_some() {
            return None;
        }
        let (_, decode) = op.successes().into_iter().next()?;
        let ty = match decode {
            Decode::Json(ty) => ty,
            _ => return None,
        };
        let query: Vec<&str> = op.params.iter().filter(|p| p.location == Location::Query).map(|p| p.name.as_str()).collect();
        if let Ty::Vec(_) = ty {
            return query.contains(&"page").then_some(Pagination::LinkHeader);
        }
        let Ty::Named(name) = ty else { return None };
        let TypeKind::Struct { fields, .. } = &self.types.get(&name)?.kind else { return None };
        let field = |f: &Field| PageField { ident: f.ident.clone(), ty: f.ty.clone(), required: f.required };
        let base = |ty: &Ty| match ty {
            Ty::Option(inner) => (**inner).clone(),
            other => other.clone(),
        };
        let arrays: Vec<&Field> = fields.iter().filter(|f| matches!(base(&f.ty), Ty::Vec(_))).collect();
        let items = ITEM_FIELDS
            .iter()
            .find_map(|n| arrays.iter().find(|f| f.name == *n))
            .or(if arrays.len() == 1 { arrays.first() } else { None })?;
        // A cursor: a response field named after a query parameter.
        for f in fields.iter().filter(|f| matches!(base(&f.ty), Ty::String | Ty::I64 | Ty::I32)) {
            let param = query.iter().find(|p| {
                let camel = names::camel(p, "P");
                f.name == format!("next_{p}")
                    || f.name == format!("next{camel}")
                    || (**p == "page_token" && f.name == "next_page")
                    || (**p == "cursor" && f.name == "next_cursor")
            });
            if let Some(p) = param {
                return Some(Pagination::Cursor { param: (*p).to_owned(), next: field(f), items: field(items) });
            }
        }
        let next = fields
            .iter()
            .find(|f| NEXT_URL_FIELDS.contains(&f.name.as_str()) && base(&f.ty) == Ty::String)?;
        Some(Pagination::NextUrl { next: field(next), items: field(items) })
    }

    /// Pagination as the codegen config sets it; a member it names that the
    /// response does not have is a diagnostic, and no pagination.
    fn pagination_override(&mut self, op: &Operation, o: &PaginationOverride) -> Option<Pagination> {
        let fail = |l: &mut Self, why: String| {
            l.diags.push(&op.pointer, format!("pagination from the codegen config: {why}; the listing is not followed"));
            None
        };
        let fields = match op.successes().into_iter().next().map(|(_, d)| d) {
            Some(Decode::Json(Ty::Named(name))) => match self.types.get(&name).map(|t| &t.kind) {
                Some(TypeKind::Struct { fields, .. }) => Some(fields),
                _ => None,
            },
            _ => None,
        };
        let member = |name: &Option<String>, what: &str| -> Result<PageField, String> {
            let name = name.as_deref().ok_or(format!("`{what}` is not set"))?;
            let f = fields
                .and_then(|fs| fs.iter().find(|f| f.name == name))
                .ok_or(format!("the response has no member `{name}`"))?;
            Ok(PageField { ident: f.ident.clone(), ty: f.ty.clone(), required: f.required })
        };
        let result = match o.style {
            PaginationStyle::None => return None,
            PaginationStyle::LinkHeader => Ok(Pagination::LinkHeader),
            PaginationStyle::NextUrl => member(&o.next, "next")
                .and_then(|next| Ok(Pagination::NextUrl { next, items: member(&o.items, "items")? })),
            PaginationStyle::Cursor => match &o.param {
                Some(param) if op.params.iter().any(|p| &p.name == param && p.location == Location::Query) => member(&o.next, "next")
                    .and_then(|next| Ok(Pagination::Cursor { param: param.clone(), next, items: member(&o.items, "items")? })),
                Some(param) => Err(format!("the operation has no query parameter `{param}`")),
                None => Err("`param` is not set".into()),
            },
        };
        match result {
            Ok(p) => Some(p),
            Err(why) => fail(self, why),
        }
    }

    /// Marks the struct a multipart body names, so that it lists its parts;
    /// any other shape is sent as a map of parts from its JSON form.
    fn multipart_body(&mut self, ty: Ty, ptr: &str) -> Ty {
        if ty == Ty::JsonObject {
            return ty;
        }
        // Through aliases to the struct.
        let target = match crate::ir::unalias(&self.types, &ty) {
            Ty::Named(name) if matches!(self.types.get(name).map(|t| &t.kind), Some(TypeKind::Struct { .. })) => {
                Some(name.clone())
            }
            _ => None,
        };
        if let Some(t) = target.and_then(|name| self.types.get_mut(&name)) {
            t.multipart = true;
            return ty;
        }
        self.diags.push(ptr, "a multipart body that is not an object is sent as one part per JSON member");
        Ty::JsonObject
    }

    /// Webhook payloads become named types, so that a receiver can decode
    /// them.
    fn webhooks(&mut self, spec: &Spec) -> Vec<Webhook> {
        let mut out = Vec::new();
        for hook in &spec.webhooks {
            let ptr = pointer::join(&pointer::join("/webhooks", &hook.name), &hook.method);
            let hint = format!("{}Webhook", names::camel(&hook.name, "T"));
            let payload = hook
                .operation
                .request_body
                .as_ref()
                .and_then(|b| self.request_body(b, &hint, &pointer::join(&ptr, "requestBody")))
                .and_then(|b| b.content.ty);
            out.push(Webhook {
                name: hook.name.clone(),
                method: hook.method.to_ascii_uppercase(),
                summary: hook.operation.summary.clone(),
                payload,
            });
        }
        out
    }

    fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let mut out = Vec::new();
        let Some(components) = &self.api.components else { return out };
        for (name, scheme) in &components.security_schemes {
            let ptr = pointer::join("/components/securitySchemes", name);
            let ReferenceOr::Item(scheme) = scheme else {
                self.diags.push(ptr, "referenced security schemes are not supported");
                continue;
            };
            use openapiv3::SecurityScheme as S;
            let (kind, description) = match scheme {
                S::HTTP { scheme, description, .. } => match scheme.to_ascii_lowercase().as_str() {
                    "bearer" => (SecurityKind::Bearer, description),
                    "basic" => (SecurityKind::Basic, description),
                    other => {
                        self.diags.push(ptr, format!("HTTP auth scheme `{other}` is not supported"));
                        continue;
                    }
                },
                S::APIKey { location, name, description, .. } => {
                    let location = match location {
                        openapiv3::APIKeyLocation::Header => "header",
                        openapiv3::APIKeyLocation::Query => "query",
                        openapiv3::APIKeyLocation::Cookie => "cookie",
                    };
                    (
                        SecurityKind::ApiKey {
                            location: location.into(),
                            name: name.clone(),
                        },
                        description,
                    )
                }
                S::OAuth2 { description, .. } | S::OpenIDConnect { description, .. } => {
                    (SecurityKind::Bearer, description)
                }
            };
            out.push(SecurityScheme {
                name: name.clone(),
                kind,
                description: description.clone(),
            });
        }
        out
    }

    fn operations(&mut self, spec: &Spec) -> Vec<Operation> {
        let mut all: Vec<(&String, &PathItem, String, &openapiv3::Operation)> = Vec::new();
        for (path, item) in &self.api.paths.paths {
            let ReferenceOr::Item(item) = item else {
                self.diags.push(pointer::join("/paths", path), "path item references are not supported; the path is skipped");
                continue;
            };
            for (m, op) in item.iter() {
                all.push((path, item, m.to_owned(), op));
            }
            for extra in spec.extra_operations.iter().filter(|e| &e.path == path) {
                all.push((path, item, extra.key.clone(), &extra.operation));
            }
        }
        // Namespace accessors are names in their parent namespace too; they
        // are taken before any method so that a method gives way to them.
        let mut methods: HashMap<Vec<String>, Namespace> = HashMap::new();
        methods.insert(Vec::new(), Namespace::with_reserved(RESERVED_METHODS));
        for (path, _, key, op) in &all {
            let (namespace, _) = split_id(&operation_id(key, path, op));
            for depth in 0..namespace.len() {
                let parent = namespace[..depth].to_vec();
                let ns = methods.entry(parent).or_default();
                if !ns.contains(&namespace[depth]) {
                    ns.take(&namespace[depth]);
                }
            }
        }
        let mut out = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut builders = Namespace::with_reserved(RESERVED_BUILDERS);
        for (path, item, key, op) in all {
            let ptr = pointer::join(&pointer::join("/paths", path), &key);
            let lowered = self.operation(path, item, &key, op, &ptr, &mut ids, &mut builders, &mut methods);
            out.push(lowered);
        }
        share_error_enums(&mut out, &mut builders);
        decide_error_owners(&mut out);
        let mut statics = Namespace::default();
        for op in &mut out {
            name_response_variants(op);
            op.static_name = statics.take(&op.static_name).0;
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        item: &PathItem,
        key: &str,
        op: &openapiv3::Operation,
        ptr: &str,
        ids: &mut HashMap<String, usize>,
        builders: &mut Namespace,
        methods: &mut HashMap<Vec<String>, Namespace>,
    ) -> Operation {
        let id = operation_id(key, path, op);
        match &op.operation_id {
            Some(given) if given.trim().is_empty() => {
                self.diags.push(pointer::join(ptr, "operationId"), format!("operationId is empty; named from the method and path, `{id}`"));
            }
            Some(given) => {
                if let Some(why) = given.split('.').find_map(names::unusual) {
                    self.diags.push(pointer::join(ptr, "operationId"), format!("operationId `{given}` {why}; named `{}`", split_id(given).1));
                }
            }
            None => {}
        }
        let seen = ids.entry(id.clone()).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            self.diags.push(
                pointer::join(ptr, "operationId"),
                format!("operationId `{id}` is used {} times; this one is renamed", seen),
            );
        }
        let (namespace, last) = split_id(&id);
        let method_ns = methods.entry(namespace.clone()).or_default();
        let (method_name, renamed) = method_ns.take_why(&last);
        if let (Some(why), 1) = (renamed, *seen) {
            self.diags.push(
                pointer::join(ptr, "operationId"),
                format!("method name `{last}` {}; named `{method_name}`", why.why()),
            );
        }
        let (builder, _) = builders.take(&names::camel(&id, "Op"));

        let params = self.params(path, item, op, &builder, ptr);
        let mut body = op.request_body.as_ref().and_then(|b| self.request_body(b, &builder, &pointer::join(ptr, "requestBody")));
        if let Some(body) = &mut body {
            if let Some(choice) = &mut body.choice {
                choice.enum_name = builders.take(&choice.enum_name).0;
            }
            // Each other media type: a method beside the operation's own
            // when the body is required, else a setter beside `body`.
            let mut reserved: Vec<&str> = BUILDER_METHODS.to_vec();
            reserved.extend(params.iter().map(|p| p.ident.as_str()));
            let mut setters = Namespace::with_reserved(&reserved);
            for alt in &mut body.alternatives {
                alt.method_name = if body.required {
                    let (name, renamed) = methods.entry(namespace.clone()).or_default().take(&format!("{method_name}_{}", alt.method_name));
                    if renamed {
                        self.diags.push(
                            pointer::join(&pointer::join(&pointer::join(ptr, "requestBody"), "content"), &alt.content.media_type),
                            format!("the method for this media type collides with another; named `{name}`"),
                        );
                    }
                    name
                } else {
                    setters.take(&format!("body_{}", alt.method_name)).0
                };
            }
        }
        let responses = self.responses(op, &builder, &pointer::join(ptr, "responses"));
        let secured = match &op.security {
            Some(reqs) => !reqs.is_empty(),
            None => self.api.security.as_ref().is_some_and(|r| !r.is_empty()),
        };
        let mut lowered = Operation {
            id,
            pointer: ptr.to_owned(),
            namespace,
            method_name,
            static_name: names::screaming(&builder),
            builder,
            http_method: key.to_ascii_uppercase(),
            path: path.to_owned(),
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            params,
            body,
            responses,
            secured,
            response_enum: None,
            error_enum: None,
            defines_error_enum: false,
            pagination: None,
            event_stream: None,
            json_lines: None,
        };
        if lowered.needs_response_enum() {
            lowered.response_enum = Some(builders.take(&format!("{}Response", lowered.builder)).0);
        }
        let typed_errors = lowered.responses.iter().any(|r| {
            !r.success && r.content.iter().any(|c| c.kind == MediaKind::Json && c.ty.is_some())
        });
        if typed_errors {
            lowered.error_enum = Some(builders.take(&format!("{}Error", lowered.builder)).0);
        }
        lowered.event_stream = lowered
            .responses
            .iter()
            .filter(|r| r.success)
            .flat_map(|r| &r.content)
            .find(|c| c.kind == MediaKind::EventStream)
            .map(|c| c.ty.clone());
        lowered.json_lines = lowered
            .responses
            .iter()
            .filter(|r| r.success)
            .flat_map(|r| &r.content)
            .find(|c| c.kind == MediaKind::JsonLines)
            .map(|c| c.ty.clone().unwrap_or(Ty::Json));
        lowered.pagination = match self.pagination_overrides.iter().find(|o| o.operation == lowered.id) {
            Some(o) => self.pagination_override(&lowered, o),
            None => self.pagination(&lowered),
        };
        lowered
    }

    fn params(&mut self, path: &str, item: &PathItem, op: &openapiv3::Operation, builder: &str, ptr: &str) -> Vec<Param> {
        // Operation parameters override path-level ones with the same name
        // and location.
        let mut merged: Vec<(&Parameter, String)> = Vec::new();
        let item_ptr = ptr.rsplit_once('/').map(|(p, _)| p.to_owned()).unwrap_or_default();
        let sources = [(&item.parameters, pointer::join(&item_ptr, "parameters")), (&op.parameters, pointer::join(ptr, "parameters"))];
        for (list, list_ptr) in sources {
            for (i, p) in list.iter().enumerate() {
                let pptr = format!("{list_ptr}/{i}");
                let Some(p) = self.resolve_param(p, &pptr) else { continue };
                let d = p.parameter_data_ref();
                merged.retain(|(q, _)| {
                    let qd = q.parameter_data_ref();
                    !(qd.name == d.name && std::mem::discriminant(*q) == std::mem::discriminant(p))
                });
                merged.push((p, pptr));
            }
        }
        let template: Vec<&str> = template_params(path);
        let mut ns = Namespace::with_reserved(BUILDER_METHODS);
        let mut out = Vec::new();
        for (p, pptr) in merged {
            let d = p.parameter_data_ref();
            let (location, explode, separator) = match p {
                Parameter::Path { .. } => (Location::Path, false, ","),
                Parameter::Query { style, .. } => {
                    let sep = match style {
                        QueryStyle::SpaceDelimited => " ",
                        QueryStyle::PipeDelimited => "|",
                        _ => ",",
                    };
                    (Location::Query, d.explode.unwrap_or(true), sep)
                }
                Parameter::Header { .. } => (Location::Header, false, ","),
                Parameter::Cookie { .. } => (Location::Cookie, false, ","),
            };
            if location == Location::Path && !template.contains(&d.name.as_str()) {
                self.diags.push(&pptr, format!("path parameter `{}` is not in the path template; it is not sent", d.name));
                continue;
            }
            if location == Location::Header && d.name.eq_ignore_ascii_case("content-type") {
                self.diags.push(&pptr, "the `Content-Type` header is set from the body; the parameter is not offered");
                continue;
            }
            let deep = matches!(p, Parameter::Query { style: QueryStyle::DeepObject, .. });
            let hint = format!("{builder}_{}", names::camel(&d.name, "P"));
            let ty = match &d.format {
                ParameterSchemaOrContent::Schema(s) => self.position_ty(s, &hint, &pointer::join(&pptr, "schema")),
                ParameterSchemaOrContent::Content(content) => {
                    self.diags.push(&pptr, "a parameter with `content` is sent as a string");
                    for (mt, media) in content {
                        if let Some(schema) = &media.schema {
                            let mptr = pointer::join(&pointer::join(&pointer::join(&pptr, "content"), mt), "schema");
                            self.record(schema, &Ty::Json, &mptr);
                        }
                    }
                    Ty::String
                }
            };
            let ty = match ty {
                Ty::Option(inner) => *inner,
                other => other,
            };
            let (ident, renamed) = ns.take_why(&names::snake(&d.name));
            if let Some(why) = renamed {
                self.diags.push(&pptr, format!("parameter name `{}` {}; named `{ident}`", d.name, why.why()));
            } else if let Some(why) = names::unusual(&d.name) {
                self.diags.push(&pptr, format!("parameter name `{}` {why}; named `{ident}`", d.name));
            }
            out.push(Param {
                name: d.name.clone(),
                ident,
                location,
                required: d.required || location == Location::Path,
                ty,
                description: d.description.clone(),
                explode,
                deep,
                separator,
            });
        }
        for name in template {
            if !out.iter().any(|p| p.location == Location::Path && p.name == name) {
                self.diags.push(ptr, format!("path parameter `{name}` is in the template but not declared; it is taken as a string"));
                let (ident, _) = ns.take(&names::snake(name));
                out.push(Param {
                    name: name.to_owned(),
                    ident,
                    location: Location::Path,
                    required: true,
                    ty: Ty::String,
                    description: None,
                    explode: false,
                    deep: false,
                    separator: ",",
                });
            }
        }
        // Path parameters first, in template order: they are positional.
        let order = template_params(path);
        out.sort_by_key(|p| match p.location {
            Location::Path => order.iter().position(|n| *n == p.name).unwrap_or(0),
            _ => usize::MAX,
        });
        out
    }

    fn resolve_param<'p>(&mut self, p: &'p ReferenceOr<Parameter>, ptr: &str) -> Option<&'p Parameter>
    where
        'a: 'p,
    {
        match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let found = pointer::component(reference, "#/components/parameters/")
                    .and_then(|k| self.api.components.as_ref()?.parameters.get(&*k));
                match found {
                    Some(ReferenceOr::Item(p)) => Some(p),
                    _ => {
                        self.diags.push(ptr, format!("parameter reference `{reference}` cannot be resolved; the parameter is not offered"));
                        None
                    }
                }
            }
        }
    }

    fn request_body(&mut self, body: &ReferenceOr<openapiv3::RequestBody>, builder: &str, ptr: &str) -> Option<RequestBody> {
        let body = match body {
            ReferenceOr::Item(b) => b,
            ReferenceOr::Reference { reference } => {
                let found = pointer::component(reference, "#/components/requestBodies/")
                    .and_then(|k| self.api.components.as_ref()?.request_bodies.get(&*k));
                match found {
                    Some(ReferenceOr::Item(b)) => b,
                    _ => {
                        self.diags.push(ptr, format!("request body reference `{reference}` cannot be resolved; no body is sent"));
                        return None;
                    }
                }
            }
        };
        let content_ptr = pointer::join(ptr, "content");
        // Media types not known to be JSON, form, multipart or text are
        // still bodies: bytes the caller provides, sent with that type.
        let offered: Vec<(&String, &openapiv3::MediaType, MediaKind)> = body
            .content
            .iter()
            .map(|(mt, m)| (mt, m, MediaKind::of(mt).unwrap_or(MediaKind::Binary)))
            .filter(|(mt, _, k)| {
                if *k == MediaKind::EventStream {
                    self.diags.push(pointer::join(&content_ptr, mt), format!("request media type `{mt}` is not supported; it is not offered"));
                }
                *k != MediaKind::EventStream
            })
            .collect();
        let default = offered.iter().position(|(_, _, k)| *k == MediaKind::Json).unwrap_or(0);
        if offered.is_empty() {
            return None;
        }
        let mut contents: Vec<Content> = Vec::new();
        for (i, (media_type, media, kind)) in offered.iter().enumerate() {
            let mptr = pointer::join(&content_ptr, media_type);
            let hint = if i == default { format!("{builder}Body") } else { format!("{builder}Body_{}", media_suffix(media_type, *kind)) };
            let ty = match kind {
                MediaKind::Json => match &media.schema {
                    Some(s) => self.position_ty(s, &hint, &pointer::join(&mptr, "schema")),
                    None => Ty::Json,
                },
                MediaKind::Text => Ty::String,
                MediaKind::Binary | MediaKind::EventStream | MediaKind::JsonLines => Ty::Bytes,
                MediaKind::Form | MediaKind::Multipart => match &media.schema {
                    Some(s) => self.position_ty(s, &hint, &pointer::join(&mptr, "schema")),
                    None => Ty::JsonObject,
                },
            };
            let ty = if *kind == MediaKind::Multipart { self.multipart_body(ty, &mptr) } else { ty };
            contents.push(Content { media_type: media_type.to_string(), kind: *kind, ty: Some(ty) });
        }
        let content = contents.remove(default);
        let mut alternatives = Vec::new();
        let mut choice = None;
        if !contents.is_empty() {
            let mut variants = Namespace::default();
            let default_variant = variants.take(&names::camel(&media_suffix(&content.media_type, content.kind), "V")).0;
            for c in contents {
                let suffix = media_suffix(&c.media_type, c.kind);
                let variant = variants.take(&names::camel(&suffix, "V")).0;
                // Filled in by the caller, which knows the namespace.
                alternatives.push(BodyAlternative { content: c, variant, method_name: suffix });
            }
            choice = Some(BodyChoice { enum_name: format!("{builder}Body"), default_variant });
        }
        Some(RequestBody {
            required: body.required,
            description: body.description.clone(),
            content,
            alternatives,
            choice,
        })
    }

    fn responses(&mut self, op: &openapiv3::Operation, builder: &str, ptr: &str) -> Vec<Response> {
        let mut list: Vec<(Status, &ReferenceOr<openapiv3::Response>, String)> = Vec::new();
        for (code, r) in &op.responses.responses {
            let (status, key) = match code {
                StatusCode::Code(c) => (Status::Code(*c), c.to_string()),
                StatusCode::Range(r) => (Status::Range(*r), format!("{r}XX")),
            };
            list.push((status, r, key));
        }
        if let Some(d) = &op.responses.default {
            list.push((Status::Default, d, "default".into()));
        }
        let has_success = list.iter().any(|(s, _, _)| is_success(*s));
        let successes = list.iter().filter(|(s, _, _)| is_success(*s) || (!has_success && *s == Status::Default)).count();
        let mut out = Vec::new();
        for (status, r, key) in list {
            let rptr = pointer::join(ptr, &key);
            let success = is_success(status) || (!has_success && status == Status::Default);
            let r = match r {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { reference } => {
                    let found = pointer::component(reference, "#/components/responses/")
                        .and_then(|k| self.api.components.as_ref()?.responses.get(&*k));
                    match found {
                        Some(ReferenceOr::Item(r)) => r,
                        _ => {
                            self.diags.push(&rptr, format!("response reference `{reference}` cannot be resolved; its body is untyped"));
                            out.push(Response { status, description: String::new(), content: Vec::new(), success, variant: None });
                            continue;
                        }
                    }
                }
            };
            let hint = if successes == 1 && success {
                format!("{builder}Response")
            } else {
                format!("{builder}Response{}", names::camel(&key, "S"))
            };
            let mut content = Vec::new();
            for (mt, media) in &r.content {
                let kind = MediaKind::of(mt).unwrap_or(MediaKind::Binary);
                let mptr = pointer::join(&pointer::join(&rptr, "content"), mt);
                let ty = match kind {
                    MediaKind::Json => media.schema.as_ref().map(|s| self.position_ty(s, &hint, &pointer::join(&mptr, "schema"))),
                    MediaKind::Text => Some(Ty::String),
                    MediaKind::Binary | MediaKind::Form | MediaKind::Multipart => Some(Ty::Bytes),
                    // Each line's value.
                    MediaKind::JsonLines => {
                        media.schema.as_ref().map(|s| self.position_ty(s, &format!("{builder}Line"), &pointer::join(&mptr, "schema")))
                    }
                    // Each event's data, as the schema says; text without one.
                    MediaKind::EventStream => match &media.schema {
                        Some(s) if !is_string_schema(s) => {
                            Some(self.position_ty(s, &format!("{builder}Event"), &pointer::join(&mptr, "schema")))
                        }
                        _ => None,
                    },
                };
                // Error bodies are not typed yet: their schemas still name
                // types, so that the types exist for callers.
                content.push(Content { media_type: mt.clone(), kind, ty });
            }
            out.push(Response {
                status,
                description: r.description.clone(),
                content,
                success,
                variant: None,
            });
        }
        out
    }
}

/// A schema with nothing but annotations (`description`, `nullable`, ...).
fn is_annotation_only(s: &ReferenceOr<Schema>) -> bool {
    match s {
        ReferenceOr::Reference { .. } => false,
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Any(a) => a.typ.is_none() && says_no_shape(a) && a.format.is_none() && a.required.is_empty(),
            _ => false,
        },
    }
}

/// No members that say what a value is: properties, items, members of a
/// composition, `not`, `enum`, `additionalProperties`.
fn says_no_shape(a: &openapiv3::AnySchema) -> bool {
    a.properties.is_empty()
        && a.items.is_none()
        && a.one_of.is_empty()
        && a.all_of.is_empty()
        && a.any_of.is_empty()
        && a.not.is_none()
        && a.enumeration.is_empty()
        && a.additional_properties.is_none()
}

/// The JSON type a schema is of (`string`, `integer`, `number`,
/// `boolean`, `array`, `object`), when it says one.
fn json_type(s: &Schema) -> Option<&'static str> {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(_)) => Some("string"),
        SchemaKind::Type(Type::Integer(_)) => Some("integer"),
        SchemaKind::Type(Type::Number(_)) => Some("number"),
        SchemaKind::Type(Type::Boolean(_)) => Some("boolean"),
        SchemaKind::Type(Type::Array(_)) => Some("array"),
        SchemaKind::Type(Type::Object(_)) => Some("object"),
        SchemaKind::Any(a) if !a.properties.is_empty() => Some("object"),
        SchemaKind::Any(a) => ["string", "integer", "number", "boolean", "array", "object"].into_iter().find(|t| a.typ.as_deref() == Some(*t)),
        _ => None,
    }
}

fn is_string_schema(s: &ReferenceOr<Schema>) -> bool {
    matches!(s, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Type(Type::String(_)), .. }))
}

/// Response fields that hold the next page's URL.
const NEXT_URL_FIELDS: &[&str] = &["next", "next_url", "next_page_url", "next_link", "nextLink", "nextPageUrl"];
/// Response fields that hold the items of a page, by preference.
const ITEM_FIELDS: &[&str] = &["results", "data", "items", "entries", "records", "values"];

fn operation_id(key: &str, path: &str, op: &openapiv3::Operation) -> String {
    match &op.operation_id {
        Some(id) if !id.trim().is_empty() => id.clone(),
        _ => format!("{key}_{path}"),
    }
}

/// A dotted `operationId` is a namespace path and a method name.
fn split_id(id: &str) -> (Vec<String>, String) {
    let segments: Vec<&str> = if id.contains('.') { id.split('.').collect() } else { vec![id] };
    let (last, ns) = segments.split_last().expect("split yields at least one segment");
    (ns.iter().map(|s| names::snake(s)).collect(), names::snake(last))
}

fn is_success(status: Status) -> bool {
    match status {
        Status::Code(c) => (200..300).contains(&c),
        Status::Range(r) => r == 2,
        Status::Default => false,
    }
}

fn fallback_name(ns: &Namespace) -> String {
    ["Other", "Unknown", "UnknownValue"]
        .into_iter()
        .find(|n| !ns.contains(n))
        .unwrap_or("OtherValue")
        .to_owned()
}

/// Operations whose documented errors are the same (statuses and types,
/// as in most generated specs) share one error enum: one type and one
/// decoder to compile instead of one per operation. The shared enum gets
/// a name of its own; an enum used once keeps the operation's name.
fn share_error_enums(ops: &mut [Operation], builders: &mut Namespace) {
    let shape = |op: &Operation| -> String {
        let mut parts: Vec<String> = op
            .responses
            .iter()
            .filter(|r| !r.success)
            .filter_map(|r| {
                let ty = r.content.iter().find(|c| c.kind == MediaKind::Json).and_then(|c| c.ty.as_ref())?;
                Some(serde_json::to_string(&(r.status, ty)).expect("the IR serializes"))
            })
            .collect();
        parts.sort();
        parts.join("|")
    };
    let mut groups: IndexMap<String, Vec<usize>> = IndexMap::new();
    for (i, op) in ops.iter().enumerate() {
        if op.error_enum.is_some() {
            groups.entry(shape(op)).or_default().push(i);
        }
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let (name, _) = builders.take("ErrorResponse");
        for &i in members {
            ops[i].error_enum = Some(name.clone());
        }
    }
}

/// An error enum shared by several operations is defined once, with the
/// first of them.
fn decide_error_owners(ops: &mut [Operation]) {
    let mut defined = std::collections::HashSet::new();
    for op in ops {
        op.defines_error_enum = op.error_enum.as_ref().is_some_and(|e| defined.insert(e.clone()));
    }
}

/// The variant of each response in the operation's success or error enum.
/// Errors: only those with a typed JSON body have one.
fn name_response_variants(op: &mut Operation) {
    let mut order: Vec<usize> = (0..op.responses.len()).collect();
    order.sort_by_key(|&i| op.responses[i].status.rank());
    let with_enum = op.response_enum.is_some();
    let mut successes = Namespace::default();
    let mut errors = Namespace::default();
    for i in order {
        let r = &mut op.responses[i];
        r.variant = if r.success {
            with_enum.then(|| successes.take(&success_variant(r.status)).0)
        } else {
            let typed = r.content.iter().any(|c| c.kind == MediaKind::Json && c.ty.is_some());
            (typed && op.error_enum.is_some()).then(|| errors.take(&error_variant(r.status)).0)
        };
    }
}

fn success_variant(status: Status) -> String {
    match status {
        Status::Code(c) => match c {
            200 => "Ok".into(),
            201 => "Created".into(),
            202 => "Accepted".into(),
            203 => "NonAuthoritative".into(),
            204 => "NoContent".into(),
            205 => "ResetContent".into(),
            206 => "PartialContent".into(),
            c => format!("Status{c}"),
        },
        Status::Range(r) => format!("Status{r}xx"),
        Status::Default => "Default".into(),
    }
}

fn error_variant(status: Status) -> String {
    match status {
        Status::Code(c) => match c {
            400 => "BadRequest".into(),
            401 => "Unauthorized".into(),
            402 => "PaymentRequired".into(),
            403 => "Forbidden".into(),
            404 => "NotFound".into(),
            405 => "MethodNotAllowed".into(),
            409 => "Conflict".into(),
            410 => "Gone".into(),
            412 => "PreconditionFailed".into(),
            413 => "PayloadTooLarge".into(),
            415 => "UnsupportedMediaType".into(),
            422 => "UnprocessableEntity".into(),
            429 => "TooManyRequests".into(),
            500 => "InternalServerError".into(),
            502 => "BadGateway".into(),
            503 => "ServiceUnavailable".into(),
            504 => "GatewayTimeout".into(),
            c => format!("Status{c}"),
        },
        Status::Range(r) => format!("Status{r}xx"),
        Status::Default => "Default".into(),
    }
}

/// The client's namespaces in the order their first operation appears,
/// each with a type name distinct from the others and from `Client`.
fn client_namespaces(ops: &[Operation]) -> Vec<ClientNamespace> {
    let mut paths: Vec<&[String]> = Vec::new();
    for op in ops {
        for depth in 1..=op.namespace.len() {
            let path = &op.namespace[..depth];
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    let mut types = Namespace::with_reserved(&["Client", "Self"]);
    paths
        .into_iter()
        .map(|path| {
            let base: String = path.iter().map(|s| names::camel(s, "N").replace('_', "")).collect();
            ClientNamespace { path: path.to_vec(), type_name: types.take(&base).0 }
        })
        .collect()
}

/// A short name for a media type, for the method or setter that sends it
/// (`form`, `multipart`, `merge_patch`, `xml`, `bytes`, `png`).
fn media_suffix(media_type: &str, kind: MediaKind) -> String {
    let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let (top, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
    let sub = sub.strip_prefix("x-").unwrap_or(sub);
    let name = match kind {
        MediaKind::Form => "form".to_owned(),
        MediaKind::Multipart => "multipart".to_owned(),
        MediaKind::Json if essence == "application/json" => "json".to_owned(),
        MediaKind::Json => sub.trim_end_matches("+json").to_owned(),
        MediaKind::Text if essence == "text/plain" => "text".to_owned(),
        MediaKind::Binary if essence == "application/octet-stream" || sub == "*" => {
            if top == "*" || top == "application" { "bytes".to_owned() } else { top.to_owned() }
        }
        _ => sub.to_owned(),
    };
    let name = names::snake(&name);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) { format!("media_{name}") } else { name }
}

/// An object schema without one of its properties.
fn without_property(schema: &Schema, property: &str) -> Option<Schema> {
    let mut s = schema.clone();
    let (props, required) = match &mut s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => (&mut o.properties, &mut o.required),
        SchemaKind::Any(a) if !a.properties.is_empty() => (&mut a.properties, &mut a.required),
        _ => return None,
    };
    props.shift_remove(property)?;
    required.retain(|r| r != property);
    Some(s)
}

/// A schema of a type other than an object.
fn is_scalar_or_array(s: &Schema) -> bool {
    json_type(s).is_some_and(|t| t != "object")
}

/// A schema that only says which properties are present (`required`,
/// and annotations): a union member of that kind adds no type.
fn only_requires(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Any(a) => a.typ.as_deref().is_none_or(|t| t == "object") && says_no_shape(a),
        SchemaKind::Type(Type::Object(o)) => o.properties.is_empty() && o.additional_properties.is_none(),
        _ => false,
    }
}

/// An object schema's properties, as `openapiv3` keeps them.
type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

/// The properties and required names of an object schema.
fn object_properties(s: &Schema) -> Option<(&Properties, &[String])> {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some((&o.properties, &o.required)),
        SchemaKind::Any(a) if !a.properties.is_empty() => Some((&a.properties, &a.required)),
        _ => None,
    }
}

fn variant_name(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Bool => "Bool".into(),
        Ty::I32 | Ty::I64 => "Integer".into(),
        Ty::F64 => "Number".into(),
        Ty::Json => "Json".into(),
        Ty::JsonObject | Ty::Map(_) => "Object".into(),
        Ty::Bytes => "Bytes".into(),
        Ty::File => "File".into(),
        Ty::Vec(inner) => format!("{}List", variant_name(inner)),
        Ty::Option(inner) => variant_name(inner),
        Ty::Named(n) => n.clone(),
    }
}

/// The `{name}`s of a path template, in order.
pub fn template_params(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

#[cfg(test)]
mod tests;
