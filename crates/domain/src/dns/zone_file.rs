//! Zone files: the master file form of RFC 1035 §5, read into records the
//! records API takes ([`parse`]) and each record written back as one line
//! ([`record_line`]).
//!
//! What is read: entries one per line, or across lines inside `( )`;
//! comments from `;`; quoted strings with `\"`, `\\` and `\DDD` escapes;
//! an omitted owner (a line starting with a blank) meaning the previous
//! entry's; `@` for the origin; names without a final dot relative to the
//! origin; TTL and class (`IN` only) in either order (§5.1); TTLs in
//! seconds or with BIND's units (`1h30m`); `$ORIGIN` and `$TTL` (RFC 2308
//! §4). `$INCLUDE` is refused (a file on the server is no business of a
//! client's), as is `$GENERATE` (BIND's own). Each record then passes the
//! records API's own checks ([`super::validate`]), so a zone file can hold
//! nothing the API would refuse. The SOA and the apex's NS records are the
//! nameserver's own: they are skipped, and said to be.

use super::{validate, Rdata, RecordData, RecordInput, RecordType};

/// A line at fault: its number (from 1) and what is wrong, with what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// A record of the file left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    /// Its type as written (`SOA`, `NS`).
    pub rtype: String,
    pub reason: &'static str,
}

/// A zone file read for zone `zone`: its records with the line each starts
/// on, the records left out, and every line at fault (none means the file
/// may be applied).
#[derive(Debug, Clone, Default)]
pub struct ZoneFile {
    pub records: Vec<(usize, RecordData)>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<LineError>,
}

/// The default TTL when the file gives none (no `$TTL`, no TTL on the
/// record): the records API's default.
const DEFAULT_TTL: u32 = super::DEFAULT_TTL;

/// One word of an entry: its text as written (a quoted string with its
/// quotes and escapes) and whether it was quoted.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    quoted: bool,
}

/// One entry of the file: the line it starts on, whether its owner was
/// left out (it starts with a blank), its words.
#[derive(Debug)]
struct Entry {
    line: usize,
    blank_owner: bool,
    tokens: Vec<Token>,
}

/// Cuts `text` into entries (RFC 1035 §5.1): comments dropped, lines
/// joined inside parentheses. Faults of the syntax itself (an unclosed
/// quote or parenthesis) are errors by line.
fn entries(text: &str, errors: &mut Vec<LineError>) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut current: Option<Entry> = None;
    let mut at_line_start = true;
    let mut chars = text.chars().peekable();
    let finish = |current: &mut Option<Entry>, out: &mut Vec<Entry>| {
        if let Some(e) = current.take() {
            if !e.tokens.is_empty() {
                out.push(e);
            }
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                line += 1;
                if depth == 0 {
                    finish(&mut current, &mut out);
                }
                at_line_start = true;
                continue;
            }
            ';' => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
                continue;
            }
            ' ' | '\t' | '\r' => {
                if at_line_start && depth == 0 && current.is_none() {
                    current = Some(Entry {
                        line,
                        blank_owner: true,
                        tokens: Vec::new(),
                    });
                }
                at_line_start = false;
                continue;
            }
            _ => {}
        }
        at_line_start = false;
        let entry = current.get_or_insert_with(|| Entry {
            line,
            blank_owner: false,
            tokens: Vec::new(),
        });
        match c {
            '(' => depth += 1,
            ')' => {
                if depth == 0 {
                    errors.push(LineError {
                        line,
                        message: "A `)` closes no `(`: remove it.".to_owned(),
                    });
                } else {
                    depth -= 1;
                }
            }
            '"' => {
                let start = line;
                let mut s = String::from('"');
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            s.push('\\');
                            if let Some(n) = chars.next() {
                                if n == '\n' {
                                    line += 1;
                                }
                                s.push(n);
                            }
                        }
                        '"' => {
                            s.push('"');
                            closed = true;
                            break;
                        }
                        '\n' => break,
                        c => s.push(c),
                    }
                }
                if !closed {
                    errors.push(LineError {
                        line: start,
                        message: "A quoted string is not closed on its line: end it with `\"`."
                            .to_owned(),
                    });
                    line += 1;
                    depth = 0;
                    entry.tokens.clear();
                    current = None;
                    at_line_start = true;
                    continue;
                }
                entry.tokens.push(Token {
                    text: s,
                    quoted: true,
                });
            }
            c => {
                let mut s = String::from(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                }
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, ';' | '(' | ')' | '"') {
                        break;
                    }
                    chars.next();
                    s.push(n);
                    if n == '\\' {
                        if let Some(e) = chars.next() {
                            s.push(e);
                        }
                    }
                }
                entry.tokens.push(Token {
                    text: s,
                    quoted: false,
                });
            }
        }
    }
    if depth > 0 {
        errors.push(LineError {
            line: current.as_ref().map_or(line, |e| e.line),
            message: "A `(` is never closed: close it with `)`.".to_owned(),
        });
        current = None;
    }
    finish(&mut current, &mut out);
    out
}

