//! The bodies of a domain's hosts (child name servers with glue): `POST`
//! (a new host: its name and addresses) and `PUT` (its addresses).

use std::net::IpAddr;

use serde::Deserialize;
use utoipa::ToSchema;
use vpsd_domain::glue::{glue_address, is_subordinate, MAX_GLUE_ADDRESSES};
use vpsd_domain::HostName;

use crate::error::ApiError;
use crate::extract::body::{body_type, Body, Field, FieldErrors};

/// A host to create (`POST`): both fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = HostCreate)]
pub struct HostBody {
    /// The host's name, inside the domain (`ns1.example.com` for
    /// `example.com`).
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "ns1.example.com")]
    host_name: Field<String>,
    /// 1–13 public IPv4 or IPv6 addresses (the glue).
    #[serde(default)]
    #[schema(value_type = Vec<String>, required = true, min_items = 1, max_items = 13, example = json!(["93.184.216.34", "2606:2800:220:1::1"]))]
    ip_addresses: Field<Vec<String>>,
}

/// A host's new addresses (`PUT`): they replace the old ones.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = HostUpdate)]
pub struct HostUpdateBody {
    /// 1–13 public IPv4 or IPv6 addresses (the glue).
    #[serde(default)]
    #[schema(value_type = Vec<String>, required = true, min_items = 1, max_items = 13, example = json!(["93.184.216.34"]))]
    ip_addresses: Field<Vec<String>>,
}

body_type!(HostBody, HostUpdateBody);

/// A host name under `domain`, lower-case A-label form: the message says
/// what is wrong.
pub fn host_under(raw: &str, domain: &str) -> Result<String, String> {
    let host = HostName::parse(raw).map_err(|e| e.to_string())?;
    if !is_subordinate(host.as_str(), domain) {
        return Err(format!(
            "`{raw}` is not inside {domain}: a host kept here is named under the domain, such as ns1.{domain} (a name server elsewhere needs no host: name it in the domain's nameservers)."
        ));
    }
    Ok(host.as_str().to_owned())
}

/// The addresses: 1–13, each public (`vpsd_domain::glue`), each once.
/// Every fault is recorded under `ip_addresses`.
fn addresses(errors: &mut FieldErrors, raw: Option<Vec<String>>) -> Option<Vec<IpAddr>> {
    let raw = raw?;
    if raw.is_empty() {
        errors.add(
            "ip_addresses",
            "Give at least one address: a name server inside its own domain is found only through them.",
        );
        return None;
    }
    if raw.len() > MAX_GLUE_ADDRESSES {
        errors.add(
            "ip_addresses",
            format!(
                "{} addresses given; a host has at most {MAX_GLUE_ADDRESSES}.",
                raw.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for a in &raw {
        match glue_address(a) {
            Ok(ip) if out.contains(&ip) => {
                ok = false;
                errors.add("ip_addresses", format!("`{a}` is given twice."));
            }
            Ok(ip) => out.push(ip),
            Err(e) => {
                ok = false;
                errors.add("ip_addresses", e.to_string());
            }
        }
    }
    ok.then_some(out)
}

impl HostBody {
    /// The host's name and addresses, for a host under `domain`.
    pub fn parse(body: Body<Self>, domain: &str) -> Result<(String, Vec<IpAddr>), ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let name = errors.require("host_name", b.host_name);
        let name = errors.parse("host_name", name, |n| host_under(&n, domain));
        let raw = errors.require("ip_addresses", b.ip_addresses);
        let ips = addresses(&mut errors, raw);
        errors.finish(name.zip(ips))
    }
}

impl HostUpdateBody {
    /// The host's new addresses.
    pub fn parse(body: Body<Self>) -> Result<Vec<IpAddr>, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let raw = errors.require("ip_addresses", b.ip_addresses);
        let ips = addresses(&mut errors, raw);
        errors.finish(ips)
    }
}
