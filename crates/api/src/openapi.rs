//! The OpenAPI 3.1 document, made from the handlers themselves.
//!
//! Every API route is registered through [`Routes::serve`] from a
//! `utoipa_axum::routes!` of handlers carrying `#[utoipa::path]`, so a route
//! cannot be served without being in the document, nor documented without
//! being served: the path, method and parameters of both come from the one
//! annotation. Bodies are the views' and requests' `ToSchema` derives; a
//! handler's accepted body fields are read from its request schema
//! ([`accepted_fields`]), so the two cannot list different fields. The
//! errors every API operation can answer (401, 403, 413, 415, 429, 503) are
//! added here once. The drift test (`tests/api/openapi.rs`) drives every
//! documented operation and checks each answer against the document.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::Required;
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder, Schema};
use utoipa::{OpenApi as _, ToSchema};
use utoipa_axum::router::UtoipaMethodRouter;

use crate::AppState;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

/// The document's fixed parts; paths come from [`Routes`].
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "VPS.org Domains API",
        version = "1",
        description = "Register, list, configure, renew and transfer domains, with DNS hosting, \
email forwarding and URL forwarding, billed against the account balance. Every path ends in `/`; \
the same path without it is accepted too. Errors are JSON: `{\"detail\", \"code\"}` plus `errors` \
naming each field at fault. Money is US dollars with two decimals; times are RFC 3339 UTC.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(
        crate::error::ErrorBody,
        params::ListStatus,
        vpsd_domain::dns::RecordType
    )),
    tags(
        (name = "domains", description = "The account's domains and their life."),
        (name = "availability", description = "Availability and prices."),
        (name = "account", description = "The account, its money trail and its audit log."),
        (name = "contacts", description = "The account's contacts (RFC 5733): a domain's registrant, admin, tech and billing contacts."),
        (name = "dns", description = "A hosted zone's records."),
        (name = "forwarding", description = "Email and URL forwarding."),
        (name = "hosts", description = "A domain's own name servers (child name servers): host objects with their addresses (glue) at the registry."),
        (name = "transfer-out", description = "Moving a domain to another registrar."),
        (name = "sandbox", description = "The sandbox's mode and test clock."),
        (name = "operations", description = "Health, readiness (no token)."),
    ),
)]
struct Fixed;

/// The API's routes and their document, built together.
pub struct Routes {
    router: Router<AppState>,
    doc: OpenApi,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            doc: Fixed::openapi(),
        }
    }

    /// Serves `routes!(...)`'s handlers at their documented path, with and
    /// without the trailing slash (api-v1.md: both are accepted, no
    /// redirect), and documents them (the slash form).
    pub fn serve(mut self, (schemas, paths, method_router): UtoipaMethodRouter<AppState>) -> Self {
        for path in paths.paths.keys() {
            self.router = self.router.route(path, method_router.clone());
            let bare = path.trim_end_matches('/');
            if bare != path {
                self.router = self.router.route(bare, method_router.clone());
            }
        }
        let mut part = OpenApi::new(utoipa::openapi::Info::new("", ""), paths);
        let components = part.components.get_or_insert_with(Default::default);
        components.schemas.extend(schemas);
        self.doc.merge(part);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.doc.merge(other.doc);
        self
    }

    /// Applies `f` to the router (layers for these routes only).
    pub fn map_router(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = f(self.router);
        self
    }

    /// The router and the finished document.
    pub fn split(self) -> (Router<AppState>, OpenApi) {
        (self.router, finish(self.doc))
    }
}

/// The bodies of updates (`PUT`): every field optional, at least one (an
/// empty body is a 400 `empty_update`). Set here, not with the derive's
/// `min_properties`, which utoipa-gen 5.5 writes as `maxProperties`.
const AT_LEAST_ONE_FIELD: &[&str] = &["UpdateBody", "EmailForwardUpdate", "UrlForwardUpdate"];

