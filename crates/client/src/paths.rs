//! The API's paths, written once: each endpoint of the OpenAPI document
//! (`/api/v1/openapi.json`; `docs/api-v1.md`), relative to the server's
//! root (no leading slash, so a base URL with a path prefix keeps it), with
//! the trailing slash the contract writes. Ids are the API's integer ids.
//! [`crate::Client`] calls these; so do the server's own HTTP tests.

/// `GET` the account's domains (a page); `POST` registers one.
pub const DOMAINS: &str = "api/v1/domains/";
/// `GET` whether names are available (`?domain_name=`).
pub const CHECK: &str = "api/v1/domains/check/";
/// `POST` puts a domain held at another registrar into the account.
pub const IMPORT: &str = "api/v1/domains/import/";
/// `GET` the prices, per top-level domain.
pub const PRICING: &str = "api/v1/pricing/";
/// `GET` the account: its e-mail and balance.
pub const ACCOUNT: &str = "api/v1/account/";
/// `GET` the account's ledger (a page).
pub const TRANSACTIONS: &str = "api/v1/account/transactions/";
/// `GET` the account's audit log (a page).
pub const AUDIT: &str = "api/v1/account/audit/";
/// `GET` the account's contacts (a page); `POST` creates one.
pub const CONTACTS: &str = "api/v1/contacts/";
/// `GET` whether the registry is the sandbox, and its time.
pub const SANDBOX: &str = "api/v1/sandbox/";
/// `GET` the OpenAPI document.
pub const OPENAPI: &str = "api/v1/openapi.json";

/// `GET`, `PUT` (update) and `DELETE` one contact.
pub fn contact(id: i64) -> String {
    format!("{CONTACTS}{id}/")
}

/// `GET`, `PUT` (update) and `DELETE` one domain.
pub fn domain(id: i64) -> String {
    format!("{DOMAINS}{id}/")
}

/// `POST` starts a transfer in.
pub fn transfer(id: i64) -> String {
    format!("{DOMAINS}{id}/transfer/")
}

/// `POST` renews for some years.
pub fn renew(id: i64) -> String {
    format!("{DOMAINS}{id}/renew/")
}

/// `POST` restores a domain in redemption.
pub fn restore(id: i64) -> String {
    format!("{DOMAINS}{id}/restore/")
}

/// `POST` cancels a registration within its add grace period (5 days).
pub fn cancel(id: i64) -> String {
    format!("{DOMAINS}{id}/cancel/")
}

/// `POST` cancels a pending transfer in.
pub fn cancel_transfer(id: i64) -> String {
    format!("{DOMAINS}{id}/transfer/cancel/")
}

/// `GET` the EPP auth code; `POST` makes a new one.
pub fn auth_code(id: i64) -> String {
    format!("{DOMAINS}{id}/auth-code/")
}

/// `POST` lets a pending transfer out go now.
pub fn approve_transfer_out(id: i64) -> String {
    format!("{DOMAINS}{id}/transfer-out/approve/")
}

/// `POST` refuses a pending transfer out.
pub fn reject_transfer_out(id: i64) -> String {
    format!("{DOMAINS}{id}/transfer-out/reject/")
}

/// `GET` a domain's DNS records (a page); `POST` adds one.
pub fn records(domain_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/dns/records/")
}

/// `GET` a domain's zone as a master file (`text/dns`); `POST` imports one
/// (`?mode=merge` or `?mode=replace`).
pub fn zone_file(domain_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/dns/zone/")
}

/// `GET`, `PUT` and `DELETE` one DNS record.
pub fn record(domain_id: i64, record_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/dns/records/{record_id}/")
}

/// `GET` a domain's e-mail forwards; `POST` adds one.
pub fn email_forwards(domain_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/email-forwards/")
}

/// `GET`, `PUT` and `DELETE` one e-mail forward.
pub fn email_forward(domain_id: i64, forward_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/email-forwards/{forward_id}/")
}

/// `GET` a zone's TSIG keys; `POST` makes one.
pub fn tsig_keys(domain_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/dns/tsig-keys/")
}

/// One TSIG key of a zone.
pub fn tsig_key(domain_id: i64, key_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/dns/tsig-keys/{key_id}/")
}

/// `GET` a domain's hosts (child name servers with glue); `POST` adds one.
pub fn hosts(domain_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/hosts/")
}

/// `GET`, `PUT` and `DELETE` one host of a domain, by its name.
pub fn host(domain_id: i64, host_name: &str) -> String {
    format!("{DOMAINS}{domain_id}/hosts/{host_name}/")
}

/// `GET` a domain's URL forwards; `POST` adds one.
pub fn url_forwards(domain_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/url-forwards/")
}

/// `GET`, `PUT` and `DELETE` one URL forward.
pub fn url_forward(domain_id: i64, forward_id: i64) -> String {
    format!("{DOMAINS}{domain_id}/url-forwards/{forward_id}/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_are_relative_with_the_contracts_trailing_slash() {
        assert_eq!(super::domain(7), "api/v1/domains/7/");
        assert_eq!(super::record(7, 9), "api/v1/domains/7/dns/records/9/");
        assert_eq!(
            super::approve_transfer_out(3),
            "api/v1/domains/3/transfer-out/approve/"
        );
    }
}