/// A TTL in seconds, or with BIND's units (`1w2d3h4m5s`, case-insensitive).
fn ttl_value(s: &str) -> Option<u32> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() {
        return None;
    }
    u32::try_from(total).ok()
}

/// `name` as written in the file, absolute with its final dot: `@` is the
/// origin, a name without a final dot is relative to it.
fn absolute(name: &str, origin: &str) -> String {
    // The root as origin (`$ORIGIN .`) is kept as the empty name.
    let dot = if origin.is_empty() { "" } else { "." };
    if name == "@" {
        format!("{origin}.")
    } else if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.{origin}{dot}")
    }
}

/// A word of RDATA as a quoted string (bare words of TXT and CAA are
/// strings too, RFC 1035 §5.1).
fn quoted(t: &Token) -> String {
    if t.quoted {
        t.text.clone()
    } else {
        format!("\"{}\"", t.text.replace('"', "\\\""))
    }
}

/// Reads a zone file for `zone` (lower-case A-label, no final dot): every
/// record checked by the records API's rules, every fault answered by its
/// line. The origin starts as `zone`.
pub fn parse(zone: &str, text: &str) -> ZoneFile {
    // A byte order mark, as some editors write, is no part of the file.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut file = ZoneFile::default();
    let list = entries(text, &mut file.errors);
    let mut origin = zone.to_owned();
    let mut default_ttl: Option<u32> = None;
    let mut previous_owner: Option<String> = None;
    for entry in list {
        let line = entry.line;
        macro_rules! fault {
            ($message:expr $(,)?) => {
                file.errors.push(LineError {
                    line,
                    message: $message,
                })
            };
        }
        let tokens = &entry.tokens;
        let first = &tokens[0].text;
        if !entry.blank_owner && first.starts_with('$') {
            match first.to_ascii_uppercase().as_str() {
                "$ORIGIN" => match tokens.get(1) {
                    Some(name) if tokens.len() == 2 => {
                        origin = absolute(&name.text, &origin)
                            .trim_end_matches('.')
                            .to_ascii_lowercase();
                    }
                    _ => fault!("`$ORIGIN` takes one name: `$ORIGIN example.com.`".to_owned()),
                },
                "$TTL" => match tokens.get(1).and_then(|t| ttl_value(&t.text)) {
                    Some(ttl) if tokens.len() == 2 => default_ttl = Some(ttl),
                    _ => fault!("`$TTL` takes one TTL, in seconds or with units, at most 2^32-1 seconds: `$TTL 3600` or `$TTL 1h`.".to_owned()),
                },
                "$INCLUDE" => fault!(
                    "`$INCLUDE` is not read here: put the included file's records in its place."
                        .to_owned(),
                ),
                other => fault!(format!(
                    "`{other}` is not a directive this reader knows ($ORIGIN, $TTL): write the records it stands for."
                )),
            }
            continue;
        }
        let mut rest = tokens.iter();
        let owner = if entry.blank_owner {
            match &previous_owner {
                Some(owner) => owner.clone(),
                None => {
                    fault!("This line starts with a blank, which means \"the previous owner\", but no record comes before it: write its name first.".to_owned());
                    continue;
                }
            }
        } else {
            let Some(name) = rest.next() else { continue };
            absolute(&name.text, &origin).to_ascii_lowercase()
        };
        previous_owner = Some(owner.clone());
        let mut ttl: Option<u32> = None;
        let mut class_seen = false;
        let mut rtype: Option<&Token> = None;
        for t in rest.by_ref() {
            let upper = t.text.to_ascii_uppercase();
            if ttl.is_none() && !t.quoted && t.text.starts_with(|c: char| c.is_ascii_digit()) {
                match ttl_value(&t.text) {
                    Some(v) => ttl = Some(v),
                    None => {
                        fault!(format!(
                            "`{}` is not a TTL: give seconds (3600) or units (1h).",
                            t.text
                        ));
                        rtype = None;
                        break;
                    }
                }
            } else if !class_seen && upper == "IN" {
                class_seen = true;
            } else if !class_seen && matches!(upper.as_str(), "CH" | "HS" | "CS") {
                fault!(format!("Class {upper}: only IN (the Internet) is served; write IN or leave the class out."));
                class_seen = true;
            } else {
                rtype = Some(t);
                break;
            }
        }
        let Some(rtype) = rtype else {
            if !file.errors.iter().any(|e| e.line == line) {
                fault!(
                    "This line has no record type: write `name [ttl] [IN] TYPE data`.".to_owned()
                );
            }
            continue;
        };
        let type_name = rtype.text.to_ascii_uppercase();
        let rdata: Vec<&Token> = rest.collect();
        let at_apex = owner.trim_end_matches('.') == zone;
        if type_name == "SOA" {
            file.skipped.push(Skipped {
                line,
                rtype: type_name,
                reason: "The SOA is the nameserver's own (its serial rises with every change).",
            });
            continue;
        }
        if type_name == "NS" && at_apex {
            file.skipped.push(Skipped {
                line,
                rtype: type_name,
                reason: "The apex's NS records are VPS.org's nameservers, which serve the zone.",
            });
            continue;
        }
        let Some(record_type) = RecordType::parse(&type_name) else {
            fault!(format!(
                "Type {type_name} is not kept by the records API (A, AAAA, CNAME, MX, TXT, NS, SRV, CAA): remove this line."
            ));
            continue;
        };
        let name_in_rdata = |t: &Token| absolute(&t.text, &origin);
        let wrong_count =
            |n: usize, form: &str| format!("{type_name} data is {n} word(s): {form}.");
        let (content, priority) = match record_type {
            RecordType::A | RecordType::Aaaa if rdata.len() == 1 => (rdata[0].text.clone(), None),
            RecordType::Cname | RecordType::Ns if rdata.len() == 1 => {
                (name_in_rdata(rdata[0]), None)
            }
            RecordType::Mx if rdata.len() == 2 => {
                let exchange = if rdata[1].text == "." {
                    ".".to_owned()
                } else {
                    name_in_rdata(rdata[1])
                };
                (exchange, rdata[0].text.parse::<i64>().ok().or(Some(-1)))
            }
            RecordType::Srv if rdata.len() == 4 => {
                let target = if rdata[3].text == "." {
                    ".".to_owned()
                } else {
                    name_in_rdata(rdata[3])
                };
                (
                    format!("{} {} {target}", rdata[1].text, rdata[2].text),
                    rdata[0].text.parse::<i64>().ok().or(Some(-1)),
                )
            }
            RecordType::Txt if !rdata.is_empty() => (
                rdata
                    .iter()
                    .map(|t| quoted(t))
                    .collect::<Vec<_>>()
                    .join(" "),
                None,
            ),
            RecordType::Caa if rdata.len() == 3 => (
                format!("{} {} {}", rdata[0].text, rdata[1].text, quoted(rdata[2])),
                None,
            ),
            _ => {
                let form = match record_type {
                    RecordType::A => "one IPv4 address",
                    RecordType::Aaaa => "one IPv6 address",
                    RecordType::Cname | RecordType::Ns => "one name",
                    RecordType::Mx => "a preference and an exchange (`10 mail.example.com.`)",
                    RecordType::Srv => {
                        "priority, weight, port and target (`10 5 443 host.example.com.`)"
                    }
                    RecordType::Txt => "at least one string",
                    RecordType::Caa => "flags, tag and value (`0 issue \"letsencrypt.org\"`)",
                };
                let n = rdata.len();
                fault!(wrong_count(n, &format!("it needs {form}")));
                continue;
            }
        };
        let input = RecordInput {
            name: Some(owner),
            rtype: Some(type_name),
            content: Some(content),
            ttl: Some(i64::from(ttl.or(default_ttl).unwrap_or(DEFAULT_TTL))),
            priority,
        };
        match validate(zone, &input) {
            Ok(record) => file.records.push((line, record)),
            Err(errors) => {
                for e in errors {
                    let field = match e.field {
                        "content" => "data",
                        other => other,
                    };
                    fault!(format!("{field}: {}", e.message));
                }
            }
        }
    }
    file.errors.sort_by_key(|e| e.line);
    file
}

