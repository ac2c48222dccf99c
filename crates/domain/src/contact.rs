//! Contacts (RFC 5733, the EPP contact mapping): the rules of each field, the
//! handle that names a contact outside the account, and the public form
//! `whois_info` shows.
//!
//! Each field is checked on its own (`name`, `street`, `voice`, ...), so the
//! API can name every fault in one answer; [`ContactData`] is what passes.
//! Lengths follow the RFC 5733 schema (`postalLineType` 1–255 characters,
//! `pcType` at most 16, `e164StringType` at most 17).

use rand::Rng;

/// The most street lines a postal address holds (RFC 5733 §2.4.1,
/// `<contact:street>` 0–3 times; at least one is asked here).
pub const MAX_STREET_LINES: usize = 3;

/// The longest a postal line may be, in characters (RFC 5733,
/// `postalLineType`).
pub const MAX_LINE: usize = 255;

/// The longest a postal code may be, in characters (RFC 5733, `pcType`).
pub const MAX_POSTAL_CODE: usize = 16;

/// The length of a handle: `C` and 15 base32 characters, within the 3–16
/// characters of an EPP `clIDType` (RFC 5730 §4.2), so it can be the
/// contact's id at a registry and its RDAP entity handle.
pub const HANDLE_LEN: usize = 16;

/// A contact's fields, each checked ([`ContactData::check`]): what a
/// contact holds, the same for a new one and a changed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactData {
    /// The person's or role's name (`<contact:name>`).
    pub name: String,
    /// The organisation, if any (`<contact:org>`).
    pub organisation: Option<String>,
    /// 1–3 street lines (`<contact:street>`).
    pub street: Vec<String>,
    pub city: String,
    /// State or province (`<contact:sp>`), if any.
    pub state_province: Option<String>,
    /// Postal code (`<contact:pc>`), if any.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, upper case (`<contact:cc>`).
    pub country_code: String,
    /// E.164 in the `+CC.NUMBER` form (RFC 5733 §2.5).
    pub voice: String,
    /// E.164 in the `+CC.NUMBER` form, if any.
    pub fax: Option<String>,
    /// An addr-spec (RFC 5322 §3.4.1; RFC 5733 §2.6).
    pub email: String,
}

/// A postal line: trimmed, 1–255 characters, no control characters
/// (RFC 5733 `postalLineType`). Used for the name, organisation, city,
/// state or province and each street line.
pub fn line(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("May not be empty.".to_owned());
    }
    if s.chars().count() > MAX_LINE {
        return Err(format!("At most {MAX_LINE} characters."));
    }
    if s.chars().any(char::is_control) {
        return Err("May not hold control characters (tabs, line breaks).".to_owned());
    }
    Ok(s.to_owned())
}

/// 1–3 street lines, each a [`line`].
pub fn street(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() || raw.len() > MAX_STREET_LINES {
        return Err(format!(
            "Give 1 to {MAX_STREET_LINES} street lines (got {}).",
            raw.len()
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(i, l)| line(l).map_err(|e| format!("Line {}: {e}", i + 1)))
        .collect()
}

/// A postal code: a [`line`] of at most 16 characters (RFC 5733 `pcType`).
pub fn postal_code(raw: &str) -> Result<String, String> {
    let s = line(raw)?;
    if s.chars().count() > MAX_POSTAL_CODE {
        return Err(format!("At most {MAX_POSTAL_CODE} characters."));
    }
    Ok(s)
}

/// An ISO 3166-1 alpha-2 country code (`de`, `US`), answered upper case;
/// the list is the `celes` crate's (RFC 5733 §2.4.1 `<contact:cc>`).
pub fn country_code(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let known = s.len() == 2
        && s.bytes().all(|b| b.is_ascii_alphabetic())
        && celes::Country::from_alpha2(s).is_ok();
    if known {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!(
            "`{s}` is not an ISO 3166-1 alpha-2 country code: give two letters such as US, DE or FR."
        ))
    }
}

/// A telephone number in the form RFC 5733 §2.5 asks: `+`, the country
/// calling code (1–3 digits), `.`, the subscriber number (1–14 digits), at
/// most 17 characters in all (`+1.7035555555`).
pub fn phone(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let ok = (|| {
        let rest = s.strip_prefix('+')?;
        let (cc, number) = rest.split_once('.')?;
        let digits = |p: &str, max: usize| {
            !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
        };
        (digits(cc, 3) && digits(number, 14) && s.len() <= 17).then_some(())
    })();
    match ok {
        Some(()) => Ok(s.to_owned()),
        None => Err(format!(
            "`{s}` is not an E.164 number in the +CC.NUMBER form (RFC 5733 §2.5): write e.g. +1.7035555555 or +49.3012345678."
        )),
    }
}

/// An email address: an addr-spec (RFC 5322 §3.4.1) with a domain of at
/// least two labels, no display name and no address literal; checked by
/// the `email_address` crate. Syntax only: whether it receives mail is
/// not known here.
pub fn email(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let options = email_address::Options::default()
        .with_minimum_sub_domains(2)
        .without_domain_literal()
        .without_display_text();
    match email_address::EmailAddress::parse_with_options(s, options) {
        Ok(_) if !s.chars().any(char::is_control) => Ok(s.to_owned()),
        _ => Err(format!(
            "`{s}` is not an email address: write it as name@example.com."
        )),
    }
}

/// A new contact handle: `C` and 15 characters of the base32 alphabet (RFC
/// 4648 §6), random. It says nothing about the person, so it can be shown
/// where the contact's data is redacted (the RDAP entity handle, the EPP
/// contact id, RFC 5733 §2.1).
pub fn new_handle() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::rngs::OsRng;
    let mut handle = String::with_capacity(HANDLE_LEN);
    handle.push('C');
    for _ in 1..HANDLE_LEN {
        handle.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
    }
    handle
}

