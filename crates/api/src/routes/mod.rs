//! The routes, one module per resource: each parses its request (path,
//! query, body), calls the registrar and shapes the answer from
//! [`crate::views`].

use axum::http::StatusCode;
use axum::Router;

use crate::error::{ApiError, ErrorCode};
use crate::middleware::observe;
use crate::openapi;
use crate::AppState;

pub mod account;
pub mod contacts;
pub mod domains;
pub mod forwards;
pub mod hosts;
pub mod pricing;
pub mod records;
pub mod redirects;
pub mod sandbox;
pub mod transfer_out;
pub mod tsig_keys;
pub mod zone_file;

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "No such endpoint: see the API reference for the paths under /api/v1/.",
    )
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This method is not allowed on this path: see the API reference for the methods it takes.",
    )
}

/// Every documented route, with the document: the API's routes with
/// `protect` applied (authentication), then the health routes.
pub(crate) fn all_routes(
    protect: impl FnOnce(Router<AppState>) -> Router<AppState>,
) -> openapi::Routes {
    openapi::Routes::new()
        .merge(domains::routes())
        .merge(pricing::routes())
        .merge(account::routes())
        .merge(contacts::routes())
        .merge(records::routes())
        .merge(zone_file::routes())
        .merge(tsig_keys::routes())
        .merge(forwards::routes())
        .merge(hosts::routes())
        .merge(transfer_out::routes())
        .merge(sandbox::routes())
        .map_router(protect)
        .merge(observe::health_routes())
}
