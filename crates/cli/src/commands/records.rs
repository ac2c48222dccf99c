//! `vps dns records ...`: a domain's DNS records, with the new record's
//! flags checked before the API is asked.

use vps_client::{Client, RecordRequest};

use super::domain_id;
use crate::exit::{fail, USAGE};
use crate::output::{json, note, out, table};
use crate::{RecordFields, RecordsCommand, ZoneCommand};

/// The record types the API serves, and whether each has a priority
/// (api-v1.md, "DNS records": MX and SRV only, and required there).
const RECORD_TYPES: &[(&str, bool)] = &[
    ("A", false),
    ("AAAA", false),
    ("CNAME", false),
    ("MX", true),
    ("TXT", false),
    ("NS", false),
    ("SRV", true),
    ("CAA", false),
];

/// Checks a new record's flags before anything is asked of the API, and
/// names every missing or misplaced one at once (exit 2).
fn check_new_record(f: &RecordFields) -> anyhow::Result<()> {
    let types = RECORD_TYPES
        .iter()
        .map(|(t, _)| *t)
        .collect::<Vec<_>>()
        .join(", ");
    let mut problems = Vec::new();
    let rtype = match f.rtype.as_deref() {
        None => {
            problems.push(format!("--type is required: one of {types}."));
            None
        }
        Some(t) => match RECORD_TYPES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(t.trim()))
        {
            Some(known) => Some(*known),
            None => {
                problems.push(format!(
                    "--type {t} is not served here: use one of {types}."
                ));
                None
            }
        },
    };
    if f.content.is_none() {
        let what = match rtype.map(|(t, _)| t) {
            Some("A") => "an IPv4 address",
            Some("AAAA") => "an IPv6 address",
            Some("CNAME" | "NS") => "a host name",
            Some("MX") => "the mail server's host name",
            Some("TXT") => "the text",
            Some("SRV") => "`weight port target`",
            Some("CAA") => "`flags tag value`",
            _ => "the record's data",
        };
        problems.push(format!("--content is required: {what}."));
    }
    match (rtype, f.priority) {
        (Some((t, true)), None) => problems.push(format!(
            "--priority is required for {t} records: 0 to 65535, lower is preferred."
        )),
        (Some((t, false)), Some(_)) => problems.push(format!(
            "--priority is for MX and SRV records only: leave it out for {t}."
        )),
        _ => {}
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(fail(
        USAGE,
        format!(
            "cannot add this record:\n  {}\n(see `vps dns records add --help`)",
            problems.join("\n  ")
        ),
    ))
}

fn record_request(f: RecordFields) -> RecordRequest {
    RecordRequest {
        name: f.name,
        rtype: f.rtype,
        content: f.content,
        ttl: f.ttl,
        priority: f.priority,
    }
}

fn record_rows(records: &[vps_client::DnsRecord]) -> Vec<Vec<String>> {
    records
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.clone(),
                r.rtype.clone(),
                r.content.clone(),
                r.ttl.to_string(),
                r.priority.map(|p| p.to_string()).unwrap_or_default(),
            ]
        })
        .collect()
}

const RECORD_HEADER: &[&str] = &["ID", "NAME", "TYPE", "CONTENT", "TTL", "PRIORITY"];

pub(super) async fn records(
    api: &Client,
    command: RecordsCommand,
    as_json: bool,
) -> anyhow::Result<()> {
    let one = |r: vps_client::DnsRecord| -> anyhow::Result<()> {
        if as_json {
            return json(&r);
        }
        table(RECORD_HEADER, record_rows(&[r]))?;
        Ok(())
    };
    match command {
        RecordsCommand::List {
            domain,
            rtype,
            name,
        } => {
            let id = domain_id(api, &domain).await?;
            let list = api
                .dns_records(id, rtype.as_deref(), name.as_deref())
                .await?;
            if as_json {
                return json(&list);
            }
            table(RECORD_HEADER, record_rows(&list))?;
            Ok(())
        }
        RecordsCommand::Get { domain, record_id } => {
            let id = domain_id(api, &domain).await?;
            one(api.dns_record(id, record_id).await?)
        }
        RecordsCommand::Add { domain, fields } => {
            check_new_record(&fields)?;
            let id = domain_id(api, &domain).await?;
            one(api.add_dns_record(id, &record_request(fields)).await?)
        }
        RecordsCommand::Update {
            domain,
            record_id,
            fields,
        } => {
            let id = domain_id(api, &domain).await?;
            one(api
                .update_dns_record(id, record_id, &record_request(fields))
                .await?)
        }
        RecordsCommand::Delete { domain, record_id } => {
            let id = domain_id(api, &domain).await?;
            api.delete_dns_record(id, record_id).await?;
            if as_json {
                return json(&serde_json::json!({ "deleted": record_id }));
            }
            note(format!("Deleted record {record_id}."));
            Ok(())
        }
    }
}

/// `vps dns zone export|import`.
pub(super) async fn zone(api: &Client, command: ZoneCommand, as_json: bool) -> anyhow::Result<()> {
    match command {
        ZoneCommand::Export { domain } => {
            let id = domain_id(api, &domain).await?;
            let text = api.zone_file(id).await?;
            out(text.trim_end())
        }
        ZoneCommand::Import {
            domain,
            file,
            replace,
        } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
            } else {
                std::fs::read_to_string(&file)
            }
            .map_err(|e| fail(USAGE, format!("cannot read {}: {e}", file.display())))?;
            let id = domain_id(api, &domain).await?;
            let done = api.import_zone_file(id, &text, replace).await?;
            if as_json {
                return json(&done);
            }
            for s in &done.skipped {
                note(format!(
                    "line {}: {} left out: {}",
                    s.line, s.rtype, s.reason
                ));
            }
            out(format!(
                "added {}, updated {}, deleted {}, unchanged {}",
                done.added, done.updated, done.deleted, done.unchanged
            ))
        }
    }
}
