//! A zone's TSIG keys (RFC 8945; docs/api.md, "TSIG keys"): made, listed
//! and deleted by the zone's owner; the secret is made here, shown once
//! and kept sealed with the operator's secrets key (`secrets.rs`); found
//! by name for each signed DNS message (`vpsd-dns`).

use base64::Engine;
use serde_json::json;
use vpsd_domain::dns::tsig::{key_name, TsigAlgorithm, MAX_KEYS_PER_ZONE};
use vpsd_domain::{AuditAction, ErrorCode, TsigKeyId};
use vpsd_storage::{Actor, Audit, NewTsigKey, StoreError, TsigKey};

use crate::secrets::random_bytes;
use crate::{changes, Registrar, RegistrarError};

/// A key as made: the key and its secret, base64 (RFC 4648 §4), which is
/// never shown again. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct NewKey {
    pub key: TsigKey,
    pub secret: String,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A key found for a signed message: whose it is, its zone, and its secret
/// to check the MAC with. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct UsableKey {
    pub key: TsigKey,
    pub account_id: vpsd_domain::AccountId,
    /// The zone's name, lower-case A-label.
    pub zone: String,
    /// The secret, raw bytes.
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for UsableKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsableKey")
            .field("key", &self.key)
            .field("zone", &self.zone)
            .finish_non_exhaustive()
    }
}

impl Registrar {
    /// Makes a key named `label` plus the zone's name for the domain's
    /// zone, with a new random secret as long as the algorithm's output.
    /// Errors: `NotFound` (not the account's domain); 400
    /// `invalid_fields` (a bad label); 409 `conflict` (the name is taken,
    /// or the zone has its 20 keys); 400 `secrets_key_missing` when the
    /// operator has no secrets key to seal it with.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn create_tsig_key(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        label: &str,
        algorithm: TsigAlgorithm,
    ) -> Result<NewKey, RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let name = key_name(label, &domain.domain_name)
            .map_err(|e| RegistrarError::invalid(ErrorCode::InvalidFields, e))?;
        let Some(sealer) = self.settings().secrets.as_ref() else {
            return Err(RegistrarError::invalid(
                ErrorCode::SecretsKeyMissing,
                "This server has no secrets key to keep TSIG secrets with: its operator sets one with `vpsd serve --secrets-key-file`.",
            ));
        };
        let secret = random_bytes(algorithm.output_len());
        let new = NewTsigKey {
            secret_sealed: sealer.seal(&secret, &name),
            name: name.clone(),
            algorithm,
            created_at: self.now(),
        };
        let audit = Audit {
            actor,
            action: AuditAction::TsigKeyCreate,
            changes: changes(&[
                ("name", json!(null), json!(name)),
                ("algorithm", json!(null), json!(algorithm.as_str())),
            ]),
        };
        let key = self
            .store()
            .create_tsig_key(account_id, domain_id, &new, &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => RegistrarError::NotFound,
                StoreError::Conflict { constraint } if constraint == "tsig_keys_per_zone" => {
                    RegistrarError::Conflict(format!(
                        "The zone has {MAX_KEYS_PER_ZONE} keys already: delete one first."
                    ))
                }
                StoreError::Conflict { .. } => RegistrarError::Conflict(format!(
                    "The zone has a key named {name} already: choose another name, or delete that key first."
                )),
                other => other.into(),
            })?;
        Ok(NewKey {
            key,
            secret: base64::engine::general_purpose::STANDARD.encode(secret),
        })
    }

    /// The zone's keys, oldest first (never their secrets); `NotFound`
    /// when the domain is not the account's.
    pub async fn tsig_keys(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Vec<TsigKey>, RegistrarError> {
        self.store()
            .tsig_keys(account_id, domain_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// Deletes a key: messages signed with it are refused from then on.
    /// `NotFound` when the domain or the key is not the account's.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, key_id = %key_id, request_id = actor.request_id.as_deref()))]
    pub async fn delete_tsig_key(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key_id: TsigKeyId,
    ) -> Result<(), RegistrarError> {
        let key = self
            .tsig_keys(account_id, domain_id)
            .await?
            .into_iter()
            .find(|k| k.id == key_id)
            .ok_or(RegistrarError::NotFound)?;
        let audit = Audit {
            actor,
            action: AuditAction::TsigKeyDelete,
            changes: changes(&[
                ("name", json!(key.name), json!(null)),
                ("algorithm", json!(key.algorithm.as_str()), json!(null)),
            ]),
        };
        let deleted = self
            .store()
            .delete_tsig_key(account_id, domain_id, key_id, self.now(), &audit)
            .await?;
        if deleted {
            Ok(())
        } else {
            Err(RegistrarError::NotFound)
        }
    }

    /// The key named `name` (absolute, any case, a final dot allowed) with
    /// its secret, for a message signed with it; `None` when there is no
    /// such key, its domain is gone, or its secret does not open with this
    /// server's secrets key (logged, without the secret).
    pub async fn tsig_key_for_message(
        &self,
        name: &str,
    ) -> Result<Option<UsableKey>, RegistrarError> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let Some(found) = self.store().tsig_key_by_name(&name).await? else {
            return Ok(None);
        };
        let Some(sealer) = self.settings().secrets.as_ref() else {
            tracing::warn!(key = %name, "a message is signed with a TSIG key, but this process has no secrets key (--secrets-key-file) to open it with");
            return Ok(None);
        };
        let Some(secret) = sealer.open(&found.secret_sealed, &found.key.name) else {
            tracing::warn!(key = %name, "a TSIG key's secret does not open with this process's secrets key: is --secrets-key-file the file the key was made with?");
            return Ok(None);
        };
        Ok(Some(UsableKey {
            key: found.key,
            account_id: found.account_id,
            zone: found.zone,
            secret,
        }))
    }

    /// The secret of key `key_id` of the account's domain, base64, for the
    /// replay of the answer that made it (an `Idempotency-Key`); `None`
    /// when the key is gone or its secret does not open.
    pub async fn tsig_key_secret(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key_id: TsigKeyId,
    ) -> Result<Option<String>, RegistrarError> {
        let Some(key) = self
            .tsig_keys(account_id, domain_id)
            .await?
            .into_iter()
            .find(|k| k.id == key_id)
        else {
            return Ok(None);
        };
        Ok(self
            .tsig_key_for_message(&key.name)
            .await?
            .filter(|k| k.key.id == key_id)
            .map(|k| base64::engine::general_purpose::STANDARD.encode(k.secret)))
    }

    /// Notes that a message signed with `key_id` was accepted.
    pub async fn tsig_key_used(&self, key_id: TsigKeyId) -> Result<(), RegistrarError> {
        Ok(self.store().tsig_key_used(key_id, self.now()).await?)
    }
}
