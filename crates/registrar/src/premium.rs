//! Premium names (RFC 8748): a name the registry prices apart from its TLD
//! sells at the registry's fee plus the operator's markup, never below the
//! TLD's list price and never below what the registry charges
//! ([`vpsd_domain::pricing::premium_price`]); its restore likewise, the
//! list restore fee or the registry's with the markup. The registry is asked every
//! time a price is needed (check, register, renew, transfer in, restore);
//! when it cannot tell, nothing is charged (503 `registry_unavailable`).

use vpsd_domain::pricing::{premium_price, RESTORE_FEE};
use vpsd_domain::{DomainName, Money, Tld, Years};
use vpsd_registry::{AgreedFee, RegistryFees};

use crate::{Registrar, RegistrarError};

/// What a name costs the customer, in US dollars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Whether the registry prices the name apart from its TLD.
    pub premium: bool,
    /// Registering it for the quoted years.
    pub register: Money,
    /// Renewing it for the quoted years.
    pub renew: Money,
    /// Transferring it in (one year added).
    pub transfer: Money,
    /// The restore fee of a restore from redemption (RFC 3915), the year
    /// it adds not included: the list fee, or for a premium name the
    /// registry's restore fee with the markup when that is more.
    pub restore: Money,
    /// What the registry told it charges us (RFC 8748), for a premium
    /// name: the fees its commands carry once the customer is charged
    /// ([`Quote::agreed`]), never asked again.
    pub registry_fees: Option<RegistryFees>,
}

impl Quote {
    /// The registry's fee for `command` (`create`, `renew`, `transfer`,
    /// `restore`) to agree to in that command; `None` for a standard name
    /// or a command the registry did not price.
    pub fn agreed(&self, command: &str) -> Option<AgreedFee> {
        self.registry_fees.as_ref()?.agreed(command)
    }
}

impl Registrar {
    /// The customer's prices of `name` for `years` years: the TLD's list
    /// prices, or for a premium name the registry's fees with the
    /// operator's markup (`RegistrarSettings::premium_markup_percent`).
    ///
    /// # Errors
    /// `Unavailable` (503 `registry_unavailable`) when the registry cannot
    /// tell its fees, or asks them in a currency other than US dollars.
    pub async fn quote(&self, name: &DomainName, years: Years) -> Result<Quote, RegistrarError> {
        let fees = self
            .registry
            .fees(name.as_str(), years.get(), self.now())
            .await?;
        self.quote_from(name.tld(), years, fees.as_ref())
    }

    /// [`Self::quote`] of a stored domain's name.
    pub(crate) async fn quote_stored(
        &self,
        domain: &vpsd_storage::Domain,
        years: Years,
    ) -> Result<Quote, RegistrarError> {
        let name = DomainName::parse_stored(&domain.domain_name).map_err(|e| {
            RegistrarError::internal(format!("stored name {}", domain.domain_name), e)
        })?;
        self.quote(&name, years).await
    }

    fn quote_from(
        &self,
        tld: Tld,
        years: Years,
        fees: Option<&RegistryFees>,
    ) -> Result<Quote, RegistrarError> {
        let list = tld.prices();
        let list_register = years.times(list.register);
        let list_renew = years.times(list.renew);
        let Some(fees) = fees else {
            return Ok(Quote {
                premium: false,
                register: list_register,
                renew: list_renew,
                transfer: list.transfer,
                restore: RESTORE_FEE,
                registry_fees: None,
            });
        };
        if !fees.currency.eq_ignore_ascii_case("USD") {
            return Err(RegistrarError::Unavailable(
                format!(
                    "the registry prices this name in {}; only USD fees are supported",
                    fees.currency
                )
                .into(),
            ));
        }
        let markup = self.settings.premium_markup_percent;
        let price = |list: Money, fee: Option<i64>| match fee {
            Some(fee) => premium_price(list, fee, markup),
            None => list,
        };
        Ok(Quote {
            premium: true,
            register: price(list_register, fees.create),
            renew: price(list_renew, fees.renew),
            transfer: price(list.transfer, fees.transfer),
            restore: price(RESTORE_FEE, fees.restore),
            registry_fees: Some(fees.clone()),
        })
    }
}
