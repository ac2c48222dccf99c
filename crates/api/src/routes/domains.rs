//! `/api/v1/domains/...`: parse, call the registrar, shape the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use utoipa_axum::routes;
use vpsd_domain::lifecycle::{DomainStatus, TransferStatus};
use vpsd_domain::ErrorCode;
use vpsd_domain::{DomainName, Years};
use vpsd_registrar::{Registration, SettingsUpdate};
use vpsd_storage::DomainFilter;

use crate::bodies::domains::{
    ImportBody, RegisterBody, RenewBody, TransferBody, TransferRequest, UpdateBody,
};
use crate::error::ApiError;
use crate::extract::auth::{AccountId, Caller};
use crate::extract::body::{Body, NoFields};
use crate::extract::pagination::ListQuery;
use crate::extract::pagination::Page;
use crate::extract::DomainId;
use crate::openapi::params::{DomainIdParam, DomainListParams, PageParams};
use crate::openapi::Routes;
use crate::views::{
    CancelledView, DetailView, DomainView, ImportedView, RegisteredView, RenewedView,
    TransferCancelledView, TransferView, UpdatedView, WhoisContacts,
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

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list, register))
        .serve(routes!(import))
        .serve(routes!(detail, update, remove))
        .serve(routes!(transfer))
        .serve(routes!(renew))
        .serve(routes!(restore))
        .serve(routes!(cancel))
        .serve(routes!(cancel_transfer))
}

/// List the account's domains, ordered by id.
#[utoipa::path(get, operation_id = "listDomains", path = "/api/v1/domains/", tag = "domains",
    params(DomainListParams, PageParams),
    responses(
        (status = 200, description = "A page of domains.", body = Page<DomainView>),
        (status = 400, description = "A bad `status`, `page` or `page_size`.", body = crate::error::ErrorBody),
        (status = 404, description = "A page past the end.", body = crate::error::ErrorBody),
    ))]
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
                        ErrorCode::InvalidQuery,
                        "status",
                        format!("`{s}` is not a status: use active, pending, expired or locked."),
                    )
                })?)
            }
        }
    }
    if let Some(search) = query.get("search") {
        // No domain name holds a control character, and PostgreSQL refuses
        // a NUL in text outright: a clear 400 on both databases.
        if search.chars().any(char::is_control) {
            return Err(ApiError::field(
                ErrorCode::InvalidQuery,
                "search",
                "`search` holds a control character; domain names have none: search by letters, digits, `-` or `.`.",
            ));
        }
        let search = search.trim().trim_end_matches('.').to_lowercase();
        if !search.is_empty() {
            // Matched against the A-label name and its Unicode form.
            filter.search = Some(search_fragment(&search));
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

/// A search term as the user typed it, lower-case: ASCII as is (it matches
/// the A-label name, `xn--` included), Unicode mapped by UTS-46 (width,
/// case, NFC) to the form stored in `domain_name_unicode`. Converting a
/// fragment to Punycode instead would find nothing: the Punycode of a part
/// of a label is no part of the label's Punycode.
fn search_fragment(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    match idna::domain_to_unicode(s) {
        (mapped, Ok(())) => mapped,
        _ => s.to_owned(),
    }
}

/// Register a domain: charged at once, `pending` until the registry has it.
#[utoipa::path(post, operation_id = "registerDomain", path = "/api/v1/domains/", tag = "domains",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Registration initiated.", body = RegisteredView),
        (status = 400, description = "A bad or unsupported name, a name taken, or a bad field.", body = crate::error::ErrorBody),
        (status = 402, description = "The balance is short; nothing changed.", body = crate::error::ErrorBody),
    ))]
