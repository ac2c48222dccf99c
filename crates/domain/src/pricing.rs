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
    fn years_are_one_to_ten() {
        assert!(Years::parse(0).is_err());
        assert!(Years::parse(11).is_err());
        assert!(Years::parse(-1).is_err());
        assert_eq!(Years::parse(10).unwrap().get(), 10);
    }
}
