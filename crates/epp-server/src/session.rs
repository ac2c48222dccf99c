//! One EPP session (RFC 5730 §2): the greeting, then one command per frame
//! until `<logout>`, an error that closes, or the peer leaves.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::time::Instant;

use roxmltree::{Document, Node};
use tokio::io::{AsyncRead, AsyncWrite};
use vpsd_registry::SandboxRegistry;

use crate::frame::{self, Frame};
use crate::response::{self, attr, date, Answer, Xml};
use crate::{
    EppServer, CHANGE_POLL_NS, CONTACT_NS, DOMAIN_NS, EPP_NS, FEE_NS, HOST_NS, NAMESTORE_NS, RGP_NS,
};

mod login;
mod namestore;
mod poll;

/// Failed logins after which the server closes the session (RFC 5730
/// §2.9.1.1 lets the server limit them; the third one answers 2501).
const MAX_LOGIN_FAILURES: u32 = 3;

/// What the sessions of one server share: how many sessions each clID
/// has, and each known clID's failed logins (count, last one).
#[derive(Debug, Default)]
pub(crate) struct Shared {
    sessions: Mutex<HashMap<String, usize>>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    /// Wrong authInfo answers (2202) per clID in the current window, and
    /// when the window began: a registrar guessing other registrars'
    /// codes is stopped (see [`MAX_WRONG_AUTH_INFO`]).
    wrong_auth_info: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Wrong authInfo answers (2202) one registrar may get in
/// [`WRONG_AUTH_INFO_WINDOW`]; past it, every command naming an authInfo is
/// answered 2306 until the window ends. Honest registrars mistype a code a
/// few times; guessing takes thousands.
pub const MAX_WRONG_AUTH_INFO: u32 = 20;

/// The window of [`MAX_WRONG_AUTH_INFO`].
pub const WRONG_AUTH_INFO_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// One logged-in session counted against its clID; uncounted when dropped.
struct SessionSlot {
    shared: Arc<Shared>,
    client_id: String,
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let mut sessions = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = sessions.get_mut(&self.client_id) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                sessions.remove(&self.client_id);
            }
        }
    }
}

