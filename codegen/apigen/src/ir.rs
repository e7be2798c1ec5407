//! The intermediate model: what the generator understood of a document,
//! independent of how it is printed as Rust. Every name in it is already
//! a valid, collision-free Rust identifier; every item keeps the JSON
//! pointer it came from.

use indexmap::IndexMap;
use serde::Serialize;

/// An API as the generator understood it: everything one generated crate
/// is printed from.
#[derive(Debug, Serialize)]
pub struct Api {
    /// The API's name (`info.title`), the first line of the crate's docs.
    pub title: String,
    /// The API's own version (`info.version`), not the generated crate's.
    pub version: String,
    /// `info.description`, for the crate's docs.
    pub description: Option<String>,
    /// The first server URL, the client's default base URL.
    pub base_url: Option<String>,
    /// The schemes of `components/securitySchemes` the client can send, in
    /// document order; the first is the one `new` and `from_env` take
    /// credentials for.
    pub security_schemes: Vec<SecurityScheme>,
    /// Every operation, path by path in document order.
    pub operations: Vec<Operation>,
    /// What the API sends (3.1 `webhooks`), with the type of each payload.
    pub webhooks: Vec<Webhook>,
    /// Named types by Rust name, in the order they were first met.
    pub types: IndexMap<String, TypeDef>,
    /// The client's namespaces (from dotted operationIds), in the order
    /// their first operation appears.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<ClientNamespace>,
    /// The environment variables `Client::from_env` reads the primary
    /// scheme's credentials from (none without a security scheme).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credential_env: Vec<String>,
    /// How many of the positions the spec types got a Rust type. Not in
    /// the IR's printed form: it is a measure of the IR, not a decision.
    #[serde(skip)]
    pub coverage: Coverage,
}

/// Typed coverage: the positions values sit at (struct fields,
/// parameters, request and response bodies, array items, map values,
/// union variants), by whether their schema constrains the value and
/// whether they got a Rust type other than a JSON value.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Positions whose schema constrains the value and whose type is a
    /// Rust type other than a JSON value.
    pub typed: usize,
    /// Positions whose schema allows any value (`{}`, a free-form
    /// object), counted apart.
    pub free: usize,
    /// The positions whose schema constrains the value but whose type is
    /// a JSON value, by pointer.
    pub untyped: Vec<String>,
    /// The positions whose schema no value satisfies (an allOf of a
    /// string and an object), by pointer: counted apart, since no type
    /// could say them; each has a diagnostic, and takes any JSON value.
    pub impossible: Vec<String>,
    /// The positions whose schema is a reference to nothing, by pointer:
    /// counted apart, since what the spec meant is unknown; each has a
    /// diagnostic, and takes any JSON value.
    pub dangling: Vec<String>,
}

impl Coverage {
    /// The positions whose schema constrains the value.
    pub fn constrained(&self) -> usize {
        self.typed + self.untyped.len()
    }
}

/// A namespace of the client: `client.models().versions()` is the
/// namespace `["models", "versions"]`.
#[derive(Debug, Serialize)]
pub struct ClientNamespace {
    /// The namespace's segments from the client down, in snake case
    /// (`["models", "versions"]`).
    pub path: Vec<String>,
    /// The type that holds its methods (`ModelsVersions`).
    pub type_name: String,
}

