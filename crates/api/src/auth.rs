//! Bearer-token authentication (api-v1.md, "Common rules").
//!
//! The token's SHA-256 is looked up through a unique index; only hashes are
//! stored, so the lookup compares hashes of a 256-bit secret and reveals
//! nothing usable through its timing.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use vpsd_domain::token;

use crate::error::ApiError;
use crate::AppState;

/// The authenticated account, put in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub struct AccountId(pub i64);

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
    let hash = token::hash(presented);
    let owner = state
        .registrar
        .store()
        .token_owner(&hash)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "token lookup failed");
            ApiError::internal()
        })?
        .ok_or_else(ApiError::unauthorized)?;
    req.extensions_mut().insert(AccountId(owner.account_id));
    Ok(next.run(req).await)
}
