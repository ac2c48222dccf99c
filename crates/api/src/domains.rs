//! `/api/v1/domains/...`: parse, call the registrar, shape the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use vpsd_domain::lifecycle::DomainStatus;
use vpsd_domain::{DomainName, NameError, Nameservers, Years};
use vpsd_registrar::{Registration, SettingsUpdate};
use vpsd_storage::DomainFilter;

use crate::auth::{AccountId, Caller};
use crate::error::ApiError;
use crate::extract::{DomainId, Fields, JsonObject};
use crate::pagination::ListQuery;
use crate::views::{
    DetailView, DomainView, ImportedView, RegisteredView, RenewedView, TransferView, UpdatedView,
};
use crate::AppState;

const REGISTERED_MESSAGE: &str = "Domain registration initiated. Processing may take 5-10 minutes.";
const UPDATED_MESSAGE: &str =
    "Domain settings updated successfully. Nameserver changes may take up to 24 hours to propagate.";
const TRANSFER_MESSAGE: &str = "Domain transfer initiated. You should receive a confirmation email from your current registrar. Transfer typically completes within 5-7 days.";
const TRANSFER_NEXT_STEPS: [&str; 4] = [
    "Check email for transfer authorization request",
    "Approve transfer with current registrar",
    "Wait for transfer to complete (5-7 days)",
    "Domain will be automatically renewed for 1 year upon completion",
];

/// The routes, each with and without its trailing slash (api-v1.md).
pub fn router() -> Router<AppState> {
    crate::routes(&[
        ("/api/v1/domains/", get(list).post(register)),
        ("/api/v1/domains/import/", post(import)),
        (
            "/api/v1/domains/{domain_id}/",
            get(detail).put(update).delete(remove),
        ),
        ("/api/v1/domains/{domain_id}/transfer/", post(transfer)),
        ("/api/v1/domains/{domain_id}/renew/", post(renew)),
        ("/api/v1/domains/{domain_id}/restore/", post(restore)),
    ])
}

fn name_error(field: &str, e: NameError) -> ApiError {
    let code = match e {
        NameError::UnsupportedTld { .. } => "unsupported_tld",
        _ => "invalid_domain_name",
    };
    ApiError::field(code, field, e.to_string())
}

async fn list(
    State(state): State<AppState>,
    Extension(AccountId(account)): Extension<AccountId>,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let mut filter = DomainFilter::default();
    if let Some(status) = query.get("status") {
        match status {
            "locked" => filter.locked_only = true,
            s => {
                filter.status = Some(DomainStatus::parse(s).ok_or_else(|| {
                    ApiError::field(
                        "invalid_query",
                        "status",
                        format!("`{s}` is not a status: use active, pending, expired or locked."),
                    )
                })?)
            }
        }
    }
    if let Some(search) = query.get("search") {
        let search = search.trim().trim_end_matches('.').to_lowercase();
        if !search.is_empty() {
            // Unicode input finds A-label names as the user typed them.
            filter.search = Some(idna_search(&search));
        }
    }
    let found = state
        .registrar
        .list(account, &filter, query.offset(), query.limit())
        .await?;
    let own = &state.registrar.settings().own_nameservers;
    let now = state.registrar.now();
    let page = query.page(
        found.total,
        found
            .domains
            .iter()
            .map(|d| DomainView::new(d, own, now))
            .collect(),
    )?;
    Ok(Json(page).into_response())
}

/// A search term as a fragment of an A-label name: ASCII as is, Unicode
/// through UTS-46 when it converts.
fn idna_search(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    idna::domain_to_ascii(s).unwrap_or_else(|_| s.to_owned())
}

