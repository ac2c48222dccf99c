//! `vps dns keys ...`: a zone's TSIG keys (RFC 8945), which sign dynamic
//! updates (RFC 2136) and zone transfers at the nameserver. A new key's
//! secret is printed once, with the `-y` argument `nsupdate` and `dig`
//! take.

use vps_client::{Client, TsigKey, TsigKeyRequest};

use super::domain_id;
use crate::output::{json, note, out, table};
use crate::KeysCommand;

fn rows(list: &[TsigKey]) -> Vec<Vec<String>> {
    list.iter()
        .map(|k| {
            vec![
                k.id.to_string(),
                k.name.clone(),
                k.algorithm.clone(),
                k.last_used_at
                    .map_or_else(|| "never".to_owned(), |t| t.to_rfc3339()),
            ]
        })
        .collect()
}

pub(super) async fn keys(api: &Client, command: KeysCommand, as_json: bool) -> anyhow::Result<()> {
    match command {
        KeysCommand::List { domain } => {
            let id = domain_id(api, &domain).await?;
            let list = api.tsig_keys(id).await?;
            if as_json {
                return json(&list);
            }
            table(&["ID", "NAME", "ALGORITHM", "LAST USED"], rows(&list))?;
            Ok(())
        }
        KeysCommand::Create {
            domain,
            name,
            algorithm,
        } => {
            let id = domain_id(api, &domain).await?;
            let key = api
                .create_tsig_key(id, &TsigKeyRequest { name, algorithm })
                .await?;
            if as_json {
                return json(&key);
            }
            let secret = key.secret.clone().unwrap_or_default();
            note("The secret is shown this once: keep it now.");
            out(format!(
                "id        {}\nname      {}\nalgorithm {}\nsecret    {secret}\nnsupdate  -y {}:{}:{secret}",
                key.id, key.name, key.algorithm, key.algorithm, key.name
            ))
        }
        KeysCommand::Delete { domain, key_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_tsig_key(id, key_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": key_id }));
            }
            note(format!("Deleted key {key_id}."));
            Ok(())
        }
    }
}
