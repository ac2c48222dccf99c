//! What can be registered and at what price: `vps check` and `vps pricing`.

use vps_client::Client;

use crate::output::{json, table, yes_no};

pub(super) async fn check(api: &Client, names: &[String], as_json: bool) -> anyhow::Result<()> {
    let c = api.check(names).await?;
    if as_json {
        return json(&c);
    }
    table(
        &["NAME", "AVAILABLE", "REGISTER", "RENEW", "NOTE"],
        c.results
            .iter()
            .map(|a| {
                vec![
                    a.domain_name.clone(),
                    yes_no(a.available),
                    a.prices
                        .as_ref()
                        .map(|p| p.register.to_string())
                        .unwrap_or_default(),
                    a.prices
                        .as_ref()
                        .map(|p| p.renew.to_string())
                        .unwrap_or_default(),
                    a.detail.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )?;
    Ok(())
}

pub(super) async fn pricing(api: &Client, as_json: bool) -> anyhow::Result<()> {
    let p = api.pricing().await?;
    if as_json {
        return json(&p);
    }
    table(
        &["TLD", "REGISTER", "RENEW", "TRANSFER", "RESTORE"],
        p.results
            .iter()
            .map(|t| {
                vec![
                    t.tld.clone(),
                    t.prices.register.to_string(),
                    t.prices.renew.to_string(),
                    t.prices.transfer.to_string(),
                    t.prices.restore.to_string(),
                ]
            })
            .collect(),
    )?;
    Ok(())
}
