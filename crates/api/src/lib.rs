//! The HTTP layer of the Domains API v1 (`api-v1.md`).
//!
//! - [`domains`]: the `/api/v1/domains/...` routes; handlers parse, call the
//!   registrar, and shape the answer.
//! - [`account`]: the account and its ledger; [`pricing`]: availability
//!   and the price table.
//! - [`auth`]: bearer-token authentication; [`idempotency`]: the
//!   `Idempotency-Key` header.
//! - [`extract`]: extractors whose rejections are our JSON errors.
//! - [`error`]: [`ApiError`], the one JSON error body.
//! - [`pagination`]: query strings and DRF-style pages.
//! - [`views`]: the JSON shapes of the contract.
//!
//! [`router`] builds the whole application; [`serve`] runs it on a listener
//! until a shutdown future resolves, finishing requests in flight.

use std::future::Future;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use vpsd_registrar::Registrar;

pub mod account;
pub mod auth;
pub mod domains;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod pagination;
pub mod pricing;
pub mod views;

pub use error::ApiError;

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub registrar: Registrar,
    pub token_usage: std::sync::Arc<auth::TokenUsage>,
}

impl AppState {
    pub fn new(registrar: Registrar) -> Self {
        Self {
            registrar,
            token_usage: Default::default(),
        }
    }
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such endpoint: see the API reference for the paths under /api/v1/.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This method is not allowed on this path: see the API reference for the methods it takes.",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::internal().into_response()
}

/// Routes each path with and without its trailing slash (api-v1.md: both
/// are accepted, no redirect).
pub(crate) fn routes(table: &[(&str, axum::routing::MethodRouter<AppState>)]) -> Router<AppState> {
    table.iter().fold(Router::new(), |router, (path, route)| {
        router
            .route(path, route.clone())
            .route(path.trim_end_matches('/'), route.clone())
    })
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(domains::router())
        .merge(pricing::router())
        .merge(account::router())
        // Route layers run last-added first: authentication, then keys.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::honour_key,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::map_response(json_content_type))
}

/// Every body we send is JSON; say so with its charset-free media type.
async fn json_content_type(mut response: Response) -> Response {
    if response.status() != StatusCode::NO_CONTENT {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

/// Serves the API on `listener` until `shutdown` resolves, then stops
/// accepting and lets requests in flight finish (at most `grace`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let server = std::future::IntoFuture::into_future(server);
    tokio::pin!(server);
    tokio::select! {
        r = &mut server => r,
        _ = async {
            let _ = stop_rx.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!("requests still running after the grace period; stopping anyway");
            Ok(())
        }
    }
}
