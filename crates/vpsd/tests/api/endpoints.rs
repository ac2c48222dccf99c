//! One helper per endpoint of the OpenAPI document, each answering the
//! status and the JSON body as [`TestApp::get`] and the others do, with the
//! first account's token. The paths are `vps_client::paths`, the ones the
//! client calls; a test about a path itself (a missing trailing slash, a
//! bad id, an unknown route) writes its path literally instead.
//!
//! `query` arguments are a query string without its `?`
//! (`"page_size=500&status=active"`).

// One helper per endpoint: not every test file uses every one.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use vps_client::paths;

use crate::helpers::TestApp;

/// The request path of `relative`, one of `vps_client::paths`.
pub fn api(relative: &str) -> String {
    format!("/{relative}")
}

/// The request path of `relative` with `query` (without its `?`).
pub fn with_query(relative: &str, query: &str) -> String {
    if query.is_empty() {
        api(relative)
    } else {
        format!("/{relative}?{query}")
    }
}

type Answer = (StatusCode, Value);

impl TestApp {
    // ---- contacts

    /// `GET /api/v1/contacts/?query`.
    pub async fn contacts(&self, query: &str) -> Answer {
        self.get(&with_query(paths::CONTACTS, query)).await
    }

    /// `POST /api/v1/contacts/` (`body` as sent).
    pub async fn post_contact(&self, body: Value) -> Answer {
        self.post(&api(paths::CONTACTS), body).await
    }

    /// `GET /api/v1/contacts/{id}/`.
    pub async fn contact(&self, id: i64) -> Answer {
        self.get(&api(&paths::contact(id))).await
    }

    /// `PUT /api/v1/contacts/{id}/`.
    pub async fn put_contact(&self, id: i64, body: Value) -> Answer {
        self.put(&api(&paths::contact(id)), body).await
    }

    /// `DELETE /api/v1/contacts/{id}/`.
    pub async fn delete_contact(&self, id: i64) -> Answer {
        self.delete(&api(&paths::contact(id))).await
    }

    // ---- domains

    /// `GET /api/v1/domains/`: the first page of the account's domains.
    pub async fn domains(&self) -> Answer {
        self.get(&api(paths::DOMAINS)).await
    }

    /// `GET /api/v1/domains/?query`: filtered, searched, paged.
    pub async fn domains_where(&self, query: &str) -> Answer {
        self.get(&with_query(paths::DOMAINS, query)).await
    }

    /// `POST /api/v1/domains/`: registers (`body` as sent).
    pub async fn post_domain(&self, body: Value) -> Answer {
        self.post(&api(paths::DOMAINS), body).await
    }

    /// `GET /api/v1/domains/{id}/`.
    pub async fn domain(&self, id: i64) -> Answer {
        self.get(&api(&paths::domain(id))).await
    }

    /// `PUT /api/v1/domains/{id}/`.
    pub async fn put_domain(&self, id: i64, body: Value) -> Answer {
        self.put(&api(&paths::domain(id)), body).await
    }

    /// `DELETE /api/v1/domains/{id}/`.
    pub async fn delete_domain(&self, id: i64) -> Answer {
        self.delete(&api(&paths::domain(id))).await
    }

    /// `GET /api/v1/domains/check/?query`.
    pub async fn check(&self, query: &str) -> Answer {
        self.get(&with_query(paths::CHECK, query)).await
    }

    /// `POST /api/v1/domains/import/` (`body` as sent).
    pub async fn post_import(&self, body: Value) -> Answer {
        self.post(&api(paths::IMPORT), body).await
    }

    /// `POST /api/v1/domains/{id}/transfer/`.
    pub async fn transfer(&self, id: i64, body: Value) -> Answer {
        self.post(&api(&paths::transfer(id)), body).await
    }

    /// `POST /api/v1/domains/{id}/renew/`.
    pub async fn renew(&self, id: i64, body: Value) -> Answer {
        self.post(&api(&paths::renew(id)), body).await
    }

    /// `POST /api/v1/domains/{id}/restore/` with an empty object.
    pub async fn restore(&self, id: i64) -> Answer {
        self.post(&api(&paths::restore(id)), json!({})).await
    }

    /// `POST /api/v1/domains/{id}/cancel/` with an empty object.
    pub async fn cancel(&self, id: i64) -> Answer {
        self.post(&api(&paths::cancel(id)), json!({})).await
    }

    /// `POST /api/v1/domains/{id}/transfer/cancel/` with an empty object.
    pub async fn cancel_transfer(&self, id: i64) -> Answer {
        self.post(&api(&paths::cancel_transfer(id)), json!({}))
            .await
    }

    /// `GET /api/v1/domains/{id}/auth-code/`.
    pub async fn auth_code(&self, id: i64) -> Answer {
        self.get(&api(&paths::auth_code(id))).await
    }

    /// `POST /api/v1/domains/{id}/auth-code/`: a new code.
    pub async fn regenerate_auth_code(&self, id: i64) -> Answer {
        self.post(&api(&paths::auth_code(id)), json!({})).await
    }

    /// `POST /api/v1/domains/{id}/transfer-out/approve/`.
    pub async fn approve_transfer_out(&self, id: i64) -> Answer {
        self.post(&api(&paths::approve_transfer_out(id)), json!({}))
            .await
    }

    /// `POST /api/v1/domains/{id}/transfer-out/reject/`.
    pub async fn reject_transfer_out(&self, id: i64) -> Answer {
        self.post(&api(&paths::reject_transfer_out(id)), json!({}))
            .await
    }

