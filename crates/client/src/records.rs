//! A domain's DNS records.

use crate::*;

impl Client {
    pub async fn dns_records(
        &self,
        domain_id: i64,
        rtype: Option<&str>,
        name: Option<&str>,
    ) -> Result<Vec<DnsRecord>, Error> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 500,
        };
        loop {
            let mut query = page.query();
            if let Some(t) = rtype {
                query.push(("type", t.to_owned()));
            }
            if let Some(n) = name {
                query.push(("name", n.to_owned()));
            }
            let got: Page<DnsRecord> = self.get(&paths::records(domain_id), &query).await?;
            let more = got.next.is_some();
            all.extend(got.results);
            if !more {
                return Ok(all);
            }
            page.page += 1;
        }
    }

    pub async fn dns_record(&self, domain_id: i64, record_id: i64) -> Result<DnsRecord, Error> {
        self.get(&paths::record(domain_id, record_id), &[]).await
    }

    pub async fn add_dns_record(
        &self,
        domain_id: i64,
        record: &RecordRequest,
    ) -> Result<DnsRecord, Error> {
        self.post(&paths::records(domain_id), record).await
    }

    pub async fn update_dns_record(
        &self,
        domain_id: i64,
        record_id: i64,
        record: &RecordRequest,
    ) -> Result<DnsRecord, Error> {
        self.put(&paths::record(domain_id, record_id), record).await
    }

    pub async fn delete_dns_record(&self, domain_id: i64, record_id: i64) -> Result<(), Error> {
        self.delete(&paths::record(domain_id, record_id)).await
    }

    /// The zone as a master file (RFC 1035 §5; `GET .../dns/zone/`).
    pub async fn zone_file(&self, domain_id: i64) -> Result<String, Error> {
        self.send_text(Method::GET, &paths::zone_file(domain_id), &[], None)
            .await
    }

    /// Imports zone file `text` into the zone, `replace` or merge
    /// (`POST .../dns/zone/?mode=`): all or nothing; an `Error::Api` with
    /// code `invalid_zone_file` names each line at fault in `errors`.
    pub async fn import_zone_file(
        &self,
        domain_id: i64,
        text: &str,
        replace: bool,
    ) -> Result<ZoneImport, Error> {
        let mode = if replace { "replace" } else { "merge" };
        let answer = self
            .send_text(
                Method::POST,
                &paths::zone_file(domain_id),
                &[("mode", mode.to_owned())],
                Some(("text/dns", text.to_owned())),
            )
            .await?;
        serde_json::from_str(&answer).map_err(|e| Error::Unexpected {
            status: StatusCode::OK,
            message: e.to_string(),
        })
    }
}

impl Client {
    /// The zone's TSIG keys (never their secrets).
    pub async fn tsig_keys(&self, domain_id: i64) -> Result<Vec<TsigKey>, Error> {
        let page: Page<TsigKey> = self.get(&paths::tsig_keys(domain_id), &[]).await?;
        Ok(page.results)
    }

    /// Makes a TSIG key for the zone; the answer holds its `secret`, which
    /// the server never shows again.
    pub async fn create_tsig_key(
        &self,
        domain_id: i64,
        key: &TsigKeyRequest,
    ) -> Result<TsigKey, Error> {
        self.post(&paths::tsig_keys(domain_id), key).await
    }

    /// Deletes a TSIG key: messages signed with it are refused from then on.
    pub async fn delete_tsig_key(&self, domain_id: i64, key_id: i64) -> Result<(), Error> {
        self.delete(&paths::tsig_key(domain_id, key_id)).await
    }
}
