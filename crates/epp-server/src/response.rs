//! EPP answers (RFC 5730 §2.6): a `<result>`, optional `<msgQ>` and
//! `<resData>`, and the `<trID>` echoing the clTRID with a unique svTRID.
//! Every text and attribute is escaped (quick-xml's `escape`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::escape::escape;

use crate::EPP_NS;

/// An EPP date-time (`dateTime` in UTC, RFC 3339 with `Z`).
pub(crate) fn date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes XML elements with escaped text.
#[derive(Debug, Default)]
pub(crate) struct Xml(String);

impl Xml {
    /// `<tag attrs>text</tag>` (`attrs` already written: use [`attr`]).
    pub(crate) fn text(&mut self, tag: &str, attrs: &str, text: &str) -> &mut Self {
        self.0
            .push_str(&format!("<{tag}{attrs}>{}</{tag}>", escape(text)));
        self
    }

    /// `<tag attrs/>`.
    pub(crate) fn empty(&mut self, tag: &str, attrs: &str) -> &mut Self {
        self.0.push_str(&format!("<{tag}{attrs}/>"));
        self
    }

    /// `<tag attrs>`.
    pub(crate) fn open(&mut self, tag: &str, attrs: &str) -> &mut Self {
        self.0.push_str(&format!("<{tag}{attrs}>"));
        self
    }

    /// `</tag>`.
    pub(crate) fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str(&format!("</{tag}>"));
        self
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// ` name="value"`, the value escaped.
pub(crate) fn attr(name: &str, value: &str) -> String {
    format!(" {name}=\"{}\"", escape(value))
}

/// The text RFC 5730 §3 gives each result code.
pub(crate) fn message(code: u16) -> &'static str {
    match code {
        1000 => "Command completed successfully",
        1001 => "Command completed successfully; action pending",
        1300 => "Command completed successfully; no messages",
        1301 => "Command completed successfully; ack to dequeue",
        1500 => "Command completed successfully; ending session",
        2000 => "Unknown command",
        2001 => "Command syntax error",
        2002 => "Command use error",
        2003 => "Required parameter missing",
        2004 => "Parameter value range error",
        2005 => "Parameter value syntax error",
        2100 => "Unimplemented protocol version",
        2101 => "Unimplemented command",
        2102 => "Unimplemented option",
        2103 => "Unimplemented extension",
        2104 => "Billing failure",
        2105 => "Object is not eligible for renewal",
        2106 => "Object is not eligible for transfer",
        2200 => "Authentication error",
        2201 => "Authorization error",
        2202 => "Invalid authorization information",
        2300 => "Object pending transfer",
        2301 => "Object not pending transfer",
        2302 => "Object exists",
        2303 => "Object does not exist",
        2304 => "Object status prohibits operation",
        2305 => "Object association prohibits operation",
        2306 => "Parameter value policy error",
        2307 => "Unimplemented object service",
        2308 => "Data management policy violation",
        2400 => "Command failed",
        2500 => "Command failed; server closing connection",
        2501 => "Authentication error; server closing connection",
        2502 => "Session limit exceeded; server closing connection",
        _ => "Command failed",
    }
}

/// A unique server transaction id: this process's random prefix and a
/// counter.
pub(crate) fn sv_trid() -> String {
    static PREFIX: OnceLock<String> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| {
        use rand::Rng;
        format!("VPSD-{:08X}", rand::rngs::OsRng.gen::<u32>())
    });
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// One answer, before it is written.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) code: u16,
    /// Why, for an error (`<extValue><reason>`); never a secret.
    pub(crate) reason: Option<String>,
    /// The `<msgQ>` element, written.
    pub(crate) msg_q: Option<String>,
    /// The `<resData>` content, written.
    pub(crate) res_data: Option<String>,
    /// The `<extension>` content, written (RFC 5730 §2.7.1).
    pub(crate) extension: Option<String>,
    /// Whether the server closes the connection after it.
    pub(crate) close: bool,
}

impl Answer {
    /// Code `code` with nothing else.
    pub(crate) fn code(code: u16) -> Self {
        Self {
            code,
            reason: None,
            msg_q: None,
            res_data: None,
            extension: None,
            close: matches!(code, 1500 | 2500 | 2501 | 2502),
        }
    }

    /// An error code with its reason.
    pub(crate) fn fail(code: u16, reason: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.into()),
            ..Self::code(code)
        }
    }

    /// Code `code` with `res_data`.
    pub(crate) fn data(code: u16, res_data: String) -> Self {
        Self {
            res_data: Some(res_data),
            ..Self::code(code)
        }
    }

    /// The whole `<epp><response>` document, echoing `cl_trid`.
    pub(crate) fn to_xml(&self, cl_trid: Option<&str>) -> String {
        let mut x = Xml::default();
        x.open("epp", &attr("xmlns", EPP_NS)).open("response", "");
        x.open("result", &attr("code", &self.code.to_string()))
            .text("msg", "", message(self.code));
        if let Some(reason) = &self.reason {
            x.open("extValue", "")
                .open("value", "")
                .empty("undef", "")
                .close("value")
                .text("reason", "", reason)
                .close("extValue");
        }
        x.close("result");
        if let Some(q) = &self.msg_q {
            x.0.push_str(q);
        }
        if let Some(d) = &self.res_data {
            x.open("resData", "");
            x.0.push_str(d);
            x.close("resData");
        }
        if let Some(e) = &self.extension {
            x.open("extension", "");
            x.0.push_str(e);
            x.close("extension");
        }
        x.open("trID", "");
        if let Some(id) = cl_trid {
            x.text("clTRID", "", id);
        }
        x.text("svTRID", "", &sv_trid()).close("trID");
        x.close("response").close("epp");
        document(x)
    }
}

/// The XML declaration and `x`.
pub(crate) fn document(x: Xml) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>{}",
        x.into_string()
    )
}

/// The `<greeting>` (RFC 5730 §2.4): the server's id and time, the objects
/// it serves (domain, host, contact), the extensions (RGP, RFC 3915; fees, RFC 8748), and its data
/// collection policy.
pub(crate) fn greeting(server_id: &str, now: DateTime<Utc>) -> String {
    let mut x = Xml::default();
    x.open("epp", &attr("xmlns", EPP_NS)).open("greeting", "");
    x.text("svID", "", server_id).text("svDate", "", &date(now));
    x.open("svcMenu", "")
        .text("version", "", "1.0")
        .text("lang", "", "en")
        .text("objURI", "", crate::DOMAIN_NS)
        .text("objURI", "", crate::HOST_NS)
        .text("objURI", "", crate::CONTACT_NS)
        .open("svcExtension", "")
        .text("extURI", "", crate::RGP_NS)
        .text("extURI", "", crate::FEE_NS)
        .text("extURI", "", crate::CHANGE_POLL_NS)
        .text("extURI", "", crate::NAMESTORE_NS)
        .close("svcExtension")
        .close("svcMenu");
    x.open("dcp", "")
        .open("access", "")
        .empty("all", "")
        .close("access")
        .open("statement", "")
        .open("purpose", "")
        .empty("admin", "")
        .empty("prov", "")
        .close("purpose")
        .open("recipient", "")
        .empty("ours", "")
        .close("recipient")
        .open("retention", "")
        .empty("stated", "")
        .close("retention")
        .close("statement")
        .close("dcp");
    x.close("greeting").close("epp");
    document(x)
}
