//! Bearer-token authentication (api-v1.md, "Common rules") and token scopes.
//!
//! The token's SHA-256 is looked up through a unique index; only hashes are
//! stored, so the lookup compares hashes of a 256-bit secret and reveals
//! nothing usable through its timing. A revoked or expired token is a 401;
//! a read-only token may only read (any other method is a 403).
//! `last_used_at` is written at most once a minute per token and process,
//! so reads do not turn into database writes: it is accurate to about a
//! minute.
//!
//! The token is looked up on every request (`Store::token_owner`), so a
//! revocation, an expiry or a scope change, made by any process (`vpsd
//! token revoke`), holds from the next request in every process. The
//! lookup stays cheap: SQLite keeps it per thread only while its wal-index
//! stamp shows that nothing committed since (one `pread`), PostgreSQL reads
//! it by its unique index (docs/benchmarks.md).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};
use vpsd_domain::ErrorCode;

use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vpsd_domain::token;
use vpsd_storage::{Actor, TokenOwner};

use crate::error::ApiError;
use crate::AppState;

/// The authenticated account, put in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub struct AccountId(pub vpsd_domain::AccountId);

/// The token the request came with is put in the request's extensions as
/// its [`TokenId`].
pub use vpsd_domain::TokenId;

/// The scope of the token the request came with.
#[derive(Debug, Clone, Copy)]
pub struct TokenScope {
    /// A `--read-only` token: it may read, but not change anything nor
    /// see secrets.
    pub read_only: bool,
}

/// The code of the 403 for a secret asked with a read-only token.
pub const SECRET_NEEDS_READ_WRITE: ErrorCode = ErrorCode::SecretNeedsReadWriteToken;

/// Permission to see a secret (an EPP auth code: enough to take an unlocked
/// domain away): a read-write token. As an extractor, it refuses a
/// read-only token with 403 [`SECRET_NEEDS_READ_WRITE`]; a read-only token
/// is for dashboards and monitoring, which need no secrets.
#[derive(Debug, Clone, Copy)]
pub struct MaySeeSecrets;

impl<S: Send + Sync> FromRequestParts<S> for MaySeeSecrets {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<TokenScope>() {
            Some(TokenScope { read_only: false }) => Ok(MaySeeSecrets),
            Some(TokenScope { read_only: true }) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                SECRET_NEEDS_READ_WRITE,
                "This token is read-only, and read-only tokens cannot see secrets such as auth codes: use a read-write token.",
            )),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// Who is asking: the account, and the actor the audit log records (token
/// and request id).
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: vpsd_domain::AccountId,
    pub actor: Actor,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let AccountId(account_id) = *parts
            .extensions
            .get::<AccountId>()
            .ok_or_else(ApiError::unauthorized)?;
        let token_id = parts.extensions.get::<TokenId>().copied();
        // Checked by `router` (`is_safe_request_id`): short and plain.
        let request_id = parts
            .headers
            .get("x-request-id")
            .filter(|v| crate::is_safe_request_id(v.as_bytes()))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
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

/// Failed token lookups allowed per client address at once; then one more
/// per [`FAILED_LOOKUP_REFILL`].
pub const FAILED_LOOKUP_BURST: u32 = 20;
/// How often a client address earns one more failed lookup.
pub const FAILED_LOOKUP_REFILL: Duration = Duration::from_secs(1);

/// Failed token lookups (401s for a presented token: unknown, malformed,
/// revoked, expired) per client address (an IPv6 client by its /64): past [`FAILED_LOOKUP_BURST`],
/// a client address is answered 429 with `Retry-After` without looking its
/// tokens up, right or wrong, until it may fail again (so guessing tokens
/// is slowed down, not only answered differently). In memory, per process.
#[derive(Debug)]
pub struct FailedLookups {
    limiter: governor::DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses refused until the given moment; checked on every request
    /// only while not empty.
    refused: RwLock<HashMap<IpAddr, Instant>>,
    any_refused: AtomicBool,
}

impl Default for FailedLookups {
    fn default() -> Self {
        let quota = governor::Quota::with_period(FAILED_LOOKUP_REFILL)
            .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(FAILED_LOOKUP_BURST).unwrap_or(NonZeroU32::MIN));
        FailedLookups {
            limiter: governor::RateLimiter::keyed(quota),
            refused: RwLock::default(),
            any_refused: AtomicBool::new(false),
        }
    }
}

