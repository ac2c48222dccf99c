//! `vps hosts ...`: a domain's own name servers (child name servers) with
//! their addresses (glue) at the registry.

use vps_client::{Client, Host, HostRequest};

use super::domain_id;
use crate::output::{json, note, table, yes_no};
use crate::HostsCommand;

fn rows(list: &[Host]) -> Vec<Vec<String>> {
    list.iter()
        .map(|h| {
            vec![
                h.host_name.clone(),
                h.ip_addresses.join(", "),
                yes_no(h.linked),
            ]
        })
        .collect()
}

pub(super) async fn hosts(
    api: &Client,
    command: HostsCommand,
    as_json: bool,
) -> anyhow::Result<()> {
    const HEADER: &[&str] = &["HOST", "ADDRESSES", "LINKED"];
    let one = |h: Host| -> anyhow::Result<()> {
        if as_json {
            return json(&h);
        }
        table(HEADER, rows(&[h]))?;
        Ok(())
    };
    match command {
        HostsCommand::List { domain } => {
            let id = domain_id(api, &domain).await?;
            let list = api.hosts(id).await?;
            if as_json {
                return json(&list);
            }
            table(HEADER, rows(&list))?;
            Ok(())
        }
        HostsCommand::Get { domain, host_name } => {
            let id = domain_id(api, &domain).await?;
            one(api.host(id, &host_name).await?)
        }
        HostsCommand::Create {
            domain,
            host_name,
            ip_addresses,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = HostRequest {
                host_name: Some(host_name),
                ip_addresses,
            };
            one(api.create_host(id, &request).await?)
        }
        HostsCommand::Update {
            domain,
            host_name,
            ip_addresses,
        } => {
            let id = domain_id(api, &domain).await?;
            let request = HostRequest {
                host_name: None,
                ip_addresses,
            };
            one(api.update_host(id, &host_name, &request).await?)
        }
        HostsCommand::Delete { domain, host_name } => {
            let id = domain_id(api, &domain).await?;
            api.delete_host(id, &host_name).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": host_name }));
            }
            note(format!("Deleted host {host_name}."));
            Ok(())
        }
    }
}
