//! Availability and prices: `GET /api/v1/domains/check/` and
//! `GET /api/v1/pricing/`, which the original document tells customers to
//! consult before registering.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use vpsd_domain::pricing::RESTORE_FEE;
use vpsd_domain::{DomainName, Money, NameError, Tld};
use vpsd_registrar::RegistrarError;

use crate::error::ApiError;
use crate::pagination::ListQuery;
use crate::AppState;

/// At most this many names in one check.
pub const MAX_CHECK_NAMES: usize = 50;

pub fn router() -> Router<AppState> {
    crate::routes(&[
        ("/api/v1/domains/check/", get(check)),
        ("/api/v1/pricing/", get(pricing)),
    ])
}

#[derive(Serialize)]
struct PricesView {
    register: Money,
    renew: Money,
    transfer: Money,
    restore: Money,
    currency: &'static str,
}

fn prices(tld: Tld) -> PricesView {
    let p = tld.prices();
    PricesView {
        register: p.register,
        renew: p.renew,
        transfer: p.transfer,
        restore: Money::from_cents(RESTORE_FEE.cents() + p.renew.cents()),
        currency: "USD",
    }
}

#[derive(Serialize)]
struct Availability {
    /// The name as stored (lower-case A-label), or as given when invalid.
    domain_name: String,
    available: bool,
    /// When not available: the `code` registration would answer with.
    reason: Option<&'static str>,
    /// When not available: what it means and what to do.
    detail: Option<String>,
    /// One year's prices, when the TLD is offered.
    prices: Option<PricesView>,
}

#[derive(Serialize)]
struct CheckView {
    count: usize,
    results: Vec<Availability>,
}

async fn check(State(state): State<AppState>, query: ListQuery) -> Result<Response, ApiError> {
    let names = query.all("domain_name");
    if names.is_empty() {
        return Err(ApiError::field(
            "invalid_query",
            "domain_name",
            "Give at least one name: ?domain_name=example.com (repeat it for more, up to 50).",
        ));
    }
    if names.len() > MAX_CHECK_NAMES {
        return Err(ApiError::field(
            "invalid_query",
            "domain_name",
            format!(
                "{} names were given; check at most {MAX_CHECK_NAMES} at once.",
                names.len()
            ),
        ));
    }
    let mut results = Vec::with_capacity(names.len());
    for raw in names {
        let result = match DomainName::parse(raw) {
            Err(e) => Availability {
                domain_name: raw.to_owned(),
                available: false,
                reason: Some(match e {
                    NameError::UnsupportedTld { .. } => "unsupported_tld",
                    _ => "invalid_domain_name",
                }),
                detail: Some(e.to_string()),
                prices: None,
            },
            Ok(name) => {
                let (available, reason, detail) = match state.registrar.check(&name).await {
                    Ok(()) => (true, None, None),
                    Err(RegistrarError::Invalid { code, detail }) => {
                        (false, Some(code), Some(detail))
                    }
                    Err(other) => return Err(other.into()),
                };
                Availability {
                    domain_name: name.as_str().to_owned(),
                    available,
                    reason,
                    detail,
                    prices: Some(prices(name.tld())),
                }
            }
        };
        results.push(result);
    }
    Ok(Json(CheckView {
        count: results.len(),
        results,
    })
    .into_response())
}

#[derive(Serialize)]
struct TldPrices {
    tld: String,
    #[serde(flatten)]
    prices: PricesView,
}

#[derive(Serialize)]
struct PricingView {
    currency: &'static str,
    /// The fee for restoring a domain in redemption, on top of one year.
    restore_fee: Money,
    results: Vec<TldPrices>,
}

async fn pricing() -> Response {
    Json(PricingView {
        currency: "USD",
        restore_fee: RESTORE_FEE,
        results: Tld::ALL
            .iter()
            .map(|t| TldPrices {
                tld: format!(".{}", t.label()),
                prices: prices(*t),
            })
            .collect(),
    })
    .into_response()
}
