//! API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Audit, NewToken, TokenInfo, TokenOwner};

/// API tokens.
///
/// Implemented for SQLite and PostgreSQL (`queries/tokens.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// Creates a token (only its hash is kept), with the audit entry;
    /// answers its id. Errors: `NotFound` when the account does not exist,
    /// `Conflict` when the hash exists already.
    async fn create_token(
        &self,
        token: &NewToken,
        audit: &Audit<'_>,
    ) -> Result<vpsd_domain::TokenId>;

    /// Who the token with this hash belongs to and what it may do, exact on
    /// every call (a revocation holds from the next request); `None` for an
    /// unknown hash. Read on every authenticated request.
    async fn token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>>;

    /// The account's tokens, oldest first (never the tokens themselves).
    async fn tokens(&self, account_id: vpsd_domain::AccountId) -> Result<Vec<TokenInfo>>;

    /// Revokes a token, with the audit entry. `true` when this call revoked
    /// it; `false` when there is no such token or it was revoked already.
    async fn revoke_token(
        &self,
        token_id: vpsd_domain::TokenId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Notes when a token was last used. A missing token is ignored.
    async fn token_used(&self, token_id: vpsd_domain::TokenId, now: DateTime<Utc>) -> Result<()>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

/// Who a token (by its hash, `$1`) belongs to: id, account, scope, expiry,
/// revocation. Read on every authenticated request (`auth.rs`), so a
/// revocation, an expiry or a scope change holds from the next request.
pub(crate) const TOKEN_OWNER: &str = "SELECT id, account_id, scope, expires_at, revoked_at \
     FROM api_tokens WHERE token_hash = $1";

/// A [`TokenOwner`](crate::model::TokenOwner) from the columns of [`TOKEN_OWNER`].
pub(crate) fn token_owner_of(
    (token_id, account_id, scope, expires_at, revoked_at): (
        i64,
        i64,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ),
) -> crate::model::TokenOwner {
    crate::model::TokenOwner {
        token_id: vpsd_domain::TokenId::from(token_id),
        account_id: vpsd_domain::AccountId::from(account_id),
        read_only: scope != "read_write",
        expires_at,
        revoked_at,
    }
}
