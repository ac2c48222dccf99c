//! The account's contacts (RFC 5733).

use crate::*;

impl Client {
    /// A page of the account's contacts, by id.
    pub async fn contacts(&self, page: PageRequest) -> Result<Page<Contact>, Error> {
        self.get(paths::CONTACTS, &page.query()).await
    }

    /// Every contact of the account, a page of 500 at a time.
    pub async fn all_contacts(&self) -> Result<Vec<Contact>, Error> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 500,
        };
        loop {
            let got = self.contacts(page).await?;
            let more = got.next.is_some();
            all.extend(got.results);
            if !more {
                return Ok(all);
            }
            page.page += 1;
        }
    }

    /// One contact.
    pub async fn contact(&self, id: i64) -> Result<Contact, Error> {
        self.get(&paths::contact(id), &[]).await
    }

    /// Creates a contact (the account's first becomes its default).
    pub async fn create_contact(&self, contact: &ContactRequest) -> Result<Contact, Error> {
        self.post(paths::CONTACTS, contact).await
    }

    /// Changes the fields given.
    pub async fn update_contact(
        &self,
        id: i64,
        contact: &ContactRequest,
    ) -> Result<Contact, Error> {
        self.put(&paths::contact(id), contact).await
    }

    /// Deletes a contact no domain names.
    pub async fn delete_contact(&self, id: i64) -> Result<(), Error> {
        self.delete(&paths::contact(id)).await
    }
}
