//! Health, readiness and Prometheus metrics.
//!
//! - `GET /healthz`: the process is alive (no database call).
//! - `GET /readyz`: the database answers; 503 when it does not, so a load
//!   balancer stops sending traffic.
//! - `GET /metrics`: Prometheus text: requests by route template (never the
//!   raw path, which would hold ids) and status, latency histograms, worker
//!   jobs, the database pool. It may be bound to another address
//!   (`--metrics-listen`) to keep it off the public port.

use std::panic::AssertUnwindSafe;
use std::time::Instant;
use vpsd_domain::ErrorCode;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::FutureExt;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use serde_json::json;
use tracing::{Instrument, Level, Span};

use crate::AppState;

/// The process's metrics, in a registry of its own (no globals, so tests
/// can run several servers in one process).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    worker_jobs: IntCounterVec,
    db_connections: IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry =
            Registry::new_custom(Some("vpsd".into()), None).unwrap_or_else(|_| Registry::new());
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .unwrap_or_else(unreachable_metric);
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route and method",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route", "method"],
        )
        .unwrap_or_else(unreachable_metric);
        let worker_jobs = IntCounterVec::new(
            Opts::new("worker_jobs_total", "Background jobs done, by kind"),
            &["kind"],
        )
        .unwrap_or_else(unreachable_metric);
        let db_connections = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .unwrap_or_else(unreachable_metric);
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(worker_jobs.clone()),
            Box::new(db_connections.clone()),
        ] {
            if let Err(e) = registry.register(c) {
                tracing::error!(error = %e, "metric registration");
            }
        }
        Self {
            registry,
            requests,
            latency,
            worker_jobs,
            db_connections,
        }
    }

    /// Counts what a worker pass did.
    pub fn record_jobs(&self, kind: &str, n: usize) {
        if n > 0 {
            self.worker_jobs.with_label_values(&[kind]).inc_by(n as u64);
        }
    }

    fn render(&self, pool: (u32, u32)) -> String {
        let (open, idle) = pool;
        self.db_connections
            .with_label_values(&["open"])
            .set(i64::from(open));
        self.db_connections
            .with_label_values(&["idle"])
            .set(i64::from(idle));
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics encoding");
        }
        String::from_utf8_lossy(&buf).into_owned()
    }
}

/// Metric definitions are constants; an error here is a programming error
/// caught by the tests, so it is turned into a panic at start-up.
fn unreachable_metric<T>(e: prometheus::Error) -> T {
    panic!("invalid metric definition: {e}")
}

/// Counts and times every request by its route template, stops one that
/// runs longer than the configured limit with a JSON 503, and turns a
/// panicking handler into a JSON 500. When `info` logging is on (the
/// default), the request runs in a span naming its method, route template
/// (never the raw path, which holds ids, nor the query string, which may
/// hold secrets) and request id, and its answer is logged there: one line
/// per request with the status and the time taken in milliseconds.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = req.method().clone();
    let span = if tracing::enabled!(Level::INFO) {
        let id = req
            .headers()
            .get(&crate::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info_span!("request", %method, %route, request_id = %id)
    } else {
        Span::none()
    };
    let started = Instant::now();
    let run = tokio::time::timeout(state.request_timeout, next.run(req));
    let response = match AssertUnwindSafe(run)
        .catch_unwind()
        .instrument(span.clone())
        .await
    {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => crate::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::RequestTimeout,
            "The request took too long and was stopped. Retry it; with an Idempotency-Key a retry is safe.",
        )
        .into_response(),
        Err(_) => {
            span.in_scope(|| tracing::error!("a handler panicked"));
            crate::ApiError::internal().into_response()
        }
    };
    let elapsed = started.elapsed();
    let m = &state.metrics;
    m.latency
        .with_label_values(&[route, method.as_str()])
        .observe(elapsed.as_secs_f64());
    m.requests
        .with_label_values(&[route, method.as_str(), response.status().as_str()])
        .inc();
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1e3,
            "answered"
        )
    });
    response
}

/// The process answers (no token).
#[utoipa::path(get, operation_id = "healthz", path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "Alive: `{\"status\": \"ok\"}`.", body = Object)))]
async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// The database answers (no token): take the instance out of a load
/// balancer while this is 503.
#[utoipa::path(get, operation_id = "readyz", path = "/readyz", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready: `{\"status\": \"ready\"}`.", body = Object),
        (status = 503, description = "The database does not answer.", body = Object),
    ))]
async fn readyz(State(state): State<AppState>) -> Response {
    match state.registrar.store().ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "code": "database_unavailable",
                    "detail": "The database does not answer; this instance cannot serve requests now."
                })),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(state.registrar.store().pool_stats());
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

/// `/healthz` and `/readyz`: always on the API's address, no token.
pub fn health_routes() -> crate::openapi::Routes {
    crate::openapi::Routes::new()
        .serve(utoipa_axum::routes!(healthz))
        .serve(utoipa_axum::routes!(readyz))
}

/// `/metrics`, no token: on the API's address, or on its own.
pub fn metrics_router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}
