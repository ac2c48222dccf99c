//! The account's domains: list, get, register, update, remove, import,
//! transfer in, renew, restore; and the auth code and answers to a
//! transfer out.

use crate::*;

impl Client {
    /// One page of the account's domains.
    pub async fn domains(
        &self,
        filter: &DomainFilter,
        page: PageRequest,
    ) -> Result<Page<Domain>, Error> {
        let mut query = page.query();
        if let Some(status) = &filter.status {
            query.push(("status", status.clone()));
        }
        if let Some(search) = &filter.search {
            query.push(("search", search.clone()));
        }
        self.get(paths::DOMAINS, &query).await
    }

    /// Every domain matching `filter`, page after page.
    pub async fn all_domains(&self, filter: &DomainFilter) -> Result<Vec<Domain>, Error> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 500,
        };
        loop {
            let got = self.domains(filter, page).await?;
            let more = got.next.is_some();
            all.extend(got.results);
            if !more {
                return Ok(all);
            }
            page.page += 1;
        }
    }

    pub async fn domain(&self, id: i64) -> Result<DomainDetail, Error> {
        self.get(&paths::domain(id), &[]).await
    }

    /// The account's domain of this name (case and a final dot ignored).
    pub async fn domain_named(&self, name: &str) -> Result<Option<Domain>, Error> {
        let want = name.trim().trim_end_matches('.').to_lowercase();
        let filter = DomainFilter {
            status: None,
            search: Some(want.clone()),
        };
        Ok(self
            .all_domains(&filter)
            .await?
            .into_iter()
            .find(|d| d.domain_name == want))
    }

    pub async fn register(&self, request: &RegisterRequest) -> Result<Registered, Error> {
        self.post(paths::DOMAINS, request).await
    }

    pub async fn update_domain(&self, id: i64, request: &UpdateRequest) -> Result<Updated, Error> {
        self.put(&paths::domain(id), request).await
    }

    /// Removes the domain from the account (the registration continues).
    pub async fn delete_domain(&self, id: i64) -> Result<(), Error> {
        self.delete(&paths::domain(id)).await
    }

    pub async fn import(&self, domain_name: &str) -> Result<Imported, Error> {
        self.post(
            paths::IMPORT,
            &serde_json::json!({ "domain_name": domain_name }),
        )
        .await
    }

    pub async fn transfer(&self, id: i64, request: &TransferRequest) -> Result<Transfer, Error> {
        self.post(&paths::transfer(id), request).await
    }

    pub async fn renew(&self, id: i64, years: u8) -> Result<Renewed, Error> {
        self.post(&paths::renew(id), &serde_json::json!({ "years": years }))
            .await
    }

    pub async fn restore(&self, id: i64) -> Result<Renewed, Error> {
        self.post(&paths::restore(id), &serde_json::json!({})).await
    }

    /// Cancels a registration within 5 days of it (the add grace period):
    /// deleted at the registry, refunded, gone from the account.
    pub async fn cancel(&self, id: i64) -> Result<Cancelled, Error> {
        self.post(&paths::cancel(id), &serde_json::json!({})).await
    }

    /// Cancels a pending transfer in; its fee is refunded.
    pub async fn cancel_transfer(&self, id: i64) -> Result<TransferCancelled, Error> {
        self.post(&paths::cancel_transfer(id), &serde_json::json!({}))
            .await
    }

    /// The EPP auth code to give the gaining registrar.
    pub async fn auth_code(&self, id: i64) -> Result<AuthCode, Error> {
        self.get(&paths::auth_code(id), &[]).await
    }

    /// A new auth code; the old one stops working.
    pub async fn regenerate_auth_code(&self, id: i64) -> Result<AuthCode, Error> {
        self.post(&paths::auth_code(id), &serde_json::json!({}))
            .await
    }

    /// Lets a pending transfer out go now: the domain leaves the account.
    pub async fn approve_transfer_out(&self, id: i64) -> Result<TransferOutAnswer, Error> {
        self.post(&paths::approve_transfer_out(id), &serde_json::json!({}))
            .await
    }

    /// Refuses a pending transfer out: the domain stays.
    pub async fn reject_transfer_out(&self, id: i64) -> Result<TransferOutAnswer, Error> {
        self.post(&paths::reject_transfer_out(id), &serde_json::json!({}))
            .await
    }
}