/// A `<character-string>` in the master file's quoted form: `"` and `\`
/// escaped, bytes outside printable ASCII as `\DDD` (RFC 1035 §5.1).
pub fn quote_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\{b:03}")),
        }
    }
    s.push('"');
    s
}

/// A name of RDATA, absolute with its final dot (the root stays `.`).
fn dotted(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// `record` of zone `zone` as one master-file line: absolute owner, TTL,
/// `IN`, type, RDATA (RFC 1035 §5.1; RDATA names absolute, TXT strings
/// quoted as they go on the wire). [`parse`] reads it back to the same
/// record.
pub fn record_line(zone: &str, record: &RecordData) -> String {
    let owner = dotted(&record.fqdn(zone));
    let rdata = match &record.rdata {
        Rdata::A(a) => a.to_string(),
        Rdata::Aaaa(a) => a.to_string(),
        Rdata::Cname(n) | Rdata::Ns(n) => dotted(n.as_str()),
        Rdata::Mx {
            preference,
            exchange,
        } => format!("{preference} {}", dotted(exchange.as_str())),
        Rdata::Srv {
            priority,
            weight,
            port,
            target,
        } => format!("{priority} {weight} {port} {}", dotted(target.as_str())),
        Rdata::Txt(txt) => txt
            .character_strings()
            .iter()
            .map(|s| quote_bytes(s))
            .collect::<Vec<_>>()
            .join(" "),
        Rdata::Caa { flags, tag, value } => {
            format!("{flags} {} {}", tag.as_str(), quote_bytes(value.as_bytes()))
        }
    };
    format!(
        "{owner} {} IN {} {rdata}",
        record.ttl,
        record.rtype().as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "example.com";

    fn lines(errors: &[LineError]) -> Vec<usize> {
        errors.iter().map(|e| e.line).collect()
    }

    #[test]
    fn a_bind_zone_reads_with_its_defaults_and_relative_names() {
        let text = "\
$ORIGIN example.com.
$TTL 1h
@   IN SOA ns1.other.net. hostmaster.other.net. ( 2024010101 ; serial
            7200 3600 1209600 300 )
    IN NS  ns1.other.net.
    IN MX  10 mail
www 300 IN A 192.0.2.1
    IN AAAA 2001:db8::1
mail IN 600 A 192.0.2.2 ; class before TTL
_sip._tcp IN SRV 10 5 5060 sip
@ TXT \"v=spf1 -all\"
@ CAA 0 issue letsencrypt.org
$ORIGIN dev.example.com.
api CNAME www.example.com.
";
        let file = parse(ZONE, text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(
            file.skipped
                .iter()
                .map(|s| (s.line, s.rtype.as_str()))
                .collect::<Vec<_>>(),
            [(3, "SOA"), (5, "NS")]
        );
        let got: Vec<String> = file
            .records
            .iter()
            .map(|(_, r)| record_line(ZONE, r))
            .collect();
        assert_eq!(
            got,
            [
                "example.com. 3600 IN MX 10 mail.example.com.",
                "www.example.com. 300 IN A 192.0.2.1",
                "www.example.com. 3600 IN AAAA 2001:db8::1",
                "mail.example.com. 600 IN A 192.0.2.2",
                "_sip._tcp.example.com. 3600 IN SRV 10 5 5060 sip.example.com.",
                "example.com. 3600 IN TXT \"v=spf1 -all\"",
                "example.com. 3600 IN CAA 0 issue \"letsencrypt.org\"",
                "api.dev.example.com. 3600 IN CNAME www.example.com.",
            ]
        );
        assert_eq!(file.records[0].0, 6, "each record keeps its line");
    }

    #[test]
    fn every_line_at_fault_is_answered_by_its_number() {
        let text = "\
www A 192.0.2.300
ok A 192.0.2.1
$INCLUDE /etc/passwd
x MX mail.example.com.
y IN CH A 192.0.2.1
z PTR host.example.com.
outside.example.net. A 192.0.2.1
q TXT \"unclosed
w 99999999 A 192.0.2.1
";
        let file = parse(ZONE, text);
        assert_eq!(
            lines(&file.errors),
            [1, 3, 4, 5, 6, 7, 8, 9],
            "{:?}",
            file.errors
        );
        assert_eq!(file.records.len(), 1, "the good line still reads");
        assert!(file.errors[1].message.contains("$INCLUDE"));
    }

    #[test]
    fn records_written_read_back_the_same() {
        let text = "\
@ 3600 IN TXT \"v=DKIM1; k=rsa; p=MIIB\" \"IDAQAB\"
t 60 IN TXT \"quote \\\" backslash \\\\ tab \\009 caf\\195\\169\"
@ MX 0 .
_x._udp SRV 0 0 0 .
n NS ns.other.net.
";
        let file = parse(ZONE, text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let written: String = file
            .records
            .iter()
            .map(|(_, r)| record_line(ZONE, r) + "\n")
            .collect();
        let again = parse(ZONE, &written);
        assert!(again.errors.is_empty(), "{written}: {:?}", again.errors);
        assert_eq!(again.records.len(), file.records.len());
        for ((_, a), (_, b)) in file.records.iter().zip(&again.records) {
            assert_eq!(record_line(ZONE, a), record_line(ZONE, b));
        }
        assert!(
            written.contains("\\009") && written.contains("\\195\\169"),
            "{written}"
        );
    }

    #[test]
    fn the_root_origin_and_a_byte_order_mark_read() {
        let file = parse(
            ZONE,
            "\u{feff}$ORIGIN .\nwww.example.com 60 IN A 192.0.2.1\n",
        );
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(
            record_line(ZONE, &file.records[0].1),
            "www.example.com. 60 IN A 192.0.2.1"
        );
    }

    #[test]
    fn ttls_take_units() {
        assert_eq!(ttl_value("3600"), Some(3600));
        assert_eq!(ttl_value("1h30m"), Some(5400));
        assert_eq!(ttl_value("1W"), Some(604_800));
        assert_eq!(ttl_value("1x"), None);
        assert_eq!(ttl_value("5h3"), None);
    }
}
