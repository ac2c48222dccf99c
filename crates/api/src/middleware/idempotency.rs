//! `Idempotency-Key` on POSTs, as payment APIs do it: for 24 hours the same
//! key with the same request replays the first answer (status and body)
//! without acting again; the same key with another request is a 422. Two
//! requests racing with one key act once: the first claims the key in the
//! database (a primary key decides, also across processes), the other waits
//! for its answer and replays it.
//!
//! Secrets are not kept at rest in the replay store: an answer that holds
//! one (an auth code, a new TSIG key's secret) carries a [`Secret`]
//! extension, and is stored with the secret left out and a note saying
//! where it comes from; a replay fills it in from there (the domain's
//! current auth code; the key's secret, unsealed), so it answers what the
//! first answer said while the code or key is unchanged.

use std::time::Duration;
use vpsd_domain::ErrorCode;

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::extract::auth::AccountId;
use crate::{AppState, BODY_LIMIT};

pub const HEADER: &str = "idempotency-key";
/// How long a request waits for another one with its key to finish.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(30);

fn key_error(detail: &str) -> ApiError {
    ApiError::bad_request(ErrorCode::InvalidIdempotencyKey, detail)
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// Put on an answer whose JSON body holds a secret: the replay store keeps
/// the body without it, and a replay reads it anew.
#[derive(Debug, Clone, Copy)]
pub enum Secret {
    /// The body's `auth_code`: the EPP auth code of this domain (by id) of
    /// the caller's account.
    AuthCode { domain_id: vpsd_domain::DomainId },
    /// The body's `secret`: the secret of this TSIG key of this domain of
    /// the caller's account.
    TsigKey {
        domain_id: vpsd_domain::DomainId,
        key_id: vpsd_domain::TsigKeyId,
    },
}

/// How a stored body that left an auth code out starts: `#secret auth_code
/// <domain id>` and a newline, then the JSON. No JSON text starts with `#`,
/// so stored answers without a secret are never mistaken for one.
const SECRET_NOTE: &str = "#secret auth_code ";

/// The same for a TSIG key's secret: `#secret tsig_key <domain id>
/// <key id>`.
const TSIG_NOTE: &str = "#secret tsig_key ";

/// The text to store for an answer: the body, or with a [`Secret`], the
/// body without it behind a note saying where to read it again.
fn storable(body: &[u8], secret: Option<Secret>) -> Result<String, ApiError> {
    let (field, note) = match secret {
        None => return Ok(String::from_utf8_lossy(body).into_owned()),
        Some(Secret::AuthCode { domain_id }) => ("auth_code", format!("{SECRET_NOTE}{domain_id}")),
        Some(Secret::TsigKey { domain_id, key_id }) => {
            ("secret", format!("{TSIG_NOTE}{domain_id} {key_id}"))
        }
    };
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| ApiError::internal())?;
    if let Some(object) = value.as_object_mut() {
        object.remove(field);
    }
    Ok(format!("{note}\n{value}"))
}

/// A stored body ready to replay: with a secret's note, the secret read
/// anew and put back in.
async fn replayable(
    state: &AppState,
    account: vpsd_domain::AccountId,
    stored: String,
) -> Result<String, ApiError> {
    if let Some(rest) = stored.strip_prefix(TSIG_NOTE) {
        let (ids, json) = rest.split_once('\n').ok_or_else(ApiError::internal)?;
        let (domain_id, key_id) = ids.split_once(' ').ok_or_else(ApiError::internal)?;
        let domain_id: vpsd_domain::DomainId =
            domain_id.parse().map_err(|_| ApiError::internal())?;
        let key_id: vpsd_domain::TsigKeyId = key_id.parse().map_err(|_| ApiError::internal())?;
        let mut value: serde_json::Value =
            serde_json::from_str(json).map_err(|_| ApiError::internal())?;
        // A key deleted since is replayed without its secret.
        if let Some(secret) = state
            .registrar
            .tsig_key_secret(account, domain_id, key_id)
            .await?
        {
            if let Some(object) = value.as_object_mut() {
                object.insert("secret".to_owned(), serde_json::Value::String(secret));
            }
        }
        return Ok(value.to_string());
    }
    let Some(rest) = stored.strip_prefix(SECRET_NOTE) else {
        return Ok(stored);
    };
    let (id, json) = rest.split_once('\n').ok_or_else(ApiError::internal)?;
    let domain_id: vpsd_domain::DomainId = id.parse().map_err(|_| ApiError::internal())?;
    let mut value: serde_json::Value =
        serde_json::from_str(json).map_err(|_| ApiError::internal())?;
    let code = state.registrar.auth_code(account, domain_id).await?;
    if let Some(object) = value.as_object_mut() {
        object.insert("auth_code".to_owned(), serde_json::Value::String(code));
    }
    Ok(value.to_string())
}

fn mismatch() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
        "This Idempotency-Key was used with a different request in the last 24 hours: use a new key for a new request.",
    )
}

/// Called by authentication for every authenticated request (so the key
/// is known to belong to the account); passes anything but a keyed POST on.
pub async fn honour_key(state: &AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    if req.method() != Method::POST {
        return Ok(next.run(req).await);
    }
    let Some(key) = req.headers().get(HEADER) else {
        return Ok(next.run(req).await);
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            key_error(
                "The Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID.",
            )
        })?
        .to_owned();
    let Some(AccountId(account)) = req.extensions().get::<AccountId>().copied() else {
        return Err(ApiError::unauthorized());
    };
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "The request body is over 64 KiB: send a smaller body.",
        )
    })?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.path().trim_end_matches('/').as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());

    let store = state.registrar.store().clone();
    let now = state.registrar.now();
    let internal = |e: vpsd_storage::StoreError| {
        tracing::error!(error = %vpsd_domain::ErrorChain(&e), "idempotency store");
        ApiError::internal()
    };
    if store
        .idempotency_claim(
            account,
            &key,
            &hash,
            now,
            now - vpsd_registrar::IDEMPOTENCY_KEY_LIFETIME,
        )
        .await
        .map_err(internal)?
    {
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        let (head, body) = response.into_parts();
        let secret = head.extensions.get::<Secret>().copied();
        let body = to_bytes(body, usize::MAX)
            .await
            .map_err(|_| ApiError::internal())?;
        if head.status.is_server_error() {
            // Nothing was done: let a retry with the same key run.
            store
                .idempotency_release(account, &key)
                .await
                .map_err(internal)?;
        } else {
            let text = storable(&body, secret)?;
            store
                .idempotency_complete(account, &key, head.status.as_u16(), &text)
                .await
                .map_err(internal)?;
        }
        return Ok(Response::from_parts(head, Body::from(body)));
    }
    // Someone has the key: the same request waits for its answer.
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        match store.idempotency_get(account, &key).await.map_err(internal)? {
            Some(first) if first.request_hash != hash => return Err(mismatch()),
            Some(first) => {
                if let Some((status, body)) = first.response {
                    return Ok(replay(status, replayable(state, account, body).await?));
                }
            }
            // The first failed and let go: run this one as a new request.
            None => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::IdempotencyRetry,
                    "The first request with this Idempotency-Key failed; nothing was done. Send it again.",
                ))
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::IdempotencyInProgress,
                "A request with this Idempotency-Key is still being processed: retry in a few seconds to get its answer.",
            ));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