async fn register(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let mut f = Fields::new(
        body,
        &[
            "domain_name",
            "years",
            "auto_renew",
            "privacy_protection",
            "nameservers",
        ],
    );
    let name = f.string("domain_name");
    let name = f.require("domain_name", name);
    let years = f.int("years");
    let auto_renew = f.bool("auto_renew");
    let privacy = f.bool("privacy_protection");
    let nameservers = f.strings("nameservers");
    let years = f
        .parse_with("years", years, Years::parse)
        .unwrap_or(Years::ONE);
    let nameservers = f.parse_with("nameservers", nameservers, |n| Nameservers::parse(&n));
    f.finish()?;
    let Some(name) = name else {
        return Err(ApiError::internal());
    };
    let domain_name = DomainName::parse(&name).map_err(|e| name_error("domain_name", e))?;
    let (domain, cost) = state
        .registrar
        .register(
            &actor,
            account,
            Registration {
                domain_name,
                years,
                auto_renew: auto_renew.unwrap_or(true),
                privacy_protection: privacy.unwrap_or(true),
                nameservers,
            },
        )
        .await?;
    let own = &state.registrar.settings().own_nameservers;
    let body = RegisteredView {
        domain: DomainView::new(&domain, own, state.registrar.now()),
        total_cost: cost,
        message: REGISTERED_MESSAGE,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn detail(
    State(state): State<AppState>,
    Extension(AccountId(account)): Extension<AccountId>,
    DomainId(id): DomainId,
) -> Result<Response, ApiError> {
    let domain = state.registrar.domain(account, id).await?;
    let email = if domain.privacy_protection {
        String::new()
    } else {
        state.registrar.account(account).await?.email
    };
    let own = &state.registrar.settings().own_nameservers;
    let body = DetailView::new(&domain, own, &email, state.registrar.now());
    Ok(Json(body).into_response())
}

async fn update(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let mut f = Fields::new(
        body,
        &["auto_renew", "privacy_protection", "nameservers", "locked"],
    );
    if f.is_empty() {
        return Err(ApiError::bad_request(
            "empty_update",
            "The body changes nothing: give at least one of auto_renew, privacy_protection, nameservers, locked.",
        ));
    }
    let auto_renew = f.bool("auto_renew");
    let privacy_protection = f.bool("privacy_protection");
    let locked = f.bool("locked");
    let nameservers = f.strings("nameservers");
    let nameservers = f.parse_with("nameservers", nameservers, |n| Nameservers::parse(&n));
    f.finish()?;
    let domain = state
        .registrar
        .update(
            &actor,
            account,
            id,
            SettingsUpdate {
                auto_renew,
                privacy_protection,
                nameservers,
                locked,
            },
        )
        .await?;
    let own = &state.registrar.settings().own_nameservers;
    let view = DomainView::new(&domain, own, state.registrar.now());
    Ok(Json(UpdatedView {
        id: domain.id,
        domain_name: &domain.domain_name,
        status: view.status,
        auto_renew: domain.auto_renew,
        nameservers: &domain.nameservers,
        privacy_protection: domain.privacy_protection,
        locked: domain.locked,
        dns_managed_by: view.dns_managed_by,
        message: UPDATED_MESSAGE,
    })
    .into_response())
}

async fn remove(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
) -> Result<Response, ApiError> {
    state.registrar.remove(&actor, account, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn transfer(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let mut f = Fields::new(body, &["auth_code", "auto_renew"]);
    let auth_code = f.string("auth_code");
    let auth_code = f.require("auth_code", auth_code);
    let auto_renew = f.bool("auto_renew");
    if auth_code.as_deref().is_some_and(|c| c.trim().is_empty()) {
        f.error(
            "auth_code",
            "May not be empty: get the EPP code from the current registrar.",
        );
    }
    f.finish()?;
    let Some(auth_code) = auth_code else {
        return Err(ApiError::internal());
    };
    // Domain lookup first, so another account's domain stays a 404.
    let domain = state
        .registrar
        .transfer(&actor, account, id, &auth_code, auto_renew.unwrap_or(true))
        .await?;
    Ok(Json(TransferView {
        id: domain.id,
        domain_name: &domain.domain_name,
        transfer_status: "pending",
        transfer_initiated_at: domain.transfer_initiated_at,
        estimated_completion: domain.transfer_completes_at,
        total_cost: domain.transfer_cost.unwrap_or_default(),
        message: TRANSFER_MESSAGE,
        next_steps: TRANSFER_NEXT_STEPS,
    })
    .into_response())
}

async fn import(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let mut f = Fields::new(body, &["domain_name"]);
    let name = f.string("domain_name");
    let name = f.require("domain_name", name);
    f.finish()?;
    let Some(name) = name else {
        return Err(ApiError::internal());
    };
    let name = DomainName::parse(&name).map_err(|e| name_error("domain_name", e))?;
    let domain = state.registrar.import(&actor, account, &name).await?;
    let own = &state.registrar.settings().own_nameservers;
    let body = ImportedView {
        domain: DomainView::new(&domain, own, state.registrar.now()),
        registrar: &domain.registrar,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn renew(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let mut f = Fields::new(body, &["years"]);
    let years = f.int("years");
    let years = f
        .parse_with("years", years, Years::parse)
        .unwrap_or(Years::ONE);
    f.finish()?;
    let (domain, cost) = state.registrar.renew(&actor, account, id, years).await?;
    let what = format!("Domain renewed for {} year(s).", years.get());
    Ok(RenewedView::new(&domain, cost, &what).into_response())
}

async fn restore(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: JsonObject,
) -> Result<Response, ApiError> {
    Fields::new(body, &[]).finish()?;
    let (domain, cost) = state.registrar.restore(&actor, account, id).await?;
    let what = "Domain restored with one year of renewal.";
    Ok(RenewedView::new(&domain, cost, what).into_response())
}