/// The client a failed lookup is counted against: an IPv4 address (also
/// one that arrives IPv4-mapped on a dual-stack socket, RFC 4291 §2.5.5.2),
/// or an IPv6 address's /64, the smallest prefix a site is given (RFC 6177
/// §2; RFC 4291 §2.5.4's interface identifiers are 64 bits), so that one
/// client cannot take a fresh address of its own for every 20 guesses.
pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(std::net::Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

impl FailedLookups {
    /// `Err` with the seconds to wait while `ip` is refused.
    fn check(&self, ip: IpAddr) -> Result<(), LookupsRefused> {
        let ip = client_key(ip);
        if !self.any_refused.load(Ordering::Relaxed) {
            return Ok(());
        }
        let refused = self.refused.read().unwrap_or_else(|e| e.into_inner());
        match refused.get(&ip) {
            Some(until) => match until.checked_duration_since(Instant::now()) {
                Some(wait) if !wait.is_zero() => Err(LookupsRefused::after(wait)),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// Counts a failed lookup from `ip`; `Err` once it is over the limit.
    fn failed(&self, ip: IpAddr) -> Result<(), LookupsRefused> {
        use governor::clock::{Clock, DefaultClock};
        let ip = client_key(ip);
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        let Err(not_until) = self.limiter.check_key(&ip) else {
            return Ok(());
        };
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let now = Instant::now();
        let mut refused = self.refused.write().unwrap_or_else(|e| e.into_inner());
        refused.retain(|_, until| *until > now);
        refused.insert(ip, now + wait);
        self.any_refused.store(true, Ordering::Relaxed);
        Err(LookupsRefused::after(wait))
    }
}

/// A client address refused for too many failed token lookups: 429
/// `too_many_failed_lookups` with `Retry-After` (RFC 6585, section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupsRefused {
    /// Whole seconds until the address may be looked up again (at least 1).
    pub retry_after_secs: u64,
}

impl LookupsRefused {
    fn after(wait: Duration) -> Self {
        LookupsRefused {
            retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
        }
    }
}

impl IntoResponse for LookupsRefused {
    fn into_response(self) -> Response {
        let seconds = self.retry_after_secs;
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyFailedLookups,
            format!("Too many requests with unknown, revoked or expired tokens from this address: wait {seconds} second(s) (Retry-After), then use a valid token."),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }
}

/// How often `last_used_at` is written for one token.
const USAGE_WRITE_EVERY: Duration = Duration::from_secs(60);

/// When each token's use was last written (in this process).
#[derive(Debug, Default)]
pub struct TokenUsage {
    written: RwLock<HashMap<TokenId, Instant>>,
}

impl TokenUsage {
    /// Whether this use should be written, noting it if so. Checked on
    /// every request: a shared lock, taken exclusively only when a write
    /// is due.
    fn due(&self, token_id: TokenId) -> bool {
        let now = Instant::now();
        let recent =
            |at: Option<&Instant>| at.is_some_and(|at| now.duration_since(*at) < USAGE_WRITE_EVERY);
        if recent(
            self.written
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&token_id),
        ) {
            return false;
        }
        let mut written = self.written.write().unwrap_or_else(|e| e.into_inner());
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

/// The owner of the request's bearer token, checked anew (revoked,
/// expired): a 401 that says which, else the owner.
async fn owner_of(
    state: &AppState,
    authorization: Option<&HeaderValue>,
) -> Result<TokenOwner, ApiError> {
    let presented = authorization
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
    // Read on every request, so a revocation holds from the next one.
    let owner = store
        .token_owner(&hex::encode(digest))
        .await
        .map_err(|e| {
            tracing::error!(error = %vpsd_domain::ErrorChain(&e), "token lookup failed");
            ApiError::internal()
        })?
        .ok_or_else(ApiError::unauthorized)?;
    if state.token_usage.due(owner.token_id) {
        if let Err(e) = store
            .token_used(owner.token_id, state.registrar.now())
            .await
        {
            tracing::warn!(error = %vpsd_domain::ErrorChain(&e), "could not record token use");
        }
    }
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
    Ok(owner)
}

pub async fn require_token(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| super::client::client_address(c.0.ip(), req.headers(), &state.trusted_proxies));
    let authorization = req.headers().get(header::AUTHORIZATION).cloned();
    // A token presented at all (`Bearer` and something): a guess to count.
    let guess = authorization.as_ref().is_some_and(|v| {
        v.to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .is_some_and(|(scheme, rest)| {
                scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty()
            })
    });
    let owner = match peer {
        Some(ip) => {
            if guess {
                if let Err(refused) = state.failed_lookups.check(ip) {
                    return Ok(refused.into_response());
                }
            }
            match owner_of(&state, authorization.as_ref()).await {
                // A missing or empty header is no guess: not counted.
                Err(e) if e.status == StatusCode::UNAUTHORIZED && guess => {
                    if let Err(refused) = state.failed_lookups.failed(ip) {
                        return Ok(refused.into_response());
                    }
                    return Err(e);
                }
                other => other?,
            }
        }
        None => owner_of(&state, authorization.as_ref()).await?,
    };
    if let Some(limiter) = &state.limiter {
        if let Err(refused) = limiter.check(owner.token_id) {
            return Ok(refused.into_response());
        }
    }
    if owner.read_only && !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReadOnlyToken,
            "This token is read-only: use a read-write token to make changes.",
        ));
    }
    req.extensions_mut().insert(AccountId(owner.account_id));
    req.extensions_mut().insert(owner.token_id);
    req.extensions_mut().insert(TokenScope {
        read_only: owner.read_only,
    });
    crate::middleware::idempotency::honour_key(&state, req, next).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    /// Runs out `from`'s failed lookups; `Err` once refused.
    fn exhaust(lookups: &FailedLookups, from: IpAddr) -> Result<(), LookupsRefused> {
        for _ in 0..=FAILED_LOOKUP_BURST {
            lookups.failed(from)?;
        }
        Ok(())
    }

    #[test]
    fn an_ipv6_client_is_throttled_by_its_64_not_by_each_address() {
        let lookups = FailedLookups::default();
        assert!(exhaust(&lookups, ip("2001:db8:1:2::1")).is_err());
        // Another address of the same /64 is the same client...
        assert!(lookups.check(ip("2001:db8:1:2:ffff::9")).is_err());
        // ...another /64 is not, nor is an IPv4 client.
        assert!(lookups.check(ip("2001:db8:1:3::1")).is_ok());
        assert!(lookups.check(ip("192.0.2.1")).is_ok());
    }

    #[test]
    fn ipv4_clients_on_a_dual_stack_socket_stay_apart() {
        let lookups = FailedLookups::default();
        assert!(exhaust(&lookups, ip("::ffff:192.0.2.1")).is_err());
        assert!(lookups.check(ip("192.0.2.1")).is_err());
        assert!(lookups.check(ip("::ffff:192.0.2.2")).is_ok());
    }
}