/// `ty` through any aliases: the type an alias chain ends at. Bounded,
/// should aliases ever name each other.
pub fn unalias<'a>(types: &'a IndexMap<String, TypeDef>, mut ty: &'a Ty) -> &'a Ty {
    for _ in 0..64 {
        match ty {
            Ty::Named(name) => match types.get(name).map(|t| &t.kind) {
                Some(TypeKind::Alias(next)) => ty = next,
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

/// An operation the API sends rather than serves (3.1 `webhooks`); only
/// its payload gets a type.
#[derive(Debug, Serialize)]
pub struct Webhook {
    /// The key under `webhooks` (`newPet`).
    pub name: String,
    /// The HTTP method it arrives with, upper case (`POST`).
    pub method: String,
    /// The operation's `summary`.
    pub summary: Option<String>,
    /// The payload the API sends, to decode on receipt.
    pub payload: Option<Ty>,
}

/// A security scheme the client can send credentials for.
#[derive(Debug, Serialize)]
pub struct SecurityScheme {
    /// The key under `components/securitySchemes`.
    pub name: String,
    /// How the credentials go on a request.
    pub kind: SecurityKind,
    /// The scheme's `description`.
    pub description: Option<String>,
}

/// How a security scheme's credentials go on a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    /// `http` `bearer`, and OAuth 2 / OpenID Connect, whose tokens are
    /// sent the same way.
    Bearer,
    /// `http` `basic`.
    Basic,
    /// `apiKey` in a header, query parameter or cookie.
    ApiKey {
        /// `header`, `query` or `cookie`.
        location: String,
        /// The header, query parameter or cookie that carries the key
        /// (`X-API-Key`).
        name: String,
    },
}

/// One operation: a method of the client (or of one of its namespaces)
/// and the builder it returns.
#[derive(Debug, Serialize)]
pub struct Operation {
    /// The `operationId`, or one made from method and path.
    pub id: String,
    /// Where the operation is in the document (`/paths/~1models/get`), for
    /// diagnostics.
    pub pointer: String,
    /// Client namespaces leading to the method, from a dotted
    /// `operationId` (`models.versions.get` gives `["models", "versions"]`).
    pub namespace: Vec<String>,
    /// The method name within its namespace (`get`).
    pub method_name: String,
    /// The builder type (`ModelsVersionsGet`).
    pub builder: String,
    /// The static that describes the operation to middleware
    /// (`MODELS_VERSIONS_GET`).
    pub static_name: String,
    /// Upper case, custom methods included (`QUERY`).
    pub http_method: String,
    /// The path template as the document writes it
    /// (`/models/{model_owner}/{model_name}`).
    pub path: String,
    /// The operation's `summary`, the first line of its docs.
    pub summary: Option<String>,
    /// The operation's `description`, the rest of its docs.
    pub description: Option<String>,
    /// `deprecated: true`: its methods are marked `#[deprecated]`.
    pub deprecated: bool,
    /// Its parameters, path-level ones merged in; path parameters first, in
    /// template order.
    pub params: Vec<Param>,
    /// The request body, when the operation takes one the client can send.
    pub body: Option<RequestBody>,
    /// The documented responses, in document order, `default` last.
    pub responses: Vec<Response>,
    /// Whether the client's credentials are sent.
    pub secured: bool,
    /// The enum of success bodies, when they differ in type.
    pub response_enum: Option<String>,
    /// The enum of documented error bodies, when the spec types any.
    pub error_enum: Option<String>,
    /// Whether this operation's module defines `error_enum`: an enum
    /// shared by several operations is defined once, with the first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub defines_error_enum: bool,
    /// How to follow the listing to its next page, when it is one.
    pub pagination: Option<Pagination>,
    /// A `text/event-stream` success response: the type of each event's
    /// data (`None`: text).
    pub event_stream: Option<Option<Ty>>,
    /// A newline-delimited JSON success response: the type of each line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_lines: Option<Ty>,
}

/// A field of a page, with how it is declared, so that the emitter can
/// reach its value.
#[derive(Debug, Clone, Serialize)]
pub struct PageField {
    /// The field's Rust name in the page struct (`next_cursor`).
    pub ident: String,
    /// The field's type, as in [`Field::ty`].
    pub ty: Ty,
    /// As [`Field::required`]: false when the struct holds the field as an
    /// `Option`.
    pub required: bool,
}

/// How a listing operation reaches its next page.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// The page has the URL of the next page (`next`).
    NextUrl {
        /// The field with the next page's URL.
        next: PageField,
        /// The field with the page's items.
        items: PageField,
    },
    /// The page has a cursor that goes back as query parameter `param`.
    Cursor {
        /// The query parameter, as on the wire.
        param: String,
        /// The field with the next page's cursor.
        next: PageField,
        /// The field with the page's items.
        items: PageField,
    },
    /// The body is an array; the next page is in the `Link` header.
    LinkHeader,
}

/// Where a parameter goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// In the path, in place of `{name}` in the template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// In the `Cookie` header.
    Cookie,
}

/// One parameter of an operation.
#[derive(Debug, Serialize)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    /// The Rust argument or setter name.
    pub ident: String,
    /// Where it is sent.
    pub location: Location,
    /// Whether the caller must give it (a path parameter always): required
    /// parameters are arguments of the method, the others setters of the
    /// builder.
    pub required: bool,
    /// The type of its value; a nullable schema's `Option` is dropped, since
    /// a parameter is either sent or left out.
    pub ty: Ty,
    /// The parameter's `description`, the docs of its setter.
    pub description: Option<String>,
    /// For arrays in a query: repeat the parameter (true) or join the
    /// values with `separator`.
    pub explode: bool,
    /// `style: deepObject`: `name[key]=value`.
    pub deep: bool,
    /// What joins the values of an array when `explode` is false: `,`,
    /// `" "` (`spaceDelimited`) or `|` (`pipeDelimited`).
    pub separator: &'static str,
}

