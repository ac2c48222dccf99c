//! The storage traits, one per aggregate; [`crate::Store`] is their sum.
//!
//! Each file declares its aggregate's trait and, below it, the row types
//! that aggregate's queries decode (shared by both backends). The SQL of an
//! aggregate is in `queries/` under the same file name.

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod contacts;
pub mod domains;
pub mod feed;
pub mod health;
pub mod idempotency;
pub mod jobs;
pub mod lifecycle;
pub mod outbox;
pub mod premium;
pub mod rdap;
pub mod registry;
pub mod registry_contacts;
pub mod tokens;
pub mod transfers;
pub mod tsig_keys;
pub mod zone;

pub use accounts::AccountStore;
pub use audit::AuditLog;
pub use clock::SandboxClockStore;
pub use contacts::ContactStore;
pub use domains::DomainStore;
pub use feed::ZoneFeed;
pub use health::Health;
pub use idempotency::IdempotencyStore;
pub use jobs::JobLeases;
pub use lifecycle::LifecycleStore;
pub use outbox::Outbox;
pub use premium::PremiumNameStore;
pub use rdap::RdapStore;
pub use registry::RegistryStore;
pub use registry_contacts::RegistryContactStore;
pub use tokens::TokenStore;
pub use transfers::TransferStore;
pub use tsig_keys::TsigKeyStore;
pub use zone::ZoneStore;
