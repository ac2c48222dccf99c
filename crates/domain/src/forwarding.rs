//! Email and URL forwarding: what a forward may say.
//!
//! - Email: an address at the domain (`info`, or `*` for every address no
//!   other forward names) goes to one or more outside addresses.
//! - URL: a host at the domain (`@` or a name such as `www`) answers every
//!   request with a redirect (301 or 302) to a target URL, with or without
//!   the request's path and query.

use url::Url;

use crate::HostName;

/// The catch-all alias.
pub const CATCH_ALL: &str = "*";
/// Outside addresses one email forward may have.
pub const MAX_DESTINATIONS: usize = 10;
/// Forwards (of each kind) one domain may have.
pub const MAX_FORWARDS: i64 = 100;

/// An address's local part as Postfix will look it up: lower case, RFC 5322
/// dot-atom (no quoted forms), at most 64 bytes; or `*`.
pub fn alias(raw: &str) -> Result<String, String> {
    let a = raw.trim().to_ascii_lowercase();
    if a == CATCH_ALL {
        return Ok(a);
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    if a.is_empty()
        || a.len() > 64
        || a.starts_with('.')
        || a.ends_with('.')
        || a.contains("..")
        || !a.chars().all(|c| c == '.' || atext(c))
    {
        return Err(format!(
            "`{raw}` is not the part before the @ of an address (such as info or sales.team), nor * for every address."
        ));
    }
    Ok(a)
}

/// An outside address, with its domain in lower-case A-labels.
pub fn email_address(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let err = || format!("`{raw}` is not an email address such as someone@example.net.");
    let (local, domain) = raw.rsplit_once('@').ok_or_else(err)?;
    if local.contains('@') {
        return Err(err());
    }
    let local = alias(local).map_err(|_| err())?;
    if local == CATCH_ALL {
        return Err(err());
    }
    let host = HostName::parse(domain).map_err(|_| err())?;
    if !host.as_str().contains('.') {
        return Err(err());
    }
    Ok(format!("{local}@{}", host.as_str()))
}

/// The destinations of a forward of `alias` at `zone`: 1 to
/// [`MAX_DESTINATIONS`] distinct outside addresses, none of them the
/// forwarded address itself.
pub fn destinations(zone: &str, alias: &str, raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() || raw.len() > MAX_DESTINATIONS {
        return Err(format!(
            "Give 1 to {MAX_DESTINATIONS} addresses to forward to."
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for r in raw {
        let address = email_address(r)?;
        if address == format!("{alias}@{zone}") {
            return Err(format!(
                "{address} is the forwarded address itself: forward it somewhere else."
            ));
        }
        if out.contains(&address) {
            return Err(format!("{address} is listed twice."));
        }
        out.push(address);
    }
    Ok(out)
}

/// The longest URL forward target, in bytes after normalization: 2,048
/// (it goes back out as the `Location` header of every redirect).
pub const MAX_TARGET_BYTES: usize = 2048;

/// A URL forward's target: an absolute `http` or `https` URL with a host,
/// no user name or password (a redirect to `user:pass@host` is a phishing
/// shape), no control characters (the URL parser would silently drop line
/// breaks and tabs, WHATWG URL §4.4, storing a target the customer did not
/// write), at most [`MAX_TARGET_BYTES`].
pub fn target_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.len() > 4 * MAX_TARGET_BYTES {
        return Err(format!(
            "The target is {} bytes: give a URL of at most {MAX_TARGET_BYTES}.",
            raw.len()
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(
            "The target holds a control character (a line break or tab?): give the URL on one line."
                .to_owned(),
        );
    }
    let url = Url::parse(raw).map_err(|_| {
        format!("`{raw}` is not a URL: give one such as https://www.example.net/page.")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "`{raw}` must be an http:// or https:// URL with a host."
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{raw}` carries a user name or password: give the URL without them."
        ));
    }
    let url = url.to_string();
    if url.len() > MAX_TARGET_BYTES {
        return Err(format!(
            "The target is {} bytes: give a URL of at most {MAX_TARGET_BYTES}.",
            url.len()
        ));
    }
    Ok(url)
}

/// A redirect's status: 301 (permanent) or 302 (temporary).
pub fn redirect_status(code: i64) -> Result<u16, String> {
    match code {
        301 => Ok(301),
        302 => Ok(302),
        _ => Err("Use 301 (permanent) or 302 (temporary).".to_owned()),
    }
}

/// Where a request to a forwarded host goes: the target, plus the request's
/// path and query when `keep_path` (joined without doubling the slash).
pub fn redirect_location(target: &str, keep_path: bool, path_and_query: &str) -> String {
    if !keep_path || path_and_query.is_empty() || path_and_query == "/" {
        return target.to_owned();
    }
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let Ok(mut url) = Url::parse(target) else {
        return target.to_owned();
    };
    let joined = format!(
        "{}/{}",
        url.path().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    url.set_path(&joined);
    if let Some(q) = query {
        let merged = match url.query() {
            Some(existing) if !existing.is_empty() => format!("{existing}&{q}"),
            _ => q.to_owned(),
        };
        url.set_query(Some(&merged));
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_addresses() {
        assert_eq!(alias(" Info ").as_deref(), Ok("info"));
        assert_eq!(alias("*").as_deref(), Ok("*"));
        assert_eq!(alias("sales.team+x").as_deref(), Ok("sales.team+x"));
        for bad in ["", ".a", "a.", "a..b", "a b", "a@b", &"a".repeat(65)] {
            assert!(alias(bad).is_err(), "{bad}");
        }
        assert_eq!(
            email_address("Me@Example.NET").as_deref(),
            Ok("me@example.net")
        );
        for bad in [
            "me",
            "me@",
            "@x.net",
            "me@localhost",
            "a@b@c.net",
            "*@x.net",
        ] {
            assert!(email_address(bad).is_err(), "{bad}");
        }
        let d = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(destinations("example.com", "info", &d(&[])).is_err());
        assert!(destinations("example.com", "info", &d(&["info@example.com"])).is_err());
        assert!(destinations("example.com", "info", &d(&["a@x.net", "A@x.net"])).is_err());
        assert_eq!(
            destinations("example.com", "info", &d(&["a@x.net", "b@y.org"])),
            Ok(d(&["a@x.net", "b@y.org"]))
        );
    }

    #[test]
    fn urls_and_locations() {
        assert_eq!(
            target_url("https://example.net").as_deref(),
            Ok("https://example.net/")
        );
        assert!(target_url("ftp://example.net").is_err());
        // What the URL parser would silently change or what is unsafe to
        // send back as a Location header is refused, not stored.
        assert!(target_url("https://example.net/\r\nSet-Cookie: x=1").is_err());
        assert!(target_url("https://example.net/a\tb").is_err());
        assert!(target_url("https://example.net/\0").is_err());
        assert!(target_url("https://user:pass@example.net/").is_err());
        assert!(target_url("https://user@example.net/").is_err());
        let long = format!("https://example.net/{}", "a".repeat(MAX_TARGET_BYTES));
        assert!(target_url(&long).is_err());
        let longest = format!("https://example.net/{}", "a".repeat(MAX_TARGET_BYTES - 20));
        assert_eq!(target_url(&longest).map(|u| u.len()), Ok(MAX_TARGET_BYTES));
        assert!(target_url("example.net").is_err());
        assert!(redirect_status(307).is_err());
        let t = "https://new.example.net/base/";
        assert_eq!(redirect_location(t, false, "/a?b=1"), t);
        assert_eq!(
            redirect_location(t, true, "/a/b?x=1"),
            "https://new.example.net/base/a/b?x=1"
        );
        assert_eq!(
            redirect_location("https://n.net", true, "/p"),
            "https://n.net/p"
        );
        assert_eq!(redirect_location(t, true, "/"), t);
    }
}
