//! The registrar's rules, free of I/O.
//!
//! Everything here is a value with rules, built only through `parse` (or a
//! constructor that cannot fail), so the layers above cannot hold an invalid
//! one:
//!
//! - [`name`]: domain names and host names (UTS-46 / IDNA, LDH labels).
//! - [`money`]: integer cents and their dollar notation.
//! - [`pricing`]: supported TLDs and their prices; registration years.
//! - [`nameservers`]: a domain's 2–4 distinct nameservers.
//! - [`lifecycle`]: statuses and the date arithmetic of terms and transfers.
//! - [`token`]: API token generation and hashing.
//! - [`clock`]: the one source of "now", which tests can move.
//! - [`contact`]: contacts' fields (RFC 5733), handles, the public form.
//! - [`audit`]: the catalogue of audit actions ([`AuditAction`]).
//! - [`error_code`]: the catalogue of the API's error codes.
//! - [`error_chain`]: how the logs print an error with its causes.

pub mod audit;
pub mod clock;
pub mod contact;
pub mod dns;
pub mod error_chain;
pub mod error_code;
pub mod forwarding;
pub mod glue;
pub mod idna2008;
pub mod ids;
pub mod lifecycle;
pub mod money;
pub mod name;
pub mod nameservers;
pub mod pricing;
pub mod token;

/// This registrar's name: the sponsoring registrar (EPP `clID`, RFC 5731
/// §3.1.2) of the names it registers, as the registry and the contract's
/// `registrar` field (docs/api-v1.md) write it.
pub const OUR_REGISTRAR: &str = "VPS.org";

pub use audit::AuditAction;
pub use clock::{Clock, FrozenClock, ManualClock, SandboxClock, SystemClock};
pub use error_chain::ErrorChain;
pub use error_code::ErrorCode;
pub use ids::{AccountId, ContactId, DomainId, ForwardId, RecordId, TokenId, TsigKeyId};
pub use money::Money;
pub use name::{DomainName, HostName, NameError};
pub use nameservers::{Nameservers, NameserversError};
pub use pricing::{Prices, Tld, Years};
