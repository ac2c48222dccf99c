//! TXT content (RFC 1035 §3.3.14: one or more `<character-string>`s of at
//! most 255 octets each), as the API takes it in either of two forms:
//!
//! - **Bare text** (`v=spf1 include:_spf.example.net -all`): the text
//!   itself, any length up to [`MAX_TXT_BYTES`]; served as strings of 255
//!   octets cut on character boundaries. What a person types.
//! - **Presentation form** (RFC 1035 §5.1), chosen when the content starts
//!   with `"`: character-strings written one after another, separated by
//!   spaces, each quoted (`"v=DKIM1; k=rsa; p=AAAA" "BBBB"`) or a run of
//!   characters without spaces, with `\"`, `\\`, `\X` and `\DDD` (a decimal
//!   octet) escapes. What mail hosters and zone files give. The strings are
//!   served as given; one longer than 255 octets (a DKIM key pasted as one
//!   quoted string) is served cut into 255-octet strings, which is the same
//!   to every reader that joins them (DKIM, RFC 6376 §3.6.2.2; SPF, RFC
//!   7208 §3.3).
//!
//! The stored form keeps the form the client chose, so a client reads back
//! what it wrote: bare text as given, the presentation form rewritten with
//! one space between strings, each string quoted, and only `"`, `\` and
//! bytes that are not printable escaped.

/// The longest TXT content accepted, in octets on the wire (the strings'
/// data, without their length octets).
pub const MAX_TXT_BYTES: usize = 4_000;

/// The most TXT content may take on the wire: the strings' data and a length
/// octet each, so empty strings count too (`"" "" ...`).
pub const MAX_TXT_WIRE: usize = 4_096;

/// The longest `<character-string>` (RFC 1035 §3.3: a length octet).
const MAX_STRING: usize = 255;

/// TXT data, parsed once (by [`Txt::parse`]) in the form the client chose:
/// its [`Display`](std::fmt::Display) is the stored form (the API's
/// `content`), [`Txt::character_strings`] what goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Txt {
    /// Bare text, at most [`MAX_TXT_BYTES`] octets: served as strings of
    /// 255 octets cut on character boundaries.
    Bare(String),
    /// The presentation form's character-strings as given (one may be
    /// longer than 255 octets: it is served cut into 255-octet strings).
    Quoted(Vec<Vec<u8>>),
}

impl Txt {
    /// Checks TXT content as the API takes it (either form, by the module's
    /// rules); errors are a sentence saying what is wrong and what to do.
    pub fn parse(raw: &str) -> Result<Txt, String> {
        if raw.is_empty() {
            return Err("A TXT record needs some text.".to_owned());
        }
        if raw.chars().any(char::is_control) {
            return Err(
                "TXT content may not hold control characters (such as line breaks); in the quoted form write them as \\DDD (\\009 for a tab)."
                    .to_owned(),
            );
        }
        if is_presentation(raw) {
            let strings = parse_presentation(raw)?;
            check_size(strings.iter().map(Vec::len).sum())?;
            check_wire(&strings)?;
            Ok(Txt::Quoted(strings))
        } else {
            check_size(raw.len())?;
            Ok(Txt::Bare(raw.to_owned()))
        }
    }

    /// The character-strings the nameserver sends, each at most 255 octets
    /// (RFC 1035 §3.3.14).
    pub fn character_strings(&self) -> Vec<Vec<u8>> {
        let bare;
        let strings: &[Vec<u8>] = match self {
            Txt::Bare(text) => {
                bare = [text.as_bytes().to_vec()];
                &bare
            }
            Txt::Quoted(strings) => strings,
        };
        let mut out = Vec::with_capacity(strings.len());
        for s in strings {
            if s.is_empty() {
                out.push(Vec::new());
                continue;
            }
            let mut rest = s.as_slice();
            while !rest.is_empty() {
                let cut = cut_point(rest);
                let (head, tail) = rest.split_at(cut);
                out.push(head.to_vec());
                rest = tail;
            }
        }
        out
    }

    /// The octets the data takes on the wire: each 255-octet piece's data
    /// and its length octet.
    pub fn wire_len(&self) -> usize {
        match self {
            Txt::Bare(text) => wire_len(&[text.as_bytes().to_vec()]),
            Txt::Quoted(strings) => wire_len(strings),
        }
    }

