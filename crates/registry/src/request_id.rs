//! What a registry command is sent for (an API request's id, or `worker`),
//! set by the registrar around a change's registry calls, so a real
//! registry's client transaction id (EPP `clTRID`, RFC 5730 §2.5) can
//! name it.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` with `id` as the request it serves.
pub async fn with_request_id<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// What the registry command being sent on this task is for, if the
/// registrar said (`None` outside a change, e.g. an availability check).
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
