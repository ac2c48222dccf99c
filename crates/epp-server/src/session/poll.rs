//! The poll queue (RFC 5730 §2.9.2.3): `<poll op="req">` and
//! `<poll op="ack">`.

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
                match store.registry_poll_first(client_id).await {
                    Ok(None) => Answer::code(1300),
                    Ok(Some((m, count))) => {
                        let mut q = Xml::default();
                        q.open(
                            "msgQ",
                            &format!(
                                "{}{}",
                                attr("count", &count.to_string()),
                                attr("id", &m.id.to_string())
                            ),
                        )
                        .text("qDate", "", &date(m.queued_at))
                        .text("msg", "", &m.message)
                        .close("msgQ");
                        Answer {
                            msg_q: Some(q.into_string()),
                            ..Answer::data(1301, crate::domain::trn_data(&m.notice))
                        }
                    }
                    Err(e) => store_failed(e),
                }
            }
            Some("ack") => {
                let Some(id) = verb.attribute("msgID") else {
                    return Answer::fail(2003, "<poll op=\"ack\"> needs msgID");
                };
                let Ok(id) = id.trim().parse::<i64>() else {
                    return Answer::fail(2005, "msgID is not a message id of this registry");
                };
                match store.registry_poll_ack(client_id, id).await {
                    Ok(Some(left)) => {
                        let mut q = Xml::default();
                        q.empty(
                            "msgQ",
                            &format!(
                                "{}{}",
                                attr("count", &left.to_string()),
                                attr("id", &id.to_string())
                            ),
                        );
                        Answer {
                            msg_q: Some(q.into_string()),
                            ..Answer::code(1000)
                        }
                    }
                    Ok(None) => Answer::fail(2303, "no such message in your queue"),
                    Err(e) => store_failed(e),
                }
            }
            Some(_) => Answer::fail(2005, "op must be req or ack"),
            None => Answer::fail(2003, "<poll> needs op"),
        }
    }
}
