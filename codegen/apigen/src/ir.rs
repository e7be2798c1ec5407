//! The intermediate model: what the generator understood of a document,
//! independent of how it is printed as Rust. Every name in it is already
//! a valid, collision-free Rust identifier; every item keeps the JSON
//! pointer it came from.

use indexmap::IndexMap;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// The first server URL, the client's default base URL.
    pub base_url: Option<String>,
    pub security_schemes: Vec<SecurityScheme>,
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
}

/// A namespace of the client: `client.models().versions()` is the
/// namespace `["models", "versions"]`.
#[derive(Debug, Serialize)]
pub struct ClientNamespace {
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

#[derive(Debug, Serialize)]
pub struct Webhook {
    pub name: String,
    pub method: String,
    pub summary: Option<String>,
    /// The payload the API sends, to decode on receipt.
    pub payload: Option<Ty>,
}

#[derive(Debug, Serialize)]
pub struct SecurityScheme {
    /// The key under `components/securitySchemes`.
    pub name: String,
    pub kind: SecurityKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    /// `http` `bearer`, and OAuth 2 / OpenID Connect, whose tokens are
    /// sent the same way.
    Bearer,
    /// `http` `basic`.
    Basic,
    /// `apiKey` in a header, query parameter or cookie.
    ApiKey { location: String, name: String },
}

#[derive(Debug, Serialize)]
pub struct Operation {
    /// The `operationId`, or one made from method and path.
    pub id: String,
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
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
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
    pub ident: String,
    pub ty: Ty,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// The page has the URL of the next page (`next`).
    NextUrl { next: PageField, items: PageField },
    /// The page has a cursor that goes back as query parameter `param`.
    Cursor { param: String, next: PageField, items: PageField },
    /// The body is an array; the next page is in the `Link` header.
    LinkHeader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Serialize)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    /// The Rust argument or setter name.
    pub ident: String,
    pub location: Location,
    pub required: bool,
    pub ty: Ty,
    pub description: Option<String>,
    /// For arrays in a query: repeat the parameter (true) or join the
    /// values with `separator`.
    pub explode: bool,
    /// `style: deepObject`: `name[key]=value`.
    pub deep: bool,
    pub separator: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RequestBody {
    pub required: bool,
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

#[derive(Debug, Serialize)]
pub struct BodyChoice {
    pub enum_name: String,
    pub default_variant: String,
}

#[derive(Debug, Serialize)]
pub struct BodyAlternative {
    pub content: Content,
    /// The variant of the builder's body enum.
    pub variant: String,
    /// The setter (`body_form`), or, for a required body, the namespace
    /// method (`create_form`).
    pub method_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Json,
    Text,
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

#[derive(Debug, Clone, Serialize)]
pub struct Content {
    pub media_type: String,
    pub kind: MediaKind,
    /// `None`: the spec gives no schema, and the body is decoded by its
    /// `Content-Type` at run time.
    pub ty: Option<Ty>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Code(u16),
    /// `2XX` is `Range(2)`.
    Range(u16),
    Default,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub status: Status,
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
    String,
    Bool,
    I32,
    I64,
    F64,
    /// Any JSON value.
    Json,
    /// A JSON object with any members.
    JsonObject,
    /// Raw bytes.
    Bytes,
    /// Binary content in a schema (`format: binary`): a file to upload.
    File,
    Vec(Box<Ty>),
    Map(Box<Ty>),
    /// `null` is a value.
    Option(Box<Ty>),
    /// A type in [`Api::types`].
    Named(String),
}

#[derive(Debug, Serialize)]
pub struct TypeDef {
    pub name: String,
    pub pointer: String,
    pub description: Option<String>,
    pub kind: TypeKind,
    /// Sent as multipart/form-data somewhere: it lists its parts.
    pub multipart: bool,
    /// The named types this one holds inline that hold it back (a cycle):
    /// each is boxed where this type holds it, so that the type has a size.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub boxed: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    Struct {
        fields: Vec<Field>,
        /// Members beyond the named ones (`additionalProperties`).
        additional: Option<Ty>,
    },
    /// An open enum: unknown values are kept, not rejected.
    StringEnum { variants: Vec<EnumVariant>, fallback: String },
    IntegerEnum { variants: Vec<IntVariant>, fallback: String },
    /// `oneOf` / `anyOf`: the first variant that matches, or, with a
    /// `tag` (a `discriminator`, or a property every variant fixes to one
    /// value), the variant its value names, and `fallback` for a value
    /// this version does not know.
    Union {
        variants: Vec<UnionVariant>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        fallback: Option<String>,
    },
    Alias(Ty),
}

#[derive(Debug, Serialize)]
pub struct Field {
    pub name: String,
    pub ident: String,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EnumVariant {
    pub value: String,
    pub ident: String,
    /// What the spec says of this value (a `oneOf` of one-value enums).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct IntVariant {
    pub value: i64,
    pub ident: String,
}

#[derive(Debug, Serialize)]
pub struct UnionVariant {
    pub ident: String,
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
    Json(Ty),
    Text,
    Bytes,
}

impl Response {
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
        out.sort_by_key(|(r, _)| match r.status {
            Status::Code(_) => 0,
            Status::Range(_) => 1,
            Status::Default => 2,
        });
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
