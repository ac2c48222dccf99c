//! One EPP session (RFC 5730 §2): the greeting, then one command per frame
//! until `<logout>`, an error that closes, or the peer leaves.

use std::net::SocketAddr;
use std::sync::OnceLock;

use roxmltree::{Document, Node};
use tokio::io::{AsyncRead, AsyncWrite};
use vpsd_registry::SandboxRegistry;

use crate::frame::{self, Frame};
use crate::response::{self, attr, date, Answer, Xml};
use crate::{EppServer, DOMAIN_NS, EPP_NS, HOST_NS, RGP_NS};

/// Failed logins after which the server closes the session (RFC 5730
/// §2.9.1.1 lets the server limit them; the third one answers 2501).
const MAX_LOGIN_FAILURES: u32 = 3;

/// The state of a session.
pub(crate) struct Session<'s> {
    pub(crate) server: &'s EppServer,
    /// The registry acting for the logged-in registrar.
    pub(crate) registry: Option<SandboxRegistry>,
    /// Whether the client selected the RGP extension at login (RFC 5730
    /// §2.9.1.1: only selected extensions appear in answers).
    rgp_selected: bool,
    login_failures: u32,
}

/// A command's parsed frame.
pub(crate) struct Command<'a, 'input> {
    /// The element inside `<command>` (`login`, `check`, `transfer`, ...).
    pub(crate) verb: Node<'a, 'input>,
    /// `<extension>`, if any.
    pub(crate) extension: Option<Node<'a, 'input>>,
}

/// Runs the session on `stream` until it ends. Errors: the connection's.
pub(crate) async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    server: &EppServer,
    mut stream: S,
    peer: SocketAddr,
) -> std::io::Result<()> {
    frame::write(
        &mut stream,
        &response::greeting(&server.server_id, server.clock.now()),
    )
    .await?;
    let mut session = Session {
        server,
        registry: None,
        rgp_selected: false,
        login_failures: 0,
    };
    loop {
        let read = tokio::time::timeout(server.idle_timeout, frame::read(&mut stream)).await;
        let data = match read {
            Err(_) => {
                tracing::info!(%peer, "EPP session idle too long: closing");
                return Ok(());
            }
            Ok(Ok(Frame::Closed)) => return Ok(()),
            Ok(Ok(Frame::BadLength(n))) => {
                tracing::info!(%peer, length = n, "EPP frame of a refused length: closing");
                let answer = Answer::fail(
                    2001,
                    format!("a frame must be 5 to {} bytes long", crate::MAX_FRAME),
                );
                // Closing: the rest of the stream cannot be framed.
                let answer = Answer {
                    close: true,
                    ..answer
                };
                frame::write(&mut stream, &answer.to_xml(None)).await?;
                return Ok(());
            }
            Ok(Ok(Frame::Data(data))) => data,
            Ok(Err(e)) => return Err(e),
        };
        let (xml, close) = session.handle(&data, peer).await;
        frame::write(&mut stream, &xml).await?;
        if close {
            return Ok(());
        }
    }
}

