//! A `<domain:infData>` (RFC 5731 §3.1.2) read into the registrar's
//! [`RegistryRecord`], with the statuses the operations act on.

use chrono::DateTime;
use instant_epp::domain::info::InfoData;
use instant_epp::domain::{HostInfo, Status};
use vpsd_registry::{RegistryDomainContacts, RegistryRecord};

/// What `<domain:info>` told of a name.
pub(crate) struct Info {
    pub(crate) record: RegistryRecord,
    /// Status `pendingTransfer`: a transfer awaits the losing registrar.
    pub(crate) pending_transfer: bool,
    /// Status `pendingCreate`: the registry has not confirmed the create.
    pub(crate) pending_create: bool,
    /// Status `pendingDelete`: deleted, in redemption or about to be purged.
    pub(crate) pending_delete: bool,
    /// Status `serverTransferProhibited`: the registry refuses transfers.
    pub(crate) server_transfer_prohibited: bool,
    /// `<domain:host>`: the host objects under the name (RFC 5731 §3.1.2),
    /// lower case.
    pub(crate) hosts: Vec<String>,
    /// `<domain:registrant>` and `<domain:contact type>` (RFC 5731 §2.2),
    /// as the registry shows them to us (a thin registry: none).
    pub(crate) contacts: RegistryDomainContacts,
}

impl Info {
    /// Reads `data`; `sponsor` maps a `clID` to the registrar's name for it.
    pub(crate) fn from_epp(data: &InfoData, sponsor: impl Fn(&str) -> String) -> Self {
        let statuses: &[Status] = data.statuses.as_deref().unwrap_or(&[]);
        let has = |s: Status| statuses.contains(&s);
        let nameservers = data
            .ns
            .as_ref()
            .map(|ns| {
                ns.ns
                    .iter()
                    .map(|h| match h {
                        HostInfo::Obj(o) => o.name.to_ascii_lowercase(),
                        HostInfo::Attr(a) => a.name.to_ascii_lowercase(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        // crDate and exDate are sent to the sponsoring registrar (RFC 5731
        // §3.1.2); another registrar may be shown less.
        let created_at = data.created_at.unwrap_or(DateTime::UNIX_EPOCH);
        Self {
            record: RegistryRecord {
                name: data.name.to_ascii_lowercase(),
                sponsoring_registrar: sponsor(&data.client_id),
                auth_code: data
                    .auth_info
                    .as_ref()
                    .map(|a| a.password.to_string())
                    .unwrap_or_default(),
                created_at,
                ex_date: data.expiring_at.unwrap_or(created_at),
                last_transferred_at: data.transferred_at,
                client_transfer_prohibited: has(Status::ClientTransferProhibited),
                nameservers,
                pending_transfer_to: None,
                server_statuses: statuses
                    .iter()
                    .map(Status::as_str)
                    .filter(|s| vpsd_registry::SERVER_STATUSES.contains(s))
                    .map(str::to_owned)
                    .collect(),
            },
            pending_transfer: has(Status::PendingTransfer),
            pending_create: has(Status::PendingCreate),
            pending_delete: has(Status::PendingDelete),
            server_transfer_prohibited: has(Status::ServerTransferProhibited),
            hosts: data
                .hosts
                .iter()
                .flatten()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            contacts: {
                let mut c = RegistryDomainContacts {
                    registrant: data.registrant.clone(),
                    ..RegistryDomainContacts::default()
                };
                for contact in data.contacts.iter().flatten() {
                    if contact.contact_type != "registrant" {
                        if let Some(slot) = c.slot(&contact.contact_type) {
                            *slot = Some(contact.id.to_string());
                        }
                    }
                }
                c
            },
        }
    }
}
