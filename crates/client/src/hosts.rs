//! A domain's hosts: its child name servers with their addresses (glue),
//! kept at the registry.

use crate::*;

impl Client {
    /// Every host of the domain.
    pub async fn hosts(&self, domain_id: i64) -> Result<Vec<Host>, Error> {
        let page: Page<Host> = self.get(&paths::hosts(domain_id), &[]).await?;
        Ok(page.results)
    }

    /// One host, by name.
    pub async fn host(&self, domain_id: i64, host_name: &str) -> Result<Host, Error> {
        self.get(&paths::host(domain_id, host_name), &[]).await
    }

    /// Creates a host under the domain with its addresses.
    pub async fn create_host(&self, domain_id: i64, host: &HostRequest) -> Result<Host, Error> {
        self.post(&paths::hosts(domain_id), host).await
    }

    /// Replaces a host's addresses (`host_name` is not sent).
    pub async fn update_host(
        &self,
        domain_id: i64,
        host_name: &str,
        host: &HostRequest,
    ) -> Result<Host, Error> {
        self.put(&paths::host(domain_id, host_name), host).await
    }

    /// Deletes a host (refused, `host_in_use`, while a domain names it).
    pub async fn delete_host(&self, domain_id: i64, host_name: &str) -> Result<(), Error> {
        self.delete(&paths::host(domain_id, host_name)).await
    }
}
