//! `GET /api/v1/sandbox/`: whether this server is a sandbox (the embedded
//! registry, whose test clock the operator moves with
//! `vpsd sandbox clock advance`), and its time, which every date in every
//! answer follows.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::openapi::Routes;
use crate::views::rfc3339;
use crate::AppState;

/// The routes and their document.
pub fn routes() -> Routes {
    Routes::new().serve(routes!(sandbox))
}

/// The server's mode and time.
#[derive(Serialize, ToSchema)]
#[schema(as = Sandbox)]
struct SandboxView {
    /// True with the embedded registry: names, transfers and money are
    /// make-believe, and the clock can be moved forward.
    sandbox: bool,
    /// The time every rule and every answer uses.
    #[serde(serialize_with = "rfc3339")]
    time: DateTime<Utc>,
    /// How far the test clock has been moved ahead of the real one.
    ahead_by_seconds: i64,
}

/// Whether this server is a sandbox, and its time.
#[utoipa::path(get, operation_id = "getSandbox", path = "/api/v1/sandbox/", tag = "sandbox",
    responses((status = 200, description = "The mode and the time.", body = SandboxView)))]
async fn sandbox(State(state): State<AppState>) -> Result<Response, ApiError> {
    let ahead = state
        .registrar
        .store()
        .sandbox_offset()
        .await
        .map_err(vpsd_registrar::RegistrarError::from)?;
    Ok(Json(SandboxView {
        sandbox: state.registrar.is_sandbox(),
        time: state.registrar.now(),
        ahead_by_seconds: ahead,
    })
    .into_response())
}
