//! NOTIFY (RFC 1996) to the operator's secondaries (`--notify`): when a
//! zone changes, each secondary is told at once, over UDP, so it asks for
//! the zone (IXFR or AXFR, `transfer.rs`) instead of waiting for the SOA's
//! refresh. A NOTIFY unanswered is sent again after 1, 2, 4, 8 and 16
//! seconds (§3.6: "retransmitted... some reasonable number of times"), then
//! given up with a warning; a newer change of the zone starts it over.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::net::UdpSocket;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::catalog::Catalog;

/// How many times a NOTIFY is sent in all before it is given up.
const ATTEMPTS: u32 = 6;

/// One NOTIFY not yet answered.
#[derive(Debug)]
struct Pending {
    zone: String,
    target: SocketAddr,
    attempts: u32,
    due: Instant,
}

/// The NOTIFY message for `zone` with `id`: opcode NOTIFY, AA, the
/// question `zone. IN SOA`, and the zone's current SOA in the answer
/// section (§3.7 lets the primary send it).
fn message(catalog: &Catalog, zone: &str, id: u16) -> Option<Vec<u8>> {
    let name = Name::from_ascii(format!("{zone}.")).ok()?;
    let mut m = Message::new();
    m.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Notify)
        .set_authoritative(true);
    m.add_query(Query::query(name, RecordType::SOA));
    if let Some(z) = catalog.find(zone).filter(|z| z.name == zone) {
        m.add_answer(z.soa(crate::zone::SOA_TTL));
    } else if let Some(cz) = catalog.catalog_zone().filter(|c| c.name == zone) {
        m.add_answer(cz.soa_at(cz.serial()));
    }
    m.to_vec().ok()
}

/// Sends NOTIFY to every `targets` for each zone name read from `changes`
/// (the follower's, `Follower::notify_to`), until `changes` closes. With no
/// target it never ends (it runs beside the nameserver, which it must not
/// stop).
pub async fn run(
    catalog: Arc<Catalog>,
    targets: Vec<SocketAddr>,
    mut changes: UnboundedReceiver<String>,
) {
    if targets.is_empty() {
        return std::future::pending().await;
    }
    let bind: SocketAddr = if targets.iter().all(SocketAddr::is_ipv4) {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = match UdpSocket::bind(bind).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "NOTIFY: cannot open a UDP socket; secondaries are not told of changes");
            return;
        }
    };
    let mut pending: HashMap<u16, Pending> = HashMap::new();
    let mut next_id: u16 = (std::process::id() & 0xffff) as u16;
    let mut buf = vec![0u8; 4096];
    loop {
        let next_due = pending.values().map(|p| p.due).min();
        tokio::select! {
            change = changes.recv() => {
                let Some(zone) = change else { return };
                // A newer change replaces what is still pending for the zone.
                pending.retain(|_, p| p.zone != zone);
                for &target in &targets {
                    next_id = next_id.wrapping_add(1);
                    pending.insert(next_id, Pending { zone: zone.clone(), target, attempts: 0, due: Instant::now() });
                }
            }
            got = socket.recv_from(&mut buf) => {
                let Ok((len, from)) = got else { continue };
                let Ok(answer) = Message::from_vec(&buf[..len]) else { continue };
                if answer.message_type() == MessageType::Response
                    && answer.op_code() == OpCode::Notify
                    && pending.get(&answer.id()).is_some_and(|p| p.target == from)
                {
                    if let Some(p) = pending.remove(&answer.id()) {
                        tracing::debug!(zone = %p.zone, target = %p.target, rcode = ?answer.response_code(), "NOTIFY answered");
                    }
                }
            }
            () = async {
                match next_due {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => {
                let now = Instant::now();
                let due: Vec<u16> = pending.iter().filter(|(_, p)| p.due <= now).map(|(id, _)| *id).collect();
                for id in due {
                    let Some(p) = pending.get_mut(&id) else { continue };
                    if p.attempts >= ATTEMPTS {
                        tracing::warn!(zone = %p.zone, target = %p.target, "NOTIFY never answered; the secondary will find the change at its SOA refresh");
                        pending.remove(&id);
                        continue;
                    }
                    if let Some(bytes) = message(&catalog, &p.zone, id) {
                        if let Err(e) = socket.send_to(&bytes, p.target).await {
                            tracing::debug!(error = %e, target = %p.target, "NOTIFY not sent");
                        }
                    }
                    p.due = now + Duration::from_secs(1 << p.attempts.min(4));
                    p.attempts += 1;
                }
            }
        }
    }
}
