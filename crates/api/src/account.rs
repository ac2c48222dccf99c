//! `/api/v1/account/...`: the account and its money trail.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use vpsd_domain::Money;

use crate::auth::AccountId;
use crate::error::ApiError;
use crate::pagination::ListQuery;
use crate::views::rfc3339;
use crate::AppState;

pub fn router() -> Router<AppState> {
    crate::routes(&[
        ("/api/v1/account/", get(account)),
        ("/api/v1/account/transactions/", get(transactions)),
        ("/api/v1/account/audit/", get(audit)),
    ])
}

#[derive(Serialize)]
struct AccountView<'a> {
    id: i64,
    email: &'a str,
    balance: Money,
    currency: &'static str,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

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

#[derive(Serialize)]
struct TransactionView {
    id: i64,
    /// `credit`, `registration`, `transfer`, `renewal`, `restore`, `refund`.
    #[serde(rename = "type")]
    kind: String,
    /// Negative for a charge, positive for money in.
    amount: Money,
    domain: Option<String>,
    domain_id: Option<i64>,
    description: String,
    balance_after: Money,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

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
            domain_id: e.domain_id,
            description: e.description,
            balance_after: e.balance_after,
            created_at: e.created_at,
        })
        .collect();
    Ok(Json(query.page(count, results)?).into_response())
}

#[derive(Serialize)]
struct AuditView {
    id: i64,
    /// `api`, `worker` or `operator`.
    actor: String,
    token_id: Option<i64>,
    action: String,
    domain: Option<String>,
    domain_id: Option<i64>,
    /// The changed fields: `{"field": [before, after]}`.
    changes: serde_json::Value,
    request_id: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

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
            token_id: e.token_id,
            action: e.action,
            domain: e.domain_name,
            domain_id: e.domain_id,
            changes: serde_json::from_str(&e.changes).unwrap_or(serde_json::Value::Null),
            request_id: e.request_id,
            created_at: e.created_at,
        })
        .collect();
    Ok(Json(query.page(count, results)?).into_response())
}
