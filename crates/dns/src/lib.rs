//! The authoritative nameserver for the zones of domains that use VPS.org's
//! nameservers, answering from the same database the API writes.
//!
//! - [`zone`]: one zone in memory (SOA/NS at the apex, delegations, what
//!   forwarding adds), its records in wire form made by [`rdata`].
//! - [`answer`]: how an answer is assembled from a zone (delegations with
//!   glue, wildcards, CNAME chains, RCODE, AA, NXDOMAIN versus NODATA), the
//!   rules written down once with their RFCs.
//! - [`catalog`]: the served zones, loaded at start and kept in step with
//!   the database's change feed (a change is served within a second, also
//!   from another process); [`catalog_zone`]: the catalog zone (RFC 9432)
//!   listing them for secondaries.
//! - [`server`]: UDP and TCP, EDNS (RFC 6891), truncation.
//! - [`transfer`]: zone transfers out (AXFR, IXFR) to allowed peers and
//!   keys, IXFR from each zone's recent changes ([`journal`]); [`notify`]: NOTIFY to the secondaries; [`secondaries`]: their
//!   configuration (NSD, Knot) for the zones served.
//! - [`update`]: dynamic updates (RFC 2136) signed with a zone's key,
//!   written through the registrar ([`update::Updater`]); [`tsig`]: the
//!   signatures (RFC 8945).
//!
//! Messages are read and written with `hickory-proto`.

pub mod answer;
pub mod catalog;
pub mod catalog_zone;
pub mod journal;
pub mod notify;
pub mod rdata;
pub mod secondaries;
pub mod server;
pub mod transfer;
pub mod tsig;
pub mod update;
pub mod zone;
pub mod zone_file;

pub use catalog::{Catalog, Follower};
pub use zone::ZoneDefaults;
