//! The one error type of the HTTP layer. Every error is a JSON body
//! `{"detail", "code"}` plus `errors` for field validation (api-v1.md,
//! "Common rules"), never HTML and never an empty 500.

use std::collections::BTreeMap;
pub use vpsd_domain::ErrorCode;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use vpsd_registrar::RegistrarError;

/// Every error's body (api-v1.md, "Common rules").
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub(crate) struct ErrorBody<'a> {
    /// A sentence a person can act on.
    #[schema(
        example = "Insufficient funds: the registration costs $12.99 and the balance is $5.00. Add funds, then retry."
    )]
    detail: &'a str,
    /// A machine-readable code (docs/api.md lists them).
    #[schema(example = "insufficient_funds")]
    code: ErrorCode,
    /// For field validation failures: each field at fault and what is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>)]
    errors: Option<&'a BTreeMap<String, Vec<String>>>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Option<BTreeMap<String, Vec<String>>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
        }
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// A 400 naming the fields at fault.
    pub fn fields(errors: BTreeMap<String, Vec<String>>) -> Self {
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        let detail = match errors.iter().next() {
            Some((field, msgs)) if errors.len() == 1 => {
                format!("{field}: {}", msgs.join(" "))
            }
            _ => format!("Invalid fields: {}. See errors for each.", names.join(", ")),
        };
        Self {
            status: StatusCode::BAD_REQUEST,
            code: ErrorCode::InvalidFields,
            detail,
            errors: Some(errors),
        }
    }

    pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut errors = BTreeMap::new();
        errors.insert(field.to_owned(), vec![message.clone()]);
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            detail: message,
            errors: Some(errors),
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Not found: check the domain id (GET /api/v1/domains/ lists yours).",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::NotAuthenticated,
            "Authentication credentials were missing or invalid: send Authorization: Bearer <your API token>.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side; nothing was changed. Try again in a moment.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            detail: &self.detail,
            code: self.code,
            errors: self.errors.as_ref(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl ApiError {
    /// `e`, with `not_found` as its 404 (an item under a domain says which
    /// ids to check).
    pub fn or_not_found(e: RegistrarError, not_found: fn() -> ApiError) -> ApiError {
        match e {
            RegistrarError::NotFound => not_found(),
            e => e.into(),
        }
    }
}

impl From<RegistrarError> for ApiError {
    fn from(e: RegistrarError) -> Self {
        match e {
            RegistrarError::NotFound => ApiError::not_found(),
            RegistrarError::Invalid { code, detail } => ApiError::bad_request(code, detail),
            RegistrarError::InvalidFields(errors) => ApiError::fields(errors),
            RegistrarError::InsufficientFunds { detail } => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorCode::InsufficientFunds,
                detail,
            ),
            RegistrarError::Conflict(detail) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, detail)
            }
            RegistrarError::Unavailable(e) => {
                tracing::error!(error = %vpsd_domain::ErrorChain(&*e), "registry unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::RegistryUnavailable,
                    "The registry is not answering; nothing was changed. Try again in a minute.",
                )
            }
            RegistrarError::Internal(e) => {
                tracing::error!(error = %vpsd_domain::ErrorChain(&*e), "internal error");
                ApiError::internal()
            }
        }
    }
}
