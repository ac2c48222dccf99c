//! The catalogue of error codes: every `code` an error body of the API can
//! carry (api-v1.md, "Common rules"; docs/api.md lists each with its status
//! and when it is sent). The OpenAPI document's `Error.code` is this enum,
//! and a test checks docs/api.md's table against it both ways.

/// Declares [`ErrorCode`] from one list of `Variant = "code"` pairs.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// A machine-readable error code, serialized as its snake_case
        /// name (`insufficient_funds`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the catalogue's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as sent (`"insufficient_funds"`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    /// The body is not JSON, or not a JSON object.
    MalformedJson = "malformed_json",
    /// The request body could not be read.
    UnreadableBody = "unreadable_body",
    /// A key appears twice in one JSON object.
    DuplicateKey = "duplicate_key",
    /// Fields of the wrong type or value, missing, null or unknown.
    InvalidFields = "invalid_fields",
    /// Not a valid domain name, or not directly below the TLD.
    InvalidDomainName = "invalid_domain_name",
    /// The TLD is not offered.
    UnsupportedTld = "unsupported_tld",
    /// Registered already.
    DomainTaken = "domain_taken",
    /// A PUT that changes nothing.
    EmptyUpdate = "empty_update",
    /// Nameservers or lock of a domain still being registered.
    DomainPending = "domain_pending",
    /// A change to a domain held at another registrar.
    NotSponsored = "not_sponsored",
    /// A transfer is pending already.
    TransferInProgress = "transfer_in_progress",
    /// Transfer: the domain is locked at its current registrar.
    DomainLocked = "domain_locked",
    /// Transfer: registered or transferred less than 60 days ago.
    TransferTooSoon = "transfer_too_soon",
    /// Transfer: the EPP auth code is wrong.
    InvalidAuthCode = "invalid_auth_code",
    /// A host (child name server) a domain still delegates to cannot be
    /// deleted (RFC 5732 §3.2.2).
    HostInUse = "host_in_use",
    /// A contact a domain still names cannot be deleted.
    ContactInUse = "contact_in_use",
    /// A registration or transfer with no contact given and no default
    /// contact in the account.
    ContactRequired = "contact_required",
    /// Transfer: the registry did not accept it.
    TransferFailed = "transfer_failed",
    /// An operator's reject-transfer of a name with no transfer pending.
    NoTransferPending = "no_transfer_pending",
    /// Cancel of a registration past its add grace period.
    CancelPeriodOver = "cancel_period_over",
    /// Cancel of a domain not registered here by this account (imported,
    /// or transferred in).
    NotCancellable = "not_cancellable",
    /// A change while the registry's answer to an earlier one is unknown
    /// or pending.
    RegistryOutcomeUnknown = "registry_outcome_unknown",
    /// A change the domain's registry refuses by a status it set itself
    /// (RFC 5731 §2.3: serverUpdateProhibited, serverRenewProhibited,
    /// serverTransferProhibited); support must ask the registry.
    RegistryProhibits = "registry_prohibits",
    /// Transfer or import of a domain at this registrar already.
    AlreadySponsored = "already_sponsored",
    /// Import of a name registered nowhere.
    NotRegistered = "not_registered",
    /// Import of a name in an account already.
    AlreadyInAccount = "already_in_account",
    /// A renewal past ten years ahead.
    RenewalTooLong = "renewal_too_long",
    /// Renewal in the redemption period.
    InRedemption = "in_redemption",
    /// Restore of a domain not in redemption.
    NotInRedemption = "not_in_redemption",
    /// Renewal or restore after redemption.
    PendingDelete = "pending_delete",
    /// An `Idempotency-Key` that is not 1–255 visible ASCII characters.
    InvalidIdempotencyKey = "invalid_idempotency_key",
    /// The key was used with another request.
    IdempotencyKeyReused = "idempotency_key_reused",
    /// The first request with this key is still running.
    IdempotencyInProgress = "idempotency_in_progress",
    /// The first request with this key failed and changed nothing.
    IdempotencyRetry = "idempotency_retry",
    /// The domain changed under the request.
    Conflict = "conflict",
    /// The same DNS record exists.
    DuplicateRecord = "duplicate_record",
    /// A CNAME beside other records at its name.
    CnameConflict = "cname_conflict",
    /// A null MX beside another MX at its name.
    NullMxConflict = "null_mx_conflict",
    /// The records of one name and type over 16,384 bytes.
    RrsetTooLarge = "rrset_too_large",
    /// The zone holds 1,000 records already.
    ZoneFull = "zone_full",
    /// A registration would cost more than the `max_cost` given.
    PriceAboveMaxCost = "price_above_max_cost",
    /// A zone file with lines at fault (`errors` names each, `line N`).
    InvalidZoneFile = "invalid_zone_file",
    /// The server has no secrets key to seal a TSIG key's secret with
    /// (`vpsd serve --secrets-key-file`): the operator must set one.
    SecretsKeyMissing = "secrets_key_missing",
    /// Another forward has this alias or host.
    ForwardExists = "forward_exists",
    /// Approve or reject with no transfer out pending.
    NoTransferOut = "no_transfer_out",
    /// 100 forwards of this kind already.
    TooManyForwards = "too_many_forwards",
    /// A bad query parameter.
    InvalidQuery = "invalid_query",
    /// A missing or invalid token.
    NotAuthenticated = "not_authenticated",
    /// A change asked with a read-only token.
    ReadOnlyToken = "read_only_token",
    /// A secret asked with a read-only token.
    SecretNeedsReadWriteToken = "secret_needs_read_write_token",
    /// The balance does not cover the charge.
    InsufficientFunds = "insufficient_funds",
    /// No such domain (or item, or path).
    NotFound = "not_found",
    /// A page past the last.
    InvalidPage = "invalid_page",
    /// The path does not take this method.
    MethodNotAllowed = "method_not_allowed",
    /// A body over 64 KiB.
    PayloadTooLarge = "payload_too_large",
    /// A body without `Content-Type: application/json`.
    UnsupportedMediaType = "unsupported_media_type",
    /// Over the token's rate.
    RateLimited = "rate_limited",
    /// Too many requests with unknown tokens from one address.
    TooManyFailedLookups = "too_many_failed_lookups",
    /// The request took too long and was stopped.
    RequestTimeout = "request_timeout",
    /// The registry refused the change for a reason of its own (an EPP
    /// result the other codes do not name).
    RegistryRefused = "registry_refused",
    /// The registry does not answer.
    RegistryUnavailable = "registry_unavailable",
    /// Something failed on the server's side; nothing changed.
    InternalError = "internal_error",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn the_json_of_each_code_is_its_str() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::from(code.as_str()))
            );
        }
    }
}
