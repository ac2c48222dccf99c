//! Serving the application on a listener: HTTP/1 and HTTP/2 on one port,
//! the header read timeout, the wait for a connection's first bytes,
//! `Connection: close` when the server will close ([`crate::connection`]),
//! and a graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::connection;

/// HTTP/2's connection preface (RFC 9113, section 3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Waits, at most `within`, for a new connection's first bytes to tell
/// HTTP/1 from HTTP/2's preface: hyper's auto builder reads them before
/// any of hyper's timeouts applies, so a client that sends nothing, or
/// part of the preface, would otherwise hold the connection forever.
/// `false` when the client closed or took too long (the connection is
/// then dropped).
async fn first_bytes(stream: &tokio::net::TcpStream, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = [0u8; H2_PREFACE.len()];
    loop {
        match tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(n)) if n > 0 && (n == buf.len() || buf[..n] != H2_PREFACE[..n]) => return true,
            // Part of the preface: peek answers at once while nothing more
            // came, so wait a little before looking again.
            Ok(Ok(n)) if n > 0 => {
                let pause = tokio::time::Instant::now() + Duration::from_millis(20);
                if pause >= deadline {
                    return false;
                }
                tokio::time::sleep_until(pause).await;
            }
            _ => return false,
        }
    }
}

/// How long a client may take to send a request's headers, from its first
/// byte (or from the end of the previous answer on a kept-alive
/// connection) to the blank line: a client trickling a header line at a
/// time cannot hold a connection longer (`--header-read-timeout`).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` resolves, then stops
/// accepting and lets requests in flight finish (at most `grace`), with
/// the default [`HEADER_READ_TIMEOUT`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with(listener, app, shutdown, grace, HEADER_READ_TIMEOUT).await
}

/// [`serve`], with the time a client may take to send its headers
/// (`header_read_timeout`; past it the connection is closed).
///
/// Each request carries its peer's address (`ConnectInfo<SocketAddr>`,
/// for the throttle of failed token lookups). An answer after which the
/// connection will be closed says `Connection: close` (RFC 9112, section
/// 9.6), so a client does not send its next request into a closing
/// connection: when the request's body was not read to its end (a 413, or
/// a refusal before the body was needed), and during shutdown.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
    header_read_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tower::ServiceExt;

    let closing = Arc::new(AtomicBool::new(false));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY");
        }
        // Plain map functions, not a middleware: no boxing per request.
        let watch = connection::Watch::new(closing.clone());
        let service = app
            .clone()
            .map_request({
                let watch = watch.clone();
                move |req: hyper::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    watch.request(req)
                }
            })
            .map_response(move |response| watch.response(response));
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            if !first_bytes(&stream, header_read_timeout).await {
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    closing.store(true, Ordering::Relaxed);
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => Ok(()),
        () = tokio::time::sleep(grace) => {
            tracing::warn!("requests still running after the grace period; stopping anyway");
            Ok(())
        }
    }
}
