//! `vps contacts ...`: the account's contacts (RFC 5733).

use vps_client::{Client, Contact, ContactRequest, PageRequest};

use crate::output::{fields, json, note, table, when, yes_no};
use crate::{ContactFields, ContactsCommand};

const HEADER: &[&str] = &[
    "ID",
    "HANDLE",
    "NAME",
    "ORGANISATION",
    "COUNTRY",
    "EMAIL",
    "DEFAULT",
];

fn rows(list: &[Contact]) -> Vec<Vec<String>> {
    list.iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.handle.clone(),
                c.name.clone(),
                c.organisation.clone().unwrap_or_default(),
                c.country_code.clone(),
                c.email.clone(),
                yes_no(c.default),
            ]
        })
        .collect()
}

/// One contact, every field: JSON, or a field per line.
fn show(c: &Contact, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        return json(c);
    }
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    fields(&[
        ("id", c.id.to_string()),
        ("handle", c.handle.clone()),
        ("name", c.name.clone()),
        ("organisation", or_none(&c.organisation)),
        ("street", c.street.join(", ")),
        ("city", c.city.clone()),
        ("state/province", or_none(&c.state_province)),
        ("postal code", or_none(&c.postal_code)),
        ("country", c.country_code.clone()),
        ("voice", c.voice.clone()),
        ("fax", or_none(&c.fax)),
        ("email", c.email.clone()),
        ("default", yes_no(c.default)),
        ("updated", when(&c.updated_at)),
    ])
}

fn request(f: ContactFields) -> ContactRequest {
    ContactRequest {
        name: f.name,
        organisation: f.organisation,
        street: (!f.street.is_empty()).then_some(f.street),
        city: f.city,
        state_province: f.state_province,
        postal_code: f.postal_code,
        country_code: f.country_code,
        voice: f.voice,
        fax: f.fax,
        email: f.email,
        default: None,
    }
}

pub(super) async fn contacts(
    api: &Client,
    command: ContactsCommand,
    as_json: bool,
) -> anyhow::Result<()> {
    match command {
        ContactsCommand::List { page, page_size } => {
            let list = match page {
                Some(page) => api.contacts(PageRequest { page, page_size }).await?.results,
                None => api.all_contacts().await?,
            };
            if as_json {
                return json(&list);
            }
            table(HEADER, rows(&list))
        }
        ContactsCommand::Create { fields, default } => {
            let mut body = request(fields);
            body.default = default.then_some(true);
            show(&api.create_contact(&body).await?, as_json)
        }
        ContactsCommand::Show { contact_id } => show(&api.contact(contact_id).await?, as_json),
        ContactsCommand::Update { contact_id, fields } => show(
            &api.update_contact(contact_id, &request(fields)).await?,
            as_json,
        ),
        ContactsCommand::Delete { contact_id } => {
            api.delete_contact(contact_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": contact_id }));
            }
            note(format!("Deleted contact {contact_id}."));
            Ok(())
        }
        ContactsCommand::Default { contact_id } => {
            let body = ContactRequest {
                default: Some(true),
                ..Default::default()
            };
            let c = api.update_contact(contact_id, &body).await?;
            if as_json {
                return json(&c);
            }
            note(format!(
                "Contact {} ({}) is now the account's default.",
                c.id, c.name
            ));
            Ok(())
        }
    }
}
