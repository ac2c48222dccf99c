//! The API request a registry command is sent for, so a real registry's
//! client transaction id (EPP `clTRID`, RFC 5730 §2.5) can name it.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` with `id` as the request it serves.
pub async fn with_request_id<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The request id of the API call being served on this task, if any
/// (`None` in the worker).
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
