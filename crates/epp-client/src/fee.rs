//! Fees (RFC 8748, `urn:ietf:params:xml:ns:epp:fee-1.0`), which
//! `instant-epp` 0.5 does not have: `<fee:check>` in a `<domain:check>`,
//! written here (text escaped by quick-xml) and its `<fee:chkData>` read
//! with roxmltree; `<fee:create>`, `<fee:renew>` and `<fee:transfer>`, the
//! fee we agree to pay for a premium name, as extensions of the crate's own
//! create, renew and transfer request (instant-xml types). Asked only of a registry that announced
//! fee-1.0 in its greeting.
//!
//! A name is premium when its `<fee:class>` says `premium` (any case,
//! e.g. `premium-tier-2`); other classes are the TLD's standard price.

use instant_epp::domain::{DomainCreate, DomainRenew, DomainTransfer};
use instant_epp::request::{Extension, Transaction};
use instant_xml::{FromXml, ToXml};
use quick_xml::escape::escape;
use vpsd_registry::{amount_cents, format_cents, AgreedFee, RegistryFees, FEE_NS};

/// `<fee:create>` or `<fee:renew>` (RFC 8748 §5.2.1, §5.2.3): the fee we
/// agree to pay, in `currency`.
#[derive(Debug, ToXml)]
#[xml(rename = "create", ns(FEE_NS))]
pub(crate) struct FeeCreate {
    pub(crate) currency: String,
    pub(crate) fee: String,
}

/// See [`FeeCreate`].
#[derive(Debug, ToXml)]
#[xml(rename = "renew", ns(FEE_NS))]
pub(crate) struct FeeRenew {
    pub(crate) currency: String,
    pub(crate) fee: String,
}

/// See [`FeeCreate`] (RFC 8748 §5.2.4).
#[derive(Debug, ToXml)]
#[xml(rename = "transfer", ns(FEE_NS))]
pub(crate) struct FeeTransfer {
    pub(crate) currency: String,
    pub(crate) fee: String,
}

/// `<fee:trnData>` (RFC 8748 §5.2.4): what the registry charged.
#[derive(Debug, FromXml)]
#[xml(rename = "trnData", ns(FEE_NS))]
pub(crate) struct FeeTrnData {
    pub(crate) currency: Option<String>,
}

/// `<fee:creData>` (RFC 8748 §5.2.1): what the registry charged.
#[derive(Debug, FromXml)]
#[xml(rename = "creData", ns(FEE_NS))]
pub(crate) struct FeeCreData {
    pub(crate) currency: Option<String>,
}

/// `<fee:renData>` (RFC 8748 §5.2.3): what the registry charged.
#[derive(Debug, FromXml)]
#[xml(rename = "renData", ns(FEE_NS))]
pub(crate) struct FeeRenData {
    pub(crate) currency: Option<String>,
}

impl Extension for FeeCreate {
    type Response = FeeCreData;
}

impl Extension for FeeRenew {
    type Response = FeeRenData;
}

impl Extension for FeeTransfer {
    type Response = FeeTrnData;
}

impl Transaction<FeeCreate> for DomainCreate<'_> {}
impl Transaction<FeeTransfer> for DomainTransfer<'_> {}
impl Transaction<FeeRenew> for DomainRenew<'_> {}

/// `<domain:check>` of `name` with `<fee:check>` asking the create and
/// renew fees for `years` years, the transfer and restore fees (RFC 8748
/// §5.1.1), `cl_trid` its `<clTRID>`.
pub(crate) fn check_command(name: &str, years: u32, cl_trid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
         <epp xmlns=\"urn:ietf:params:xml:ns:epp-1.0\"><command><check>\
         <domain:check xmlns:domain=\"urn:ietf:params:xml:ns:domain-1.0\">\
         <domain:name>{}</domain:name></domain:check></check>\
         <extension><fee:check xmlns:fee=\"{FEE_NS}\">\
         <fee:command name=\"create\"><fee:period unit=\"y\">{years}</fee:period></fee:command>\
         <fee:command name=\"renew\"><fee:period unit=\"y\">{years}</fee:period></fee:command>\
         <fee:command name=\"transfer\"/><fee:command name=\"restore\"/>\
         </fee:check></extension><clTRID>{}</clTRID></command></epp>",
        escape(name),
        escape(cl_trid)
    )
}

/// `<domain:update>` of `name` with the RGP restore request (`<rgp:update>
/// <rgp:restore op="request"/>`, RFC 3915 §4.2) and `<fee:update>`
/// agreeing to the restore fee `fee` (RFC 8748 §5.2.5), `cl_trid` its
/// `<clTRID>`. Written here: instant-epp carries one extension per
/// command, and this one needs two.
pub(crate) fn restore_request_command(name: &str, fee: &AgreedFee, cl_trid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
         <epp xmlns=\"urn:ietf:params:xml:ns:epp-1.0\"><command><update>\
         <domain:update xmlns:domain=\"urn:ietf:params:xml:ns:domain-1.0\">\
         <domain:name>{}</domain:name><domain:chg/></domain:update></update>\
         <extension><rgp:update xmlns:rgp=\"urn:ietf:params:xml:ns:rgp-1.0\">\
         <rgp:restore op=\"request\"/></rgp:update>\
         <fee:update xmlns:fee=\"{FEE_NS}\"><fee:currency>{}</fee:currency>\
         <fee:fee>{}</fee:fee></fee:update></extension>\
         <clTRID>{}</clTRID></command></epp>",
        escape(name),
        escape(fee.currency.as_str()),
        format_cents(fee.cents),
        escape(cl_trid)
    )
}

