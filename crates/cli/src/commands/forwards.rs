//! `vps email-forwards ...` and `vps url-forwards ...`: a domain's email
//! and URL forwards.

use vps_client::{Client, EmailForwardRequest, UrlForwardRequest};

use super::domain_id;
use crate::output::{json, note, table, yes_no};
use crate::{EmailCommand, UrlCommand};

fn email_rows(list: &[vps_client::EmailForward]) -> Vec<Vec<String>> {
    list.iter()
        .map(|f| {
            vec![
                f.id.to_string(),
                f.address.clone(),
                f.destinations.join(", "),
            ]
        })
        .collect()
}

pub(super) async fn email_forwards(
    api: &Client,
    command: EmailCommand,
    as_json: bool,
) -> anyhow::Result<()> {
    const HEADER: &[&str] = &["ID", "ADDRESS", "FORWARDS TO"];
    let one = |f: vps_client::EmailForward| -> anyhow::Result<()> {
        if as_json {
            return json(&f);
        }
        table(HEADER, email_rows(&[f]))?;
        Ok(())
    };
    match command {
        EmailCommand::List { domain } => {
            let id = domain_id(api, &domain).await?;
            let list = api.email_forwards(id).await?;
            if as_json {
                return json(&list);
            }
            table(HEADER, email_rows(&list))?;
            Ok(())
        }
        EmailCommand::Get { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            one(api.email_forward(id, forward_id).await?)
        }
        EmailCommand::Add {
            domain,
            alias,
            destinations,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = EmailForwardRequest {
                alias: Some(alias),
                destinations: Some(destinations),
            };
            one(api.add_email_forward(id, &request).await?)
        }
        EmailCommand::Update {
            domain,
            forward_id,
            alias,
            destinations,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = EmailForwardRequest {
                alias,
                destinations: (!destinations.is_empty()).then_some(destinations),
            };
            one(api.update_email_forward(id, forward_id, &request).await?)
        }
        EmailCommand::Delete { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_email_forward(id, forward_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": forward_id }));
            }
            note(format!("Deleted email forward {forward_id}."));
            Ok(())
        }
    }
}

fn url_rows(list: &[vps_client::UrlForward]) -> Vec<Vec<String>> {
    list.iter()
        .map(|f| {
            vec![
                f.id.to_string(),
                f.fqdn.clone(),
                f.target.clone(),
                f.status_code.to_string(),
                yes_no(f.keep_path),
            ]
        })
        .collect()
}

pub(super) async fn url_forwards(
    api: &Client,
    command: UrlCommand,
    as_json: bool,
) -> anyhow::Result<()> {
    const HEADER: &[&str] = &["ID", "HOST", "TARGET", "STATUS", "KEEP PATH"];
    let one = |f: vps_client::UrlForward| -> anyhow::Result<()> {
        if as_json {
            return json(&f);
        }
        table(HEADER, url_rows(&[f]))?;
        Ok(())
    };
    match command {
        UrlCommand::List { domain } => {
            let id = domain_id(api, &domain).await?;
            let list = api.url_forwards(id).await?;
            if as_json {
                return json(&list);
            }
            table(HEADER, url_rows(&list))?;
            Ok(())
        }
        UrlCommand::Get { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            one(api.url_forward(id, forward_id).await?)
        }
        UrlCommand::Add {
            domain,
            target,
            host,
            status_code,
            keep_path,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = UrlForwardRequest {
                host: Some(host),
                target: Some(target),
                status_code,
                keep_path: keep_path.then_some(true),
            };
            one(api.add_url_forward(id, &request).await?)
        }
        UrlCommand::Update {
            domain,
            forward_id,
            host,
            target,
            status_code,
            keep_path,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = UrlForwardRequest {
                host,
                target,
                status_code,
                keep_path,
            };
            one(api.update_url_forward(id, forward_id, &request).await?)
        }
        UrlCommand::Delete { domain, forward_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_url_forward(id, forward_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": forward_id }));
            }
            note(format!("Deleted URL forward {forward_id}."));
            Ok(())
        }
    }
}
