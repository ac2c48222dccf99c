//! The catalogue of audit actions: what a row of the audit log says
//! happened.
//!
//! Each action is stored as its string ([`AuditAction::as_str`]) in
//! `audit_log.action` and shown as is by `GET /api/v1/account/audit/` and
//! `vpsd audit` (docs/api.md, "Audit log", lists them all; a test checks the
//! list against [`AuditAction::ALL`] both ways). The strings are part of the
//! contract: rows already written keep them, so a variant may be added but
//! never renamed.

use std::fmt;
use std::str::FromStr;

/// Defines [`AuditAction`] from `Variant => "string"` pairs, so each
/// action's name is written once.
macro_rules! audit_actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// One kind of change the audit log records; see the module docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum AuditAction {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)+
        }

        impl AuditAction {
            /// Every action, in the order docs/api.md lists them.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)+];

            /// The action as stored and shown, e.g. `domain.register`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)+
                }
            }
        }
    };
}

audit_actions! {
    /// An account was created (by the operator).
    AccountCreate => "account.create",
    /// Credit was added to an account.
    AccountCredit => "account.credit",
    /// An API token was issued.
    TokenCreate => "token.create",
    /// An API token was revoked.
    TokenRevoke => "token.revoke",
    /// A contact was created.
    ContactCreate => "contact.create",
    /// A contact's fields (or whether it is the default) changed.
    ContactUpdate => "contact.update",
    /// A contact was deleted.
    ContactDelete => "contact.delete",
    /// A DNS record was added to a zone.
    DnsRecordCreate => "dns_record.create",
    /// A DNS record was changed.
    DnsRecordUpdate => "dns_record.update",
    /// A DNS record was deleted.
    DnsRecordDelete => "dns_record.delete",
    /// An email forward was added.
    EmailForwardCreate => "email_forward.create",
    /// An email forward was replaced.
    EmailForwardUpdate => "email_forward.update",
    /// An email forward was deleted.
    EmailForwardDelete => "email_forward.delete",
    /// A URL forward was added.
    UrlForwardCreate => "url_forward.create",
    /// A URL forward was replaced.
    UrlForwardUpdate => "url_forward.update",
    /// A URL forward was deleted.
    UrlForwardDelete => "url_forward.delete",
    /// A registration was asked for and paid (the domain is pending).
    DomainRegister => "domain.register",
    /// The registry refused a registration; the charge was refunded.
    DomainRegisterRefused => "domain.register_refused",
    /// A pending registration completed (the domain is active).
    DomainActivate => "domain.activate",
    /// A domain's settings changed.
    DomainUpdate => "domain.update",
    /// A child name server (host object, RFC 5732) was created at the
    /// registry with its addresses.
    HostCreate => "host.create",
    /// A child name server's addresses changed at the registry.
    HostUpdate => "host.update",
    /// A child name server was deleted at the registry.
    HostDelete => "host.delete",
    /// A TSIG key (RFC 8945) was made for a zone's dynamic updates and
    /// transfers; its secret is never in the entry.
    TsigKeyCreate => "tsig_key.create",
    /// A zone's TSIG key was deleted.
    TsigKeyDelete => "tsig_key.delete",
    /// A registration was undone within the add grace period (RFC 3915
    /// §3.1): deleted at the registry, refunded, gone from the account.
    DomainCancel => "domain.cancel",
    /// A domain was removed from the account.
    DomainRemove => "domain.remove",
    /// A domain registered elsewhere was added to the account.
    DomainImport => "domain.import",
    /// A transfer in was asked for and paid.
    DomainTransfer => "domain.transfer",
    /// The registry refused a transfer in; the charge was refunded.
    DomainTransferRefused => "domain.transfer_refused",
    /// The owner withdrew a pending transfer in at the registry; the
    /// charge was refunded.
    DomainTransferCancel => "domain.transfer_cancel",
    /// A transfer in completed.
    DomainTransferComplete => "domain.transfer_complete",
    /// A transfer in failed at completion; the charge was refunded.
    DomainTransferFailed => "domain.transfer_failed",
    /// The losing registrar rejected a transfer in; the charge was refunded.
    DomainTransferRejected => "domain.transfer_rejected",
    /// Another registrar asked for one of our domains.
    DomainTransferOutRequest => "domain.transfer_out_request",
    /// A transfer away from us was approved (by the owner or after five days).
    DomainTransferOutApprove => "domain.transfer_out_approve",
    /// The owner rejected a transfer away from us.
    DomainTransferOutReject => "domain.transfer_out_reject",
    /// A new auth code was made for a domain.
    DomainAuthCodeRegenerate => "domain.auth_code_regenerate",
    /// A domain was renewed (by its owner or automatically).
    DomainRenew => "domain.renew",
    /// The registry refused a renewal; the charge was refunded.
    DomainRenewRefused => "domain.renew_refused",
    /// An expired domain was restored from redemption.
    DomainRestore => "domain.restore",
    /// A domain's expiration passed (its grace period starts).
    DomainExpire => "domain.expire",
    /// An expired domain was released at the registry and left the account.
    DomainRelease => "domain.release",
    /// The EPP commands a change of the domain sent to a real registry,
    /// each with its command, client and server transaction ids (`clTRID`,
    /// `svTRID`, RFC 5730 §2.5) and result code.
    DomainRegistryCommands => "domain.registry_commands",
    /// The registry changed a domain by itself (its operator, or its
    /// auto-renewal; a change poll message, RFC 8590): the expiry and lock
    /// here follow the registry's record.
    DomainRegistryChange => "domain.registry_change",
    /// The registry deleted a domain by itself (a change poll message, RFC
    /// 8590): it left the account.
    DomainRegistryDelete => "domain.registry_delete",
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no audit action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit action `{0}`")]
pub struct UnknownAuditAction(pub String);

/// The OpenAPI schema: a string, one of [`AuditAction::ALL`]'s names (written
/// by hand because the names hold dots, which a derive would not rename).
impl utoipa::PartialSchema for AuditAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(AuditAction::ALL.iter().map(|a| a.as_str())))
            .description(Some(
                "One kind of change the audit log records (docs/api.md, \"Audit actions\").",
            ))
            .into()
    }
}

