//! The HTTP layer of the Domains API v1 (`api-v1.md`).
//!
//! - [`domains`]: the `/api/v1/domains/...` routes; handlers parse, call the
//!   registrar, and shape the answer.
//! - [`records`]: a zone's DNS records; [`forwards`]: email and URL
//!   forwarding.
//! - [`account`]: the account and its ledger; [`pricing`]: availability
//!   and the price table.
//! - [`auth`]: bearer-token authentication; [`idempotency`]: the
//!   `Idempotency-Key` header.
//! - [`extract`]: extractors whose rejections are our JSON errors.
//! - [`limits`]: per-token rate limiting.
//! - [`observe`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`error`]: [`ApiError`], the one JSON error body.
//! - [`pagination`]: query strings and DRF-style pages.
//! - [`views`]: the JSON shapes of the contract.
//! - [`openapi`]: the OpenAPI document, built with the routes from the
//!   handlers' annotations; `docs_page`: `/api/docs/`, which renders it.
//!
//! [`router`] builds the whole application; [`serve`] runs it on a listener
//! until a shutdown future resolves, finishing requests in flight.

use std::future::Future;
use std::time::Duration;
use vpsd_domain::ErrorCode;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::{middleware, Router};
use tokio::net::TcpListener;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use vpsd_registrar::Registrar;

pub mod account;
pub mod auth;
pub mod bodies;
mod connection;
mod docs_page;
pub mod domains;
pub mod error;
pub mod extract;
pub mod forwards;
pub mod idempotency;
pub mod limits;
pub mod observe;
pub mod openapi;
pub mod pagination;
pub mod pricing;
pub mod records;
pub mod redirects;
pub mod sandbox;
pub mod transfer_out;
pub mod views;

pub use error::ApiError;

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
}

