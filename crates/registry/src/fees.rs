//! What a registry charges us for a name (RFC 8748, the EPP fee extension
//! `urn:ietf:params:xml:ns:epp:fee-1.0`): the wholesale price of a premium
//! name, apart from the retail prices customers pay (docs/registries.md,
//! "Premium names and fees"). The sandbox registry's premium names are the
//! operator's (`vpsd registry premium set`).

use chrono::{DateTime, Utc};

use crate::{RegistryError, SandboxRegistry};

/// The fee class (RFC 8748 §3.1.1 `<fee:class>`) of a name priced apart
/// from its TLD.
pub const FEE_CLASS_PREMIUM: &str = "premium";

/// What the registry charges us for one name over a period (RFC 8748
/// §3.1.1 `<fee:cd>`), per command, in integer cents of `currency`.
/// A command it does not price is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFees {
    /// ISO 4217 code (`<fee:currency>`), e.g. `USD`.
    pub currency: String,
    /// `<fee:class>`: `premium` for a premium name.
    pub class: String,
    /// The period the fees are for, in years (`<fee:period unit="y">`).
    pub years: u32,
    /// `<fee:command name="create">` for `years` years, in cents.
    pub create: Option<i64>,
    /// `<fee:command name="renew">` for `years` years, in cents.
    pub renew: Option<i64>,
    /// `<fee:command name="transfer">` (one year added), in cents.
    pub transfer: Option<i64>,
    /// `<fee:command name="restore">`, in cents.
    pub restore: Option<i64>,
}

impl SandboxRegistry {
    /// The sandbox registry's fees for `name` over `years` years: the
    /// operator's premium prices (per year) times `years` for create and
    /// renew, once for a transfer; `None` for a standard name. A restore
    /// of a premium name costs the standard restore fee (not priced here).
    ///
    /// # Errors
    /// `Unavailable` when the database fails.
    pub async fn premium_fees(
        &self,
        name: &str,
        years: u32,
        _now: DateTime<Utc>,
    ) -> Result<Option<RegistryFees>, RegistryError> {
        let Some(p) = self.store().registry_premium_get(name).await? else {
            return Ok(None);
        };
        let years_i = i64::from(years.max(1));
        Ok(Some(RegistryFees {
            currency: "USD".to_owned(),
            class: FEE_CLASS_PREMIUM.to_owned(),
            years: years.max(1),
            create: Some(p.create_cents.saturating_mul(years_i)),
            renew: Some(p.renew_cents.saturating_mul(years_i)),
            transfer: Some(p.transfer_cents),
            restore: None,
        }))
    }
}
