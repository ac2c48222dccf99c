//! Availability, prices, the account and its ledger.

use crate::*;

impl Client {
    pub async fn check(&self, names: &[String]) -> Result<Check, Error> {
        let query: Vec<(&str, String)> = names.iter().map(|n| ("domain_name", n.clone())).collect();
        self.get(paths::CHECK, &query).await
    }

    pub async fn pricing(&self) -> Result<Pricing, Error> {
        self.get(paths::PRICING, &[]).await
    }

    pub async fn account(&self) -> Result<Account, Error> {
        self.get(paths::ACCOUNT, &[]).await
    }

    pub async fn transactions(&self, page: PageRequest) -> Result<Page<Transaction>, Error> {
        self.get(paths::TRANSACTIONS, &page.query()).await
    }
}
