//! The ids of the things an account holds, as types: an `i64` that says
//! what it names, so a record's id cannot be passed where a domain's is
//! meant. Each is the database's primary key of its table; it serializes as
//! the bare integer (the contract's `id` fields), and with the `sqlx`
//! feature binds and decodes as the `BIGINT`/`INTEGER` column it is, for
//! sqlx and for the SQLite fast paths' rusqlite (the one place the store
//! converts it). In the OpenAPI document a field holding one is given
//! `value_type = i64`, so the document shows an integer as before.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(i64);

        impl $name {
            /// The id of row `id` (what `From<i64>` does, in a `const`).
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The id as the integer the database and the contract hold.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        /// Bound as its integer on the SQLite fast paths (rusqlite).
        #[cfg(feature = "sqlx")]
        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.0))
            }
        }

        /// Read from its integer column on the SQLite fast paths.
        #[cfg(feature = "sqlx")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            /// A decimal integer, as in a path (`/domains/{domain_id}/`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id!(
    /// An account (`accounts.id`).
    AccountId
);
id!(
    /// A domain of an account (`domains.id`).
    DomainId
);
id!(
    /// A DNS record of a zone (`dns_records.id`).
    RecordId
);
id!(
    /// An email or URL forward of a domain (`email_forwards.id`,
    /// `url_forwards.id`); which kind is told by the operation.
    ForwardId
);
id!(
    /// An API token (`api_tokens.id`).
    TokenId
);
id!(
    /// A zone's TSIG key (`tsig_keys.id`, RFC 8945).
    TsigKeyId
);
id!(
    /// A contact of an account (`contacts.id`, RFC 5733); the API's id of
    /// it. Outside the account it is named by its handle instead.
    ContactId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_integer_in_json_and_text() {
        let id = DomainId::from(101);
        assert_eq!(serde_json::to_string(&id).expect("json"), "101");
        assert_eq!(serde_json::from_str::<DomainId>("101").expect("json"), id);
        assert_eq!(id.to_string(), "101");
        assert_eq!("101".parse::<DomainId>(), Ok(id));
        assert_eq!(i64::from(id), 101);
    }
}
