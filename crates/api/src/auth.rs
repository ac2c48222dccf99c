//! Bearer-token authentication (api-v1.md, "Common rules") and token scopes.
//!
//! The token's SHA-256 is looked up through a unique index; only hashes are
//! stored, so the lookup compares hashes of a 256-bit secret and reveals
//! nothing usable through its timing. A revoked or expired token is a 401;
//! a read-only token may only read (any other method is a 403).
//! `last_used_at` is written at most once a minute per token, when the
//! token is looked up (at most every [`TOKEN_CACHE_TTL`]), so reads do not
//! turn into database writes: it is accurate to about a minute.
//!
//! Known tokens are kept in memory for [`TOKEN_CACHE_TTL`], which spares a
//! database query on most requests; so a revocation (made by `vpsd token
//! revoke`, another process) takes effect within that time. Expiry is
//! checked on every request against the cached expiry, so it is exact.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vpsd_domain::token;
use vpsd_storage::{Actor, TokenOwner};

use crate::error::ApiError;
use crate::AppState;

/// The authenticated account, put in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub struct AccountId(pub i64);

/// The token the request came with.
#[derive(Debug, Clone, Copy)]
pub struct TokenId(pub i64);

/// Who is asking: the account, and the actor the audit log records (token
/// and request id).
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: i64,
    pub actor: Actor,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let AccountId(account_id) = *parts
            .extensions
            .get::<AccountId>()
            .ok_or_else(ApiError::unauthorized)?;
        let token_id = parts.extensions.get::<TokenId>().map(|t| t.0);
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(128).collect());
        Ok(Caller {
            account_id,
            actor: Actor {
                kind: "api",
                token_id,
                request_id,
            },
        })
    }
}

/// How long a looked-up token is trusted without asking the database again.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);

/// Tokens looked up recently, by the SHA-256 of the token (never the token).
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: std::sync::RwLock<HashMap<[u8; 32], (TokenOwner, Instant)>>,
}

impl TokenCache {
    fn get(&self, digest: &[u8; 32]) -> Option<TokenOwner> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(digest)
            .filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL)
            .map(|(owner, _)| owner.clone())
    }

    fn put(&self, digest: [u8; 32], owner: TokenOwner) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 100_000 {
            entries.retain(|_, (_, at)| at.elapsed() < TOKEN_CACHE_TTL);
        }
        entries.insert(digest, (owner, Instant::now()));
    }
}

/// How often `last_used_at` is written for one token.
const USAGE_WRITE_EVERY: Duration = Duration::from_secs(60);

/// When each token's use was last written (in this process).
#[derive(Debug, Default)]
pub struct TokenUsage {
    written: Mutex<HashMap<i64, Instant>>,
}

impl TokenUsage {
    /// Whether this use should be written, noting it if so.
    fn due(&self, token_id: i64) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match written.get(&token_id) {
            Some(at) if now.duration_since(*at) < USAGE_WRITE_EVERY => false,
            _ => {
                if written.len() > 100_000 {
                    written.clear();
                }
                written.insert(token_id, now);
                true
            }
        }
    }
}

fn unauthorized(detail: &str) -> ApiError {
    let mut e = ApiError::unauthorized();
    e.detail = detail.to_owned();
    e
}

pub async fn require_token(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or_else(ApiError::unauthorized)?;
    if !token::looks_valid(presented) {
        return Err(ApiError::unauthorized());
    }
    let digest = token::digest(presented);
    let store = state.registrar.store();
    let owner = match state.tokens.get(&digest) {
        Some(owner) => owner,
        // Looked up at most every TOKEN_CACHE_TTL per token and process;
        // its use is recorded then (so `last_used_at` costs nothing on the
        // requests in between).
        None => {
            let owner = store
                .token_owner(&hex::encode(digest))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "token lookup failed");
                    ApiError::internal()
                })?
                .ok_or_else(ApiError::unauthorized)?;
            state.tokens.put(digest, owner.clone());
            if state.token_usage.due(owner.token_id) {
                if let Err(e) = store
                    .token_used(owner.token_id, state.registrar.now())
                    .await
                {
                    tracing::warn!(error = %e, "could not record token use");
                }
            }
            owner
        }
    };
    let now = state.registrar.now();
    if owner.revoked_at.is_some() {
        return Err(unauthorized(
            "This token was revoked: create a new one (vpsd token create) and use that.",
        ));
    }
    if owner.expires_at.is_some_and(|at| at <= now) {
        return Err(unauthorized(
            "This token has expired: create a new one (vpsd token create) and use that.",
        ));
    }
    if let Some(limiter) = &state.limiter {
        if let Err(refused) = limiter.check(owner.token_id) {
            return Ok(refused.into_response());
        }
    }
    if owner.read_only && !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "read_only_token",
            "This token is read-only: use a read-write token to make changes.",
        ));
    }
    req.extensions_mut().insert(AccountId(owner.account_id));
    req.extensions_mut().insert(TokenId(owner.token_id));
    crate::idempotency::honour_key(&state, req, next).await
}
