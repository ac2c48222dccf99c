//! The authoritative nameserver for the zones of domains that use VPS.org's
//! nameservers, answering from the same database the API writes.
//!
//! - [`zone`]: one zone in memory and how it answers (SOA/NS at the apex,
//!   delegations with glue, CNAME, wildcards, NXDOMAIN versus NODATA).
//! - [`catalog`]: the served zones, loaded at start and kept in step with
//!   the database's change feed (a change is served within a second, also
//!   from another process).
//! - [`server`]: UDP and TCP, EDNS(0), truncation.
//!
//! Messages are read and written with `hickory-proto`.

pub mod catalog;
pub mod server;
pub mod zone;

pub use catalog::{Catalog, Follower};
pub use zone::ZoneDefaults;
