//! The EPP transactions a registrar operation made, gathered for its audit
//! entry: each command's client and server transaction ids (`clTRID`,
//! `svTRID`, RFC 5730 §2.5) and result code, so the operator can match an
//! audit entry with the registry's own records.

use std::cell::RefCell;
use std::future::Future;

/// One command sent to a real registry, and its answer if one came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryTransaction {
    /// The registry ([`crate::Registry::label`]).
    pub registry: String,
    /// The command, e.g. `domain:create`.
    pub command: &'static str,
    /// Our transaction id.
    pub cl_trid: String,
    /// The registry's; `None` when no answer came.
    pub sv_trid: Option<String>,
    /// The EPP result code; `None` when no answer came.
    pub code: Option<u16>,
}

tokio::task_local! {
    static TRAIL: RefCell<Vec<RegistryTransaction>>;
}

/// Runs `work`, returning its output and the registry transactions it made.
pub async fn recording<F: Future>(work: F) -> (F::Output, Vec<RegistryTransaction>) {
    TRAIL
        .scope(RefCell::new(Vec::new()), async {
            let out = work.await;
            let trail = TRAIL.with(|t| t.take());
            (out, trail)
        })
        .await
}

/// Notes a transaction for the operation being recorded, if any.
pub fn record(transaction: RegistryTransaction) {
    let _ = TRAIL.try_with(|t| t.borrow_mut().push(transaction));
}
