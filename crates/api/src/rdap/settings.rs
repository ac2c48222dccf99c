//! The operator's RDAP settings (`vpsd serve --rdap-settings FILE`, a JSON
//! object; every field optional, docs/api.md "RDAP"): who the registrar is
//! (its IANA id, RDAP Response Profile §2.4), its abuse contact (§2.4.5,
//! RAA 3.18), the notices every answer carries (§2.6: terms of service,
//! status codes, the inaccuracy complaint form) and the registries' RDAP
//! services the `related` links point to.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What the RDAP server says about the registrar; [`Default`] is VPS.org's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RdapSettings {
    /// The registrar's name (the registrar entity's `fn`).
    pub registrar_name: String,
    /// The registrar's IANA id, shown as the publicId `IANA Registrar ID`
    /// and as the registrar entity's handle. Default `9999`, IANA's id for
    /// registrations by a registrar that is not ICANN-accredited: an
    /// accredited operator sets its own.
    pub iana_id: String,
    /// The registrar's web site (the registrar entity's `url`).
    pub registrar_url: String,
    /// The abuse contact's email (RAA 3.18.1).
    pub abuse_email: String,
    /// The abuse contact's telephone, E.164 as `+CC.NUMBER` (RFC 5733
    /// §2.5).
    pub abuse_phone: String,
    /// The terms of service the first notice links to.
    pub terms_of_service_url: String,
    /// What the EPP status codes mean (ICANN's page by default).
    pub status_codes_url: String,
    /// Where to complain about inaccurate registration data (ICANN's
    /// Whois Inaccuracy Complaint Form by default).
    pub inaccuracy_form_url: String,
    /// The entity handle the privacy service's contact shows under while a
    /// domain's privacy protection is on (its data is
    /// `RegistrarSettings::privacy_contact`, the one `whois_info` shows).
    pub privacy_handle: String,
    /// A TLD's registry's RDAP base URL (ending in `/`), by TLD (`com`):
    /// a domain under it gets a `related` link to the registry's record of
    /// it. None by default (the sandbox registry has no RDAP service).
    pub registry_rdap: BTreeMap<String, String>,
}

impl Default for RdapSettings {
    fn default() -> Self {
        Self {
            registrar_name: vpsd_domain::OUR_REGISTRAR.to_owned(),
            iana_id: "9999".to_owned(),
            registrar_url: "https://vps.org/".to_owned(),
            abuse_email: "abuse@vps.org".to_owned(),
            abuse_phone: "+1.3025550199".to_owned(),
            terms_of_service_url: "https://vps.org/legal/terms/".to_owned(),
            status_codes_url: "https://icann.org/epp".to_owned(),
            inaccuracy_form_url: "https://icann.org/wicf".to_owned(),
            privacy_handle: "PRIVACY-SERVICE".to_owned(),
            registry_rdap: BTreeMap::new(),
        }
    }
}

impl RdapSettings {
    /// Reads the settings file's text: a JSON object with any of the fields
    /// above (the others keep their defaults).
    ///
    /// # Errors
    /// A sentence naming what is wrong: not JSON, an unknown field, an
    /// abuse phone not in `+CC.NUMBER` form, an abuse email that is not an
    /// address, a URL that is not `http(s)://`, an empty handle or IANA id.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let s: RdapSettings = serde_json::from_str(text).map_err(|e| e.to_string())?;
        vpsd_domain::contact::phone(&s.abuse_phone).map_err(|e| format!("abuse_phone: {e}"))?;
        vpsd_domain::contact::email(&s.abuse_email).map_err(|e| format!("abuse_email: {e}"))?;
        let urls = [
            ("registrar_url", &s.registrar_url),
            ("terms_of_service_url", &s.terms_of_service_url),
            ("status_codes_url", &s.status_codes_url),
            ("inaccuracy_form_url", &s.inaccuracy_form_url),
        ];
        let registries = s.registry_rdap.values().map(|u| ("registry_rdap", u));
        for (field, url) in urls.into_iter().chain(registries) {
            let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(format!("{field}: `{url}` is not an http(s) URL"));
            }
        }
        for (field, v) in [
            ("iana_id", &s.iana_id),
            ("privacy_handle", &s.privacy_handle),
        ] {
            if v.trim().is_empty() || v.chars().any(char::is_whitespace) {
                return Err(format!("{field}: may not be empty or hold spaces"));
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_default_and_are_checked() {
        let s = RdapSettings::from_json(r#"{"iana_id": "1234"}"#).expect("settings");
        assert_eq!(s.iana_id, "1234");
        assert_eq!(s.abuse_email, RdapSettings::default().abuse_email);
        for (bad, field) in [
            (r#"{"abuse_phone": "555"}"#, "abuse_phone"),
            (r#"{"abuse_email": "x"}"#, "abuse_email"),
            (r#"{"registrar_url": "ftp://x"}"#, "registrar_url"),
            (r#"{"registry_rdap": {"com": "nope"}}"#, "registry_rdap"),
            (r#"{"iana_id": ""}"#, "iana_id"),
            (r#"{"nick": 1}"#, "unknown field"),
        ] {
            let e = RdapSettings::from_json(bad).expect_err(bad);
            assert!(e.contains(field), "{bad}: {e}");
        }
    }
}