    /// Whether two TXT data put the same strings on the wire (`"abc"` and
    /// `abc` do): RFC 2181 §5's duplicate records.
    pub fn same_data(&self, other: &Txt) -> bool {
        self == other || self.character_strings() == other.character_strings()
    }
}

impl std::fmt::Display for Txt {
    /// The stored form: bare text as given; the presentation form with one
    /// space between strings, each quoted, only `"`, `\` and bytes that are
    /// not printable escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Txt::Bare(text) => f.write_str(text),
            Txt::Quoted(strings) => {
                for (i, s) in strings.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(&quote(s))?;
                }
                Ok(())
            }
        }
    }
}

/// The octets `strings` take on the wire once cut at 255 octets: each
/// piece's data and its length octet.
fn wire_len(strings: &[Vec<u8>]) -> usize {
    strings
        .iter()
        .map(|s| s.len() + s.len().div_ceil(MAX_STRING).max(1))
        .sum()
}

fn check_wire(strings: &[Vec<u8>]) -> Result<(), String> {
    let wire = wire_len(strings);
    if wire > MAX_TXT_WIRE {
        return Err(format!(
            "TXT content may take at most {MAX_TXT_WIRE} bytes on the wire, a length byte per string included (this takes {wire}): use fewer strings."
        ));
    }
    Ok(())
}

fn is_presentation(content: &str) -> bool {
    content.starts_with('"')
}

fn check_size(bytes: usize) -> Result<(), String> {
    if bytes > MAX_TXT_BYTES {
        return Err(format!(
            "TXT content may be at most {MAX_TXT_BYTES} bytes (this is {bytes})."
        ));
    }
    Ok(())
}

/// Where to cut `rest` so the head is at most 255 octets and, if it is
/// UTF-8, ends on a character boundary.
fn cut_point(rest: &[u8]) -> usize {
    if rest.len() <= MAX_STRING {
        return rest.len();
    }
    let mut cut = MAX_STRING;
    // Back over UTF-8 continuation octets (10xxxxxx), at most three.
    while cut > MAX_STRING - 3 && rest[cut] & 0b1100_0000 == 0b1000_0000 {
        cut -= 1;
    }
    cut
}

/// RFC 1035 §5.1's character-strings, quoted or not, with escapes.
fn parse_presentation(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let bytes = text.as_bytes();
    let mut strings = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let quoted = bytes[i] == b'"';
        if quoted {
            i += 1;
        }
        let mut s = Vec::new();
        let mut closed = !quoted;
        while i < bytes.len() {
            let b = bytes[i];
            if quoted && b == b'"' {
                closed = true;
                i += 1;
                break;
            }
            if !quoted && b == b' ' {
                break;
            }
            if !quoted && b == b'"' {
                return Err(
                    "In quoted TXT content, a quote inside an unquoted string (b\"c\") is ambiguous: quote the whole string (\"b c\"), or write the quote as \\\"."
                        .to_owned(),
                );
            }
            if b == b'\\' {
                let (octet, used) = escape(&bytes[i + 1..])?;
                s.push(octet);
                i += 1 + used;
            } else {
                s.push(b);
                i += 1;
            }
        }
        if !closed {
            return Err(
                "The TXT content starts with a quote, so it is read as quoted strings (\"part one\" \"part two\"), and a quote is not closed: close it, or write a quote inside a string as \\\"."
                    .to_owned(),
            );
        }
        if quoted && i < bytes.len() && bytes[i] != b' ' {
            return Err(
                "In quoted TXT content, put a space between one quoted string and the next (\"part one\" \"part two\"), or write a quote inside a string as \\\"."
                    .to_owned(),
            );
        }
        strings.push(s);
    }
    Ok(strings)
}

/// The octet an escape (after its `\`) stands for, and how many bytes it
/// used: `\DDD` (decimal, at most 255) or `\X` for the character X.
fn escape(rest: &[u8]) -> Result<(u8, usize), String> {
    let bad = || {
        "A `\\` in quoted TXT content starts an escape: `\\\"` for a quote, `\\\\` for a backslash, `\\DDD` for an octet (000 to 255)."
            .to_owned()
    };
    match rest {
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let value = u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0');
            u8::try_from(value).map(|v| (v, 3)).map_err(|_| bad())
        }
        [a, ..] if a.is_ascii_digit() => Err(bad()),
        [x, ..] => Ok((*x, 1)),
        [] => Err(bad()),
    }
}