    // ---- DNS records

    /// `GET /api/v1/domains/{id}/dns/records/`.
    pub async fn records(&self, id: i64) -> Answer {
        self.get(&api(&paths::records(id))).await
    }

    /// `GET /api/v1/domains/{id}/dns/records/?query`.
    pub async fn records_where(&self, id: i64, query: &str) -> Answer {
        self.get(&with_query(&paths::records(id), query)).await
    }

    /// `POST /api/v1/domains/{id}/dns/records/`.
    pub async fn add_record(&self, id: i64, body: Value) -> Answer {
        self.post(&api(&paths::records(id)), body).await
    }

    /// `GET /api/v1/domains/{id}/dns/records/{record_id}/`.
    pub async fn record(&self, id: i64, record_id: i64) -> Answer {
        self.get(&api(&paths::record(id, record_id))).await
    }

    /// `PUT /api/v1/domains/{id}/dns/records/{record_id}/`.
    pub async fn put_record(&self, id: i64, record_id: i64, body: Value) -> Answer {
        self.put(&api(&paths::record(id, record_id)), body).await
    }

    /// `DELETE /api/v1/domains/{id}/dns/records/{record_id}/`.
    pub async fn delete_record(&self, id: i64, record_id: i64) -> Answer {
        self.delete(&api(&paths::record(id, record_id))).await
    }

    // ---- forwarding

    /// `GET /api/v1/domains/{id}/email-forwards/`.
    pub async fn email_forwards(&self, id: i64) -> Answer {
        self.get(&api(&paths::email_forwards(id))).await
    }

    /// `POST /api/v1/domains/{id}/email-forwards/`.
    pub async fn add_email_forward(&self, id: i64, body: Value) -> Answer {
        self.post(&api(&paths::email_forwards(id)), body).await
    }

    /// `GET /api/v1/domains/{id}/email-forwards/{forward_id}/`.
    pub async fn email_forward(&self, id: i64, forward_id: i64) -> Answer {
        self.get(&api(&paths::email_forward(id, forward_id))).await
    }

    /// `PUT /api/v1/domains/{id}/email-forwards/{forward_id}/`.
    pub async fn put_email_forward(&self, id: i64, forward_id: i64, body: Value) -> Answer {
        self.put(&api(&paths::email_forward(id, forward_id)), body)
            .await
    }

    /// `DELETE /api/v1/domains/{id}/email-forwards/{forward_id}/`.
    pub async fn delete_email_forward(&self, id: i64, forward_id: i64) -> Answer {
        self.delete(&api(&paths::email_forward(id, forward_id)))
            .await
    }

    /// `GET /api/v1/domains/{id}/url-forwards/`.
    pub async fn url_forwards(&self, id: i64) -> Answer {
        self.get(&api(&paths::url_forwards(id))).await
    }

    /// `POST /api/v1/domains/{id}/url-forwards/`.
    pub async fn add_url_forward(&self, id: i64, body: Value) -> Answer {
        self.post(&api(&paths::url_forwards(id)), body).await
    }

    /// `GET /api/v1/domains/{id}/url-forwards/{forward_id}/`.
    pub async fn url_forward(&self, id: i64, forward_id: i64) -> Answer {
        self.get(&api(&paths::url_forward(id, forward_id))).await
    }

    /// `PUT /api/v1/domains/{id}/url-forwards/{forward_id}/`.
    pub async fn put_url_forward(&self, id: i64, forward_id: i64, body: Value) -> Answer {
        self.put(&api(&paths::url_forward(id, forward_id)), body)
            .await
    }

    /// `DELETE /api/v1/domains/{id}/url-forwards/{forward_id}/`.
    pub async fn delete_url_forward(&self, id: i64, forward_id: i64) -> Answer {
        self.delete(&api(&paths::url_forward(id, forward_id))).await
    }

    // ---- prices, account, sandbox, document

    /// `GET /api/v1/pricing/`.
    pub async fn pricing(&self) -> Answer {
        self.get(&api(paths::PRICING)).await
    }

    /// `GET /api/v1/account/`.
    pub async fn account(&self) -> Answer {
        self.get(&api(paths::ACCOUNT)).await
    }

    /// `GET /api/v1/account/transactions/?query`.
    pub async fn transactions(&self, query: &str) -> Answer {
        self.get(&with_query(paths::TRANSACTIONS, query)).await
    }

    /// `GET /api/v1/account/audit/?query`.
    pub async fn audit(&self, query: &str) -> Answer {
        self.get(&with_query(paths::AUDIT, query)).await
    }

    /// `GET /api/v1/sandbox/`.
    pub async fn sandbox(&self) -> Answer {
        self.get(&api(paths::SANDBOX)).await
    }

    /// `GET /api/v1/openapi.json`.
    pub async fn openapi(&self) -> Answer {
        self.get(&api(paths::OPENAPI)).await
    }
}

/// The full URL of `relative` (one of `vps_client::paths`) on the server at
/// `base` (`http://host:port`), for a request the helpers cannot make (a
/// header of its own, a raw body, another process's server).
pub fn url(base: &str, relative: &str) -> String {
    format!("{base}/{relative}")
}

impl TestApp {
    /// The full URL of `relative` on this test's server.
    pub fn url(&self, relative: &str) -> String {
        url(&self.base, relative)
    }
}
