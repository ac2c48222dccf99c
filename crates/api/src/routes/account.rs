//! `/api/v1/account/...`: the account and its money trail.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;
use vpsd_domain::Money;

use crate::error::ApiError;
use crate::extract::auth::AccountId;
use crate::extract::pagination::{ListQuery, Page};
use crate::openapi::params::PageParams;
use crate::openapi::Routes;
use crate::views::rfc3339;
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(account))
        .serve(routes!(transactions))
        .serve(routes!(audit))
}

/// The account the token belongs to.
#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
struct AccountView<'a> {
    #[schema(value_type = i64)]
    id: vpsd_domain::AccountId,
    email: &'a str,
    /// US dollars.
    #[schema(value_type = f64, example = 100.0)]
    balance: Money,
    currency: &'static str,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

/// The account: email and balance.
#[utoipa::path(get, operation_id = "getAccount", path = "/api/v1/account/", tag = "account",
    responses((status = 200, description = "The account.", body = AccountView)))]
async fn account(
    State(state): State<AppState>,
    Extension(AccountId(account)): Extension<AccountId>,
) -> Result<Response, ApiError> {
    let a = state.registrar.account(account).await?;
    Ok(Json(AccountView {
        id: a.id,
        email: &a.email,
        balance: a.balance,
        currency: "USD",
        created_at: a.created_at,
    })
    .into_response())
}

/// One entry of the ledger.
#[derive(Serialize, ToSchema)]
#[schema(as = Transaction)]
struct TransactionView {
    id: i64,
    /// `credit`, `registration`, `transfer`, `renewal`, `restore`, `refund`.
    #[serde(rename = "type")]
    kind: String,
    /// Negative for a charge, positive for money in (US dollars).
    #[schema(value_type = f64, example = -12.99)]
    amount: Money,
    domain: Option<String>,
    domain_id: Option<i64>,
    description: String,
    #[schema(value_type = f64)]
    balance_after: Money,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

/// The ledger, newest first: every charge, refund and credit.
#[utoipa::path(get, operation_id = "listTransactions", path = "/api/v1/account/transactions/", tag = "account",
    params(PageParams),
    responses(
        (status = 200, description = "A page of entries.", body = Page<TransactionView>),
        (status = 400, description = "A bad `page` or `page_size`.", body = crate::error::ErrorBody),
        (status = 404, description = "A page past the end.", body = crate::error::ErrorBody),
    ))]
async fn transactions(
    State(state): State<AppState>,
    Extension(AccountId(account)): Extension<AccountId>,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let (count, entries) = state
        .registrar
        .transactions(account, query.offset(), query.limit())
        .await?;
    let results = entries
        .into_iter()
        .map(|e| TransactionView {
            id: e.id,
            kind: e.kind,
            amount: e.amount,
            domain: e.domain_name,
            domain_id: e.domain_id.map(i64::from),
            description: e.description,
            balance_after: e.balance_after,
            created_at: e.created_at,
        })
        .collect();
    Ok(Json(query.page(count, results)?).into_response())
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
#[schema(as = AuditEntry)]
struct AuditView {
    id: i64,
    /// `api`, `worker` or `operator`.
    actor: String,
    token_id: Option<i64>,
    /// One of the catalogue `vpsd_domain::AuditAction` (docs/api.md).
    #[schema(value_type = vpsd_domain::AuditAction)]
    action: String,
    domain: Option<String>,
    domain_id: Option<i64>,
    /// The changed fields: `{"field": [before, after]}`.
    #[schema(value_type = Object)]
    changes: serde_json::Value,
    request_id: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

/// Every change to the account and its domains, newest first.
#[utoipa::path(get, operation_id = "listAuditEntries", path = "/api/v1/account/audit/", tag = "account",
    params(PageParams),
    responses(
        (status = 200, description = "A page of entries.", body = Page<AuditView>),
        (status = 400, description = "A bad `page` or `page_size`.", body = crate::error::ErrorBody),
        (status = 404, description = "A page past the end.", body = crate::error::ErrorBody),
    ))]
async fn audit(
    State(state): State<AppState>,
    Extension(AccountId(account)): Extension<AccountId>,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let (count, entries) = state
        .registrar
        .store()
        .audit_page(account, query.offset(), query.limit())
        .await
        .map_err(vpsd_registrar::RegistrarError::from)?;
    let results = entries
        .into_iter()
        .map(|e| AuditView {
            id: e.id,
            actor: e.actor,
            token_id: e.token_id.map(i64::from),
            action: e.action,
            domain: e.domain_name,
            domain_id: e.domain_id.map(i64::from),
            changes: serde_json::from_str(&e.changes).unwrap_or(serde_json::Value::Null),
            request_id: e.request_id,
            created_at: e.created_at,
        })
        .collect();
    Ok(Json(query.page(count, results)?).into_response())
}