/// A new email verification token (32 random bytes, hex) and the hash to
/// keep (`crate::token::hash`, SHA-256): the token goes only into the mail.
pub fn new_verification_token() -> (String, String) {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = crate::token::hash(&token);
    (token, hash)
}

/// What the public sees of a contact in `whois_info` when privacy
/// protection is off: the name, and the organisation after a comma when
/// there is one (`Jane Doe, Example Ltd`). The contract shows the contacts
/// as strings; the postal address, numbers and email are not shown there.
pub fn public_form(name: &str, organisation: Option<&str>) -> String {
    match organisation {
        Some(org) => format!("{name}, {org}"),
        None => name.to_owned(),
    }
}

/// What `whois_info` shows for every contact while privacy protection is
/// on (docs/api-v1.md).
pub const PRIVACY_PROTECTED: &str = "Privacy Protected";

/// The privacy service's contact when the operator names none
/// (`vpsd serve --privacy-contact`): the one the public sees, instead of
/// the customer's, while privacy protection is on.
pub fn default_privacy_contact() -> ContactData {
    ContactData {
        name: PRIVACY_PROTECTED.to_owned(),
        organisation: Some("VPS.org Privacy Service".to_owned()),
        street: vec!["c/o VPS.org".to_owned()],
        city: "Wilmington".to_owned(),
        state_province: Some("DE".to_owned()),
        postal_code: Some("19801".to_owned()),
        country_code: "US".to_owned(),
        voice: "+1.3025550100".to_owned(),
        fax: None,
        email: "privacy@vps.org".to_owned(),
    }
}

/// The privacy mail domain when the operator names none (`vpsd serve
/// --privacy-mail-domain`): `privacy.` and the domain of the privacy
/// service's email (`privacy@vps.org` → `privacy.vps.org`), a name of its
/// own so that the Postfix table answering it (deploy/postfix) never
/// takes mail meant for the operator's own mailboxes. Lower case.
pub fn default_privacy_mail_domain(privacy_email: &str) -> String {
    let domain = privacy_email
        .rsplit_once('@')
        .map_or(privacy_email, |(_, d)| d)
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    format!("privacy.{domain}")
}

/// A privacy mail domain as the operator gives it: a host name
/// (`privacy.example.net`, RFC 1123 labels; a Unicode one is taken as its
/// A-label), answered lower case without a trailing dot.
///
/// # Errors
/// A sentence saying why it is not a host name.
pub fn privacy_mail_domain(raw: &str) -> Result<String, String> {
    let raw = raw.trim().trim_end_matches('.');
    crate::HostName::parse(raw)
        .map(|h| h.as_str().to_owned())
        .map_err(|e| format!("`{raw}` is not a mail domain: {e}"))
}

/// The address at which the public reaches the registrant of a domain
/// under privacy protection without learning who they are, as a proxy
/// service such as Domains By Proxy publishes it: the domain's A-label
/// (RFC 5890 §2.3.2.1, lower case) as the local part at the privacy mail
/// domain, `example.com@privacy.vps.org`. Mail to it is forwarded to the
/// registrant contact's email while privacy protection is on and the
/// domain is active (deploy/postfix, docs/forwarding.md); shown as
/// `whois_info.privacy_service.email`, and the same address is what RDAP
/// shows. The local part is a dot-atom (RFC 5322 §3.2.3): an A-label's
/// letters, digits, hyphens and dots.
pub fn privacy_forwarding_address(domain_a_label: &str, mail_domain: &str) -> String {
    format!(
        "{}@{}",
        domain_a_label.trim_end_matches('.').to_ascii_lowercase(),
        mail_domain.to_ascii_lowercase()
    )
}

