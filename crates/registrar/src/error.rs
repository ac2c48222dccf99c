//! What can go wrong in an operation, each with a code and a sentence that
//! says what to do (api-v1.md, error body).

use chrono::SecondsFormat;
use vpsd_domain::ErrorCode;
use vpsd_registry::{RegistryError, TransferRefusal};
use vpsd_storage::StoreError;

/// An error kept whole (with its own sources) as the cause of another.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What an operation could not do; the API maps each variant to a status
/// and the contract's error code (crates/api, `From<RegistrarError>`).
///
/// `Unavailable` and `Internal` keep their cause as [`std::error::Error::source`]
/// (the store's or the registry's error, with its own chain): the answer
/// says only what to do, the log says why ([`ErrorChain`]).
#[derive(Debug, thiserror::Error)]
pub enum RegistrarError {
    /// Not in this account (or not at all): answered alike, 404.
    #[error("not found")]
    NotFound,
    /// The request cannot be carried out as asked: 400.
    #[error("{detail}")]
    Invalid { code: ErrorCode, detail: String },
    /// Fields of the request at fault, each with what is wrong: 400
    /// `invalid_fields`, the house form (`errors` names each field).
    #[error("invalid fields: {}", .0.keys().cloned().collect::<Vec<_>>().join(", "))]
    InvalidFields(std::collections::BTreeMap<String, Vec<String>>),
    /// The balance does not cover the charge: 402.
    #[error("{detail}")]
    InsufficientFunds { detail: String },
    /// The domain changed under the request (a race): 409.
    #[error("{0}")]
    Conflict(String),
    /// The registry did not answer: 503. The cause is the registry's error.
    #[error("registry unavailable")]
    Unavailable(#[source] BoxError),
    /// Something failed on our side (the database, a stored value that no
    /// longer parses): 500. The cause says what.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

/// What was being done when its source failed: a sentence in an error
/// chain (for instance "stored name example.com" above the parse error).
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct Context {
    /// What was being done, with the values it was done on.
    pub context: String,
    /// Why it failed.
    #[source]
    pub source: BoxError,
}

pub use vpsd_domain::ErrorChain;

impl RegistrarError {
    /// A 400 with the contract's `code` and a `detail` that says what to do.
    pub fn invalid(code: ErrorCode, detail: impl Into<String>) -> Self {
        RegistrarError::Invalid {
            code,
            detail: detail.into(),
        }
    }

    /// An internal error: `context` says what was being done, `source` why
    /// it failed.
    pub(crate) fn internal(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        RegistrarError::Internal(Box::new(Context {
            context: context.into(),
            source: source.into(),
        }))
    }

    /// `Ok` unless the registry set `status` on `domain` by itself (RFC
    /// 5731 §2.3, as last read from its `<domain:info>`): then a 400
    /// `registry_prohibits` naming the status, `what` being what it
    /// refuses, before anything is sent to the registry or charged.
    ///
    /// # Errors
    /// [`RegistrarError::Invalid`] with [`ErrorCode::RegistryProhibits`].
    pub(crate) fn registry_allows(
        domain: &vpsd_storage::Domain,
        status: &str,
        what: &str,
    ) -> Result<(), Self> {
        if domain.registry_statuses.iter().any(|s| s == status) {
            return Err(RegistrarError::invalid(
                ErrorCode::RegistryProhibits,
                format!(
                    "The registry of {} has set {status} on it, so it refuses to {what}: contact support, who will ask the registry.",
                    domain.domain_name
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn taken(name: &str, sponsoring_registrar: &str) -> Self {
        let detail = if sponsoring_registrar == vpsd_registry::OUR_REGISTRAR {
            format!("{name} is already registered: choose another name.")
        } else {
            format!(
                "{name} is already registered at {sponsoring_registrar}: if it is yours, add it with POST /api/v1/domains/import/ and transfer it; otherwise choose another name."
            )
        };
        RegistrarError::invalid(ErrorCode::DomainTaken, detail)
    }

    pub(crate) fn from_refusal(name: &str, refusal: TransferRefusal) -> Self {
        let (code, detail) = match refusal {
            TransferRefusal::NotRegistered => (
                ErrorCode::NotRegistered,
                format!("{name} is not registered anywhere: register it instead."),
            ),
            TransferRefusal::AlreadyOurs => (
                ErrorCode::AlreadySponsored,
                format!("{name} is already registered with VPS.org: there is nothing to transfer."),
            ),
            TransferRefusal::Prohibited => (
                ErrorCode::DomainLocked,
                format!("{name} is locked at its current registrar: unlock it there (remove the transfer lock) and try again."),
            ),
            TransferRefusal::TooSoon { eligible_at } => (
                ErrorCode::TransferTooSoon,
                format!(
                    "{name} was registered or transferred less than 60 days ago: it can be transferred from {}.",
                    eligible_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                ),
            ),
            TransferRefusal::InvalidAuthCode => (
                ErrorCode::InvalidAuthCode,
                format!("The auth code is not the valid EPP code for {name}: get the current code from the current registrar and try again."),
            ),
            TransferRefusal::InProgress => (
                ErrorCode::TransferInProgress,
                format!("A transfer of {name} is already in progress: wait for it to complete."),
            ),
            TransferRefusal::SponsoredElsewhere => (
                ErrorCode::NotSponsored,
                format!("{name} is sponsored by another registrar, not VPS.org."),
            ),
            TransferRefusal::NotPending => (
                ErrorCode::TransferFailed,
                format!("The transfer of {name} was not accepted by the registry: try again."),
            ),
            TransferRefusal::StillPending => (
                ErrorCode::TransferInProgress,
                format!("The transfer of {name} is pending at the registry: wait for it to complete."),
            ),
            TransferRefusal::Unavailable(e) => return RegistrarError::Unavailable(e),
        };
        RegistrarError::invalid(code, detail)
    }
}

impl From<StoreError> for RegistrarError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => RegistrarError::NotFound,
            other => RegistrarError::Internal(Box::new(other)),
        }
    }
}

impl From<RegistryError> for RegistrarError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::Taken { sponsoring_registrar } => RegistrarError::invalid(
                ErrorCode::DomainTaken,
                format!("The name is already registered at {sponsoring_registrar}."),
            ),
            RegistryError::NotFound => {
                RegistrarError::invalid(
                    ErrorCode::NotRegistered,
                    "The registry has no record of this name, so nothing was changed: check the domain with GET /api/v1/domains/, and contact support if it is yours.",
                )
            }
            RegistryError::NotSponsored => RegistrarError::invalid(
                ErrorCode::NotSponsored,
                "Another registrar sponsors this name: transfer it to VPS.org first.",
            ),
            RegistryError::Refused { code, message } => RegistrarError::invalid(
                ErrorCode::RegistryRefused,
                format!("The registry refused it: {message} (EPP {code}). Change what it names and try again."),
            ),
            RegistryError::StatusProhibits(why) => RegistrarError::invalid(
                ErrorCode::RegistryRefused,
                format!("The registry refused: the name's status forbids it now ({why}); nothing was charged, or the charge was refunded. Try again once that has changed."),
            ),
            RegistryError::Pending => RegistrarError::Unavailable(
                "the registry has not finished the command yet (EPP 1001)".into(),
            ),
            RegistryError::Unavailable(e) | RegistryError::Unknown(e) => {
                RegistrarError::Unavailable(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// A store failure reaches the log whole: the registrar's error keeps
    /// the store's as its source, and the chain prints every level.
    #[test]
    fn an_internal_error_keeps_its_cause() {
        let e = RegistrarError::from(StoreError::Conflict {
            constraint: "domains_name_key".to_owned(),
        });
        let source = e.source().expect("a source");
        assert!(matches!(
            source.downcast_ref::<StoreError>(),
            Some(StoreError::Conflict { .. })
        ));
        assert_eq!(
            ErrorChain(&e).to_string(),
            "internal error: conflict on domains_name_key"
        );

        let parse = vpsd_domain::DomainName::parse_stored("not a name").expect_err("invalid");
        let e = RegistrarError::internal("stored name not a name", parse.clone());
        assert_eq!(
            ErrorChain(&e).to_string(),
            format!("internal error: stored name not a name: {parse}")
        );
    }

    /// The registry's unavailability keeps the store error under it.
    #[test]
    fn an_unavailable_registry_keeps_its_cause() {
        let e = RegistrarError::from(RegistryError::from(StoreError::StateChanged));
        assert!(matches!(e, RegistrarError::Unavailable(_)));
        assert_eq!(
            ErrorChain(&e).to_string(),
            "registry unavailable: state changed"
        );
    }
}
