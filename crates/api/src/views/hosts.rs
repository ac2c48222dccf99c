//! A domain's hosts (child name servers with glue) as the API shows them.

use serde::Serialize;
use utoipa::ToSchema;
use vpsd_registrar::HostObject;

/// A host object at the registry: a name server inside the domain, with
/// its addresses (glue).
#[derive(Serialize, ToSchema)]
#[schema(as = Host)]
pub struct HostView {
    /// The host's name, lower-case A-label form.
    #[schema(example = "ns1.example.com")]
    pub host_name: String,
    /// Its IPv4 and IPv6 addresses, as the registry has them.
    #[schema(example = json!(["93.184.216.34", "2606:2800:220:1::1"]))]
    pub ip_addresses: Vec<String>,
    /// Whether a domain names it as a nameserver (EPP status `linked`,
    /// RFC 5732 §2.3): such a host cannot be deleted.
    pub linked: bool,
}

impl HostView {
    /// The view of `h`.
    pub fn new(h: &HostObject) -> Self {
        HostView {
            host_name: h.name.clone(),
            ip_addresses: h.addresses.iter().map(ToString::to_string).collect(),
            linked: h.linked,
        }
    }
}
