//! `GET /api/docs/`: the API reference, rendered from `/api/v1/openapi.json`
//! by Swagger UI. Its script and style sheet are built into the binary (the
//! `swagger-ui-dist` crate carries them) and served under
//! `/api/docs/assets/`, so the page works with no network at all: it loads
//! nothing from any other host.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use swagger_ui_dist::{ApiDefinition, OpenApiSource};

use crate::openapi::DOCUMENT_PATH;

/// Where the page is.
pub const PAGE_PATH: &str = "/api/docs/";

/// Where its assets are.
const ASSETS: &str = "/api/docs/assets";

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>VPS.org Domains API v1</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>
  window.onload = () => {
    window.ui = SwaggerUIBundle({
      url: "/api/v1/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: false,
      validatorUrl: null,
    });
  };
</script>
</body>
</html>
"##;

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Nothing from elsewhere, ever.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
            ),
        ],
        PAGE,
    )
}

/// The page and its assets.
pub fn router() -> Router {
    debug_assert!(PAGE.contains(DOCUMENT_PATH));
    Router::new()
        .route(PAGE_PATH, get(page))
        .route(PAGE_PATH.trim_end_matches('/'), get(page))
        .merge(swagger_ui_dist::generate_routes(ApiDefinition {
            uri_prefix: ASSETS,
            api_definition: OpenApiSource::Uri(DOCUMENT_PATH),
            title: Some("VPS.org Domains API v1"),
        }))
}
