//! `Connection: close` on every answer after which the server closes the
//! connection (RFC 9112, section 9.6: a server that will close says so),
//! so a keep-alive client opens a new connection for its next request
//! instead of losing it.
//!
//! hyper closes a connection whose request body was not read to its end
//! (it cannot tell where the next request starts) unless the rest is
//! already buffered, and every connection once shutdown begins; it does not
//! say so in the answer. [`Watch`] does: it marks the body as read when its
//! last byte is taken, and closes when it was not.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Version};
use axum::response::Response;
use futures_util::Stream;

/// A request body that notes when it has been read to its end.
struct Watched {
    inner: axum::body::BodyDataStream,
    unread: Arc<AtomicBool>,
}

impl Stream for Watched {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(None) = polled {
            self.unread.store(false, Ordering::Relaxed);
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

/// One HTTP/1 connection's state: whether the current request's body is
/// still unread (requests on an HTTP/1 connection come one at a time), and
/// whether shutdown has begun (shared by all connections).
#[derive(Clone, Debug)]
pub(crate) struct Watch {
    unread: Arc<AtomicBool>,
    closing: Arc<AtomicBool>,
}

impl Watch {
    /// A new connection's; `closing` is set once shutdown begins.
    pub(crate) fn new(closing: Arc<AtomicBool>) -> Self {
        Watch {
            unread: Arc::new(AtomicBool::new(false)),
            closing,
        }
    }

    /// Watches the request's body, if it has one (HTTP/1 only: HTTP/2 has
    /// no `Connection` header and closes streams, not connections).
    pub(crate) fn request(&self, req: Request) -> Request {
        if req.version() >= Version::HTTP_2 || !has_body(&req) {
            self.unread.store(false, Ordering::Relaxed);
            return req;
        }
        self.unread.store(true, Ordering::Relaxed);
        let (parts, body) = req.into_parts();
        let watched = Watched {
            inner: body.into_data_stream(),
            unread: self.unread.clone(),
        };
        Request::from_parts(parts, Body::from_stream(watched))
    }

    /// Says `Connection: close` when the connection will close.
    pub(crate) fn response(&self, mut response: Response) -> Response {
        if self.unread.load(Ordering::Relaxed) || self.closing.load(Ordering::Relaxed) {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
