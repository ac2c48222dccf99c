//! The public reads of the RDAP server (RFC 9082 lookups): a domain while
//! an account manages it, and whether a contact's data may be shown.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::Domain;
use vpsd_domain::ContactId;

/// What the RDAP server reads (any account's data: RDAP is public, so the
/// caller decides what of it is shown).
///
/// Implemented for SQLite and PostgreSQL (`queries/rdap.rs`). Every method
/// fails with `StoreError::Database` when the database cannot be reached or
/// refuses the statement.
#[async_trait]
pub trait RdapStore: Send + Sync + std::fmt::Debug {
    /// The domain named `domain_name` (lower-case A-label) while an
    /// account manages it; `None` when no account has it or it was removed
    /// from its account.
    async fn rdap_domain(&self, domain_name: &str) -> Result<Option<Domain>>;

    /// Whether a domain that an account manages, sponsored by
    /// `sponsoring_registrar` (EPP clID), registered (not pending), with
    /// privacy protection off, names the contact as its registrant, admin
    /// or tech contact: only then may the contact's entity be looked up by
    /// its handle (RFC 9082 §3.1.5), so a privacy-protected registrant's
    /// handle reveals nothing.
    async fn rdap_contact_shown(
        &self,
        contact_id: ContactId,
        sponsoring_registrar: &str,
    ) -> Result<bool>;
}
