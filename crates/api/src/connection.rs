//! `Connection: close` on every answer after which the server closes the
//! connection (RFC 9112, section 9.6: a server that will close says so),
//! so a keep-alive client opens a new connection for its next request
//! instead of losing it.
//!
//! hyper closes a connection whose request body was not read to its end
//! (it cannot tell where the next request starts) unless the rest is
//! already buffered, and every connection once shutdown begins; it does not
//! say so in the answer. This layer does: it marks the body as read when
//! its last byte is taken, and closes when it was not.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::Stream;

/// A request body that notes when it has been read to its end.
struct Watched {
    inner: axum::body::BodyDataStream,
    ended: Arc<AtomicBool>,
}

impl Stream for Watched {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(None) = polled {
            self.ended.store(true, Ordering::Relaxed);
        }
        polled
    }
}

/// Whether the request comes with a body (RFC 9112, section 6.3).
fn has_body(req: &Request) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// The middleware: `closing` is set once shutdown has begun.
pub(crate) async fn close_when_closing(
    State(closing): State<Arc<AtomicBool>>,
    req: Request,
    next: Next,
) -> Response {
    let ended = has_body(&req).then(|| Arc::new(AtomicBool::new(false)));
    let req = match &ended {
        Some(ended) => {
            let (parts, body) = req.into_parts();
            let watched = Watched {
                inner: body.into_data_stream(),
                ended: ended.clone(),
            };
            Request::from_parts(parts, Body::from_stream(watched))
        }
        None => req,
    };
    let mut response = next.run(req).await;
    let unread = ended.is_some_and(|e| !e.load(Ordering::Relaxed));
    if unread || closing.load(Ordering::Relaxed) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
