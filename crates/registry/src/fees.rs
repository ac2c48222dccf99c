//! What a registry charges us for a name (RFC 8748, the EPP fee extension
//! `urn:ietf:params:xml:ns:epp:fee-1.0`): the wholesale price of a premium
//! name, apart from the retail prices customers pay (docs/registries.md,
//! "Premium names and fees"). The sandbox registry's premium names are the
//! operator's (`vpsd registry premium set`).

use chrono::{DateTime, Utc};

use crate::{AgreedFee, RegistryError, SandboxRegistry};

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

impl RegistryFees {
    /// The fee of `command` (`create`, `renew`, `transfer`, `restore`) as
    /// the one to agree to (RFC 8748 §3.8); `None` when the registry did
    /// not price that command.
    pub fn agreed(&self, command: &str) -> Option<AgreedFee> {
        let cents = match command {
            "create" => self.create,
            "renew" => self.renew,
            "transfer" => self.transfer,
            "restore" => self.restore,
            _ => None,
        }?;
        Some(AgreedFee {
            currency: self.currency.clone(),
            cents,
        })
    }
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

/// The fee extension's namespace (RFC 8748 §2).
pub const FEE_NS: &str = "urn:ietf:params:xml:ns:epp:fee-1.0";

/// An amount of `<fee:fee>` (RFC 8748 §3.4: a non-negative decimal) in
/// integer cents; a fraction of a cent rounds up when `round_up`, else
/// down. `None` when it is not such a decimal.
pub fn amount_cents(text: &str, round_up: bool) -> Option<i64> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents_part = format!("{:0<2}", &frac[..frac.len().min(2)]);
    let cents: i64 = cents_part.parse().ok()?;
    let rest = frac.get(2..).unwrap_or("");
    let up = i64::from(round_up && rest.bytes().any(|b| b != b'0'));
    whole.checked_mul(100)?.checked_add(cents)?.checked_add(up)
}

/// `cents` written as `<fee:fee>` writes it: `12.50`.
pub fn format_cents(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_to_the_cent() {
        assert_eq!(amount_cents("10", false), Some(1000));
        assert_eq!(amount_cents("10.5", false), Some(1050));
        assert_eq!(amount_cents("10.005", true), Some(1001));
        assert_eq!(amount_cents("10.005", false), Some(1000));
        assert_eq!(amount_cents("10.000", true), Some(1000));
        assert_eq!(amount_cents("-1", true), None);
        assert_eq!(amount_cents("1e3", true), None);
        assert_eq!(amount_cents("", true), None);
        assert_eq!(format_cents(30000), "300.00");
        assert_eq!(format_cents(5), "0.05");
    }
}
