//! Verisign's namestore extension (namestoreExt-1.1) for a registry whose
//! `extensions` name `namestore` (Verisign's .com/.net): every domain and
//! host command carries `<namestoreExt:namestoreExt><namestoreExt:subProduct>`
//! naming the registry it is for, `dot` and the upper-case TLD (`dotCOM`),
//! as instant-epp's `NameStore` writes it. instant-epp sends one extension
//! per command, and a create of a premium name already carries its fee, so
//! such commands are written here: the crate's own command, its extension
//! and the namestore element, each serialised by instant-xml, put together
//! in `<command>`; the answer is read with the crate's own types.

use instant_epp::extensions::namestore::NameStore;
use instant_epp::request::{Command, Extension, Transaction};
use instant_epp::response::{Response, ResponseStatus};
use quick_xml::escape::escape;

use vpsd_domain::Tld;

use crate::raw::Epp;

tokio::task_local! {
    /// The TLD of the domain whose name servers are being created: an
    /// external host (`ns1.example.org` at the .com registry) is created
    /// for that domain's sub-product.
    static DOMAIN_TLD: String;
}

/// Runs `fut` with `domain`'s TLD as the sub-product of the host commands
/// it sends for names outside the registry's TLDs.
pub(crate) async fn for_domain<F: std::future::Future>(domain: &str, fut: F) -> F::Output {
    DOMAIN_TLD.scope(tld_of(domain), fut).await
}

/// The lower-case TLD of `name`.
fn tld_of(name: &str) -> String {
    name.trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The sub-product of a command (`command`, its XML): `dot` and the
/// upper-case TLD of the domain it names; for a host command the host's
/// TLD when the registry serves it, else the TLD of the domain it is
/// created for ([`for_domain`]), else the registry's first. `None` for a
/// command about neither (poll, hello).
pub(crate) fn sub_product(command: &str, tlds: &[Tld]) -> Option<String> {
    let doc = roxmltree::Document::parse(command).ok()?;
    let name = doc.descendants().find(|n| {
        n.tag_name().name() == "name"
            && matches!(
                n.tag_name().namespace(),
                Some(crate::DOMAIN_NS | crate::HOST_NS)
            )
    })?;
    let tld = tld_of(name.text().unwrap_or(""));
    let tld = if name.tag_name().namespace() == Some(crate::DOMAIN_NS)
        || tlds.iter().any(|t| t.label() == tld)
    {
        tld
    } else {
        DOMAIN_TLD
            .try_with(Clone::clone)
            .ok()
            .or_else(|| tlds.first().map(|t| t.label().to_owned()))
            .unwrap_or(tld)
    };
    Some(format!("dot{}", tld.to_ascii_uppercase()))
}

/// `<namestoreExt:namestoreExt>` for `sub_product`, written by instant-epp's
/// `NameStore`.
fn element(sub_product: &str) -> Result<String, instant_epp::Error> {
    instant_xml::to_string(&NameStore::new(sub_product))
        .map_err(|e| instant_epp::Error::Xml(Box::new(e)))
}

/// `command` (with `extension`, if any) and the namestore element for
/// `sub_product`, `cl_trid` its `<clTRID>`.
pub(crate) fn command_xml<Cmd, Ext>(
    command: &Cmd,
    extension: Option<&Ext>,
    sub_product: &str,
    cl_trid: &str,
) -> Result<String, instant_epp::Error>
where
    Cmd: Transaction<Ext> + Command,
    Ext: Extension,
{
    let xml = |e: instant_xml::Error| instant_epp::Error::Xml(Box::new(e));
    let body = instant_xml::to_string(command).map_err(xml)?;
    let ext = match extension {
        Some(e) => instant_xml::to_string(e).map_err(xml)?,
        None => String::new(),
    };
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
         <epp xmlns=\"urn:ietf:params:xml:ns:epp-1.0\"><command>{body}<extension>{}{ext}</extension>\
         <clTRID>{}</clTRID></command></epp>",
        element(sub_product)?,
        escape(cl_trid)
    ))
}

/// A command written by hand (`xml`, from `raw.rs` or `fee.rs`) with the
/// namestore element for `sub_product` added to its `<extension>` (made
/// when it has none).
pub(crate) fn add_to(xml: &str, sub_product: &str) -> Result<String, instant_epp::Error> {
    let ns = element(sub_product)?;
    Ok(if xml.contains("<extension>") {
        xml.replacen("<extension>", &format!("<extension>{ns}"), 1)
    } else {
        xml.replacen(
            "<clTRID>",
            &format!("<extension>{ns}</extension><clTRID>"),
            1,
        )
    })
}

/// Reads the answer to a command of [`command_xml`] as instant-epp's
/// `transact` would: an error result is `Error::Command`.
pub(crate) fn answer<Cmd, Ext>(
    text: &str,
) -> Result<Response<Cmd::Response, Ext::Response>, instant_epp::Error>
where
    Cmd: Command,
    Ext: Extension,
{
    let xml = |e: instant_xml::Error| instant_epp::Error::Xml(Box::new(e));
    let status = instant_xml::from_str::<Epp<ResponseStatus>>(text)
        .map_err(xml)?
        .data;
    if !status.result.code.is_success() {
        return Err(instant_epp::Error::Command(Box::new(status)));
    }
    instant_xml::from_str::<Epp<Response<Cmd::Response, Ext::Response>>>(text)
        .map(|e| e.data)
        .map_err(xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sub_product_follows_the_name() {
        let tlds = [Tld::Com, Tld::Net];
        let domain = r#"<info xmlns="urn:ietf:params:xml:ns:epp-1.0"><domain:info xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>Example.NET</domain:name></domain:info></info>"#;
        assert_eq!(sub_product(domain, &tlds).as_deref(), Some("dotNET"));
        let host = r#"<check xmlns="urn:ietf:params:xml:ns:epp-1.0"><host:check xmlns:host="urn:ietf:params:xml:ns:host-1.0"><host:name>ns1.example.org</host:name></host:check></check>"#;
        assert_eq!(sub_product(host, &tlds).as_deref(), Some("dotCOM"));
        assert_eq!(sub_product("<poll op=\"req\"/>", &tlds), None);
        let with = add_to(
            "<epp><command><poll/><clTRID>a</clTRID></command></epp>",
            "dotCOM",
        )
        .expect("xml");
        assert!(with.contains("<extension><namestoreExt"), "{with}");
        assert!(with.contains("dotCOM</"), "{with}");
    }
}
