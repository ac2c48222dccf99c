//! Sends the contact changes a registry has not taken yet: each contact
//! object marked pending when its contact changed (`PUT
//! /api/v1/contacts/{id}/`) and not sent since (the registry was down).
//! Sending one twice changes nothing twice (`<contact:update>` of the same
//! data), so no lease is taken.

use super::Pass;
use crate::ErrorChain;

/// One step of a pass.
pub(super) async fn run(pass: &mut Pass<'_>) {
    match pass.registrar.send_pending_contacts().await {
        Ok((sent, failed)) => {
            pass.outcome.contact_objects_sent += sent;
            pass.outcome.failed += failed;
        }
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "could not read the contact objects to send");
            pass.outcome.failed += 1;
        }
    }
}
