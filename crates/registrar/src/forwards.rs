//! Email and URL forwards of a domain: list, add, change, remove, each
//! audited. What a forward may say is `vpsd_domain::forwarding`'s (the API
//! checks it); the alias or host being free, and the limit, are checked in
//! the store's write transaction.

use serde_json::{json, Value};
use vpsd_domain::{AuditAction, ForwardId};
use vpsd_storage::{
    Actor, Audit, EmailForward, EmailForwardData, ForwardClash, UrlForward, UrlForwardData,
};

use crate::{changes, Registrar, RegistrarError};

fn email_json(f: Option<&EmailForwardData>) -> (Value, Value) {
    match f {
        Some(f) => (json!(f.alias), json!(f.destinations)),
        None => (Value::Null, Value::Null),
    }
}

fn url_json(f: Option<&UrlForwardData>) -> [Value; 4] {
    match f {
        Some(f) => [
            json!(f.host),
            json!(f.target),
            json!(f.status_code),
            json!(f.keep_path),
        ],
        None => [Value::Null, Value::Null, Value::Null, Value::Null],
    }
}

fn email_changes(before: Option<&EmailForwardData>, after: Option<&EmailForwardData>) -> String {
    let (ba, bd) = email_json(before);
    let (aa, ad) = email_json(after);
    changes(&[("alias", ba, aa), ("destinations", bd, ad)])
}

fn url_changes(before: Option<&UrlForwardData>, after: Option<&UrlForwardData>) -> String {
    let [bh, bt, bs, bk] = url_json(before);
    let [ah, at, a_s, ak] = url_json(after);
    changes(&[
        ("host", bh, ah),
        ("target", bt, at),
        ("status_code", bs, a_s),
        ("keep_path", bk, ak),
    ])
}

impl Registrar {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    pub async fn email_forwards(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Vec<EmailForward>, RegistrarError> {
        self.store()
            .email_forwards(account_id, domain_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// Adds a forward, or changes `replacing` (the forward as the caller
    /// read it).
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, forward_id = replacing.map(|f| f.id.get()), request_id = actor.request_id.as_deref()))]
    pub async fn put_email_forward(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<&EmailForward>,
        data: &EmailForwardData,
    ) -> Result<Result<EmailForward, ForwardClash>, RegistrarError> {
        let audit = Audit {
            actor,
            action: if replacing.is_some() {
                AuditAction::EmailForwardUpdate
            } else {
                AuditAction::EmailForwardCreate
            },
            changes: email_changes(replacing.map(Into::into).as_ref(), Some(data)),
        };
        self.store()
            .put_email_forward(
                account_id,
                domain_id,
                replacing.map(|f| f.id),
                data,
                self.now(),
                &audit,
            )
            .await?
            .found()
            .ok_or(RegistrarError::NotFound)
    }

    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, forward_id = %forward_id, request_id = actor.request_id.as_deref()))]
    pub async fn delete_email_forward(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
    ) -> Result<(), RegistrarError> {
        let before = find(
            self.email_forwards(account_id, domain_id).await?,
            forward_id,
            |f| f.id,
        )?;
        let audit = Audit {
            actor,
            action: AuditAction::EmailForwardDelete,
            changes: email_changes(Some(&(&before).into()), None),
        };
        self.store()
            .delete_email_forward(account_id, domain_id, forward_id, self.now(), &audit)
            .await?
            .then_some(())
            .ok_or(RegistrarError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    pub async fn url_forwards(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Vec<UrlForward>, RegistrarError> {
        self.store()
            .url_forwards(account_id, domain_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// Adds a forward, or changes `replacing` (the forward as the caller
    /// read it).
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, forward_id = replacing.map(|f| f.id.get()), request_id = actor.request_id.as_deref()))]
    pub async fn put_url_forward(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        replacing: Option<&UrlForward>,
        data: &UrlForwardData,
    ) -> Result<Result<UrlForward, ForwardClash>, RegistrarError> {
        let audit = Audit {
            actor,
            action: if replacing.is_some() {
                AuditAction::UrlForwardUpdate
            } else {
                AuditAction::UrlForwardCreate
            },
            changes: url_changes(replacing.map(Into::into).as_ref(), Some(data)),
        };
        self.store()
            .put_url_forward(
                account_id,
                domain_id,
                replacing.map(|f| f.id),
                data,
                self.now(),
                &audit,
            )
            .await?
            .found()
            .ok_or(RegistrarError::NotFound)
    }

    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, forward_id = %forward_id, request_id = actor.request_id.as_deref()))]
    pub async fn delete_url_forward(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        forward_id: ForwardId,
    ) -> Result<(), RegistrarError> {
        let before = find(
            self.url_forwards(account_id, domain_id).await?,
            forward_id,
            |f| f.id,
        )?;
        let audit = Audit {
            actor,
            action: AuditAction::UrlForwardDelete,
            changes: url_changes(Some(&(&before).into()), None),
        };
        self.store()
            .delete_url_forward(account_id, domain_id, forward_id, self.now(), &audit)
            .await?
            .then_some(())
            .ok_or(RegistrarError::NotFound)
    }
}

/// The item with `id`, or a 404.
pub(crate) fn find<T>(
    items: Vec<T>,
    id: ForwardId,
    id_of: impl Fn(&T) -> ForwardId,
) -> Result<T, RegistrarError> {
    items
        .into_iter()
        .find(|i| id_of(i) == id)
        .ok_or(RegistrarError::NotFound)
}