/// One character-string in the stored presentation form: quoted, with `"`
/// and `\` escaped and octets that are not printable (nor part of valid
/// UTF-8 text) written `\DDD`.
fn quote(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\{b:03}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\{b:03}"));
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored form of `raw`, or why it is refused.
    fn canonical(raw: &str) -> Result<String, String> {
        Txt::parse(raw).map(|t| t.to_string())
    }

    /// The wire strings of a stored form.
    fn character_strings(stored: &str) -> Option<Vec<Vec<u8>>> {
        Txt::parse(stored).ok().map(|t| t.character_strings())
    }

    fn same_data(a: &str, b: &str) -> bool {
        let parse = |s: &str| Txt::parse(s).expect("valid");
        parse(a).same_data(&parse(b))
    }

    fn wire(stored: &str) -> Vec<String> {
        character_strings(stored)
            .expect("stored form")
            .into_iter()
            .map(|s| String::from_utf8_lossy(&s).into_owned())
            .collect()
    }

    #[test]
    fn bare_text_is_the_text() {
        let spf = "v=spf1 include:_spf.example.net \"odd\" -all";
        assert_eq!(canonical(spf).as_deref(), Ok(spf));
        assert_eq!(wire(spf), [spf]);
    }

    #[test]
    fn quoted_dkim_pasted_from_a_mail_hoster() {
        let pasted = r#""v=DKIM1; k=rsa; p=AAAA"   "BBBB""#;
        let stored = canonical(pasted).expect("valid");
        assert_eq!(stored, r#""v=DKIM1; k=rsa; p=AAAA" "BBBB""#);
        assert_eq!(wire(&stored), ["v=DKIM1; k=rsa; p=AAAA", "BBBB"]);
        // The stored form reads back as itself.
        assert_eq!(canonical(&stored).as_deref(), Ok(stored.as_str()));
    }

    #[test]
    fn escapes_and_unquoted_strings() {
        let stored = canonical(r#""say \"hi\"" "back\\slash" "tab\009end" plain"#).expect("valid");
        assert_eq!(
            wire(&stored),
            ["say \"hi\"", "back\\slash", "tab\tend", "plain"]
        );
        assert_eq!(stored, r#""say \"hi\"" "back\\slash" "tab\009end" "plain""#);
        assert_eq!(wire(&canonical(r#""\065\066C""#).expect("valid")), ["ABC"]);
        assert_eq!(wire(&canonical(r#""""#).expect("valid")), [""]);
        assert_eq!(wire(&canonical(r#""é""#).expect("valid")), ["é"]);
    }

    #[test]
    fn long_values_cut_at_255_octets() {
        let key = "A".repeat(600);
        let quoted = format!("\"v=DKIM1; p={key}\"");
        let parts = character_strings(&canonical(&quoted).expect("valid")).expect("stored");
        assert_eq!(
            parts.iter().map(Vec::len).collect::<Vec<_>>(),
            [255, 255, 101]
        );
        assert_eq!(parts.concat(), format!("v=DKIM1; p={key}").into_bytes());
        let accents = "é".repeat(200); // 400 octets, cut on a character boundary
        let parts = character_strings(&canonical(&accents).expect("valid")).expect("stored");
        assert!(parts
            .iter()
            .all(|p| p.len() <= 255 && std::str::from_utf8(p).is_ok()));
        assert_eq!(parts.concat(), accents.into_bytes());
        assert!(canonical(&"x".repeat(MAX_TXT_BYTES + 1)).is_err());
        assert!(canonical(&format!("\"{}\"", "x".repeat(MAX_TXT_BYTES + 1))).is_err());
        // Empty strings take a length byte each.
        assert!(canonical(&"\"\" ".repeat(MAX_TXT_WIRE + 1)).is_err());
        assert!(canonical(&"\"\" ".repeat(100)).is_ok());
    }

    #[test]
    fn malformed_quoted_content_is_refused_with_a_reason() {
        for bad in [
            r#""unclosed"#,
            r#""a""b""#,
            r#""a" b"c""#,
            r#""bad \256 octet""#,
            r#""bad \1x""#,
            "\"line\nbreak\"",
            "",
        ] {
            assert!(canonical(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_same_data_in_either_form_is_the_same_record() {
        assert!(same_data("abc", r#""abc""#));
        assert!(!same_data("abc def", r#""abc" "def""#));
    }
}
