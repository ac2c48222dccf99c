//! What `instant-epp` 0.5 cannot do, done here: a `<domain:info>` whose
//! answer may carry `<rgp:infData>` (RFC 3915 §3.2.1: a registry adds it
//! for a name in its redemption grace period, to clients that selected the
//! rgp extension at login, as we do). The crate reads an info answer only
//! without an extension, or with one when the command carried a restore
//! request, which an info must not. So the command is written here (its
//! text escaped by quick-xml) and the answer read with the crate's own
//! types (`instant-xml`), the extension as `RgpRequestInfoResponse`.
//!
//! And `<poll op="req">`, whose answer may carry `<changePoll:changeData>`
//! (RFC 8590): instant-epp's `Poll` takes no extension in its answer (its
//! change poll extension type is private), so the command is sent as text
//! and the answer read with the crate's `PollData` and `ChangePoll`.

use instant_epp::domain::info::InfoData;
use instant_epp::extensions::change_poll::{ChangePoll, OperationKind};
use instant_epp::extensions::rgp::request::RgpRequestInfoResponse;
use instant_epp::poll::PollData;
use instant_epp::response::Response;
use instant_xml::FromXml;
use quick_xml::escape::escape;

/// `<epp>` around an answer (the crate's own wrapper is private).
#[derive(FromXml)]
#[xml(rename = "epp", ns("urn:ietf:params:xml:ns:epp-1.0"))]
pub(crate) struct Epp<T> {
    pub(crate) data: T,
}

/// An info answer, with the RGP status when the registry adds one.
pub(crate) type InfoAnswer = Response<InfoData, RgpRequestInfoResponse>;

/// `<domain:info>` of `name` (with `auth_code` as `<domain:authInfo>` when
/// given), `cl_trid` as its `<clTRID>` (RFC 5731 §3.1.2).
pub(crate) fn info_command(name: &str, auth_code: Option<&str>, cl_trid: &str) -> String {
    let auth = auth_code
        .map(|pw| {
            format!(
                "<domain:authInfo><domain:pw>{}</domain:pw></domain:authInfo>",
                escape(pw)
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
         <epp xmlns=\"urn:ietf:params:xml:ns:epp-1.0\"><command><info>\
         <domain:info xmlns:domain=\"urn:ietf:params:xml:ns:domain-1.0\">\
         <domain:name hosts=\"all\">{}</domain:name>{auth}</domain:info></info>\
         <clTRID>{}</clTRID></command></epp>",
        escape(name),
        escape(cl_trid)
    )
}

/// Reads an info answer.
///
/// # Errors
/// The text is not an EPP response this reads.
pub(crate) fn info_answer(text: &str) -> Result<InfoAnswer, instant_xml::Error> {
    instant_xml::from_str::<Epp<InfoAnswer>>(text).map(|e| e.data)
}

/// The `svTRID` and result code of any answer, for the log and the audit
/// entry (`None` when the text cannot be read).
pub(crate) fn trid_and_code(text: &str) -> (Option<String>, Option<u16>) {
    match instant_xml::from_str::<Epp<instant_epp::response::ResponseStatus>>(text) {
        Ok(Epp { data }) => (
            Some(data.tr_ids.server_tr_id),
            Some(data.result.code as u16),
        ),
        Err(_) => (None, None),
    }
}

/// A poll answer, with the change poll data when the message is one.
pub(crate) type PollAnswer = Response<PollData, ChangePoll>;

/// `<poll op="req">` (RFC 5730 §2.9.2.3), `cl_trid` its `<clTRID>`.
pub(crate) fn poll_command(cl_trid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
         <epp xmlns=\"urn:ietf:params:xml:ns:epp-1.0\"><command><poll op=\"req\"/>\
         <clTRID>{}</clTRID></command></epp>",
        escape(cl_trid)
    )
}

/// Reads a poll answer.
///
/// # Errors
/// The text is not an EPP response this reads.
pub(crate) fn poll_answer(text: &str) -> Result<PollAnswer, instant_xml::Error> {
    instant_xml::from_str::<Epp<PollAnswer>>(text).map(|e| e.data)
}

/// RFC 8590 §3.1's name of a change's operation (`autoRenew`, ...).
pub(crate) fn operation_name(change: &ChangePoll) -> String {
    match change.operation.kind() {
        Ok(OperationKind::Create) => "create".to_owned(),
        Ok(OperationKind::Delete) => "delete".to_owned(),
        Ok(OperationKind::Renew) => "renew".to_owned(),
        Ok(OperationKind::Transfer) => "transfer".to_owned(),
        Ok(OperationKind::Update) => "update".to_owned(),
        Ok(OperationKind::Restore) => "restore".to_owned(),
        Ok(OperationKind::AutoRenew) => "autoRenew".to_owned(),
        Ok(OperationKind::AutoDelete) => "autoDelete".to_owned(),
        Ok(OperationKind::AutoPurge) => "autoPurge".to_owned(),
        Ok(OperationKind::Custom(op)) => op.to_owned(),
        Err(_) => "custom".to_owned(),
    }
}
