//! Money as integer cents (US dollars), never floating point.
//!
//! In JSON the contract writes money as a number with two decimals (`24.98`);
//! [`Money`] serializes through a raw JSON number so `26.00` keeps its zeros.

use std::fmt;

use serde::{Serialize, Serializer};

/// An amount of US dollars in cents. May be negative (a charge in the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not an amount of dollars: write it like 100 or 12.50")]
pub struct MoneyError(String);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses a non-negative dollar amount such as `100`, `12.5` or `12.50`.
    pub fn parse_dollars(input: &str) -> Result<Self, MoneyError> {
        let err = || MoneyError(input.to_owned());
        let s = input.trim().strip_prefix('$').unwrap_or(input.trim());
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let dollars: i64 = whole.parse().map_err(|_| err())?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac.parse().map_err(|_| err())?,
        };
        dollars
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .map(Money)
            .ok_or_else(err)
    }

    pub fn checked_mul(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A raw number keeps the two decimals (`26.00`) that an f64 would drop.
        let raw = serde_json::value::RawValue::from_string(self.to_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dollar_amounts() {
        assert_eq!(Money::parse_dollars("100"), Ok(Money(10_000)));
        assert_eq!(Money::parse_dollars("12.5"), Ok(Money(1_250)));
        assert_eq!(Money::parse_dollars("12.99"), Ok(Money(1_299)));
        assert_eq!(Money::parse_dollars("$0.05"), Ok(Money(5)));
        for bad in ["", "-1", "1.234", "abc", "1e3", ".5", "1.x"] {
            assert!(Money::parse_dollars(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn displays_and_serializes_two_decimals() {
        assert_eq!(Money(2598).to_string(), "25.98");
        assert_eq!(Money(-1299).to_string(), "-12.99");
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(serde_json::to_string(&Money(2600)).unwrap(), "26.00");
    }
}
