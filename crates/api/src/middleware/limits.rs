//! Per-token rate limiting: a token bucket per API token (GCRA, the
//! `governor` crate), answered with 429, a JSON body and `Retry-After`.
//!
//! The buckets live in each process: behind a load balancer spreading
//! requests over N processes, a token may make up to N times the rate. That
//! keeps the check free of database round trips; a shared limit would need a
//! shared store (documented in the README).

use std::num::NonZeroU32;
use std::sync::Arc;
use vpsd_domain::ErrorCode;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// A rate: so many requests per second, with a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// 20 requests a second per token, in bursts of up to 100: far above
    /// what a person or a deployment script needs, low enough that one
    /// runaway client cannot take the server.
    pub const DEFAULT: RateLimit = RateLimit {
        per_second: NonZeroU32::new(20).expect("20 > 0"),
        burst: NonZeroU32::new(100).expect("100 > 0"),
    };

    /// Parses `20/s`, `600/min`, `off` (no limit), with an optional burst
    /// `20/s,burst=100`.
    pub fn parse(s: &str) -> Result<Option<RateLimit>, String> {
        let err =
            || format!("`{s}` is not a rate: write it like 20/s, 600/min, 20/s,burst=100 or off");
        if s == "off" {
            return Ok(None);
        }
        let (rate, burst) = match s.split_once(",burst=") {
            Some((r, b)) => (r, Some(b.parse::<u32>().map_err(|_| err())?)),
            None => (s, None),
        };
        let (n, unit) = rate.split_once('/').ok_or_else(err)?;
        let n: u32 = n.parse().map_err(|_| err())?;
        let per_second = match unit {
            "s" => n,
            "min" => n.div_ceil(60),
            _ => return Err(err()),
        };
        let per_second = NonZeroU32::new(per_second).ok_or_else(err)?;
        let burst =
            NonZeroU32::new(burst.unwrap_or(per_second.get().saturating_mul(5))).ok_or_else(err)?;
        Ok(Some(RateLimit { per_second, burst }))
    }
}

/// The buckets of this process, by token id.
#[derive(Debug, Clone)]
pub struct TokenLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<vpsd_domain::TokenId>>,
}

impl TokenLimiter {
    pub fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// `Ok` when the token may go on, else how long it must wait.
    pub fn check(&self, token_id: vpsd_domain::TokenId) -> Result<(), RateLimited> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&token_id).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            RateLimited {
                retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            }
        })
    }
}

/// A refusal: 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    pub retry_after_secs: u64,
}

impl IntoResponse for RateLimited {
    fn into_response(self) -> Response {
        let seconds = self.retry_after_secs;
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("Too many requests with this token: wait {seconds} second(s) (Retry-After) and slow down."),
        )
        .into_response();
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        let r = RateLimit::parse("20/s").unwrap().unwrap();
        assert_eq!((r.per_second.get(), r.burst.get()), (20, 100));
        let r = RateLimit::parse("600/min,burst=7").unwrap().unwrap();
        assert_eq!((r.per_second.get(), r.burst.get()), (10, 7));
        assert_eq!(RateLimit::parse("off"), Ok(None));
        for bad in ["", "20", "0/s", "20/h", "x/s", "20/s,burst=0"] {
            assert!(RateLimit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_burst_then_429_with_retry_after() {
        let limiter = TokenLimiter::new(RateLimit::parse("1/s,burst=2").unwrap().unwrap());
        assert!(limiter.check(vpsd_domain::TokenId::from(1)).is_ok());
        assert!(limiter.check(vpsd_domain::TokenId::from(1)).is_ok());
        let refused = limiter
            .check(vpsd_domain::TokenId::from(1))
            .unwrap_err()
            .into_response();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "1");
        assert!(
            limiter.check(vpsd_domain::TokenId::from(2)).is_ok(),
            "another token has its own bucket"
        );
    }
}
