//! A domain's email and URL forwards.

use crate::*;

impl Client {
    pub async fn email_forwards(&self, domain_id: i64) -> Result<Vec<EmailForward>, Error> {
        let page: Page<EmailForward> = self.get(&paths::email_forwards(domain_id), &[]).await?;
        Ok(page.results)
    }

    pub async fn email_forward(&self, domain_id: i64, id: i64) -> Result<EmailForward, Error> {
        self.get(&paths::email_forward(domain_id, id), &[]).await
    }

    pub async fn add_email_forward(
        &self,
        domain_id: i64,
        forward: &EmailForwardRequest,
    ) -> Result<EmailForward, Error> {
        self.post(&paths::email_forwards(domain_id), forward).await
    }

    pub async fn update_email_forward(
        &self,
        domain_id: i64,
        id: i64,
        forward: &EmailForwardRequest,
    ) -> Result<EmailForward, Error> {
        self.put(&paths::email_forward(domain_id, id), forward)
            .await
    }

    pub async fn delete_email_forward(&self, domain_id: i64, id: i64) -> Result<(), Error> {
        self.delete(&paths::email_forward(domain_id, id)).await
    }

    pub async fn url_forwards(&self, domain_id: i64) -> Result<Vec<UrlForward>, Error> {
        let page: Page<UrlForward> = self.get(&paths::url_forwards(domain_id), &[]).await?;
        Ok(page.results)
    }

    pub async fn url_forward(&self, domain_id: i64, id: i64) -> Result<UrlForward, Error> {
        self.get(&paths::url_forward(domain_id, id), &[]).await
    }

    pub async fn add_url_forward(
        &self,
        domain_id: i64,
        forward: &UrlForwardRequest,
    ) -> Result<UrlForward, Error> {
        self.post(&paths::url_forwards(domain_id), forward).await
    }

    pub async fn update_url_forward(
        &self,
        domain_id: i64,
        id: i64,
        forward: &UrlForwardRequest,
    ) -> Result<UrlForward, Error> {
        self.put(&paths::url_forward(domain_id, id), forward).await
    }

    pub async fn delete_url_forward(&self, domain_id: i64, id: i64) -> Result<(), Error> {
        self.delete(&paths::url_forward(domain_id, id)).await
    }
}