impl Shared {
    /// The defaults: 30 s timeout, metrics on the API, the default rate.
    pub fn new(registrar: Registrar) -> Self {
        Self {
            registrar,
            token_usage: Default::default(),
            failed_lookups: Default::default(),
            metrics: Default::default(),
            request_timeout: Duration::from_secs(30),
            metrics_on_api: true,
            limiter: Some(limits::TokenLimiter::new(limits::RateLimit::DEFAULT)),
            public_url: None,
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

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "No such endpoint: see the API reference for the paths under /api/v1/.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This method is not allowed on this path: see the API reference for the methods it takes.",
    )
}

/// Every documented route, with the document: the API's routes with
/// `protect` applied (authentication), then the health routes.
fn all_routes(protect: impl FnOnce(Router<AppState>) -> Router<AppState>) -> openapi::Routes {
    openapi::Routes::new()
        .merge(domains::routes())
        .merge(pricing::routes())
        .merge(account::routes())
        .merge(records::routes())
        .merge(forwards::routes())
        .merge(transfer_out::routes())
        .merge(sandbox::routes())
        .map_router(protect)
        .merge(observe::health_routes())
}

/// The OpenAPI document of the whole API, as `/api/v1/openapi.json`
/// serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    all_routes(|r| r).split().1
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Authentication, then the Idempotency-Key (auth::require_token calls it).
    let (routes, doc) = all_routes(|r| {
        r.route_layer(middleware::from_fn_with_state(
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
    app.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .merge(docs_page::router())
        .layer(
            tower::ServiceBuilder::new()
                .map_request(drop_unsafe_request_id)
                .layer(SetRequestIdLayer::new(
                    REQUEST_ID.clone(),
                    RequestIds::new(),
                ))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
                .layer(DefaultBodyLimit::max(BODY_LIMIT))
                .layer(middleware::from_fn_with_state(state, observe::track))
                .layer(middleware::from_fn(refuse_oversized_body)),
        )
}

/// Refuses a request whose `Content-Length` is over [`BODY_LIMIT`] before
/// any of its body is read, so a client that asked `Expect: 100-continue`
/// gets the 413 instead of `100 Continue` and uploads nothing (RFC 9110
/// §10.1.1); the connection then closes, saying so (`connection.rs`). A
/// body without a declared length is bounded as it is read.
async fn refuse_oversized_body(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return axum::response::IntoResponse::into_response(extract::payload_too_large());
    }
    next.run(req).await
}

/// Whether a client's `X-Request-Id` is kept: 1 to 64 characters of
/// `A-Z a-z 0-9 . _ -`. It is logged and stored in the audit log, so
/// anything else (any length, any text) is replaced by one of ours.
pub fn is_safe_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Removes a client's `X-Request-Id` that is not [`is_safe_request_id`], so
/// the request gets a new one.
fn drop_unsafe_request_id<B>(mut req: axum::http::Request<B>) -> axum::http::Request<B> {
    let unsafe_ids = req
        .headers()
        .get_all(&REQUEST_ID)
        .iter()
        .any(|v| !is_safe_request_id(v.as_bytes()));
    if unsafe_ids || req.headers().get_all(&REQUEST_ID).iter().count() > 1 {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

/// Request ids: this process's prefix and a counter, unique without a call
/// for randomness per request.
#[derive(Clone, Debug)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Self {
            prefix: format!("{:x}{:08x}", std::process::id(), nanos).into(),
            next: Arc::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        axum::http::HeaderValue::from_str(&format!("{}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// HTTP/2's connection preface (RFC 9113, section 3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Waits, at most `within`, for a new connection's first bytes to tell
/// HTTP/1 from HTTP/2's preface: hyper's auto builder reads them before
/// any of hyper's timeouts applies, so a client that sends nothing, or
/// part of the preface, would otherwise hold the connection forever.
/// `false` when the client closed or took too long (the connection is
/// then dropped).
async fn first_bytes(stream: &tokio::net::TcpStream, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = [0u8; H2_PREFACE.len()];
    loop {
        match tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(n)) if n > 0 && (n == buf.len() || buf[..n] != H2_PREFACE[..n]) => return true,
            // Part of the preface: peek answers at once while nothing more
            // came, so wait a little before looking again.
            Ok(Ok(n)) if n > 0 => {
                let pause = tokio::time::Instant::now() + Duration::from_millis(20);
                if pause >= deadline {
                    return false;
                }
                tokio::time::sleep_until(pause).await;
            }
            _ => return false,
        }
    }
}

/// `/metrics` alone, for its own address.
pub fn metrics_app(state: AppState) -> Router {
    observe::metrics_router().with_state(state)
}

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How long a client may take to send a request's headers, from its first
/// byte (or from the end of the previous answer on a kept-alive
/// connection) to the blank line: a client trickling a header line at a
/// time cannot hold a connection longer (`--header-read-timeout`).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` resolves, then stops
/// accepting and lets requests in flight finish (at most `grace`), with
/// the default [`HEADER_READ_TIMEOUT`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with(listener, app, shutdown, grace, HEADER_READ_TIMEOUT).await
}

/// [`serve`], with the time a client may take to send its headers
/// (`header_read_timeout`; past it the connection is closed).
///
/// Each request carries its peer's address (`ConnectInfo<SocketAddr>`,
/// for the throttle of failed token lookups). An answer after which the
/// connection will be closed says `Connection: close` (RFC 9112, section
/// 9.6), so a client does not send its next request into a closing
/// connection: when the request's body was not read to its end (a 413, or
/// a refusal before the body was needed), and during shutdown.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
    header_read_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tower::ServiceExt;

    let closing = Arc::new(AtomicBool::new(false));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY");
        }
        // Plain map functions, not a middleware: no boxing per request.
        let watch = connection::Watch::new(closing.clone());
        let service = app
            .clone()
            .map_request({
                let watch = watch.clone();
                move |req: hyper::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    watch.request(req)
                }
            })
            .map_response(move |response| watch.response(response));
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            if !first_bytes(&stream, header_read_timeout).await {
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    closing.store(true, Ordering::Relaxed);
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => Ok(()),
        () = tokio::time::sleep(grace) => {
            tracing::warn!("requests still running after the grace period; stopping anyway");
            Ok(())
        }
    }
}