impl utoipa::ToSchema for AuditAction {}

impl FromStr for AuditAction {
    type Err = UnknownAuditAction;

    /// The action whose [`AuditAction::as_str`] is `s`.
    ///
    /// # Errors
    /// [`UnknownAuditAction`] when no action has that name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAuditAction(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_distinct_and_round_trip() {
        let names: BTreeSet<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len(), "a name is used twice");
        for &action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
            assert_eq!(action.to_string(), action.as_str());
            assert_eq!(
                serde_json::to_value(action).ok(),
                Some(serde_json::Value::String(action.as_str().to_owned()))
            );
        }
        assert!("domain.unknown".parse::<AuditAction>().is_err());
    }

    /// docs/api.md's "Audit log" table lists exactly the actions of the
    /// enum: none missing from the docs, none documented that the code does
    /// not have.
    #[test]
    fn the_api_docs_list_every_action_and_no_other() {
        let docs = include_str!("../../../docs/api.md");
        let row = docs
            .lines()
            .skip_while(|l| *l != "## Audit log")
            .find(|l| l.starts_with("| `action` |"))
            .expect("docs/api.md has the audit log's `action` row");
        let cell = row
            .trim_start_matches("| `action` |")
            .trim_end_matches('|')
            .trim();
        let documented: BTreeSet<&str> = cell
            .split(',')
            .map(|s| s.trim().trim_matches('`'))
            .collect();
        let known: BTreeSet<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        let undocumented: Vec<_> = known.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&known).collect();
        assert!(
            undocumented.is_empty(),
            "actions missing from docs/api.md: {undocumented:?}"
        );
        assert!(
            unknown.is_empty(),
            "docs/api.md lists actions the code does not have: {unknown:?}"
        );
    }
}