/// Adds what every operation shares: the bearer scheme, and the answers
/// the layers around the handlers can give.
fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    for name in AT_LEAST_ONE_FIELD {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) {
            object.min_properties = Some(1);
        }
    }
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token: `Authorization: Bearer vps_...` (`vpsd token create`).",
                ))
                .build(),
        ),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let ops: [(&str, &mut Option<Operation>); 4] = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("delete", &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description));
            };
            add(
                "401",
                "No valid token: send `Authorization: Bearer <token>`.",
            );
            add(
                "429",
                "Too many requests for this token (`rate_limited`), or too many failed token lookups from this address (`too_many_failed_lookups`): wait `Retry-After` seconds.",
            );
            add("503", "The request took too long and was stopped: retry.");
            if method != "get" {
                add("403", "A read-only token: use a read-write token.");
            }
            if method == "post" {
                add(
                    "400",
                    "A bad field, or an `Idempotency-Key` that is not 1–255 visible ASCII characters.",
                );
                add(
                    "409",
                    "A request with this `Idempotency-Key` is still running, or failed: send it again.",
                );
                add(
                    "422",
                    "This `Idempotency-Key` was used with a different request: use a new key.",
                );
                op.parameters.get_or_insert_with(Vec::new).push(
                    ParameterBuilder::new()
                        .name("Idempotency-Key")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(
                            "1–255 visible ASCII characters, such as a UUID: for 24 hours \
                             the same key with the same request replays the first answer \
                             instead of acting twice (with another request: 422).",
                        ))
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .min_length(Some(1))
                                .max_length(Some(255))
                                .pattern(Some("^[!-~]+$")),
                        ))
                        .build(),
                );
            }
            if op.request_body.is_some() {
                add("400", "The body is not a JSON object, or a field is wrong.");
                add("413", "The body is larger than 64 KiB.");
                add("415", "The body is not `application/json`.");
            }
            if op.security.is_none() {
                op.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
                    "bearer",
                    Vec::<String>::new(),
                )]);
            }
        }
    }
    doc
}

/// A response whose body is the error object.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(RefOr::<Schema>::Ref(
                        utoipa::openapi::Ref::from_schema_name("Error"),
                    )))
                    .build(),
            )
            .build(),
    )
}

/// The property names of a request body's schema: the fields its handler
/// accepts (any other is refused, naming it).
pub fn accepted_fields<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// `GET /api/v1/openapi.json` and `GET /api/docs/` (no token: the
/// description is public), the document serialised once.
pub fn router(doc: &OpenApi) -> Router<AppState> {
    let json = axum::body::Bytes::from(doc.to_json().unwrap_or_default());
    let serve = move || {
        let json = json.clone();
        async move { document(json) }
    };
    Router::new()
        .route(DOCUMENT_PATH, get(serve.clone()))
        .route(DOCUMENT_PATH.trim_end_matches(".json"), get(serve))
}

fn document(json: axum::body::Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response()
}

/// Path and query parameters the operations share.
pub mod params {
    use serde::Serialize;
    use utoipa::{IntoParams, ToSchema};

    /// `{domain_id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct DomainIdParam {
        /// The domain's `id` (GET /api/v1/domains/ lists them).
        #[param(minimum = 1)]
        pub domain_id: i64,
    }

    /// `{contact_id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct ContactIdParam {
        /// The contact's `id` (GET /api/v1/contacts/ lists them).
        #[param(minimum = 1)]
        pub contact_id: i64,
    }

    /// `{domain_id}` and `{record_id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct RecordIdParams {
        /// The domain's `id`.
        #[param(minimum = 1)]
        pub domain_id: i64,
        /// The record's `id` (the zone's record list shows them).
        #[param(minimum = 1)]
        pub record_id: i64,
    }

    /// `{domain_id}` and `{key_id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct TsigKeyIdParams {
        /// The domain's `id`.
        #[param(minimum = 1)]
        pub domain_id: i64,
        /// The key's `id` (the zone's key list shows them).
        #[param(minimum = 1)]
        pub key_id: i64,
    }

    /// `{domain_id}` and `{forward_id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct ForwardIdParams {
        /// The domain's `id`.
        #[param(minimum = 1)]
        pub domain_id: i64,
        /// The forward's `id` (the domain's forward list shows them).
        #[param(minimum = 1)]
        pub forward_id: i64,
    }

    /// `{domain_id}` and `{host_name}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct HostNameParams {
        /// The domain's `id`.
        #[param(minimum = 1)]
        pub domain_id: i64,
        /// The host's name, inside the domain (`ns1.example.com`).
        pub host_name: String,
    }

    /// `page` and `page_size` of every list.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct PageParams {
        /// From 1 (default 1). A page past the end is a 404 `invalid_page`.
        #[param(minimum = 1)]
        pub page: Option<i64>,
        /// Default 50; more than 500 gives 500.
        #[param(minimum = 1)]
        pub page_size: Option<i64>,
    }

    /// Which domains a list shows.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ListStatus {
        Active,
        Pending,
        Expired,
        /// Domains whose `locked` is true.
        Locked,
    }

    /// The domain list's filters.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct DomainListParams {
        /// Only domains with this status (`locked`: whose `locked` is true).
        pub status: Option<ListStatus>,
        /// A case-insensitive part of the name: of its A-label form
        /// (`domain_name`) or of its Unicode form (`domain_name_unicode`).
        pub search: Option<String>,
    }
}

/// The accepted fields of a request body type, read once from its schema.
#[macro_export]
macro_rules! accepts {
    ($body:ty) => {{
        static FIELDS: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new($crate::openapi::accepted_fields::<$body>);
        FIELDS.as_slice()
    }};
}
