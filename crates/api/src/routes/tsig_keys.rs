//! `/api/v1/domains/{domain_id}/dns/tsig-keys/`: the zone's TSIG keys
//! (RFC 8945; docs/api.md, "TSIG keys"), which sign dynamic updates (RFC
//! 2136) and zone transfers at the nameserver.
//!
//! - `GET` lists them (never their secrets); `POST` makes one (201) and
//!   answers its secret, this once.
//! - `GET`/`DELETE .../{key_id}/`: one key; messages signed with a deleted
//!   key are refused from then on.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::routes;
use vpsd_domain::{ErrorCode, TsigKeyId};

use crate::bodies::tsig_keys::TsigKeyBody;
use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::Body;
use crate::extract::pagination::Page;
use crate::extract::ItemPath;
use crate::middleware::idempotency::Secret;
use crate::openapi::params::{DomainIdParam, TsigKeyIdParams};
use crate::openapi::Routes;
use crate::views::forwards::json_list;
use crate::views::tsig_keys::{TsigKeyCreatedView, TsigKeyView};
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list, create))
        .serve(routes!(show, remove))
}

fn key_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Not found: check the domain and key ids (GET /api/v1/domains/{domain_id}/dns/tsig-keys/ lists the zone's keys).",
    )
}

/// The zone's TSIG keys, oldest first; never their secrets.
#[utoipa::path(get, operation_id = "listTsigKeys", path = "/api/v1/domains/{domain_id}/dns/tsig-keys/", tag = "dns",
    params(DomainIdParam),
    responses(
        (status = 200, description = "Every key of the zone.", body = Page<TsigKeyView>),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<TsigKeyId>,
) -> Result<Response, ApiError> {
    let keys = state
        .registrar
        .tsig_keys(caller.account_id, path.domain_id)
        .await?;
    let views: Vec<TsigKeyView> = keys.iter().map(TsigKeyView::new).collect();
    Ok(Json(json_list(views)).into_response())
}

/// Make a TSIG key for the zone; its secret is in this answer only.
#[utoipa::path(post, operation_id = "createTsigKey", path = "/api/v1/domains/{domain_id}/dns/tsig-keys/", tag = "dns",
    params(DomainIdParam),
    request_body = TsigKeyBody,
    responses(
        (status = 201, description = "Made; `secret` is shown this once.", body = TsigKeyCreatedView),
        (status = 400, description = "A bad name or algorithm, or no secrets key on the server (`secrets_key_missing`).", body = crate::error::ErrorBody),
        (status = 404, description = "No such domain in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "The zone has a key of that name, or 20 keys.", body = crate::error::ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<TsigKeyId>,
    body: Body<TsigKeyBody>,
) -> Result<Response, ApiError> {
    let (label, algorithm) = TsigKeyBody::parse(body)?;
    let made = state
        .registrar
        .create_tsig_key(
            &caller.actor,
            caller.account_id,
            path.domain_id,
            &label,
            algorithm,
        )
        .await?;
    let view = TsigKeyCreatedView {
        key: TsigKeyView::new(&made.key),
        secret: made.secret,
    };
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    // Kept without the secret by the Idempotency-Key store.
    response.extensions_mut().insert(Secret::TsigKey {
        domain_id: path.domain_id,
        key_id: made.key.id,
    });
    Ok(response)
}

/// One key of the zone (never its secret).
#[utoipa::path(get, operation_id = "getTsigKey", path = "/api/v1/domains/{domain_id}/dns/tsig-keys/{key_id}/", tag = "dns",
    params(TsigKeyIdParams),
    responses(
        (status = 200, description = "The key.", body = TsigKeyView),
        (status = 404, description = "No such domain, or no such key of it.", body = crate::error::ErrorBody),
    ))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<TsigKeyId>,
) -> Result<Response, ApiError> {
    let id = path.item_id.ok_or_else(key_not_found)?;
    let keys = state
        .registrar
        .tsig_keys(caller.account_id, path.domain_id)
        .await
        .map_err(|e| ApiError::or_not_found(e, key_not_found))?;
    let key = keys.iter().find(|k| k.id == id).ok_or_else(key_not_found)?;
    Ok(Json(TsigKeyView::new(key)).into_response())
}

/// Delete a key: messages signed with it are refused from then on.
#[utoipa::path(delete, operation_id = "deleteTsigKey", path = "/api/v1/domains/{domain_id}/dns/tsig-keys/{key_id}/", tag = "dns",
    params(TsigKeyIdParams),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such domain, or no such key of it.", body = crate::error::ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    path: ItemPath<TsigKeyId>,
) -> Result<Response, ApiError> {
    let id = path.item_id.ok_or_else(key_not_found)?;
    state
        .registrar
        .delete_tsig_key(&caller.actor, caller.account_id, path.domain_id, id)
        .await
        .map_err(|e| ApiError::or_not_found(e, key_not_found))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
