//! Supported TLDs, their prices (api-v1.md, "Pricing") and registration years.

use crate::money::Money;

/// What restoring a domain in its redemption period costs on top of the
/// one year of renewal that comes with it (RFC 3915 restore; registries
/// charge registrars for it, and registrars pass it on).
pub const RESTORE_FEE: Money = Money::from_cents(80_00);

/// A TLD this registrar offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tld {
    Com,
    Net,
    Org,
    Io,
    Dev,
    App,
    Co,
}

/// One TLD's prices for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    pub register: Money,
    pub renew: Money,
    pub transfer: Money,
}

impl Tld {
    pub const ALL: [Tld; 7] = [
        Tld::Com,
        Tld::Net,
        Tld::Org,
        Tld::Io,
        Tld::Dev,
        Tld::App,
        Tld::Co,
    ];

    pub fn from_label(label: &str) -> Option<Tld> {
        Tld::ALL.into_iter().find(|t| t.label() == label)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tld::Com => "com",
            Tld::Net => "net",
            Tld::Org => "org",
            Tld::Io => "io",
            Tld::Dev => "dev",
            Tld::App => "app",
            Tld::Co => "co",
        }
    }

    /// The price table of the contract; the same figure for all three
    /// operations today, kept apart because registries price them apart.
    pub fn prices(self) -> Prices {
        let cents = match self {
            Tld::Com => 1299,
            Tld::Net => 1499,
            Tld::Org => 1399,
            Tld::Io => 3999,
            Tld::Dev => 1499,
            Tld::App => 1499,
            Tld::Co => 2499,
        };
        let one_year = Money::from_cents(cents);
        Prices {
            register: one_year,
            renew: one_year,
            transfer: one_year,
        }
    }
}

/// How much above the registry's fee a premium name sells by default, in
/// percent (`vpsd serve --premium-markup-percent`; docs/registries.md,
/// "Premium names and fees").
pub const DEFAULT_PREMIUM_MARKUP_PERCENT: u32 = 20;

/// The retail price of a command on a premium name (RFC 8748): never less
/// than what the registry charges us. `list` is the TLD's price for the
/// same period, `registry_fee_cents` the registry's fee for it (US cents),
/// `markup_percent` the operator's markup. The price is the larger of the
/// list price and the fee plus the markup, rounded up to a whole cent.
pub fn premium_price(list: Money, registry_fee_cents: i64, markup_percent: u32) -> Money {
    let fee = i128::from(registry_fee_cents.max(0));
    let marked = (fee * (100 + i128::from(markup_percent)) + 99) / 100;
    let marked = i64::try_from(marked).unwrap_or(i64::MAX);
    Money::from_cents(marked.max(list.cents()))
}

/// A registration period: 1 to 10 whole years (the registries' maximum term).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Years(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Must be a whole number of years from 1 to 10.")]
pub struct YearsError;

impl Years {
    pub const ONE: Years = Years(1);
    pub const MAX: u8 = 10;

    pub fn parse(n: i64) -> Result<Self, YearsError> {
        match u8::try_from(n) {
            Ok(y) if (1..=Self::MAX).contains(&y) => Ok(Years(y)),
            _ => Err(YearsError),
        }
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }

    /// `years × price`, the contract's registration charge.
    pub fn times(self, price: Money) -> Money {
        Money::from_cents(price.cents() * i64::from(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_cost_is_years_times_price() {
        let y = Years::parse(2).unwrap();
        assert_eq!(y.times(Tld::Com.prices().register), Money::from_cents(2598));
        assert_eq!(Tld::Io.prices().transfer, Money::from_cents(3999));
    }

    #[test]
    fn premium_price_is_never_below_the_registry_fee() {
        let list = Money::from_cents(1299);
        // 100.01 + 20 % = 120.012, rounded up to 120.02.
        assert_eq!(premium_price(list, 10001, 20), Money::from_cents(12002));
        // A fee below the list price sells at the list price.
        assert_eq!(premium_price(list, 500, 20), list);
        // No markup: the fee itself.
        assert_eq!(premium_price(list, 50000, 0), Money::from_cents(50000));
    }

    #[test]
    fn years_are_one_to_ten() {
        assert!(Years::parse(0).is_err());
        assert!(Years::parse(11).is_err());
        assert!(Years::parse(-1).is_err());
        assert_eq!(Years::parse(10).unwrap().get(), 10);
    }
}
