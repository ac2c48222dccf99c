//! The HTTP layer of the Domains API v1 (`api-v1.md`), cut by what each
//! part does:
//!
//! - [`routes`]: one module per resource (domains, records, forwards,
//!   account, transfer out, sandbox, pricing; and the URL forwarding
//!   listener, [`routes::redirects`]): handlers parse, call the registrar,
//!   and shape the answer.
//! - [`bodies`]: the request bodies, one type per request, which
//!   deserializes, documents and parses into the domain's types with every
//!   field's error in one answer.
//! - [`views`]: the JSON shapes of the contract's answers.
//! - [`extract`]: extractors whose rejections are our JSON errors: the JSON
//!   body ([`extract::body`]), bearer-token authentication
//!   ([`extract::auth`]), path ids, query strings and pages
//!   ([`extract::pagination`]).
//! - [`middleware`]: the request id and the early 413, timing and metrics
//!   with `/healthz`, `/readyz`, `/metrics` ([`middleware::observe`]),
//!   per-token rate limits ([`middleware::limits`]) and the
//!   `Idempotency-Key` replay ([`middleware::idempotency`]).
//! - [`error`]: [`ApiError`], the one JSON error body, and [`ErrorCode`],
//!   the catalogue of its codes.
//! - [`openapi`]: the OpenAPI document, built with the routes from the
//!   handlers' annotations; `docs_page`: `/api/docs/`, which renders it;
//!   `verify_page`: `/verify-email/`, where a contact's verification mail
//!   links to (no token).
//! - [`rdap`]: the RDAP server under `/rdap/` (no token; RFC 9082/9083,
//!   RFC 9537 redaction, ICANN's response profile).
//!
//! [`router`] builds the whole application; [`serve()`] runs it on a
//! listener until a shutdown future resolves, finishing requests in flight
//! (`serve.rs`, with `connection.rs` saying `Connection: close`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use vpsd_registrar::Registrar;

pub mod bodies;
mod connection;
mod docs_page;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod rdap;
pub mod routes;
mod serve;
pub mod verify_page;
pub mod views;

pub use error::{ApiError, ErrorCode};
// The paths the server's binary and tests use.
pub use extract::{auth, pagination};
pub use middleware::{is_safe_request_id, limits, observe};
pub use routes::redirects;
pub use serve::{serve, serve_with, HEADER_READ_TIMEOUT};

use middleware::REQUEST_ID;

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares. Cloned into every request by the extractors
/// and middleware, so it is one `Arc`.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// The contents of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    pub registrar: Registrar,
    pub token_usage: auth::TokenUsage,
    /// Failed token lookups per client address (`auth::FailedLookups`).
    pub failed_lookups: auth::FailedLookups,
    pub metrics: Arc<observe::Metrics>,
    /// Longer requests are stopped with a 503.
    pub request_timeout: Duration,
    /// Whether `/metrics` is served with the API (else on its own address).
    pub metrics_on_api: bool,
    /// Per-token rate limiting; `None` when off.
    pub limiter: Option<limits::TokenLimiter>,
    /// The API's public URL (`--public-url`), such as
    /// `https://api.example.com`, without a trailing slash: the base of the
    /// `next` and `previous` links. `None`: taken from the request's `Host`.
    pub public_url: Option<String>,
    /// The SOA's names and VPS.org's NS records every zone has at its
    /// apex (from the registrar's `own_nameservers`), made once for the
    /// zone file export; `None` without a nameserver.
    pub zone_apex: Option<Arc<vpsd_dns::zone::Apex>>,
    /// The operator's RDAP settings (`--rdap-settings`).
    pub rdap: rdap::RdapSettings,
    /// RDAP queries per client address; `None` when off
    /// (`--rdap-rate-limit`).
    pub rdap_limiter: Option<rdap::AddressLimiter>,
    /// The operator's reverse proxies (`--trusted-proxy`): from them, the
    /// client is the address they recorded (`extract::client`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Shared {
    /// The defaults: 30 s timeout, metrics on the API, the default rate.
    pub fn new(registrar: Registrar) -> Self {
        Self {
            token_usage: Default::default(),
            failed_lookups: Default::default(),
            metrics: Default::default(),
            request_timeout: Duration::from_secs(30),
            metrics_on_api: true,
            limiter: Some(limits::TokenLimiter::new(limits::RateLimit::DEFAULT)),
            public_url: None,
            zone_apex: vpsd_dns::ZoneDefaults {
                nameservers: registrar.settings().own_nameservers.clone(),
                mail_exchanger: String::new(),
                forward_addresses: Vec::new(),
            }
            .apex(),
            rdap: rdap::RdapSettings::default(),
            rdap_limiter: Some(rdap::AddressLimiter::new(rdap::DEFAULT_RATE)),
            trusted_proxies: Vec::new(),
            registrar,
        }
    }
}

impl AppState {
    pub fn new(registrar: Registrar) -> Self {
        Shared::new(registrar).into()
    }
}

impl From<Shared> for AppState {
    fn from(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The OpenAPI document of the whole API, as `/api/v1/openapi.json`
/// serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    routes::all_routes(|r| r).split().1
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Authentication, then the Idempotency-Key (auth::require_token calls it).
    let (routes, doc) = routes::all_routes(|r| {
        r.route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
    })
    .split();
    let mut app = routes.merge(openapi::router(&doc));
    if state.metrics_on_api {
        app = app.merge(observe::metrics_router());
    }
    // One layer for all routes and the fallback, so each request passes
    // one boxed service here instead of one per layer. From the outside:
    // the request id (taken from the request when it has one) is set and
    // copied to the response; then `track` times, counts, bounds and
    // catches panics with the matched route known (routing happens first).
    app.fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state.clone())
        .merge(docs_page::router())
        .merge(verify_page::router(state.clone()))
        .merge(rdap::router(state.clone()))
        .layer(
            tower::ServiceBuilder::new()
                .map_request(middleware::drop_unsafe_request_id)
                .layer(SetRequestIdLayer::new(
                    REQUEST_ID.clone(),
                    middleware::RequestIds::new(),
                ))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
                .layer(DefaultBodyLimit::max(BODY_LIMIT))
                .layer(axum::middleware::from_fn_with_state(state, observe::track))
                .layer(axum::middleware::from_fn(middleware::refuse_oversized_body)),
        )
}

/// `/metrics` alone, for its own address.
pub fn metrics_app(state: AppState) -> Router {
    observe::metrics_router().with_state(state)
}