/// An operation's request body: the media type sent by default, and any
/// others the operation accepts.
#[derive(Debug, Serialize)]
pub struct RequestBody {
    /// Whether the operation needs a body: a required body is an argument of
    /// the method, an optional one is given to the builder's `body`.
    pub required: bool,
    /// The body's `description`, the docs of the `body` setter.
    pub description: Option<String>,
    /// The media type the client sends by default (JSON when offered).
    pub content: Content,
    /// The other media types the operation accepts, each offered through
    /// its own method (required bodies) or setter (optional ones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<BodyAlternative>,
    /// With alternatives: the builder's enum of bodies, and the variant of
    /// the default one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<BodyChoice>,
}

/// The enum a builder holds its body in, when the operation accepts
/// several media types.
#[derive(Debug, Serialize)]
pub struct BodyChoice {
    /// The enum's Rust name (`ModelsCreateBody`).
    pub enum_name: String,
    /// The variant for the default media type ([`RequestBody::content`]),
    /// e.g. `Json`.
    pub default_variant: String,
}

/// A media type a request body may be sent in besides the default one.
#[derive(Debug, Serialize)]
pub struct BodyAlternative {
    /// The media type and the type the caller gives for it.
    pub content: Content,
    /// The variant of the builder's body enum.
    pub variant: String,
    /// The setter (`body_form`), or, for a required body, the namespace
    /// method (`create_form`).
    pub method_name: String,
}

/// How a body of a media type is carried: sent, and decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// `application/json` and `*+json`: a value as JSON.
    Json,
    /// `text/*` (event streams aside) and XML: a string.
    Text,
    /// Bytes as they are: `application/octet-stream`, images, audio, video,
    /// PDF, zip, `*/*`, and any body media type [`MediaKind::of`] does not
    /// know.
    Binary,
    /// `text/event-stream`: server-sent events.
    EventStream,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Newline-delimited JSON (`application/x-ndjson`, `jsonl`,
    /// `json-seq`): a stream of values.
    JsonLines,
}

impl MediaKind {
    /// How a media type is carried; `None` for those not supported yet.
    pub fn of(media_type: &str) -> Option<MediaKind> {
        let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if matches!(
            essence.as_str(),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" | "application/x-jsonlines" | "application/jsonlines" | "application/json-seq"
        ) {
            Some(MediaKind::JsonLines)
        } else if essence == "application/json" || essence.ends_with("+json") {
            Some(MediaKind::Json)
        } else if essence == "text/event-stream" {
            Some(MediaKind::EventStream)
        } else if essence == "application/x-www-form-urlencoded" {
            Some(MediaKind::Form)
        } else if essence.starts_with("multipart/") {
            Some(MediaKind::Multipart)
        } else if (essence.starts_with("text/") && essence != "text/event-stream")
            || essence == "application/xml"
            || essence.ends_with("+xml")
        {
            Some(MediaKind::Text)
        } else if essence == "application/octet-stream"
            || essence.starts_with("image/")
            || essence.starts_with("audio/")
            || essence.starts_with("video/")
            || essence == "application/pdf"
            || essence == "application/zip"
            || essence == "*/*"
        {
            Some(MediaKind::Binary)
        } else {
            None
        }
    }
}

