//! `/verify-email/`: the page a contact's verification mail links to
//! (ICANN RAA, Whois Accuracy Program). It takes no API token: the token
//! in the link (256 random bits, only its hash kept) is the proof.
//!
//! `GET /verify-email/?token=...` answers a page with a button; only its
//! `POST` (a form, `token=...`) marks the email verified, so a mail
//! scanner that fetches every link verifies nothing. Not in the OpenAPI
//! document: it is for people, not for API clients.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use crate::AppState;

/// Where the page is.
pub const PAGE_PATH: &str = "/verify-email/";

/// The page's routes (with and without the slash).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PAGE_PATH, get(show).post(verify))
        .route("/verify-email", get(show).post(verify))
        .with_state(state)
}

#[derive(Deserialize)]
struct TokenParam {
    #[serde(default)]
    token: String,
}

/// A token as mailed: 64 hex digits (anything else names nothing).
fn plausible(token: &str) -> Option<&str> {
    let t = token.trim();
    (t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())).then_some(t)
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn unknown() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<p>This verification link is not valid: it was used already, or the address \
         changed since and a newer mail was sent. Use the link of the newest mail.</p>",
    )
}

/// The page with the button (changes nothing).
async fn show(Query(q): Query<TokenParam>) -> Response {
    let Some(token) = plausible(&q.token) else {
        return unknown();
    };
    page(
        StatusCode::OK,
        "Verify your email address",
        &format!(
            "<p>Press the button to confirm that this address reaches you.</p>\n\
             <form method=\"post\" action=\"{PAGE_PATH}\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <button type=\"submit\">Verify</button></form>"
        ),
    )
}

/// Marks the email verified.
async fn verify(State(state): State<AppState>, Form(f): Form<TokenParam>) -> Response {
    let Some(token) = plausible(&f.token) else {
        return unknown();
    };
    match state.registrar.verify_email(token).await {
        Ok(_) => page(
            StatusCode::OK,
            "Email address verified",
            "<p>Thank you: the address is verified. You can close this page.</p>",
        ),
        Err(vpsd_registrar::RegistrarError::NotFound) => unknown(),
        Err(e) => {
            tracing::error!(error = %vpsd_domain::ErrorChain(&e), "email verification failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<p>The address could not be verified just now; nothing changed. Try the link again in a moment.</p>",
            )
        }
    }
}