/// A contact written as a JSON object with the fields of `POST
/// /api/v1/contacts/` (`name`, `organisation`, `street`, `city`,
/// `state_province`, `postal_code`, `country_code`, `voice`, `fax`,
/// `email`; no others), each checked by the rules above: the operator's
/// privacy service contact (`vpsd serve --privacy-contact FILE`).
///
/// # Errors
/// A sentence naming the first field at fault, or saying the text is not
/// such an object.
pub fn from_json(text: &str) -> Result<ContactData, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        name: String,
        organisation: Option<String>,
        street: Vec<String>,
        city: String,
        state_province: Option<String>,
        postal_code: Option<String>,
        country_code: String,
        voice: String,
        fax: Option<String>,
        email: String,
    }
    let raw: Raw = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let field = |name: &str, r: Result<String, String>| r.map_err(|e| format!("{name}: {e}"));
    let optional = |name: &str, v: Option<String>, check: fn(&str) -> Result<String, String>| {
        v.map(|v| field(name, check(&v))).transpose()
    };
    Ok(ContactData {
        name: field("name", line(&raw.name))?,
        organisation: optional("organisation", raw.organisation, line)?,
        street: street(&raw.street).map_err(|e| format!("street: {e}"))?,
        city: field("city", line(&raw.city))?,
        state_province: optional("state_province", raw.state_province, line)?,
        postal_code: optional("postal_code", raw.postal_code, postal_code)?,
        country_code: field("country_code", country_code(&raw.country_code))?,
        voice: field("voice", phone(&raw.voice))?,
        fax: optional("fax", raw.fax, phone)?,
        email: field("email", email(&raw.email))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_follow_rfc_5733() {
        assert_eq!(phone("+1.7035555555").as_deref(), Ok("+1.7035555555"));
        assert_eq!(phone(" +49.30123456 ").as_deref(), Ok("+49.30123456"));
        for bad in [
            "",
            "+1",
            "1.703555",
            "+1.",
            "+.703",
            "+1234.5",
            "+1.703555555555555",
            "+123.12345678901234",
            "+1.703-555",
            "+1.703 555",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countries_are_iso_3166_alpha_2() {
        assert_eq!(country_code("de").as_deref(), Ok("DE"));
        assert_eq!(country_code("US").as_deref(), Ok("US"));
        for bad in ["", "D", "DEU", "XX", "ZZ", "1A", "United States"] {
            assert!(country_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_checked_for_syntax() {
        assert!(email("jane@example.com").is_ok());
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@localhost",
            "Jane <jane@example.com>",
            "jane@[127.0.0.1]",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn street_has_one_to_three_lines() {
        assert!(street(&[]).is_err());
        assert!(street(&["a".into(), "b".into(), "c".into(), "d".into()]).is_err());
        assert_eq!(
            street(&[" 1 Main St ".into()]),
            Ok(vec!["1 Main St".to_owned()])
        );
        assert!(street(&["ok".into(), " ".into()]).is_err());
    }

    #[test]
    fn lines_refuse_control_characters_and_length() {
        assert!(line("a\nb").is_err());
        assert!(line(&"x".repeat(256)).is_err());
        assert!(postal_code(&"1".repeat(17)).is_err());
    }

    #[test]
    fn handles_say_nothing_and_fit_an_epp_id() {
        let a = new_handle();
        let b = new_handle();
        assert_ne!(a, b);
        assert_eq!(a.len(), HANDLE_LEN);
        assert!(a.starts_with('C'));
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)));
    }

    #[test]
    fn a_contact_reads_from_json_with_its_checks() {
        let ok = from_json(
            r#"{"name": "Privacy", "street": ["1 Road"], "city": "Town",
                "country_code": "de", "voice": "+49.301234", "email": "p@example.org"}"#,
        );
        assert_eq!(ok.map(|c| c.country_code).as_deref(), Ok("DE"));
        let bad = from_json(
            r#"{"name": "Privacy", "street": ["1 Road"], "city": "Town",
                "country_code": "DE", "voice": "030 1234", "email": "p@example.org"}"#,
        );
        assert!(bad.is_err_and(|e| e.starts_with("voice:")));
        assert!(from_json(r#"{"name": "x", "nick": 1}"#).is_err());
        assert!(default_privacy_contact().email.contains('@'));
    }

    #[test]
    fn the_privacy_address_is_the_domain_at_the_privacy_mail_domain() {
        assert_eq!(
            privacy_forwarding_address("Example.COM", "privacy.vps.org"),
            "example.com@privacy.vps.org"
        );
        assert_eq!(
            privacy_forwarding_address("xn--bcher-kva.com", "Privacy.Example.NET"),
            "xn--bcher-kva.com@privacy.example.net"
        );
        // What it makes is an address the contacts' own rule accepts.
        assert!(email(&privacy_forwarding_address("a-b.co.uk", "privacy.vps.org")).is_ok());
        assert_eq!(
            default_privacy_mail_domain("privacy@VPS.org"),
            "privacy.vps.org"
        );
        assert_eq!(
            privacy_mail_domain("Privacy.Example.net.").as_deref(),
            Ok("privacy.example.net")
        );
        assert!(privacy_mail_domain("not a domain").is_err());
        assert!(privacy_mail_domain("").is_err());
    }

    #[test]
    fn public_form_is_name_and_organisation() {
        assert_eq!(public_form("Jane Doe", None), "Jane Doe");
        assert_eq!(
            public_form("Jane Doe", Some("Example Ltd")),
            "Jane Doe, Example Ltd"
        );
    }
}
