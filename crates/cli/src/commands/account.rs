//! `vps account`: the account, its balance, and `vps account transactions`.

use vps_client::{Client, PageRequest};

use crate::output::{fields, json, note, table, when};
use crate::AccountCommand;

pub(super) async fn account(
    api: &Client,
    what: Option<AccountCommand>,
    as_json: bool,
) -> anyhow::Result<()> {
    match what {
        None => {
            let a = api.account().await?;
            if as_json {
                return json(&a);
            }
            fields(&[
                ("id", a.id.to_string()),
                ("email", a.email),
                ("balance", a.balance.to_string()),
                ("since", when(&a.created_at)),
            ])?;
            Ok(())
        }
        Some(AccountCommand::Transactions { page }) => {
            let t = api
                .transactions(PageRequest {
                    page: page.page,
                    page_size: page.page_size,
                })
                .await?;
            if as_json {
                return json(&t);
            }
            table(
                &[
                    "ID",
                    "WHEN",
                    "TYPE",
                    "AMOUNT",
                    "BALANCE",
                    "DOMAIN",
                    "DESCRIPTION",
                ],
                t.results
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.to_string(),
                            when(&e.created_at),
                            e.kind.clone(),
                            e.amount.to_string(),
                            e.balance_after.to_string(),
                            e.domain.clone().unwrap_or_default(),
                            e.description.clone(),
                        ]
                    })
                    .collect(),
            )?;
            if t.next.is_some() {
                note(format!("More: --page {}", page.page + 1));
            }
            Ok(())
        }
    }
}
