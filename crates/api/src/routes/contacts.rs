//! Contacts (docs/api.md, "Contacts"), RFC 5733's fields:
//!
//! - `/api/v1/contacts/` (`GET` a page, `POST` a new one → 201);
//! - `/api/v1/contacts/{contact_id}/` (`GET`, `PUT` the fields given,
//!   `DELETE` → 204, or 409 `contact_in_use` while a domain names it).
//!
//! Another account's contact is a 404, as one that does not exist.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::routes;
use vpsd_domain::ErrorCode;

use crate::bodies::contacts::{ContactBody, ContactUpdateBody};
use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::Body;
use crate::extract::pagination::{ListQuery, Page};
use crate::extract::path::ContactIdPath;
use crate::openapi::params::{ContactIdParam, PageParams};
use crate::openapi::Routes;
use crate::views::contacts::ContactView;
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new()
        .serve(routes!(list, create))
        .serve(routes!(show, change, remove))
}

pub(crate) fn contact_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Not found: check the contact id (GET /api/v1/contacts/ lists yours).",
    )
}

/// The account's contacts, ordered by id, a page at a time.
#[utoipa::path(get, operation_id = "listContacts", path = "/api/v1/contacts/", tag = "contacts",
    params(PageParams),
    responses(
        (status = 200, description = "A page of contacts.", body = Page<ContactView>),
        (status = 400, description = "A bad `page` or `page_size`.", body = crate::error::ErrorBody),
        (status = 404, description = "A page past the end.", body = crate::error::ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let page = state
        .registrar
        .contacts(caller.account_id, query.offset(), query.limit())
        .await?;
    let views = page.contacts.iter().map(ContactView::new).collect();
    Ok(Json(query.page(page.total, views)?).into_response())
}

/// Create a contact; the account's first becomes its default.
#[utoipa::path(post, operation_id = "createContact", path = "/api/v1/contacts/", tag = "contacts",
    request_body = ContactBody,
    responses(
        (status = 201, description = "Created.", body = ContactView),
        (status = 400, description = "Fields at fault (`errors` names each).", body = crate::error::ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<ContactBody>,
) -> Result<Response, ApiError> {
    let asked = ContactBody::parse(body)?;
    let contact = state
        .registrar
        .create_contact(
            &caller.actor,
            caller.account_id,
            &asked.data,
            asked.make_default,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ContactView::new(&contact))).into_response())
}

/// One contact.
#[utoipa::path(get, operation_id = "getContact", path = "/api/v1/contacts/{contact_id}/", tag = "contacts",
    params(ContactIdParam),
    responses(
        (status = 200, description = "The contact.", body = ContactView),
        (status = 404, description = "No such contact in this account.", body = crate::error::ErrorBody),
    ))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ContactIdPath(id): ContactIdPath,
) -> Result<Response, ApiError> {
    let contact = state
        .registrar
        .contact(caller.account_id, id)
        .await
        .map_err(|e| ApiError::or_not_found(e, contact_not_found))?;
    Ok(Json(ContactView::new(&contact)).into_response())
}

/// Change the fields given (`null` removes an optional one).
#[utoipa::path(put, operation_id = "updateContact", path = "/api/v1/contacts/{contact_id}/", tag = "contacts",
    params(ContactIdParam),
    request_body = ContactUpdateBody,
    responses(
        (status = 200, description = "The contact now.", body = ContactView),
        (status = 400, description = "An empty body, or fields at fault (`errors` names each).", body = crate::error::ErrorBody),
        (status = 404, description = "No such contact in this account.", body = crate::error::ErrorBody),
    ))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ContactIdPath(id): ContactIdPath,
    body: Body<ContactUpdateBody>,
) -> Result<Response, ApiError> {
    let current = state
        .registrar
        .contact(caller.account_id, id)
        .await
        .map_err(|e| ApiError::or_not_found(e, contact_not_found))?;
    let asked = ContactUpdateBody::parse(body, &current)?;
    let contact = state
        .registrar
        .update_contact(
            &caller.actor,
            caller.account_id,
            &current,
            &asked.data,
            asked.make_default,
        )
        .await
        .map_err(|e| ApiError::or_not_found(e, contact_not_found))?;
    Ok(Json(ContactView::new(&contact)).into_response())
}

/// Delete a contact no domain names.
#[utoipa::path(delete, operation_id = "deleteContact", path = "/api/v1/contacts/{contact_id}/", tag = "contacts",
    params(ContactIdParam),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such contact in this account.", body = crate::error::ErrorBody),
        (status = 409, description = "Domains name it (`contact_in_use`; `detail` lists them).", body = crate::error::ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ContactIdPath(id): ContactIdPath,
) -> Result<Response, ApiError> {
    state
        .registrar
        .delete_contact(&caller.actor, caller.account_id, id)
        .await
        .map_err(|e| ApiError::or_not_found(e, contact_not_found))?
        .map_err(|names| {
            ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::ContactInUse,
                format!(
                    "Contact {id} is a contact of {}: give those domains another contact (PUT /api/v1/domains/{{id}}/ with registrant, admin, tech or billing), then delete it.",
                    names.join(", ")
                ),
            )
        })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