/// One media type of a body, and the Rust type it carries.
#[derive(Debug, Clone, Serialize)]
pub struct Content {
    /// The media type as the document writes it (`application/json`); a
    /// request body is sent with it as its `Content-Type`.
    pub media_type: String,
    /// How it is carried.
    pub kind: MediaKind,
    /// `None`: the spec gives no schema, and the body is decoded by its
    /// `Content-Type` at run time.
    pub ty: Option<Ty>,
}

/// The status a response is documented under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// One status code (`404`).
    Code(u16),
    /// `2XX` is `Range(2)`.
    Range(u16),
    /// `default`: any status not documented otherwise.
    Default,
}

impl Status {
    /// The order responses are matched in: explicit codes first, then
    /// ranges, then `default`.
    pub fn rank(self) -> u8 {
        match self {
            Status::Code(_) => 0,
            Status::Range(_) => 1,
            Status::Default => 2,
        }
    }
}

/// One documented response of an operation.
#[derive(Debug, Serialize)]
pub struct Response {
    /// The status it is documented under.
    pub status: Status,
    /// The response's `description`; empty when its reference does not
    /// resolve.
    pub description: String,
    /// Empty when the spec says nothing about the body.
    pub content: Vec<Content>,
    /// Whether the operation succeeds with this response.
    pub success: bool,
    /// Its variant in the operation's success enum (`response_enum`) or
    /// error enum (`error_enum`), when it has one there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// A Rust type, as the generator means to print it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`: an integer with `format: int32`.
    I32,
    /// `i64`: any other integer.
    I64,
    /// `f64`: a `number`.
    F64,
    /// Any JSON value.
    Json,
    /// A JSON object with any members.
    JsonObject,
    /// Raw bytes.
    Bytes,
    /// Binary content in a schema (`format: binary`): a file to upload.
    File,
    /// `Vec<T>`: a JSON array.
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`: an object with no named properties whose
    /// members (`additionalProperties`) all have one type.
    Map(Box<Ty>),
    /// `null` is a value.
    Option(Box<Ty>),
    /// A type in [`Api::types`].
    Named(String),
}

/// A named type of the generated `types` module.
#[derive(Debug, Serialize)]
pub struct TypeDef {
    /// Its Rust name, also its key in [`Api::types`] (`ModelVersion`).
    pub name: String,
    /// Where its schema is in the document (`/components/schemas/Model`, or
    /// the place of an inline schema), named in its docs.
    pub pointer: String,
    /// The schema's `description`, for the type's docs.
    pub description: Option<String>,
    /// What sort of type it is.
    pub kind: TypeKind,
    /// Sent as multipart/form-data somewhere: it lists its parts.
    pub multipart: bool,
    /// The named types this one holds inline that hold it back (a cycle):
    /// each is boxed where this type holds it, so that the type has a size.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub boxed: Vec<String>,
}

/// What a named type is: a struct, an open enum, a union or an alias.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    /// An object schema with named properties.
    Struct {
        /// The named properties, in document order.
        fields: Vec<Field>,
        /// Members beyond the named ones (`additionalProperties`).
        additional: Option<Ty>,
    },
    /// An open enum: unknown values are kept, not rejected.
    StringEnum {
        /// The known values, in document order, each once.
        variants: Vec<EnumVariant>,
        /// The variant that keeps any other value (`Other`, unless a known
        /// value takes that name).
        fallback: String,
    },
    /// An integer `enum`, open like a [`TypeKind::StringEnum`].
    IntegerEnum {
        /// The known values, in document order, each once.
        variants: Vec<IntVariant>,
        /// The variant that keeps any other value (`Other`).
        fallback: String,
    },
    /// `oneOf` / `anyOf`: the first variant that matches, or, with a
    /// `tag` (a `discriminator`, or a property every variant fixes to one
    /// value), the variant its value names, and `fallback` for a value
    /// this version does not know.
    Union {
        /// The alternatives, in document order; those of the same type are
        /// one variant.
        variants: Vec<UnionVariant>,
        /// The property whose value names the variant (`type`), if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        /// With a `tag`: the variant that keeps a value whose tag no variant
        /// has.
        #[serde(skip_serializing_if = "Option::is_none")]
        fallback: Option<String>,
    },
    /// Another type under this name: a component schema that is a
    /// reference, a scalar, an array or a map.
    Alias(Ty),
}

/// A property of a struct.
#[derive(Debug, Serialize)]
pub struct Field {
    /// The property's name on the wire (`modelOwner`).
    pub name: String,
    /// The Rust field name (`model_owner`, `type_`).
    pub ident: String,
    /// Its type; a [`Ty::Option`] when the value may be `null`, required or
    /// not.
    pub ty: Ty,
    /// Listed in the schema's `required`; otherwise the struct holds an
    /// `Option` of `ty`, `None` when the member is absent.
    pub required: bool,
    /// The property's `description`, the field's docs.
    pub description: Option<String>,
}

/// A known value of a string enum.
#[derive(Debug, Serialize)]
pub struct EnumVariant {
    /// The value on the wire (`in-progress`).
    pub value: String,
    /// The Rust variant name (`InProgress`).
    pub ident: String,
    /// What the spec says of this value (a `oneOf` of one-value enums).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A known value of an integer enum.
#[derive(Debug, Serialize)]
pub struct IntVariant {
    /// The value on the wire.
    pub value: i64,
    /// The Rust variant name (`V200`; `Minus1` for -1).
    pub ident: String,
}

/// An alternative of a union.
#[derive(Debug, Serialize)]
pub struct UnionVariant {
    /// The Rust variant name: the tag value in camel case, else one made
    /// from the type (`String`, `ModelList`).
    pub ident: String,
    /// The type the variant holds.
    pub ty: Ty,
    /// The tag values naming this variant; the first is written when
    /// the value does not carry it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// How a response body is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Decode {
    /// The spec says there is no content (204, 205, 304).
    Empty,
    /// No schema: decoded by `Content-Type` at run time.
    Untyped,
    /// JSON, into this type.
    Json(Ty),
    /// Text, into a `String`.
    Text,
    /// The bytes as received: binary bodies, and those read another way
    /// (event streams, JSON lines, forms).
    Bytes,
}

impl Response {
    /// How this response's body is decoded: by its JSON media type if it
    /// lists one, else by the first it lists.
    pub fn decode(&self) -> Decode {
        let chosen = self
            .content
            .iter()
            .find(|c| c.kind == MediaKind::Json)
            .or_else(|| self.content.first());
        match chosen {
            None => match self.status {
                Status::Code(204 | 205 | 304) => Decode::Empty,
                _ => Decode::Untyped,
            },
            Some(c) => match (c.kind, &c.ty) {
                (MediaKind::Json, Some(ty)) => Decode::Json(ty.clone()),
                (MediaKind::Json, None) => Decode::Untyped,
                (MediaKind::Text, _) => Decode::Text,
                (MediaKind::Binary | MediaKind::EventStream | MediaKind::Form | MediaKind::Multipart | MediaKind::JsonLines, _) => {
                    Decode::Bytes
                }
            },
        }
    }
}

impl Operation {
    /// The success responses, explicit codes first, then ranges, then
    /// `default`, each with how its body is decoded.
    pub fn successes(&self) -> Vec<(&Response, Decode)> {
        let mut out: Vec<(&Response, Decode)> = self
            .responses
            .iter()
            .filter(|r| r.success)
            .map(|r| (r, r.decode()))
            .collect();
        out.sort_by_key(|(r, _)| r.status.rank());
        out
    }

    /// Whether the operation succeeds with no body at all, so that it
    /// returns `()`: it lists successes, and none of them has a body.
    pub fn returns_nothing(&self) -> bool {
        let s = self.successes();
        !s.is_empty() && s.iter().all(|(_, d)| *d == Decode::Empty)
    }

    /// Whether the success responses decode to more than one type, so
    /// that the operation returns an enum of them.
    pub fn needs_response_enum(&self) -> bool {
        let s = self.successes();
        s.iter().any(|(_, d)| *d != s[0].1)
    }
}
