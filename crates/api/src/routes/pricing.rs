//! Availability and prices: `GET /api/v1/domains/check/` and
//! `GET /api/v1/pricing/`, which the original document tells customers to
//! consult before registering.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use vpsd_domain::pricing::RESTORE_FEE;
use vpsd_domain::ErrorCode;
use vpsd_domain::{DomainName, Money, NameError, Tld, Years};
use vpsd_registrar::RegistrarError;

use crate::error::ApiError;
use crate::extract::pagination::ListQuery;
use crate::openapi::Routes;
use crate::AppState;

/// At most this many names in one check.
pub const MAX_CHECK_NAMES: usize = 50;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new().serve(routes!(check)).serve(routes!(pricing))
}

/// One year's prices of a TLD, US dollars.
#[derive(Serialize, ToSchema)]
#[schema(as = Prices)]
struct PricesView {
    #[schema(value_type = f64, example = 12.99)]
    register: Money,
    #[schema(value_type = f64, example = 12.99)]
    renew: Money,
    #[schema(value_type = f64, example = 12.99)]
    transfer: Money,
    /// Restoring from redemption: the restore fee plus one year.
    #[schema(value_type = f64)]
    restore: Money,
    #[schema(example = "USD")]
    currency: &'static str,
}

fn prices(tld: Tld) -> PricesView {
    let p = tld.prices();
    prices_of(p.register, p.renew, p.transfer, RESTORE_FEE)
}

/// One year's prices as shown, the restore one year's renewal plus the
/// restore fee `restore_fee`.
fn prices_of(register: Money, renew: Money, transfer: Money, restore_fee: Money) -> PricesView {
    let p = vpsd_domain::Prices {
        register,
        renew,
        transfer,
    };
    PricesView {
        register: p.register,
        renew: p.renew,
        transfer: p.transfer,
        restore: Money::from_cents(restore_fee.cents() + p.renew.cents()),
        currency: "USD",
    }
}

/// Whether one name can be registered now.
#[derive(Serialize, ToSchema)]
struct Availability {
    /// The name as stored (lower-case A-label), or as given when invalid.
    domain_name: String,
    available: bool,
    /// When not available: the `code` registration would answer with.
    #[schema(value_type = Option<String>)]
    reason: Option<ErrorCode>,
    /// When not available: what it means and what to do.
    detail: Option<String>,
    /// One year's prices, when the TLD is offered: a premium name's own.
    prices: Option<PricesView>,
    /// Whether the registry prices this name apart from its TLD (a premium
    /// name, RFC 8748): its `prices` are then its own, above the TLD's.
    premium: bool,
}

/// The answer for each name asked, in order.
#[derive(Serialize, ToSchema)]
#[schema(as = Check)]
struct CheckView {
    count: usize,
    results: Vec<Availability>,
}

/// Whether names can be registered, with their prices.
#[utoipa::path(get, operation_id = "checkAvailability", path = "/api/v1/domains/check/", tag = "availability",
    params(("domain_name" = Vec<String>, Query,
        description = "A name to check; repeat for more (1–50).")),
    responses(
        (status = 200, description = "One answer per name.", body = CheckView),
        (status = 400, description = "No name, or more than 50.", body = crate::error::ErrorBody),
    ))]
async fn check(State(state): State<AppState>, query: ListQuery) -> Result<Response, ApiError> {
    let names = query.all("domain_name");
    if names.is_empty() {
        return Err(ApiError::field(
            ErrorCode::InvalidQuery,
            "domain_name",
            "Give at least one name: ?domain_name=example.com (repeat it for more, up to 50).",
        ));
    }
    if names.len() > MAX_CHECK_NAMES {
        return Err(ApiError::field(
            ErrorCode::InvalidQuery,
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
                    NameError::UnsupportedTld { .. } => ErrorCode::UnsupportedTld,
                    _ => ErrorCode::InvalidDomainName,
                }),
                detail: Some(e.to_string()),
                prices: None,
                premium: false,
            },
            Ok(name) => {
                let (available, reason, detail) = match state.registrar.check(&name).await {
                    Ok(()) => (true, None, None),
                    Err(RegistrarError::Invalid { code, detail }) => {
                        (false, Some(code), Some(detail))
                    }
                    Err(other) => return Err(other.into()),
                };
                // A premium name's own prices (RFC 8748), asked of its
                // registry; 503 when it cannot tell.
                let quote = state.registrar.quote(&name, Years::ONE).await?;
                Availability {
                    domain_name: name.as_str().to_owned(),
                    available,
                    reason,
                    detail,
                    prices: Some(prices_of(
                        quote.register,
                        quote.renew,
                        quote.transfer,
                        quote.restore,
                    )),
                    premium: quote.premium,
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

/// A TLD and its prices.
#[derive(Serialize, ToSchema)]
struct TldPrices {
    #[schema(example = ".com")]
    tld: String,
    #[serde(flatten)]
    prices: PricesView,
}

/// The price list.
#[derive(Serialize, ToSchema)]
#[schema(as = Pricing)]
struct PricingView {
    currency: &'static str,
    /// The fee for restoring a domain in redemption, on top of one year.
    #[schema(value_type = f64)]
    restore_fee: Money,
    results: Vec<TldPrices>,
}

/// The price of each TLD offered.
#[utoipa::path(get, operation_id = "getPricing", path = "/api/v1/pricing/", tag = "availability",
    responses((status = 200, description = "The price list.", body = PricingView)))]
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
