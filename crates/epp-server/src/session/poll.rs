//! The poll queue (RFC 5730 §2.9.2.3): `<poll op="req">` and
//! `<poll op="ack">`. Two kinds of message share it, handed out oldest
//! first: transfers (`<domain:trnData>`, RFC 5731 §3.1.3, msgID the
//! message's number) and the registry's own changes to a name (RFC 8590:
//! `<domain:infData>` of the name now, with `<changePoll:changeData>` for
//! clients that selected the extension; msgID `c` and the number).

use chrono::{DateTime, Utc};
use vpsd_registry::ChangeMessage;

use super::*;

impl Session<'_> {
    /// `<poll op="req">` and `<poll op="ack" msgID="...">` (RFC 5730
    /// §2.9.2.3). Due transfers are settled first, so their messages are
    /// in the queue.
    pub(super) async fn poll(&self, registry: &SandboxRegistry, verb: Node<'_, '_>) -> Answer {
        let now = self.server.clock.now();
        let store = registry.store();
        let client_id = registry.client_id();
        match verb.attribute("op") {
            Some("req") => {
                if let Err(e) = registry.settle_all_due(now).await {
                    return store_failed(e);
                }
                let transfer = match store.registry_poll_first(client_id).await {
                    Ok(t) => t,
                    Err(e) => return store_failed(e),
                };
                let (change, changes) = match store.registry_change_first(client_id).await {
                    Ok(c) => c,
                    Err(e) => return store_failed(e),
                };
                let transfers = transfer.as_ref().map_or(0, |(_, n)| *n);
                let count = transfers + changes;
                // The older of the two queues' first messages.
                let change = change.filter(|c| {
                    transfer
                        .as_ref()
                        .is_none_or(|(m, _)| c.queued_at < m.queued_at)
                });
                if let Some(c) = change {
                    return self.change_answer(registry, &c, count, now).await;
                }
                match transfer {
                    None => Answer::code(1300),
                    Some((m, _)) => Answer {
                        msg_q: Some(msg_q(count, &m.id.to_string(), m.queued_at, &m.message)),
                        ..Answer::data(1301, crate::domain::trn_data(&m.notice))
                    },
                }
            }
            Some("ack") => {
                let Some(id) = verb.attribute("msgID").map(str::trim) else {
                    return Answer::fail(2003, "<poll op=\"ack\"> needs msgID");
                };
                let (change, number) = match id.strip_prefix('c') {
                    Some(n) => (true, n),
                    None => (false, id),
                };
                let Ok(number) = number.parse::<i64>() else {
                    return Answer::fail(2005, "msgID is not a message id of this registry");
                };
                let acked = if change {
                    store.registry_change_ack(client_id, number).await
                } else {
                    store
                        .registry_poll_ack(client_id, number)
                        .await
                        .map(|left| left.is_some())
                };
                match acked {
                    Ok(true) => {}
                    Ok(false) => return Answer::fail(2303, "no such message in your queue"),
                    Err(e) => return store_failed(e),
                }
                let left = match (
                    store.registry_poll_first(client_id).await,
                    store.registry_change_first(client_id).await,
                ) {
                    (Ok(t), Ok((_, c))) => t.map_or(0, |(_, n)| n) + c,
                    (Err(e), _) | (_, Err(e)) => return store_failed(e),
                };
                let mut q = Xml::default();
                q.empty(
                    "msgQ",
                    &format!("{}{}", attr("count", &left.to_string()), attr("id", id)),
                );
                Answer {
                    msg_q: Some(q.into_string()),
                    ..Answer::code(1000)
                }
            }
            Some(_) => Answer::fail(2005, "op must be req or ack"),
            None => Answer::fail(2003, "<poll> needs op"),
        }
    }

    /// A change poll message (RFC 8590 §3): `<domain:infData>` of the name
    /// as it stands now (state `after`; a deleted name with status
    /// `pendingDelete`, a purged one with none), and
    /// `<changePoll:changeData>` when the client selected it at login.
    async fn change_answer(
        &self,
        registry: &SandboxRegistry,
        c: &ChangeMessage,
        count: i64,
        now: DateTime<Utc>,
    ) -> Answer {
        let n = &c.notice;
        let (status, ex_date) = match registry.store().registry_object(&n.name).await {
            Ok(Some(o)) if o.record.sponsoring_registrar == c.client_id => {
                (None, Some(o.record.ex_date))
            }
            Ok(Some(_)) => (Some("pendingTransfer"), None),
            Ok(None) => match registry.deleted(&n.name, now).await {
                Ok(Some((d, _))) => (Some("pendingDelete"), Some(d.record.ex_date)),
                Ok(None) => (None, None),
                Err(e) => return store_failed(e),
            },
            Err(e) => return store_failed(e),
        };
        let mut x = Xml::default();
        x.open("domain:infData", &attr("xmlns:domain", DOMAIN_NS))
            .text("domain:name", "", &n.name)
            .text("domain:roid", "", &crate::domain::roid(&n.name));
        x.empty("domain:status", &attr("s", status.unwrap_or("ok")));
        x.text("domain:clID", "", &c.client_id);
        if let Some(ex) = ex_date {
            x.text("domain:exDate", "", &date(ex));
        }
        x.close("domain:infData");
        let mut answer = Answer {
            msg_q: Some(msg_q(count, &format!("c{}", c.id), c.queued_at, &c.message)),
            ..Answer::data(1301, x.into_string())
        };
        if self.change_poll_selected {
            let mut e = Xml::default();
            e.open(
                "changePoll:changeData",
                &format!(
                    "{}{}",
                    attr("xmlns:changePoll", CHANGE_POLL_NS),
                    attr("state", "after")
                ),
            )
            .text("changePoll:operation", "", &n.operation)
            .text("changePoll:date", "", &date(c.queued_at))
            .text("changePoll:svTRID", "", &n.sv_trid)
            .text("changePoll:who", "", &n.who);
            if let Some(reason) = &n.reason {
                e.text("changePoll:reason", "", reason);
            }
            e.close("changePoll:changeData");
            answer.extension = Some(e.into_string());
        }
        answer
    }
}

/// `<msgQ count id>` with its `<qDate>` and `<msg>`.
fn msg_q(count: i64, id: &str, queued_at: DateTime<Utc>, message: &str) -> String {
    let mut q = Xml::default();
    q.open(
        "msgQ",
        &format!("{}{}", attr("count", &count.to_string()), attr("id", id)),
    )
    .text("qDate", "", &date(queued_at))
    .text("msg", "", message)
    .close("msgQ");
    q.into_string()
}
