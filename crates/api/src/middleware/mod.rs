//! The layers every request passes: the request id, the early 413, then
//! (per route) timing and metrics ([`observe`]), per-token rate limits
//! ([`limits`]) and the `Idempotency-Key` replay ([`idempotency`]).

use std::sync::Arc;

use axum::http::HeaderName;
use axum::middleware;
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::BODY_LIMIT;

pub mod idempotency;
pub mod limits;
pub mod observe;

/// Refuses a request whose `Content-Length` is over [`BODY_LIMIT`] before
/// any of its body is read, so a client that asked `Expect: 100-continue`
/// gets the 413 instead of `100 Continue` and uploads nothing (RFC 9110
/// §10.1.1); the connection then closes, saying so (`connection.rs`). A
/// body without a declared length is bounded as it is read.
pub(crate) async fn refuse_oversized_body(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return axum::response::IntoResponse::into_response(crate::extract::payload_too_large());
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
pub(crate) fn drop_unsafe_request_id<B>(mut req: axum::http::Request<B>) -> axum::http::Request<B> {
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
pub(crate) struct RequestIds {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    pub(crate) fn new() -> Self {
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

/// The request id header (`X-Request-Id`).
pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