/// The state of a session.
pub(crate) struct Session<'s> {
    pub(crate) server: &'s EppServer,
    /// The registry acting for the logged-in registrar.
    pub(crate) registry: Option<SandboxRegistry>,
    /// Whether the client selected the RGP extension at login (RFC 5730
    /// §2.9.1.1: only selected extensions appear in answers).
    rgp_selected: bool,
    /// Whether the client selected the fee extension (RFC 8748) at login.
    fee_selected: bool,
    /// Whether the client selected the change poll extension (RFC 8590)
    /// at login: its poll answers about the registry's own changes carry
    /// `<changePoll:changeData>`.
    change_poll_selected: bool,
    login_failures: u32,
    slot: Option<SessionSlot>,
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
    accepted: Instant,
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
        fee_selected: false,
        change_poll_selected: false,
        login_failures: 0,
        slot: None,
    };
    let login_by = accepted + server.login_timeout;
    loop {
        // Before its login a connection has what is left of the login
        // time, hellos or not; after it, the idle time for each frame.
        let logged_in = session.registry.is_some();
        let limit = if logged_in {
            server.idle_timeout
        } else {
            login_by.saturating_duration_since(Instant::now())
        };
        let read = tokio::time::timeout(limit, frame::read(&mut stream)).await;
        let data = match read {
            Err(_) if logged_in => {
                tracing::info!(%peer, "EPP session idle too long: closing");
                return Ok(());
            }
            Err(_) => {
                tracing::info!(%peer, "EPP connection did not log in in time: closing");
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
        if let Some(reason) = too_deep(text) {
            tracing::info!(%peer, reason, "EPP frame refused before parsing");
            return (Answer::fail(2001, reason).to_xml(None), false);
        }
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
        let client = self.registry.as_ref().map(|r| r.client_id().to_owned());
        let names_auth_info = text.contains("authInfo");
        if let (Some(client), true) = (&client, names_auth_info) {
            if self.auth_info_guesses_exhausted(client) {
                tracing::warn!(%peer, client_id = %client, "EPP command refused: too many wrong authInfo");
                return (
                    Answer::fail(
                        2306,
                        format!(
                            "more than {MAX_WRONG_AUTH_INFO} wrong authInfo in {} minutes: wait and check the code with its registrant",
                            WRONG_AUTH_INFO_WINDOW.as_secs() / 60
                        ),
                    )
                    .to_xml(cl_trid),
                    false,
                );
            }
        }
        if self.server.crash_before.as_deref() == Some(&command_name(verb)) {
            tracing::warn!(%peer, command = %command_name(verb), "--crash-before: exiting before carrying it out");
            std::process::exit(3);
        }
        let answer = self.dispatch(&command).await;
        if let (Some(client), 2202) = (&client, answer.code) {
            self.wrong_auth_info(client);
        }
        if answer.code < 2000 && self.server.crash_after.as_deref() == Some(&command_name(verb)) {
            tracing::warn!(%peer, command = %command_name(verb), "--crash-after: exiting before the answer");
            std::process::exit(3);
        }
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
        // RGP (RFC 3915), on <domain:update>, and fees (RFC 8748), on
        // check, create, renew and a transfer request, are the extensions
        // served.
        let mut rgp = None;
        let mut fee = None;
        let mut namestore = None;
        if let Some(ext) = c.extension {
            for e in elements(ext) {
                if e.tag_name().namespace() == Some(NAMESTORE_NS) {
                    namestore = Some(e);
                    continue;
                }
                if e.tag_name().namespace() == Some(FEE_NS) {
                    if fee.is_some()
                        || !matches!(name, "check" | "create" | "renew" | "transfer" | "update")
                    {
                        return Answer::fail(
                            2103,
                            "one fee extension, with <check>, <create>, <renew>, <transfer> or a restore <update>",
                        );
                    }
                    fee = Some(e);
                    continue;
                }
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
        if fee.is_some() && name == "update" && rgp.is_none() {
            // RFC 8748 §5.2.5: a fee on an update is for what the update
            // costs; here only a restore (RFC 3915) does.
            return Answer::fail(2103, "<fee:update> goes with an RGP restore request only");
        }
        match name {
            "logout" => Answer::code(1500),
            "poll" => self.poll(&registry, verb).await,
            "check" | "info" | "create" | "delete" | "renew" | "transfer" | "update" => {
                let Some(object) = elements(verb).next() else {
                    return Answer::fail(2001, format!("<{name}> names no object"));
                };
                if let Some(refused) =
                    namestore::check(object, namestore, self.server.require_namestore)
                {
                    return refused;
                }
                let op = verb.attribute("op");
                match object.tag_name().namespace() {
                    Some(DOMAIN_NS) => {
                        let mut answer = crate::domain::command(
                            self.server,
                            &registry,
                            name,
                            op,
                            object,
                            rgp,
                            fee,
                        )
                        .await;
                        let selected = if matches!(name, "check" | "create" | "renew" | "transfer")
                        {
                            self.fee_selected
                        } else {
                            self.rgp_selected
                        };
                        if !selected {
                            answer.extension = None;
                        }
                        answer
                    }
                    Some(HOST_NS) if rgp.is_some() || fee.is_some() => {
                        Answer::fail(2103, "the rgp extension is served with domains only")
                    }
                    Some(HOST_NS) => {
                        crate::host::command(self.server, &registry, name, object).await
                    }
                    Some(CONTACT_NS) if rgp.is_some() || fee.is_some() => Answer::fail(
                        2103,
                        "the rgp and fee extensions are served with domains only",
                    ),
                    Some(CONTACT_NS) => {
                        let now = self.server.clock.now();
                        crate::contact::command(&registry, name, object, now).await
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
}

/// The deepest element nesting a frame may have. roxmltree parses
/// elements recursively, so a frame of thousands of nested elements would
/// overflow the stack and abort the process; EPP commands, extensions
/// included, are about ten levels deep.
const MAX_DEPTH: usize = 64;

/// Why `text` is refused before it is parsed into a tree: elements nested
/// deeper than [`MAX_DEPTH`], found by quick-xml's pull parser (no
/// recursion), or a document that parser cannot read (so nothing it
/// could not see past reaches roxmltree). `None` when it may be parsed.
fn too_deep(text: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(format!("elements nested deeper than {MAX_DEPTH} levels"));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return None,
            Err(e) => return Some(format!("not well-formed XML: {e}")),
            Ok(_) => {}
        }
    }
}

/// A PHC string nobody's password matches, for logins of unknown clIDs.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| crate::hash_password("no registrar").unwrap_or_default())
}

/// 2400 for a store failure, logged with its cause.
/// A command's name as `--crash-after` and `--crash-before` give it: the object mapping's
/// prefix and the verb (`domain:renew`, `host:create`, `poll`).
fn command_name(verb: Node<'_, '_>) -> String {
    let object = elements(verb)
        .next()
        .map(|o| match o.tag_name().namespace() {
            Some(crate::DOMAIN_NS) => "domain",
            Some(crate::HOST_NS) => "host",
            Some(crate::CONTACT_NS) => "contact",
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
