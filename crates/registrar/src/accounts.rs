//! Accounts and their money and tokens: open an account, credit it, read
//! its ledger, issue and revoke API tokens.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use vpsd_domain::AuditAction;
use vpsd_domain::Money;
use vpsd_storage::{Account, Actor, Audit};

use crate::{changes, ts, Registrar, RegistrarError};

impl Registrar {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    pub async fn account(
        &self,
        account_id: vpsd_domain::AccountId,
    ) -> Result<Account, RegistrarError> {
        self.store
            .account(account_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// Opens an account; an opening balance is a ledger credit.
    #[tracing::instrument(level = "info", skip_all, fields(request_id = actor.request_id.as_deref()))]
    pub async fn create_account(
        &self,
        actor: &Actor,
        email: &str,
        balance: Money,
    ) -> Result<Account, RegistrarError> {
        Ok(self
            .store
            .create_account(
                email,
                balance,
                self.now(),
                &Audit {
                    actor,
                    action: AuditAction::AccountCreate,
                    changes: changes(&[
                        ("email", Value::Null, json!(email)),
                        ("balance", Value::Null, json!(balance.to_string())),
                    ]),
                },
            )
            .await?)
    }

    /// Adds money to an account (a ledger credit).
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, request_id = actor.request_id.as_deref()))]
    pub async fn credit(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        amount: Money,
        description: &str,
    ) -> Result<Account, RegistrarError> {
        Ok(self
            .store
            .credit_account(
                account_id,
                amount,
                description,
                self.now(),
                &Audit {
                    actor,
                    action: AuditAction::AccountCredit,
                    changes: changes(&[("credit", Value::Null, json!(amount.to_string()))]),
                },
            )
            .await?)
    }

    /// Revokes a token; false when there is no such active token.
    #[tracing::instrument(level = "info", skip_all, fields(token_id = %token_id, request_id = actor.request_id.as_deref()))]
    pub async fn revoke_token(
        &self,
        actor: &Actor,
        token_id: vpsd_domain::TokenId,
    ) -> Result<bool, RegistrarError> {
        Ok(self
            .store
            .revoke_token(
                token_id,
                self.now(),
                &Audit {
                    actor,
                    action: AuditAction::TokenRevoke,
                    changes: changes(&[("token_id", Value::Null, json!(token_id))]),
                },
            )
            .await?)
    }

    /// Creates an API token for an account: returns its id and the token,
    /// which is shown this once (only its hash is kept).
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, request_id = actor.request_id.as_deref()))]
    pub async fn issue_token(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        name: &str,
        read_only: bool,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(vpsd_domain::TokenId, String), RegistrarError> {
        let (token, hash) = vpsd_domain::token::generate();
        let id = self
            .store
            .create_token(
                &vpsd_storage::NewToken {
                    account_id,
                    name: name.to_owned(),
                    token_hash: hash,
                    prefix: vpsd_domain::token::display_prefix(&token),
                    read_only,
                    expires_at,
                    created_at: self.now(),
                },
                &Audit {
                    actor,
                    action: AuditAction::TokenCreate,
                    changes: changes(&[
                        ("name", Value::Null, json!(name)),
                        ("read_only", Value::Null, json!(read_only)),
                        ("expires_at", Value::Null, json!(expires_at.map(ts))),
                    ]),
                },
            )
            .await?;
        Ok((id, token))
    }

    /// One page of the account's ledger, newest first.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    pub async fn transactions(
        &self,
        account_id: vpsd_domain::AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<vpsd_storage::LedgerEntry>), RegistrarError> {
        Ok(self.store.ledger_page(account_id, offset, limit).await?)
    }
}