/// The result code and `<msg>` of an answer (RFC 5730 §2.6).
///
/// # Errors
/// The text is not XML, or has no result code.
pub(crate) fn result_of(text: &str) -> Result<(u16, String), String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("unreadable answer: {e}"))?;
    let code = doc
        .descendants()
        .find(|n| n.has_tag_name("result"))
        .and_then(|n| n.attribute("code"))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or("no result code")?;
    let msg = doc
        .descendants()
        .find(|n| n.has_tag_name("msg"))
        .and_then(|n| n.text())
        .unwrap_or("")
        .to_owned();
    Ok((code, msg))
}

/// Reads the answer to [`check_command`] about `name`: the registry's
/// fees when its class is premium, `None` when standard.
///
/// # Errors
/// The answer is an error result, cannot be read, has no `<fee:cd>` for
/// `name`, or says its fee cannot be told (`avail="0"`): never guess.
pub(crate) fn check_answer(
    text: &str,
    name: &str,
    years: u32,
) -> Result<Option<RegistryFees>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("unreadable answer: {e}"))?;
    let code = doc
        .descendants()
        .find(|n| n.has_tag_name("result"))
        .and_then(|n| n.attribute("code"))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or("no result code")?;
    if !(1000..2000).contains(&code) {
        let msg = doc
            .descendants()
            .find(|n| n.has_tag_name("msg"))
            .and_then(|n| n.text())
            .unwrap_or("");
        return Err(format!("the fee check was refused ({code}: {msg})"));
    }
    let Some(data) = doc
        .descendants()
        .find(|n| n.has_tag_name((FEE_NS, "chkData")))
    else {
        return Err("the answer has no <fee:chkData>".to_owned());
    };
    let cd = data
        .children()
        .filter(|n| n.has_tag_name((FEE_NS, "cd")))
        .find(|cd| {
            text_of(*cd, "objID")
                .is_some_and(|id| id.trim_end_matches('.').eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| format!("the fee answer does not name {name}"))?;
    if matches!(cd.attribute("avail"), Some("0" | "false")) {
        let reason = text_of(cd, "reason").unwrap_or("no reason given");
        return Err(format!(
            "the registry cannot tell the fee of {name}: {reason}"
        ));
    }
    let class = text_of(cd, "class").unwrap_or("standard");
    if !class.to_ascii_lowercase().contains("premium") {
        return Ok(None);
    }
    let currency = text_of(data, "currency")
        .ok_or("the fee answer has no <fee:currency>")?
        .to_owned();
    let mut fees = RegistryFees {
        currency,
        class: class.to_owned(),
        years,
        create: None,
        renew: None,
        transfer: None,
        restore: None,
    };
    for command in cd
        .children()
        .filter(|c| c.has_tag_name((FEE_NS, "command")))
    {
        let mut cents: i64 = 0;
        for fee in command
            .children()
            .filter(|c| c.has_tag_name((FEE_NS, "fee")))
        {
            let amount = fee.text().unwrap_or("");
            // Rounded up: we never charge less than the registry does.
            let c = amount_cents(amount, true)
                .ok_or_else(|| format!("<fee:fee> {amount:?} is not an amount"))?;
            cents = cents.saturating_add(c);
        }
        let slot = match command.attribute("name") {
            Some("create") => &mut fees.create,
            Some("renew") => &mut fees.renew,
            Some("transfer") => &mut fees.transfer,
            Some("restore") => &mut fees.restore,
            _ => continue,
        };
        *slot = Some(cents);
    }
    Ok(Some(fees))
}

/// The trimmed text of `n`'s child `<fee:tag>`.
fn text_of<'a>(n: roxmltree::Node<'a, '_>, tag: &str) -> Option<&'a str> {
    n.children()
        .find(|c| c.has_tag_name((FEE_NS, tag)))
        .and_then(|c| c.text())
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><response><result code="1000"><msg>ok</msg></result><resData/><extension><fee:chkData xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"><fee:currency>USD</fee:currency><fee:cd avail="1"><fee:objID>gold.com</fee:objID><fee:class>Premium</fee:class><fee:command name="create"><fee:period unit="y">2</fee:period><fee:fee>400.00</fee:fee><fee:fee>100.001</fee:fee></fee:command><fee:command name="renew"><fee:fee>100</fee:fee></fee:command></fee:cd><fee:cd avail="1"><fee:objID>plain.com</fee:objID><fee:class>standard</fee:class></fee:cd><fee:cd avail="0"><fee:objID>odd.com</fee:objID><fee:reason>reserved</fee:reason></fee:cd></fee:chkData></extension><trID><svTRID>x</svTRID></trID></response></epp>"#;

    #[test]
    fn a_premium_answer_is_read_rounded_up() {
        let fees = check_answer(ANSWER, "GOLD.com", 2)
            .expect("read")
            .expect("premium");
        assert_eq!(fees.currency, "USD");
        assert_eq!(fees.create, Some(500_01));
        assert_eq!(fees.renew, Some(100_00));
        assert_eq!(fees.transfer, None);
        assert_eq!(check_answer(ANSWER, "plain.com", 1).expect("read"), None);
        assert!(check_answer(ANSWER, "odd.com", 1).is_err());
        assert!(check_answer(ANSWER, "other.com", 1).is_err());
    }
}
