//! How values are stored: shared by every aggregate and both backends.

use chrono::{DateTime, Utc};

use crate::error::StoreError;

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("unexpected {what} `{value}` in the database").into(),
    ))
}

/// Nameservers are stored comma-separated (host names hold no commas).
pub(crate) fn join_hosts(hosts: &[String]) -> String {
    hosts.join(",")
}

pub(crate) fn split_hosts(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

/// EPP status strings (RFC 5731 §2.3) are stored space-separated (a status
/// holds no spaces); empty when none.
pub(crate) fn join_statuses(statuses: &[String]) -> String {
    statuses.join(" ")
}

/// The statuses of a column written by [`join_statuses`].
pub(crate) fn split_statuses(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// A nullable time column as sqlx writes it to SQLite (RFC 3339 text),
/// read through rusqlite.
pub(crate) fn rusqlite_time(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<&str> = r.get_ref(i)?.as_str_or_null()?;
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })
    })
    .transpose()
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
/// The lower-case Unicode form of a stored (A-label) name for the
/// `domain_name_unicode` column (migration 0013): `None` when it is the name
/// itself (no `xn--` label), so only internationalised names carry one.
pub(crate) fn unicode_form(name: &str) -> Option<String> {
    if !name.split('.').any(|l| l.starts_with("xn--")) {
        return None;
    }
    let unicode = vpsd_domain::name::to_unicode(name).to_lowercase();
    (unicode != name).then_some(unicode)
}

pub(crate) fn like_pattern(substring: &str) -> String {
    let mut p = String::with_capacity(substring.len() + 2);
    p.push('%');
    for c in substring.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}
