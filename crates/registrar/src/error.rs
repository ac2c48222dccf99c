//! What can go wrong in an operation, each with a code and a sentence that
//! says what to do (api-v1.md, error body).

use chrono::SecondsFormat;
use vpsd_domain::ErrorCode;
use vpsd_registry::{RegistryError, TransferRefusal};
use vpsd_storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RegistrarError {
    /// Not in this account (or not at all): answered alike, 404.
    #[error("not found")]
    NotFound,
    /// The request cannot be carried out as asked: 400.
    #[error("{detail}")]
    Invalid { code: ErrorCode, detail: String },
    /// The balance does not cover the charge: 402.
    #[error("{detail}")]
    InsufficientFunds { detail: String },
    /// The domain changed under the request (a race): 409.
    #[error("{0}")]
    Conflict(String),
    /// The registry did not answer: 503.
    #[error("registry unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl RegistrarError {
    pub fn invalid(code: ErrorCode, detail: impl Into<String>) -> Self {
        RegistrarError::Invalid {
            code,
            detail: detail.into(),
        }
    }

    pub(crate) fn taken(name: &str, registrar: &str) -> Self {
        let detail = if registrar == vpsd_registry::OUR_REGISTRAR {
            format!("{name} is already registered: choose another name.")
        } else {
            format!(
                "{name} is already registered at {registrar}: if it is yours, add it with POST /api/v1/domains/import/ and transfer it; otherwise choose another name."
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
            TransferRefusal::Unavailable(e) => return RegistrarError::Unavailable(e),
        };
        RegistrarError::invalid(code, detail)
    }
}

impl From<StoreError> for RegistrarError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => RegistrarError::NotFound,
            other => RegistrarError::Internal(other.to_string()),
        }
    }
}

impl From<RegistryError> for RegistrarError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::Taken { registrar } => RegistrarError::invalid(
                ErrorCode::DomainTaken,
                format!("The name is already registered at {registrar}."),
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
            RegistryError::Unavailable(e) => RegistrarError::Unavailable(e),
        }
    }
}
