//! The store's battery: what each aggregate promises, run in process on
//! SQLite and on PostgreSQL (`both!`), one module per aggregate.

mod common;

#[path = "store/accounts.rs"]
mod accounts;
#[path = "store/audit.rs"]
mod audit;
#[path = "store/clock.rs"]
mod clock;
#[path = "store/contacts.rs"]
mod contacts;
#[path = "store/domains.rs"]
mod domains;
#[path = "store/feed.rs"]
mod feed;
#[path = "store/health.rs"]
mod health;
#[path = "store/idempotency.rs"]
mod idempotency;
#[path = "store/jobs.rs"]
mod jobs;
#[path = "store/lifecycle.rs"]
mod lifecycle;
#[path = "store/outbox.rs"]
mod outbox;
#[path = "store/registry.rs"]
mod registry;
#[path = "store/tokens.rs"]
mod tokens;
#[path = "store/transfers.rs"]
mod transfers;
#[path = "store/zone.rs"]
mod zone;
