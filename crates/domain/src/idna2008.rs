//! The IDNA2008 rules a U-label must meet (RFC 5891 §4.2, RFC 5892), and
//! the one-script rule for labels we register (UTS #39).
//!
//! The `idna` crate does UTS-46 processing: it maps what a user typed (case,
//! width, NFC), checks hyphens (RFC 5891 §4.2.3.1), the joiners' CONTEXTJ
//! rules (RFC 5892 Appendix A.1–A.2) and the Bidi rule (RFC 5893 §2). UTS-46
//! is more permissive than IDNA2008 in what it lets through: symbols such as
//! emoji (`NV8` in its table), and characters IDNA2008 makes CONTEXTO it
//! does not check in context. No crate computes RFC 5892's derived property,
//! so it is computed here, as RFC 5892 §3 writes it, from the Unicode
//! properties of the ICU4X data `idna` itself uses (`icu_properties`,
//! `icu_normalizer`); so are the CONTEXTO rules (RFC 5892 Appendix A.3–A.9).
//! Scripts are told apart by `unicode-security` (UTS #39 §5).

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::{
    Block, CanonicalCombiningClass, ChangesWhenNfkcCasefolded, DefaultIgnorableCodePoint,
    GeneralCategory, HangulSyllableType, JoinControl, JoiningType, NoncharacterCodePoint, Script,
    WhiteSpace,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::GeneralSecurityProfile;

/// The IDNA derived property of a code point (RFC 5892 §3, §2.x names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    /// Allowed anywhere (PVALID).
    Pvalid,
    /// A join control, allowed in the context of RFC 5892 Appendix A.1–A.2.
    ContextJ,
    /// Allowed in the context of RFC 5892 Appendix A.3–A.9.
    ContextO,
    /// Never allowed.
    Disallowed,
    /// Not assigned in the Unicode version of the data (RFC 5892 §2.11).
    Unassigned,
}

/// RFC 5892 §3: the derived property of `cp`, rule by rule in the RFC's
/// order (§2.6 Exceptions first, then §2.11, §2.10, §2.8, §2.4, §2.5, §2.7,
/// §2.9, §2.2, else DISALLOWED).
pub fn derived_property(cp: char) -> Derived {
    // §2.6 Exceptions (F).
    match cp {
        '\u{00DF}' | '\u{03C2}' | '\u{06FD}' | '\u{06FE}' | '\u{0F0B}' | '\u{3007}' => {
            return Derived::Pvalid
        }
        '\u{00B7}' | '\u{0375}' | '\u{05F3}' | '\u{05F4}' | '\u{30FB}' => return Derived::ContextO,
        '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => return Derived::ContextO,
        '\u{0640}'
        | '\u{07FA}'
        | '\u{302E}'
        | '\u{302F}'
        | '\u{3031}'..='\u{3035}'
        | '\u{303B}' => return Derived::Disallowed,
        _ => {}
    }
    // §2.7 BackwardCompatible (G) is empty. §2.11 Unassigned (J).
    let gc = CodePointMapData::<GeneralCategory>::new().get(cp);
    if gc == GeneralCategory::Unassigned
        && !CodePointSetData::new::<NoncharacterCodePoint>().contains(cp)
    {
        return Derived::Unassigned;
    }
    // §2.10 LDH (K).
    if cp.is_ascii_lowercase() || cp.is_ascii_digit() || cp == '-' {
        return Derived::Pvalid;
    }
    // §2.8 JoinControl (H).
    if CodePointSetData::new::<JoinControl>().contains(cp) {
        return Derived::ContextJ;
    }
    // §2.3 Unstable (B): toNFKC(toCaseFold(toNFKC(cp))) != cp. A code point
    // NFKC changes is unstable; one NFKC keeps is unstable exactly when
    // case folding and NFKC together change it (Changes_When_NFKC_Casefolded).
    let mut buf = [0u8; 4];
    let as_str: &str = cp.encode_utf8(&mut buf);
    if !ComposingNormalizerBorrowed::new_nfkc().is_normalized(as_str)
        || CodePointSetData::new::<ChangesWhenNfkcCasefolded>().contains(cp)
    {
        return Derived::Disallowed;
    }
    // §2.4 IgnorableProperties (C).
    if CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(cp)
        || CodePointSetData::new::<WhiteSpace>().contains(cp)
        || CodePointSetData::new::<NoncharacterCodePoint>().contains(cp)
    {
        return Derived::Disallowed;
    }
    // §2.5 IgnorableBlocks (D).
    let block = CodePointMapData::<Block>::new().get(cp);
    if block == Block::CombiningDiacriticalMarksForSymbols
        || block == Block::MusicalSymbols
        || block == Block::AncientGreekMusicalNotation
    {
        return Derived::Disallowed;
    }
    // §2.9 OldHangulJamo (I).
    let hst = CodePointMapData::<HangulSyllableType>::new().get(cp);
    if hst == HangulSyllableType::LeadingJamo
        || hst == HangulSyllableType::VowelJamo
        || hst == HangulSyllableType::TrailingJamo
    {
        return Derived::Disallowed;
    }
    // §2.1 LetterDigits (A).
    match gc {
        GeneralCategory::LowercaseLetter
        | GeneralCategory::UppercaseLetter
        | GeneralCategory::OtherLetter
        | GeneralCategory::DecimalNumber
        | GeneralCategory::ModifierLetter
        | GeneralCategory::NonspacingMark
        | GeneralCategory::SpacingMark => Derived::Pvalid,
        _ => Derived::Disallowed,
    }
}