impl Session<'_> {
    /// Answers one frame: the XML to send and whether to close after it.
    async fn handle(&mut self, data: &[u8], peer: SocketAddr) -> (String, bool) {
        let Ok(text) = std::str::from_utf8(data) else {
            return (
                Answer::fail(2001, "the frame is not UTF-8").to_xml(None),
                false,
            );
        };
        let doc = match Document::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                tracing::info!(%peer, error = %e, "EPP frame is not well-formed XML");
                return (
                    Answer::fail(2001, format!("not well-formed XML: {e}")).to_xml(None),
                    false,
                );
            }
        };
        let root = doc.root_element();
        if !is(root, EPP_NS, "epp") {
            return (
                Answer::fail(2001, "the root element must be <epp> in the EPP namespace")
                    .to_xml(None),
                false,
            );
        }
        let Some(top) = elements(root).next() else {
            return (Answer::fail(2001, "<epp> is empty").to_xml(None), false);
        };
        if is(top, EPP_NS, "hello") {
            let now = self.server.clock.now();
            return (response::greeting(&self.server.server_id, now), false);
        }
        if !is(top, EPP_NS, "command") {
            return (
                Answer::fail(
                    2000,
                    format!("<{}> is not a command", top.tag_name().name()),
                )
                .to_xml(None),
                false,
            );
        }
        let cl_trid = child(top, EPP_NS, "clTRID").and_then(|n| n.text());
        if let Some(id) = cl_trid {
            let n = id.chars().count();
            if !(3..=64).contains(&n) {
                return (
                    Answer::fail(2001, "clTRID must be 3 to 64 characters").to_xml(None),
                    false,
                );
            }
        }
        let mut parts = elements(top).filter(|n| !is(*n, EPP_NS, "clTRID"));
        let Some(verb) = parts.next() else {
            return (
                Answer::fail(2001, "<command> names no command").to_xml(cl_trid),
                false,
            );
        };
        let extension = parts.find(|n| is(*n, EPP_NS, "extension"));
        let command = Command { verb, extension };
        let answer = self.dispatch(&command).await;
        if answer.code < 2000 && self.server.crash_after.as_deref() == Some(&command_name(verb)) {
            tracing::warn!(%peer, command = %command_name(verb), "--crash-after: exiting before the answer");
            std::process::exit(3);
        }
        let client = self.registry.as_ref().map(|r| r.client_id().to_owned());
        tracing::info!(
            %peer,
            client_id = client.as_deref().unwrap_or("-"),
            command = verb.tag_name().name(),
            code = answer.code,
            "EPP command"
        );
        (answer.to_xml(cl_trid), answer.close)
    }

    async fn dispatch(&mut self, c: &Command<'_, '_>) -> Answer {
        let verb = c.verb;
        if verb.tag_name().namespace() != Some(EPP_NS) {
            return Answer::fail(2001, "the command is not in the EPP namespace");
        }
        let name = verb.tag_name().name();
        if name == "login" {
            return self.login(verb).await;
        }
        let Some(registry) = self.registry.clone() else {
            return match name {
                "logout" | "check" | "info" | "create" | "delete" | "renew" | "transfer"
                | "update" | "poll" => Answer::fail(2002, "log in first"),
                _ => Answer::fail(2000, format!("unknown command <{name}>")),
            };
        };
        // RGP (RFC 3915) is the one extension served, on <domain:update>.
        let mut rgp = None;
        if let Some(ext) = c.extension {
            for e in elements(ext) {
                if e.tag_name().namespace() != Some(RGP_NS) {
                    return Answer::fail(
                        2103,
                        format!(
                            "extension {} is not served",
                            e.tag_name().namespace().unwrap_or("(none)")
                        ),
                    );
                }
                rgp = Some(e);
            }
        }
        if rgp.is_some() && name != "update" {
            return Answer::fail(2103, "the rgp extension is served with <update> only");
        }
        match name {
            "logout" => Answer::code(1500),
            "poll" => self.poll(&registry, verb).await,
            "check" | "info" | "create" | "delete" | "renew" | "transfer" | "update" => {
                let Some(object) = elements(verb).next() else {
                    return Answer::fail(2001, format!("<{name}> names no object"));
                };
                let op = verb.attribute("op");
                match object.tag_name().namespace() {
                    Some(DOMAIN_NS) => {
                        let mut answer =
                            crate::domain::command(self.server, &registry, name, op, object, rgp)
                                .await;
                        if !self.rgp_selected {
                            answer.extension = None;
                        }
                        answer
                    }
                    Some(HOST_NS) if rgp.is_some() => {
                        Answer::fail(2103, "the rgp extension is served with domains only")
                    }
                    Some(HOST_NS) => {
                        crate::host::command(self.server, &registry, name, object).await
                    }
                    other => Answer::fail(
                        2307,
                        format!("object service {} is not served", other.unwrap_or("(none)")),
                    ),
                }
            }
            _ => Answer::fail(2000, format!("unknown command <{name}>")),
        }
    }

    /// `<login>` (RFC 5730 §2.9.1.1).
    async fn login(&mut self, login: Node<'_, '_>) -> Answer {
        if self.registry.is_some() {
            return Answer::fail(2002, "already logged in");
        }
        let (Some(client_id), Some(pw)) = (
            child_text(login, EPP_NS, "clID"),
            child_text(login, EPP_NS, "pw"),
        ) else {
            return Answer::fail(2003, "<login> needs <clID> and <pw>");
        };
        let new_pw = child_text(login, EPP_NS, "newPW");
        let options = child(login, EPP_NS, "options");
        let version = options.and_then(|o| child_text(o, EPP_NS, "version"));
        let lang = options.and_then(|o| child_text(o, EPP_NS, "lang"));
        match (version, lang) {
            (Some("1.0"), Some("en")) => {}
            (Some("1.0"), Some(_)) => return Answer::fail(2102, "the only language is en"),
            (Some(_), _) => return Answer::fail(2100, "the only version is 1.0"),
            (None, _) => return Answer::fail(2003, "<login> needs <options><version> and <lang>"),
        }
        // Object services asked for beyond domain and host (instant-epp
        // asks for contact too) are not refused: their commands get 2307.
        if let Some(new_pw) = new_pw {
            if !crate::valid_password(new_pw) {
                return Answer::fail(2005, "<newPW> must be 6 to 16 characters");
            }
        }
        let store = self.server.store.clone();
        let hash = match store.registry_registrar_password_hash(client_id).await {
            Ok(hash) => hash,
            Err(e) => {
                tracing::error!(error = %e, "reading a registrar's password hash");
                return Answer::fail(2400, "the registry's database failed");
            }
        };
        let pw = pw.to_owned();
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(hash) => crate::password::verify(&pw, &hash),
            None => {
                // As long as a real check, so the time does not tell
                // whether the clID exists.
                let _ = crate::password::verify(&pw, dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false);
        if !ok {
            self.login_failures += 1;
            tracing::info!(
                client_id,
                failures = self.login_failures,
                "EPP login refused"
            );
            if self.login_failures >= MAX_LOGIN_FAILURES {
                return Answer::fail(2501, "too many failed logins");
            }
            return Answer::fail(2200, "wrong clID or password");
        }
        if let Some(new_pw) = new_pw {
            let hashed = match crate::hash_password(new_pw) {
                Ok(h) => h,
                Err(e) => return Answer::fail(2400, e.to_string()),
            };
            let now = self.server.clock.now();
            match store
                .registry_registrar_set_password(client_id, &hashed, now)
                .await
            {
                Ok(true) => {}
                Ok(false) => return Answer::fail(2200, "wrong clID or password"),
                Err(e) => {
                    tracing::error!(error = %e, "storing a registrar's new password");
                    return Answer::fail(2400, "the registry's database failed");
                }
            }
        }
        self.rgp_selected = child(login, EPP_NS, "svcs")
            .and_then(|s| child(s, EPP_NS, "svcExtension"))
            .is_some_and(|e| {
                elements(e)
                    .any(|u| is(u, EPP_NS, "extURI") && u.text().map(str::trim) == Some(RGP_NS))
            });
        self.registry = Some(SandboxRegistry::acting_as(
            store,
            client_id,
            self.server.transfer_delay,
        ));
        tracing::info!(client_id, "EPP login");
        Answer::code(1000)
    }

    /// `<poll op="req">` and `<poll op="ack" msgID="...">` (RFC 5730
    /// §2.9.2.3). Due transfers are settled first, so their messages are
    /// in the queue.
    async fn poll(&self, registry: &SandboxRegistry, verb: Node<'_, '_>) -> Answer {
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

/// A PHC string nobody's password matches, for logins of unknown clIDs.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| crate::hash_password("no registrar").unwrap_or_default())
}

/// 2400 for a store failure, logged with its cause.
/// A command's name as `--crash-after` gives it: the object mapping's
/// prefix and the verb (`domain:renew`, `host:create`, `poll`).
fn command_name(verb: Node<'_, '_>) -> String {
    let object = elements(verb)
        .next()
        .map(|o| match o.tag_name().namespace() {
            Some(crate::DOMAIN_NS) => "domain",
            Some(crate::HOST_NS) => "host",
            _ => "other",
        });
    match object {
        Some(object) => format!("{object}:{}", verb.tag_name().name()),
        None => verb.tag_name().name().to_owned(),
    }
}

pub(crate) fn store_failed(e: impl std::fmt::Display) -> Answer {
    tracing::error!(error = %e, "the registry's database failed");
    Answer::fail(2400, "the registry's database failed")
}

/// Whether `n` is element `name` in namespace `ns`.
pub(crate) fn is(n: Node<'_, '_>, ns: &str, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(ns)
}

/// The element children of `n`.
pub(crate) fn elements<'a, 'i>(n: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(Node::is_element)
}

/// The first child element `name` in `ns`.
pub(crate) fn child<'a, 'i>(n: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    elements(n).find(|c| is(*c, ns, name))
}

/// The trimmed text of the first child element `name` in `ns`.
pub(crate) fn child_text<'a>(n: Node<'a, '_>, ns: &str, name: &str) -> Option<&'a str> {
    child(n, ns, name).map(|c| c.text().unwrap_or("").trim())
}
