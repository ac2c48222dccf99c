//! The URL forwarding listener (`vpsd serve --forward-listen ADDR`): answers
//! every request by its `Host` with the redirect its URL forward says
//! (docs/api.md, "Forwarding"). No token: these are the public's requests.
//!
//! `GET /.well-known/vpsd/ask?domain=HOST` answers 200 when HOST is a
//! forwarded host and 404 otherwise: Caddy's on-demand TLS `ask`, so a Caddy
//! in front gets certificates for forwarded hosts only (docs/forwarding.md).

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use vpsd_domain::forwarding::redirect_location;
use vpsd_registrar::Registrar;
use vpsd_storage::UrlForward;

/// The forwarding listener's application.
pub fn router(registrar: Registrar) -> Router {
    Router::new()
        .route("/.well-known/vpsd/ask", get(ask))
        .fallback(redirect)
        .with_state(registrar)
}

/// A host as asked: lower case, without port or final dot.
fn normalize(host: &str) -> String {
    let host = host.trim();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(']') => h,
        _ => host,
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The forward of `host`: its domain is one of the host's suffixes of two
/// labels or more, the rest the forward's host (`@` for the domain itself).
async fn forward_of(registrar: &Registrar, host: &str) -> Option<UrlForward> {
    let labels: Vec<&str> = host.split('.').collect();
    for split in 0..labels.len().saturating_sub(1) {
        let domain = labels[split..].join(".");
        let rel = if split == 0 {
            "@".to_owned()
        } else {
            labels[..split].join(".")
        };
        match registrar.store().url_forward_for(&domain, &rel).await {
            Ok(Some(f)) => return Some(f),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "URL forward lookup");
                return None;
            }
        }
    }
    None
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn redirect(State(registrar): State<Registrar>, req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(normalize)
        .unwrap_or_default();
    let Some(forward) = forward_of(&registrar, &host).await else {
        return text(
            StatusCode::NOT_FOUND,
            "No forward is set up for this host.\n",
        );
    };
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let location = redirect_location(&forward.target, forward.keep_path, path);
    let status = StatusCode::from_u16(u16::try_from(forward.status_code).unwrap_or(302))
        .unwrap_or(StatusCode::FOUND);
    match HeaderValue::from_str(&location) {
        Ok(value) => (status, [(header::LOCATION, value)]).into_response(),
        Err(_) => text(
            StatusCode::BAD_GATEWAY,
            "The forward's target is not a valid URL.\n",
        ),
    }
}

#[derive(serde::Deserialize)]
struct Ask {
    domain: Option<String>,
}

async fn ask(State(registrar): State<Registrar>, Query(q): Query<Ask>) -> Response {
    let host = normalize(q.domain.as_deref().unwrap_or(""));
    if !host.is_empty() && forward_of(&registrar, &host).await.is_some() {
        text(StatusCode::OK, "ok\n")
    } else {
        text(StatusCode::NOT_FOUND, "not a forwarded host\n")
    }
}