async fn register(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    body: Body<RegisterBody>,
) -> Result<Response, ApiError> {
    let registration = Registration::try_from(body)?;
    let (domain, cost) = state
        .registrar
        .register(&actor, account, registration)
        .await?;
    let own = &state.registrar.settings().own_nameservers;
    let body = RegisteredView {
        domain: DomainView::new(&domain, own, state.registrar.now()),
        total_cost: cost,
        message: REGISTERED_MESSAGE,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A domain with its registrar, whois record and dates.
#[utoipa::path(get, operation_id = "getDomain", path = "/api/v1/domains/{domain_id}/", tag = "domains",
    params(DomainIdParam),
    responses(
        (status = 200, description = "The domain.", body = DetailView),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn detail(
    State(state): State<AppState>,
    Extension(AccountId(account)): Extension<AccountId>,
    DomainId(id): DomainId,
) -> Result<Response, ApiError> {
    let domain = state.registrar.domain(account, id).await?;
    // The contacts are read only when the public sees them.
    let contacts = if domain.privacy_protection {
        let settings = state.registrar.settings();
        WhoisContacts::Private(
            &settings.privacy_contact,
            vpsd_domain::contact::privacy_forwarding_address(
                &domain.domain_name,
                &settings.privacy_mail_domain,
            ),
        )
    } else {
        WhoisContacts::Public(state.registrar.public_contacts(&domain).await?)
    };
    let verification = state.registrar.registrant_verification(&domain).await?;
    let own = &state.registrar.settings().own_nameservers;
    let body = DetailView::new(&domain, own, contacts, verification, state.registrar.now());
    Ok(Json(body).into_response())
}

/// Change a domain's settings; only the fields given change.
#[utoipa::path(put, operation_id = "updateDomain", path = "/api/v1/domains/{domain_id}/", tag = "domains",
    params(DomainIdParam),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The settings now.", body = UpdatedView),
        (status = 400, description = "An empty body, a bad field, or a change not allowed now.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn update(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: Body<UpdateBody>,
) -> Result<Response, ApiError> {
    let update = SettingsUpdate::try_from(body)?;
    let domain = state.registrar.update(&actor, account, id, update).await?;
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

/// Remove a domain from the account (the registration continues).
#[utoipa::path(delete, operation_id = "deleteDomain", path = "/api/v1/domains/{domain_id}/", tag = "domains",
    params(DomainIdParam),
    responses(
        (status = 204, description = "Removed."),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
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

/// Transfer a domain in from another registrar (import it first).
#[utoipa::path(post, operation_id = "transferDomain", path = "/api/v1/domains/{domain_id}/transfer/", tag = "domains",
    params(DomainIdParam),
    request_body = TransferBody,
    responses(
        (status = 200, description = "Transfer initiated; charged one year.", body = TransferView),
        (status = 400, description = "Locked, too recent, a wrong code, already in progress, or a bad field.", body = crate::error::ErrorBody),
        (status = 402, description = "The balance is short; nothing changed.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn transfer(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: Body<TransferBody>,
) -> Result<Response, ApiError> {
    let asked = TransferRequest::try_from(body)?;
    // Domain lookup first, so another account's domain stays a 404.
    let domain = state
        .registrar
        .transfer(
            &actor,
            account,
            id,
            &asked.auth_code,
            asked.auto_renew,
            asked.contacts,
        )
        .await?;
    Ok(Json(TransferView {
        id: domain.id,
        domain_name: &domain.domain_name,
        transfer_status: TransferStatus::Pending,
        transfer_initiated_at: domain.transfer_initiated_at,
        estimated_completion: domain.transfer_completes_at,
        total_cost: domain.transfer_cost.unwrap_or_default(),
        message: TRANSFER_MESSAGE,
        next_steps: TRANSFER_NEXT_STEPS,
    })
    .into_response())
}

/// Add a domain registered at another registrar, to transfer it in.
#[utoipa::path(post, operation_id = "importDomain", path = "/api/v1/domains/import/", tag = "domains",
    request_body = ImportBody,
    responses(
        (status = 201, description = "Added.", body = ImportedView),
        (status = 400, description = "Not registered anywhere, ours already, in an account already, or a bad name.", body = crate::error::ErrorBody),
    ))]
async fn import(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    body: Body<ImportBody>,
) -> Result<Response, ApiError> {
    let name = DomainName::try_from(body)?;
    let domain = state.registrar.import(&actor, account, &name).await?;
    let own = &state.registrar.settings().own_nameservers;
    let body = ImportedView {
        domain: DomainView::new(&domain, own, state.registrar.now()),
        registrar: &domain.registrar,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Renew now (also in the grace period after expiry), charged at once.
#[utoipa::path(post, operation_id = "renewDomain", path = "/api/v1/domains/{domain_id}/renew/", tag = "domains",
    params(DomainIdParam),
    request_body(content = RenewBody, description = "May be empty."),
    responses(
        (status = 200, description = "Renewed.", body = RenewedView),
        (status = 400, description = "Not renewable now, past the ten-year limit, or a bad field.", body = crate::error::ErrorBody),
        (status = 402, description = "The balance is short; nothing changed.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn renew(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: Body<RenewBody>,
) -> Result<Response, ApiError> {
    let years = Years::try_from(body)?;
    let (domain, cost) = state.registrar.renew(&actor, account, id, years).await?;
    let what = format!("Domain renewed for {} year(s).", years.get());
    Ok(RenewedView::new(&domain, cost, &what).into_response())
}

/// Restore a domain in redemption: the restore fee plus one year.
#[utoipa::path(post, operation_id = "restoreDomain", path = "/api/v1/domains/{domain_id}/restore/", tag = "domains",
    params(DomainIdParam),
    request_body(content = NoFields, description = "May be empty."),
    responses(
        (status = 200, description = "Restored.", body = RenewedView),
        (status = 400, description = "Not in redemption, or a body field.", body = crate::error::ErrorBody),
        (status = 402, description = "The balance is short; nothing changed.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn restore(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: Body<NoFields>,
) -> Result<Response, ApiError> {
    body.errors.check()?;
    let (domain, cost) = state.registrar.restore(&actor, account, id).await?;
    let what = "Domain restored with one year of renewal.";
    Ok(RenewedView::new(&domain, cost, what).into_response())
}

/// Cancel a registration within 5 days of it (the add grace period, RFC
/// 3915): deleted at the registry, refunded in full, gone from the account.
#[utoipa::path(post, operation_id = "cancelDomain", path = "/api/v1/domains/{domain_id}/cancel/", tag = "domains",
    params(DomainIdParam),
    request_body(content = NoFields, description = "May be empty."),
    responses(
        (status = 200, description = "Cancelled and refunded; the domain is no longer in the account.", body = CancelledView),
        (status = 400, description = "Past the 5 days (`cancel_period_over`), not registered here (`not_cancellable`), a transfer pending (`transfer_in_progress`), the registry's answer to an earlier change still unknown (`registry_outcome_unknown`), or a body field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "The domain changed meanwhile (`conflict`: fetch it and retry), or a request with this `Idempotency-Key` is still running or failed.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer (`registry_unavailable`; nothing changed: retry), or the request took too long.", body = crate::error::ErrorBody),
    ))]
async fn cancel(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: Body<NoFields>,
) -> Result<Response, ApiError> {
    body.errors.check()?;
    let (domain, done) = state
        .registrar
        .cancel_registration(&actor, account, id)
        .await?;
    Ok(Json(CancelledView {
        id: domain.id,
        domain_name: &domain.domain_name,
        refund: done.refund,
        balance: done.balance,
        message: format!(
            "Registration of {} cancelled and ${} refunded. The name is free to register again.",
            domain.domain_name, done.refund
        ),
    })
    .into_response())
}

/// Cancel a pending transfer in: withdrawn at the registry, fee refunded.
#[utoipa::path(post, operation_id = "cancelTransfer", path = "/api/v1/domains/{domain_id}/transfer/cancel/", tag = "domains",
    params(DomainIdParam),
    request_body(content = NoFields, description = "May be empty."),
    responses(
        (status = 200, description = "Cancelled and refunded; `transfer_status` is `cancelled`.", body = TransferCancelledView),
        (status = 400, description = "No transfer in pending (`no_transfer_pending`), or a body field.", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 503, description = "The registry did not answer (`registry_unavailable`; nothing changed: retry), or the request took too long.", body = crate::error::ErrorBody),
    ))]
async fn cancel_transfer(
    State(state): State<AppState>,
    Caller {
        account_id: account,
        actor,
    }: Caller,
    DomainId(id): DomainId,
    body: Body<NoFields>,
) -> Result<Response, ApiError> {
    body.errors.check()?;
    let done = state.registrar.cancel_transfer(&actor, account, id).await?;
    let domain = &done.domain;
    Ok(Json(TransferCancelledView {
        id: domain.id,
        domain_name: &domain.domain_name,
        transfer_status: TransferStatus::Cancelled,
        refund: done.refund,
        balance: done.balance,
        message: format!(
            "Transfer of {} cancelled and ${} refunded.",
            domain.domain_name, done.refund
        ),
    })
    .into_response())
}