/// `s` in Unicode Normalization Form C (RFC 5891 §5.2 asks U-labels in it).
pub fn nfc(s: &str) -> String {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc()
        .normalize(s)
        .into_owned()
}

/// `U+30FB (・)`: how a refused character is named in an error.
fn show(cp: char) -> String {
    format!("U+{:04X} ({cp})", cp as u32)
}

fn script(cp: char) -> Script {
    CodePointMapData::<Script>::new().get(cp)
}

fn joining_type(cp: char) -> JoiningType {
    CodePointMapData::<JoiningType>::new().get(cp)
}

fn is_virama(cp: Option<&char>) -> bool {
    cp.is_some_and(|c| {
        CodePointMapData::<CanonicalCombiningClass>::new().get(*c)
            == CanonicalCombiningClass::Virama
    })
}

/// RFC 5892 Appendix A: whether the CONTEXTJ or CONTEXTO code point at
/// `i` of `label` is allowed there; the reason when it is not.
fn context_rule(label: &[char], i: usize) -> Result<(), String> {
    let cp = label[i];
    let before = i.checked_sub(1).and_then(|j| label.get(j));
    let after = label.get(i + 1);
    let ok = match cp {
        // A.1 ZERO WIDTH NON-JOINER: after a virama, or between joining
        // letters: (L|D) T* ZWNJ T* (R|D).
        '\u{200C}' => {
            is_virama(before) || {
                let left = label[..i]
                    .iter()
                    .rev()
                    .map(|c| joining_type(*c))
                    .find(|t| *t != JoiningType::Transparent);
                let right = label[i + 1..]
                    .iter()
                    .map(|c| joining_type(*c))
                    .find(|t| *t != JoiningType::Transparent);
                matches!(
                    left,
                    Some(JoiningType::LeftJoining | JoiningType::DualJoining)
                ) && matches!(
                    right,
                    Some(JoiningType::RightJoining | JoiningType::DualJoining)
                )
            }
        }
        // A.2 ZERO WIDTH JOINER: after a virama.
        '\u{200D}' => is_virama(before),
        // A.3 MIDDLE DOT: between two `l` (Catalan l·l).
        '\u{00B7}' => before == Some(&'l') && after == Some(&'l'),
        // A.4 GREEK LOWER NUMERAL SIGN: before a Greek character.
        '\u{0375}' => after.is_some_and(|c| script(*c) == Script::Greek),
        // A.5, A.6 HEBREW GERESH, GERSHAYIM: after a Hebrew character.
        '\u{05F3}' | '\u{05F4}' => before.is_some_and(|c| script(*c) == Script::Hebrew),
        // A.7 KATAKANA MIDDLE DOT: in a label with Hiragana, Katakana or Han.
        '\u{30FB}' => label.iter().any(|c| {
            matches!(
                script(*c),
                Script::Hiragana | Script::Katakana | Script::Han
            )
        }),
        // A.8 ARABIC-INDIC DIGITS: not with extended Arabic-Indic digits.
        '\u{0660}'..='\u{0669}' => !label.iter().any(|c| ('\u{06F0}'..='\u{06F9}').contains(c)),
        // A.9 EXTENDED ARABIC-INDIC DIGITS: not with Arabic-Indic digits.
        '\u{06F0}'..='\u{06F9}' => !label.iter().any(|c| ('\u{0660}'..='\u{0669}').contains(c)),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let why = match cp {
        '\u{200C}' => "a zero width non-joiner is allowed only after a virama or between joining letters (RFC 5892 Appendix A.1)",
        '\u{200D}' => "a zero width joiner is allowed only after a virama (RFC 5892 Appendix A.2)",
        '\u{00B7}' => "a middle dot is allowed only between two `l` (RFC 5892 Appendix A.3)",
        '\u{0375}' => "the Greek lower numeral sign is allowed only before a Greek letter (RFC 5892 Appendix A.4)",
        '\u{05F3}' | '\u{05F4}' => "a Hebrew geresh or gershayim is allowed only after a Hebrew letter (RFC 5892 Appendix A.5, A.6)",
        '\u{30FB}' => "the katakana middle dot is allowed only in a label with Hiragana, Katakana or Han characters (RFC 5892 Appendix A.7)",
        '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => "Arabic-Indic and extended Arabic-Indic digits may not be mixed in one label (RFC 5892 Appendix A.8, A.9)",
        _ => "it has no contextual rule (RFC 5892 §2.6)",
    };
    Err(format!("{} is not allowed here: {why}", show(cp)))
}

/// RFC 5891 §4.2.2–§4.2.3 and §5.4 on one U-label, on top of what UTS-46
/// processing checked: every code point PVALID, or CONTEXTJ/CONTEXTO in its
/// context (RFC 5892), and no combining mark first (RFC 5891 §4.2.3.2).
/// The error is a sentence naming the character and the rule.
pub fn check_u_label(label: &str) -> Result<(), String> {
    let chars: Vec<char> = label.chars().collect();
    if let Some(first) = chars.first() {
        let gc = CodePointMapData::<GeneralCategory>::new().get(*first);
        if matches!(
            gc,
            GeneralCategory::NonspacingMark
                | GeneralCategory::SpacingMark
                | GeneralCategory::EnclosingMark
        ) {
            return Err(format!(
                "{} is a combining mark, which may not begin a label (RFC 5891 §4.2.3.2)",
                show(*first)
            ));
        }
    }
    for (i, cp) in chars.iter().enumerate() {
        match derived_property(*cp) {
            Derived::Pvalid => {}
            Derived::ContextJ | Derived::ContextO => context_rule(&chars, i)?,
            Derived::Disallowed => {
                return Err(format!(
                    "{} is not allowed in domain names (IDNA2008 DISALLOWED, RFC 5892 §2): use letters, digits and hyphens",
                    show(*cp)
                ))
            }
            Derived::Unassigned => {
                return Err(format!(
                    "{} is not an assigned Unicode character (IDNA2008 UNASSIGNED, RFC 5892 §2.11)",
                    show(*cp)
                ))
            }
        }
    }
    Ok(())
}

fn script_name(cp: char) -> String {
    icu_properties::PropertyNamesLong::<Script>::new()
        .get(script(cp))
        .unwrap_or("Unknown")
        .replace('_', " ")
}

/// UTS #39 §5.2 restriction levels: a label we register must be "highly
/// restrictive" at most, that is written in one script, or in Latin with
/// Han and Hiragana/Katakana (Japanese), Han and Bopomofo (Chinese) or Han
/// and Hangul (Korean); digits, hyphens and combining marks go with any
/// script. This is the profile the ICANN IDN Implementation Guidelines
/// ask registries for. The error names the character that mixes.
pub fn check_single_script(label: &str) -> Result<(), String> {
    use unicode_security::{RestrictionLevel, RestrictionLevelDetection};
    if label.detect_restriction_level() <= RestrictionLevel::HighlyRestrictive {
        return Ok(());
    }
    if let Some(cp) = label.chars().find(|c| !c.identifier_allowed()) {
        return Err(format!(
            "{} is not in the Unicode identifier profile for security (UTS #39 §3.1, Identifier_Status Restricted): use the letters of a script in modern use",
            show(cp)
        ));
    }
    // The first character with a script, and the first one whose scripts
    // leave none in common with those before it.
    let mut set = AugmentedScriptSet::default();
    let mut first: Option<char> = None;
    for cp in label.chars() {
        let own = AugmentedScriptSet::for_char(cp);
        if first.is_none() && !own.is_all() {
            first = Some(cp);
        }
        set.intersect_with(own);
        if set.is_empty() {
            let other = first.unwrap_or(cp);
            return Err(format!(
                "it mixes scripts in one label: {} is {} but {} is {}; write each label in one script (UTS #39 §5.2, highly restrictive), which tells look-alike names apart",
                show(other),
                script_name(other),
                show(cp),
                script_name(cp)
            ));
        }
    }
    Err(format!(
        "`{label}` mixes scripts in one label; write each label in one script (UTS #39 §5.2, highly restrictive)"
    ))
}
