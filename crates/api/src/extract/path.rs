//! The ids of a path: anything but a positive integer is a 404, as for any
//! id that names nothing in the account.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::ApiError;

/// The `{domain_id}` of a path. Anything but a positive integer is a 404,
/// as for any id that names no domain.
#[derive(Debug, Clone, Copy)]
pub struct DomainId(pub vpsd_domain::DomainId);

impl<S: Send + Sync> FromRequestParts<S> for DomainId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(DomainId(id.into())),
            _ => Err(ApiError::not_found()),
        }
    }
}

/// The `{contact_id}` of a path. Anything but a positive integer is a 404,
/// as for any id that names no contact of the account.
#[derive(Debug, Clone, Copy)]
pub struct ContactIdPath(pub vpsd_domain::ContactId);

impl<S: Send + Sync> FromRequestParts<S> for ContactIdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| crate::routes::contacts::contact_not_found())?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(ContactIdPath(id.into())),
            _ => Err(crate::routes::contacts::contact_not_found()),
        }
    }
}

/// The ids of a path under a domain, such as
/// `/domains/{domain_id}/dns/records/{record_id}/`: the domain's, and the
/// item's when the path has one, as `I` (`RecordId`, `ForwardId`).
/// Anything but positive integers is a 404.
#[derive(Debug, Clone, Copy)]
pub struct ItemPath<I> {
    pub domain_id: vpsd_domain::DomainId,
    pub item_id: Option<I>,
}

impl<S: Send + Sync, I: From<i64> + Send> FromRequestParts<S> for ItemPath<I> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        let id = |v: &str| match v.parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(ApiError::not_found()),
        };
        let (mut domain_id, mut item_id) = (None, None);
        for (key, value) in &params {
            if key == "domain_id" {
                domain_id = Some(vpsd_domain::DomainId::from(id(value)?));
            } else {
                item_id = Some(I::from(id(value)?));
            }
        }
        let domain_id = domain_id.ok_or_else(ApiError::not_found)?;
        Ok(ItemPath { domain_id, item_id })
    }
}
